// Two rotates of the same config at once (two CI jobs): each either rotates or fails naming the
// other's lock; whichever way, every credential on disk logs in, and nothing is orphaned.
import { describe, expect, it } from 'vitest';
import { cli } from '../helpers/cli.js';
import { expectCleanFailure, expectConverged, expectDeliveredLogIn } from './helpers/converged.js';
import { approleWorkload, cliEnv, devServerTarget } from './helpers/workload.js';

describe('two concurrent rotates', () => {
  it('never leave a delivered credential destroyed', async () => {
    const target = devServerTarget();
    const w = await approleWorkload({ policies: 5, roles: 60 });
    const env = cliEnv(target);
    expect((await cli(w.args('apply'), { cwd: w.dir, env })).code).toBe(0);

    const results = await Promise.all([cli(w.args('rotate'), { cwd: w.dir, env }), cli(w.args('rotate'), { cwd: w.dir, env })]);
    for (const r of results) {
      if (r.code !== 0) expectCleanFailure(r, /state lock .* is held by/);
    }
    expect(results.some((r) => r.code === 0), results.map((r) => r.stderr).join('\n')).toBe(true);

    await expectDeliveredLogIn(w, target);
    await expectConverged(w, target);
  });
});
