// kill -9 of an apply half-way through: the next run names the dead run's lock, the operator
// force-unlocks it, and the re-run converges with nothing lost or orphaned.
import { describe, expect, it } from 'vitest';
import { spawnCli } from '../helpers/cli.js';
import { expectConverged, stateRecord, unlockAfterDeadRun } from './helpers/converged.js';
import { approleWorkload, cliEnv, deliveredFiles, devServerTarget, waitUntil } from './helpers/workload.js';

describe('kill -9 mid-apply', () => {
  it('leaves a state the next run converges from', async () => {
    const target = devServerTarget();
    const w = await approleWorkload({ policies: 200, roles: 100 });
    const run = spawnCli(w.args('apply'), { cwd: w.dir, env: cliEnv(target) });
    await waitUntil('30 credentials delivered', async () => (await deliveredFiles(w)).length >= 30);
    run.child.kill('SIGKILL');
    expect((await run.result).signal).toBe('SIGKILL');
    expect((await deliveredFiles(w)).length, 'the apply finished before the kill').toBeLessThan(w.roles.length);
    expect((await stateRecord(w, target))?.lock, 'a killed run cannot release its lock').toBeDefined();

    await unlockAfterDeadRun(w, target, run.child.pid!);
    await expectConverged(w, target);
  });
});
