// Driven by scripts/check-server-death.sh (skipped otherwise): starts the Raft cluster, prints the
// pids, and waits for the script to SIGKILL the test runner, to prove no node outlives it.
import { describe, it } from 'vitest';
import { RaftCluster } from '../../../servers/raft-cluster.js';

describe.runIf(process.env.VAULT_GITOPS_TEST_KILL === 'cluster-runner')('when the test runner is killed', () => {
  it('waits to be killed with a cluster running', async () => {
    const cluster = await RaftCluster.start();
    const pids = cluster.nodes.flatMap((n) => [`${n.id}=${n.pid}`, `${n.id}-watchdog=${n.watchdogPid}`]);
    console.log(`harness-check pids: ${pids.join(' ')} worker=${process.pid}`);
    await new Promise(() => {}); // the script SIGKILLs vitest now
  });
});
