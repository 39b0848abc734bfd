// The apply lock against the real server: two concurrent applies (one waits, or fails naming the
// holder), an expired lock taken over, force-unlock, and the lock released on failure and SIGINT.
import { spawn } from 'node:child_process';
import { afterAll, describe, expect, it } from 'vitest';
import { CLI, cli, configDir, spawnCli, uniq, type RunningCli } from '../helpers/cli.js';
import { vaultClient } from '../helpers/server.js';
import type { StateRecord } from '../../../src/core/state/state.js';

const id = uniq('lk');
const vault = vaultClient();
const paused: RunningCli[] = [];
afterAll(() => {
  for (const r of paused) if (r.child.exitCode === null && r.child.signalCode === null) r.child.kill('SIGKILL'); // a failed test never resumed it
  vault.close();
});

/** Enough policies that an apply holds the lock for a while. */
function config(tag: string, n = 80): Record<string, string> {
  const lines = Array.from({ length: n }, (_, i) => `  ${tag}-${i}-${id}:\n    policy: |\n      path "secret/data/${tag}/${i}/*" { capabilities = ["read"] }\n`);
  return { 'vault.yaml': `policies:\n${lines.join('')}` };
}

let counter = 0;
const freshState = () => `vault-gitops/lock-${id}-${++counter}`;
const apply = (dir: string, statePath: string, extra: string[] = []) =>
  cli(['apply', '-c', dir, '--auto-approve', '--state-path', statePath, ...extra], { cwd: dir });

async function record(statePath: string): Promise<StateRecord | undefined> {
  const [mount, ...rest] = statePath.split('/');
  const body = await vault.read(`${mount}/data/${rest.join('/')}`);
  return (body?.data as { data?: StateRecord } | undefined)?.data;
}

const applyArgs = (dir: string, statePath: string, lockTimeout: string) => ['apply', '-c', dir, '--auto-approve', '--state-path', statePath, '--lock-timeout', lockTimeout];

