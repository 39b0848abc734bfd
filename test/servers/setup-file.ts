/**
 * Runs in every integration test file (vitest setupFiles): each test first checks that the dev
 * server is alive, so a dead server gives one clear error per test instead of connection errors
 * or hangs, and a failing test prints the end of the server's log.
 */
import { beforeEach } from 'vitest';
import { requireServer, serverLogTail, serverEnv } from '../integration/helpers/server.js';

beforeEach(async ({ onTestFailed }) => {
  await requireServer();
  onTestFailed(() => {
    const { server, version } = serverEnv();
    console.error(`--- ${server} ${version} server log (last lines) ---\n${serverLogTail(20)}`);
  });
});
