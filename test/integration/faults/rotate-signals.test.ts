// A rotate stopped half-way, by SIGKILL (nothing runs after it) or SIGTERM (a CI job cancelled):
// every credential on disk still logs in at once, and the re-run converges with no orphaned secret_id.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli, spawnCli } from '../helpers/cli.js';
import { expectConverged, expectDeliveredLogIn, stateRecord, unlockAfterDeadRun } from './helpers/converged.js';
import { approleWorkload, cliEnv, devServerTarget, waitUntil, type Workload } from './helpers/workload.js';

const secretIds = async (w: Workload) =>
  Promise.all(w.roles.map(async (r) => (JSON.parse(await readFile(join(w.sinkDir, `${r}.json`), 'utf8')) as { secret_id: string }).secret_id));

/** An applied workload, and a count of its credentials rotated since. */
async function applied() {
  const target = devServerTarget();
  const w = await approleWorkload({ policies: 5, roles: 150 });
  const r = await cli(w.args('apply'), { cwd: w.dir, env: cliEnv(target) });
  expect(r.code, r.stderr).toBe(0);
  const before = await secretIds(w);
  const rotated = async () => (await secretIds(w)).filter((s, i) => s !== before[i]).length;
  return { target, w, rotated };
}

describe('a rotate stopped half-way', () => {
  it('kill -9: the credentials on disk still log in; the re-run converges', async () => {
    const { target, w, rotated } = await applied();
    const run = spawnCli(w.args('rotate'), { cwd: w.dir, env: cliEnv(target) });
    await waitUntil('30 credentials rotated', async () => (await rotated()) >= 30);
    run.child.kill('SIGKILL');
    expect((await run.result).signal).toBe('SIGKILL');
    expect(await rotated(), 'the rotate finished before the kill').toBeLessThan(w.roles.length);

    await expectDeliveredLogIn(w, target);
    await unlockAfterDeadRun(w, target, run.child.pid!);
    await expectConverged(w, target);
  });

  it('SIGTERM: it stops cleanly (exit 143, lock released), the credentials on disk log in; the re-run converges', async () => {
    const { target, w, rotated } = await applied();
    const run = spawnCli(w.args('rotate'), { cwd: w.dir, env: cliEnv(target) });
    await waitUntil('30 credentials rotated', async () => (await rotated()) >= 30);
    run.child.kill('SIGTERM');
    const r = await run.result;
    expect(r.code, `${r.signal ?? ''} ${r.stderr}`).toBe(143);
    expect(r.stderr).toContain('SIGTERM');
    expect(r.stderr).not.toMatch(/^\s+at .+:\d+:\d+\)?$/m);
    expect((await stateRecord(w, target))?.lock).toBeUndefined();

    await expectDeliveredLogIn(w, target);
    await expectConverged(w, target);
  });
});
