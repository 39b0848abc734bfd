// 1,000 objects against a Vault that allows 20 requests a second (a rate-limit quota, as busy
// shared clusters set): the apply backs off on 429 and completes; the re-run converges.
import { describe, expect, it } from 'vitest';
import { cli, uniq } from '../helpers/cli.js';
import { expectConverged } from './helpers/converged.js';
import { approleWorkload, cliEnv, devServerTarget, targetRequest } from './helpers/workload.js';

describe('a 20 req/s rate-limit quota', () => {
  it('1,000 objects: the apply completes within the quota and converges', async () => {
    const target = devServerTarget();
    const w = await approleWorkload({ policies: 950, roles: 49 });
    expect(w.size).toBe(1000);
    const quota = `sys/quotas/rate-limit/${uniq('faults-')}`;
    expect((await targetRequest(target, 'POST', quota, { rate: 20, interval: '1s' })).status).toBe(204);
    try {
      const burst = await Promise.all(Array.from({ length: 40 }, () => targetRequest(target, 'GET', 'sys/mounts')));
      expect(burst.map((r) => r.status), 'the quota does not throttle').toContain(429);

      const r = await cli(w.args('apply'), { cwd: w.dir, env: cliEnv(target) });
      expect(r.code, r.stderr).toBe(0);
    } finally {
      expect((await targetRequest(target, 'DELETE', quota)).status).toBe(204);
    }
    await expectConverged(w, target);
  });
});
