/**
 * Runs the built CLI (dist/) as a real process against the test server, and collects everything it
 * printed so tests can assert on it and grep it for secrets.
 *   const r = await cli(['plan', '-c', dir, '-o', 'json']);  r.code, r.stdout, r.stderr
 *   spawnCli([...]) — the same without waiting: { child, result, output() }, to signal it mid-run.
 *   allOutput() — every byte any cli() call printed in this test file.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, mkdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
export const CLI = join(root, 'dist/bin/vault-gitops.js');

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
  /** Set when a signal ended the process (code is then -1). */
  signal?: NodeJS.Signals;
}

const transcript: string[] = [];

/**
 * Each test file gets its own ownership-state record (vault-gitops/test-…), as a separately applied
 * config must: files share one server, and one file's state must not claim (and delete) another's
 * objects. A test passing --state-path or VAULT_GITOPS_STATE_PATH overrides it.
 */
export const FILE_STATE_PATH = `vault-gitops/test-${Date.now().toString(36)}${Math.floor(Math.random() * 1e6).toString(36)}`;
/**
 * And one config identity (the owner of its state record): a test's successive config directories
 * are versions of one config. A test passing --state-id or VAULT_GITOPS_STATE_ID overrides it.
 */
const FILE_STATE_ID = `test-config-${FILE_STATE_PATH.slice('vault-gitops/test-'.length)}`;
// Also for CLIs a test starts on its own (spawn with process.env): without it their owner id would
// be derived from the temp config's path, and the record the file's other runs own would be refused.
process.env.VAULT_GITOPS_STATE_ID ??= FILE_STATE_ID;

export function allOutput(): string {
  return transcript.join('\n');
}

export interface RunningCli {
  child: ChildProcess;
  /** Resolves when the process has exited and its output is closed. */
  result: Promise<CliResult>;
  /** What it printed so far. */
  output(): string;
}

/** Starts the CLI without waiting for it, for tests that signal or kill it mid-run. */
export function spawnCli(args: string[], opts: { env?: NodeJS.ProcessEnv; cwd?: string; input?: string } = {}): RunningCli {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run \`npm run build\` before the integration tests`);
  const child = spawn(process.execPath, [CLI, ...args], {
    cwd: opts.cwd ?? root,
    env: { ...process.env, NO_COLOR: '1', VAULT_GITOPS_STATE_PATH: FILE_STATE_PATH, VAULT_GITOPS_STATE_ID: FILE_STATE_ID, ...opts.env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const result = new Promise<CliResult>((resolvePromise, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => {
      transcript.push(stdout, stderr);
      resolvePromise({ code: code ?? -1, stdout, stderr, ...(signal ? { signal } : {}) });
    });
  });
  child.stdin.end(opts.input ?? '');
  return { child, result, output: () => stdout + stderr };
}

export async function cli(args: string[], opts: { env?: NodeJS.ProcessEnv; cwd?: string; input?: string } = {}): Promise<CliResult> {
  return spawnCli(args, opts).result;
}

/** Writes `files` (relative path → text) into a new temp directory and returns it. */
export async function configDir(files: Record<string, string>): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'vault-gitops-cfg-'));
  for (const [rel, text] of Object.entries(files)) {
    await mkdir(dirname(join(dir, rel)), { recursive: true });
    await writeFile(join(dir, rel), text);
  }
  return dir;
}

/**
 * `export` of the whole server into a new directory, then `plan -o json --detailed-exitcode` of that
 * export under its own state record (`vault-gitops/export-TAG`): an exported estate plans no change.
 */
export async function exportThenPlan(tag: string): Promise<{ exported: CliResult; plan: CliResult }> {
  const out = await configDir({});
  const exported = await cli(['export', '--out', out]);
  const plan = exported.code === 0 ? await cli(['plan', '-c', out, '-o', 'json', '--detailed-exitcode'], { env: { VAULT_GITOPS_STATE_PATH: `vault-gitops/export-${tag}` } }) : exported;
  return { exported, plan };
}

/** A short unique suffix so tests sharing one dev server never collide. */
export function uniq(prefix: string): string {
  return `${prefix}${Date.now().toString(36)}${Math.floor(Math.random() * 1e4).toString(36)}`;
}
