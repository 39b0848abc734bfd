import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

export interface Run {
  ms: number;
  code: number;
  /** Vault requests (the CLI's own count, or the audit log's). */
  requests?: number;
  retries?: number;
  rssMb?: number;
  /** Vault requests by HTTP method (the CLI's own count). */
  byMethod?: Record<string, number>;
  /** The CLI's phase marks, milliseconds since its process started (src/cli/phases.ts). */
  phases?: Record<string, number>;
  /** The end of stderr, for a run that failed. */
  tail?: string;
  /** The end of stdout. */
  out?: string;
}

/** The process and its descendants' resident memory now (kB), from /proc. */
function treeRssKb(root: number): number {
  const parent = new Map<number, number>();
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = readFileSync(`/proc/${d}/stat`, 'utf8');
      parent.set(Number(d), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]));
    } catch {
      // gone
    }
  }
  const tree = new Set([root]);
  for (let grew = true; grew; ) {
    grew = false;
    for (const [pid, ppid] of parent) {
      if (tree.has(ppid) && !tree.has(pid)) {
        tree.add(pid);
        grew = true;
      }
    }
  }
  let kb = 0;
  for (const pid of tree) {
    try {
      kb += Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0);
    } catch {
      // gone
    }
  }
  return kb;
}

/**
 * Runs a command to its end: wall time, exit code, the end of its stderr, and (sampleTree) the peak
 * of its whole process tree's memory (Terraform runs its provider as a child process).
 */
export async function runProcess(cmd: string, args: string[], opts: { cwd: string; env?: NodeJS.ProcessEnv; sampleTree?: boolean }): Promise<Run> {
  const started = performance.now();
  const child = spawn(cmd, args, { cwd: opts.cwd, env: { ...process.env, ...opts.env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let tail = '';
  let out = '';
  child.stderr.on('data', (d: Buffer) => (tail = (tail + d.toString()).slice(-4000)));
  child.stdout.on('data', (d: Buffer) => (out = (out + d.toString()).slice(-4000)));
  let peakKb = 0;
  const sampler = opts.sampleTree && child.pid ? setInterval(() => (peakKb = Math.max(peakKb, treeRssKb(child.pid!))), 100) : undefined;
  const code = await new Promise<number>((r) => child.on('close', (c) => r(c ?? -1)));
  if (sampler) clearInterval(sampler);
  const run: Run = { ms: performance.now() - started, code, tail, out };
  if (opts.sampleTree) run.rssMb = Math.round(peakKb / 1024);
  return run;
}
