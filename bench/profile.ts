import { readFileSync } from 'node:fs';

interface CpuProfile {
  nodes: Array<{ id: number; callFrame: { functionName: string; url: string } }>;
  samples: number[];
  timeDeltas: number[];
}

/** Where a sample's time goes: a package, one of our files, Node's internals, GC or idle. */
function bucket(url: string, fn: string): string {
  if (!url) {
    if (fn === '(garbage collector)') return 'garbage collection';
    if (fn === '(idle)') return 'idle (waiting for Vault)';
    if (fn === '(program)') return 'V8 (compiling, runtime)';
    return 'Node native (socket writes, parsing)';
  }
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (pkg) return `${pkg[1]} (package)`;
  const ours = /\/dist\/src\/([^/]+)\//.exec(url);
  if (ours) return `our ${ours[1]}/`;
  if (url.startsWith('node:internal/modules') || url.includes('cjs/loader') || url.includes('esm/')) return 'module loading';
  if (/node:(_http|http|https|net|internal\/(streams|stream_base|http|url)|stream|events|internal\/deps\/undici)/.test(url)) return "Node's HTTP and streams";
  return 'other Node internals';
}

/** CPU profile → [bucket, ms] sorted by time, with the profile's total. */
export function summariseProfile(file: string): { totalMs: number; buckets: Array<[string, number]> } {
  const p = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const sums = new Map<string, number>();
  let total = 0;
  p.samples.forEach((id, i) => {
    const n = byId.get(id);
    const us = p.timeDeltas[i] ?? 0;
    if (!n) return;
    const b = bucket(n.callFrame.url, n.callFrame.functionName);
    sums.set(b, (sums.get(b) ?? 0) + us / 1000);
    total += us / 1000;
  });
  return { totalMs: total, buckets: [...sums].sort((a, b) => b[1] - a[1]) };
}