async function until(done: () => boolean | Promise<boolean>, what = 'the condition'): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (!(await done())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/**
 * An apply stopped (SIGSTOP) while it holds the lock: the other run then meets the lock however
 * slowly a busy machine starts processes. The caller resumes it with SIGCONT.
 */
async function pausedHoldingLock(dir: string, statePath: string, lockTimeout: string): Promise<RunningCli> {
  const run = spawnCli(applyArgs(dir, statePath, lockTimeout), { cwd: dir });
  let exited = false;
  void run.result.then(() => (exited = true));
  await until(async () => exited || Boolean((await record(statePath).catch(() => undefined))?.lock), 'the first apply to take the lock');
  if (exited) throw new Error('the first apply finished before it could be paused holding the lock');
  run.child.kill('SIGSTOP');
  paused.push(run);
  return run;
}

/** A lock held by a run that is not there (as a crashed CI job leaves it). */
async function plantLock(statePath: string, expiresInSeconds: number, lockId = 'f0e1d2c3-0000-4000-8000-000000000000', heartbeatAt?: string) {
  await vault.write('sys/mounts/vault-gitops', { type: 'kv', options: { version: '2' } }).catch(() => undefined);
  const [mount, ...rest] = statePath.split('/');
  const now = Date.now();
  await vault.write(`${mount}/data/${rest.join('/')}`, {
    data: {
      format_version: '1',
      objects: {},
      lock: {
        id: lockId,
        owner: 'ci@runner-7 pid 4242',
        acquired_at: new Date(now - 5000).toISOString(),
        expires_at: new Date(now + expiresInSeconds * 1000).toISOString(),
        ...(heartbeatAt ? { heartbeat_at: heartbeatAt } : {}),
      },
    },
  });
  return lockId;
}

const HOLDER = /state lock vault-gitops\/lock-\S+ is held by \S+@\S+ pid \d+ \(lock ID [0-9a-f-]{36}\) since \d{4}-\d\d-\d\dT/;

describe('apply lock', () => {
  it('two concurrent applies: the second waits for the first, then finds nothing to do', async () => {
    const dir = await configDir(config('wait', 300));
    const statePath = freshState();
    const first = await pausedHoldingLock(dir, statePath, '60s');
    const second = spawnCli(applyArgs(dir, statePath, '60s'), { cwd: dir });
    await until(() => second.output().includes('Waiting up to 60s for the state lock'));
    first.child.kill('SIGCONT');
    const [a, b] = await Promise.all([first.result, second.result]);
    expect([a.code, b.code], a.stderr + b.stderr).toEqual([0, 0]);
    const waited = [a, b].filter((r) => r.stderr.includes('Waiting up to 60s for the state lock'));
    expect(waited).toHaveLength(1);
    expect(waited[0]!.stderr).toMatch(/held by \S+@\S+ pid \d+ \(lock ID [0-9a-f-]{36}\) since/);
    expect(waited[0]!.stdout).toMatch(/No changes/i);
    expect((await record(statePath))?.lock).toBeUndefined();
  });

  it('two concurrent applies with --lock-timeout 0s: one applies, the other fails naming the holder', async () => {
    const dir = await configDir(config('fail', 300));
    const statePath = freshState();
    const first = await pausedHoldingLock(dir, statePath, '0s');
    const second = await apply(dir, statePath, ['--lock-timeout', '0s']);
    first.child.kill('SIGCONT');
    const results = [await first.result, second];
    const codes = results.map((r) => r.code).sort();
    expect(codes, results.map((r) => r.stderr).join('\n')).toEqual([0, 1]);
    const loser = results.find((r) => r.code === 1)!;
    expect(loser.stderr).toMatch(HOLDER);
    expect(loser.stderr).toContain('force-unlock');
    expect((await record(statePath))?.lock).toBeUndefined();
  });

  it('a live lock held elsewhere: apply waits up to --lock-timeout and fails naming it; force-unlock ID removes it', async () => {
    const dir = await configDir(config('force', 3));
    const statePath = freshState();
    const lockId = await plantLock(statePath, 3600);
    const started = Date.now();
    const r = await apply(dir, statePath, ['--lock-timeout', '2s']);
    expect(r.code).toBe(1);
    expect(Date.now() - started).toBeGreaterThanOrEqual(2000);
    expect(r.stderr).toContain(`is held by ci@runner-7 pid 4242 (lock ID ${lockId}) since`);
    expect(r.stderr).toContain(`vault-gitops force-unlock ${lockId}`);
    expect(await vault.read(`sys/policies/acl/force-0-${id}`)).toBeUndefined();

    const wrong = await cli(['force-unlock', 'not-the-id', '--state-path', statePath]);
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toContain('has another ID');
    expect(wrong.stderr).not.toContain(lockId);
    const ok = await cli(['force-unlock', lockId, '--state-path', statePath]);
    expect(ok.code, ok.stderr).toBe(0);
    expect(ok.stdout).toContain(`Removed the state lock ${statePath}`);
    expect((await record(statePath))?.lock).toBeUndefined();
    const again = await cli(['force-unlock', lockId, '--state-path', statePath]);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('is not locked');

    expect((await apply(dir, statePath, ['--lock-timeout', '0s'])).code).toBe(0);
  });

  it('force-unlock of a holder that is still alive (recent heartbeat) needs --force and says so', async () => {
    const statePath = freshState();
    const lockId = await plantLock(statePath, 3600, 'a1b2c3d4-0000-4000-8000-000000000000', new Date().toISOString());
    const wrong = await cli(['force-unlock', 'a1b2c3d4-0000-4000-8000-00000000000f', '--state-path', statePath]);
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toContain('has another ID');
    expect(wrong.stderr).not.toContain(lockId);
    const refused = await cli(['force-unlock', lockId, '--state-path', statePath]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('is held by a run that is still alive: ci@runner-7 pid 4242');
    expect(refused.stderr).toContain('--force');
    expect((await record(statePath))?.lock?.id).toBe(lockId);
    const forced = await cli(['force-unlock', lockId, '--force', '--state-path', statePath]);
    expect(forced.code, forced.stderr).toBe(0);
    expect((await record(statePath))?.lock).toBeUndefined();
  });

  it('SIGTERM while waiting for the lock: exits 143 and leaves the other run\'s lock alone', async () => {
    const dir = await configDir(config('sigwait', 2));
    const statePath = freshState();
    const lockId = await plantLock(statePath, 3600);
    const child = spawn(process.execPath, [CLI, 'rotate', '-c', dir, '--state-path', statePath, '--lock-timeout', '10m'], {
      cwd: dir,
      env: { ...process.env, NO_COLOR: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    const waiting = new Promise<void>((res) => child.stderr.on('data', (d: Buffer) => (stderr += d.toString()).includes('Waiting up to') && res()));
    const exited = new Promise<number | null>((res) => child.on('close', (code) => res(code)));
    await waiting;
    child.kill('SIGTERM');
    expect(await exited, stderr).toBe(143);
    expect(stderr).toContain('interrupted while waiting for the state lock');
    expect((await record(statePath))?.lock?.id).toBe(lockId);
  });

  it('an expired lock is taken over', async () => {
    const dir = await configDir(config('expired', 2));
    const statePath = freshState();
    await plantLock(statePath, -60);
    const r = await apply(dir, statePath, ['--lock-timeout', '0s']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain('Taking over the expired state lock');
    expect((await record(statePath))?.lock).toBeUndefined();
  });

  it('releases the lock when the apply fails, and the next run converges', async () => {
    const mount = `pki-${id}`;
    const bad = { 'vault.yaml': `secrets:\n  ${mount}:\n    type: pki\n    roles:\n      broken: { key_type: ec, key_bits: 1234 }\n      fine: { allowed_domains: [example.com], max_ttl: 1h }\n` };
    const statePath = freshState();
    const dir = await configDir(bad);
    const r = await apply(dir, statePath);
    expect(r.code).toBe(1);
    const after = await record(statePath);
    expect(after?.lock).toBeUndefined();
    expect(after?.last_apply?.result).toBe('failed');
    expect(Object.keys(after?.objects ?? {})).toEqual(expect.arrayContaining([`secrets/${mount}`, `secrets/${mount}/roles/fine`, `secrets/${mount}/roles/broken`]));

    const fixed = await configDir({ 'vault.yaml': bad['vault.yaml'].replace('key_bits: 1234', 'key_bits: 256') });
    expect((await apply(fixed, statePath)).code).toBe(0);
    const plan = await cli(['plan', '-c', fixed, '--detailed-exitcode', '--state-path', statePath], { cwd: fixed });
    expect(plan.code, plan.stdout).toBe(0);
  });

  it('releases the lock on SIGINT', async () => {
    const dir = await configDir(config('sigint', 300));
    const statePath = freshState();
    const child = spawn(process.execPath, [CLI, 'apply', '-c', dir, '--auto-approve', '--state-path', statePath], {
      cwd: dir,
      env: { ...process.env, NO_COLOR: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<number | null>((res) => child.on('close', (code) => res(code)));
    const deadline = Date.now() + 20_000;
    while (!(await record(statePath))?.lock && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    expect((await record(statePath))?.lock?.heartbeat_at).toBeDefined(); // the live holder's heartbeat
    child.kill('SIGINT');
    const code = await exited;
    expect(code).toBe(130);
    expect(stderr).toContain('SIGINT');
    expect((await record(statePath))?.lock).toBeUndefined();
    // The next run converges.
    expect((await apply(dir, statePath, ['--lock-timeout', '0s'])).code).toBe(0);
  });
});
