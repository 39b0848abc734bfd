/**
 * Vitest global setup of the `integration` project: one real dev server for the whole run.
 *
 *   VAULT_GITOPS_TEST_SERVER=vault|openbao   which server (default vault)
 *   VAULT_GITOPS_TEST_TLS=1                  run it with -dev-tls; tests get VAULT_CACERT
 *
 * Tests read the server with `inject('testServer')` (see test/integration/helpers/server.ts);
 * VAULT_ADDR / VAULT_TOKEN / VAULT_CACERT are also set in process.env, so the test workers and
 * any CLI they spawn inherit them. If the server dies mid-run, every later test fails at once in
 * its beforeEach with the reason (test/servers/setup-file.ts), and the teardown fails the run.
 */
import type { TestProject } from 'vitest/node';
import { DevServer, logTail, parseServerName, type DevServerInfo } from './dev-server.js';

declare module 'vitest' {
  export interface ProvidedContext {
    testServer: DevServerInfo;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const name = parseServerName(process.env.VAULT_GITOPS_TEST_SERVER);
  const tls = process.env.VAULT_GITOPS_TEST_TLS === '1';
  const server = await DevServer.start(name, { tls });
  const { info } = server;

  let died: string | undefined;
  server.onUnexpectedExit((reason) => {
    died = reason;
    console.error(`\n[test server] ${info.name} (pid ${info.pid}) ${reason} during the run: every remaining integration test fails.\n`);
  });

  project.provide('testServer', info);
  process.env.VAULT_ADDR = info.addr;
  process.env.VAULT_TOKEN = info.token;
  if (info.caCert) process.env.VAULT_CACERT = info.caCert;
  else delete process.env.VAULT_CACERT;
  for (const k of ['VAULT_CAPATH', 'VAULT_NAMESPACE', 'VAULT_SKIP_VERIFY', 'VAULT_TLS_SERVER_NAME']) delete process.env[k];

  return async () => {
    const failed = died !== undefined || project.vitest.state.getCountOfFailedTests() > 0;
    if (failed) {
      console.error(`\n[test server] ${info.name} ${info.version} log: ${info.logFile} (last lines)\n${logTail(info.logFile, 20)}\n`);
    }
    // Keep the temp dir (log) when something failed, so it can be read after the run.
    await server.stop({ keepDir: failed });
    if (died !== undefined) {
      const message = `the ${info.name} test server ${died} during the run (log: ${info.logFile})`;
      console.error(`[test server] FAILED: ${message}`);
      throw new Error(message);
    }
  };
}
