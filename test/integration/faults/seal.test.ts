// Vault sealed in the middle of an apply (an operator, or a node restarting), unsealed seconds
// later with the dev server's unseal key: the run completes or fails naming the seal, and the
// re-run converges.
import { describe, expect, inject, it } from 'vitest';
import { devUnsealKey } from '../../servers/dev-server.js';
import { spawnCli } from '../helpers/cli.js';
import { expectCleanFailure, expectConverged, unlockAfterDeadRun } from './helpers/converged.js';
import { approleWorkload, cliEnv, deliveredFiles, devServerTarget, targetRequest, waitUntil } from './helpers/workload.js';

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

describe('Vault sealed mid-apply', () => {
  it('the run completes or fails naming the seal; after unseal the re-run converges', async () => {
    const target = devServerTarget();
    const key = devUnsealKey(inject('testServer'));
    const w = await approleWorkload({ policies: 100, roles: 300 });
    const run = spawnCli(w.args('apply'), { cwd: w.dir, env: cliEnv(target) });
    await waitUntil('30 credentials delivered', async () => (await deliveredFiles(w)).length >= 30);
    try {
      expect((await targetRequest(target, 'PUT', 'sys/seal')).status).toBe(204);
      expect((await deliveredFiles(w)).length, 'the apply finished before the seal').toBeLessThan(w.roles.length);
      await Promise.race([run.result, sleep(5000)]);
    } finally {
      expect((await targetRequest(target, 'PUT', 'sys/unseal', { key }, null)).status).toBe(200);
      await waitUntil('the dev server is active again', async () => (await targetRequest(target, 'GET', 'sys/health', undefined, null)).status === 200);
    }
    const r = await run.result;
    if (r.code !== 0) expectCleanFailure(r, /sealed/i);

    await unlockAfterDeadRun(w, target, run.child.pid!);
    await expectConverged(w, target);
  });
});
