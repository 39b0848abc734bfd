// A 3-node Vault HA cluster (integrated storage, test/servers/raft-cluster.ts): the active node is
// SIGKILLed in the middle of an apply of 500 objects. The CLI talks to one address, a standby
// that survives (standbys forward to whichever node is active, as a load balancer in front of
// the cluster would route): the run completes through the new leader or fails naming the cause,
// and the re-run converges with nothing lost or orphaned.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RaftCluster } from '../../servers/raft-cluster.js';
import { spawnCli } from '../helpers/cli.js';
import { expectCleanFailure, expectConverged, stateRecord } from './helpers/converged.js';
import { approleWorkload, cliEnv, deliveredFiles, waitUntil, type VaultTarget } from './helpers/workload.js';

let cluster: RaftCluster | undefined;
let failed = false;
beforeAll(async () => {
  cluster = await RaftCluster.start();
});
afterAll(async () => {
  if (failed && cluster) console.error(cluster.logTails(20));
  await cluster?.stop({ keepDir: failed });
});

describe('Vault HA cluster: the active node dies mid-apply', () => {
  it('500 objects: completes through the new leader or fails clearly; the re-run converges', async ({ onTestFailed }) => {
    onTestFailed(() => void (failed = true));
    const c = cluster!;
    expect(await c.voters()).toHaveLength(3);
    const leader = await c.waitForLeader();
    const standby = c.nodes.find((n) => n.id !== leader.id)!;
    const target: VaultTarget = { addr: standby.addr, token: c.rootToken };
    const w = await approleWorkload({ policies: 300, roles: 199 });
    expect(w.size).toBe(500);

    const run = spawnCli(w.args('apply'), { cwd: w.dir, env: cliEnv(target) });
    await waitUntil('40 credentials delivered', async () => (await deliveredFiles(w)).length >= 40);
    await c.kill(leader, 'SIGKILL');
    expect((await deliveredFiles(w)).length, 'the apply finished before the leader died').toBeLessThan(w.roles.length);
    const next = await c.waitForLeader();
    expect(next.id).not.toBe(leader.id);

    const r = await run.result;
    if (r.code !== 0) expectCleanFailure(r, /cannot reach Vault|active node|leader|standby|unavailable/i);

    // The run outlived the election, so it released its lock through the new leader.
    expect((await stateRecord(w, target))?.lock).toBeUndefined();
    await expectConverged(w, target);
  });
});
