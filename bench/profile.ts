import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { readSourceMap, type SourceLookup } from './source-map.js';

interface CpuProfile {
  nodes: Array<{ id: number; callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number } }>;
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
  // dist/src/X/… when unbundled; src/X/….ts through the bundle's source map.
  const ours = /\/(?:dist\/)?src\/([^/]+)\/[^/]+\.[jt]s$/.exec(url);
  if (ours) return `our ${ours[1]}/`;
  if (url.startsWith('node:internal/modules') || url.includes('cjs/loader') || url.includes('esm/')) return 'module loading';
  if (/node:(_http|http|https|net|internal\/(streams|stream_base|http|url)|stream|events|internal\/deps\/undici)/.test(url)) return "Node's HTTP and streams";
  return 'other Node internals';
}

/** CPU profile → [bucket, ms] sorted by time, with the profile's total. */
export function summariseProfile(file: string): { totalMs: number; buckets: Array<[string, number]> } {
  const p = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  // The CLI is one bundle (dist/bin): a function's module is found through the bundle's source map.
  const maps = new Map<string, SourceLookup | undefined>();
  const sourceOf = (f: CpuProfile['nodes'][number]['callFrame']): string => {
    if (!/\/dist\/bin\/[^/]+\.js$/.test(f.url)) return f.url;
    if (!maps.has(f.url)) maps.set(f.url, readSourceMap(fileURLToPath(f.url)));
    return maps.get(f.url)?.at(f.lineNumber, f.columnNumber) ?? f.url;
  };
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const sums = new Map<string, number>();
  let total = 0;
  p.samples.forEach((id, i) => {
    const n = byId.get(id);
    const us = p.timeDeltas[i] ?? 0;
    if (!n) return;
    const b = bucket(sourceOf(n.callFrame), n.callFrame.functionName);
    sums.set(b, (sums.get(b) ?? 0) + us / 1000);
    total += us / 1000;
  });
  return { totalMs: total, buckets: [...sums].sort((a, b) => b[1] - a[1]) };
}
