// Driven by scripts/check-server-death.sh (skipped otherwise): kills the dev server, or hangs
// until the script kills the test runner, to prove that a dead server fails the run fast with a
// clear message and that no server process outlives the run.
import { describe, expect, inject, it } from 'vitest';
import { exitReason } from '../../servers/dev-server.js';
import { serverEnv } from '../helpers/server.js';

const mode = process.env.VAULT_GITOPS_TEST_KILL;
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

describe.runIf(mode === 'server')('when the server dies mid-run', () => {
  it('kills the server', async () => {
    const info = inject('testServer');
    console.log(`harness-check pids: server=${info.pid} watchdog=${info.watchdogPid} worker=${process.pid}`);
    process.kill(info.pid, 'SIGKILL');
    while (exitReason(info) === undefined) await sleep(50);
  });

  it('the next test fails at once with the reason', () => {
    expect(serverEnv().server).toBeTruthy(); // not reached: beforeEach throws
  });
});

describe.runIf(mode === 'runner')('when the test runner is killed', () => {
  it('waits to be killed', async () => {
    const info = inject('testServer');
    console.log(`harness-check pids: server=${info.pid} watchdog=${info.watchdogPid} worker=${process.pid}`);
    await new Promise(() => {}); // the script SIGKILLs vitest now
  });
});
