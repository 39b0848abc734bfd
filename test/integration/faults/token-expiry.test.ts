// The tool's token expires while an apply runs (a short-TTL CI token): the run fails naming the
// expired token, and a re-run with a valid token converges. To expire it mid-run on any machine,
// the run goes through a proxy that holds its requests once 30 credentials are delivered, until
// Vault no longer knows the token.
import { afterEach, describe, expect, it } from 'vitest';
import { spawnCli } from '../helpers/cli.js';
import { expectCleanFailure, expectConverged, unlockAfterDeadRun } from './helpers/converged.js';
import { pausableProxy, type PausableProxy } from './helpers/pausable-proxy.js';
import { approleWorkload, cliEnv, deliveredFiles, devServerTarget, targetRequest, waitUntil } from './helpers/workload.js';

let proxy: PausableProxy | undefined;
afterEach(async () => proxy?.close());

describe('token expiry mid-run', () => {
  it('fails naming the expired token; the re-run with a fresh token converges', async () => {
    const target = devServerTarget();
    const w = await approleWorkload({ policies: 100, roles: 300 });
    const created = await targetRequest(target, 'POST', 'auth/token/create', { policies: ['root'], ttl: '15s', explicit_max_ttl: '15s' });
    expect(created.status).toBe(200);
    const shortLived = (created.body as { auth: { client_token: string } }).auth.client_token;
    proxy = await pausableProxy(target.addr);

    const run = spawnCli(w.args('apply'), { cwd: w.dir, env: { ...cliEnv(target), VAULT_ADDR: proxy.addr, VAULT_TOKEN: shortLived } });
    await waitUntil('30 credentials delivered', async () => (await deliveredFiles(w)).length >= 30);
    proxy.pause();
    await waitUntil('the token expired', async () => (await targetRequest(target, 'POST', 'auth/token/lookup', { token: shortLived })).status !== 200, 30_000);
    proxy.resume();

    const r = await run.result;
    expect((await deliveredFiles(w)).length, 'the apply finished before the token expired').toBeLessThan(w.roles.length);
    expectCleanFailure(r, /expired/i);
    expect(r.stdout + r.stderr).not.toContain(shortLived);

    await unlockAfterDeadRun(w, target, run.child.pid!);
    await expectConverged(w, target);
  });
});
