/**
 * The real Vault/OpenBao dev server of an integration test run (started by
 * test/servers/global-setup.ts, one per run; chosen by VAULT_GITOPS_TEST_SERVER=vault|openbao,
 * with -dev-tls when VAULT_GITOPS_TEST_TLS=1).
 *
 *   serverEnv()            { VAULT_ADDR, VAULT_TOKEN, VAULT_CACERT?, server, version }: spread it
 *                          into a child's env to point a CLI at the server (root token).
 *   vaultClient(token?)    the tool's own Vault client (src/adapters/vault.ts) for the server,
 *                          with the root token unless another is given. Call .close() when done.
 *   freshMountPath(prefix) a mount path no other test (or earlier run) uses, e.g. "pki-k3x9a-1".
 *                          The server is shared by all files of the run: always mount at a fresh
 *                          path and never assume an empty server.
 *   requireServer()        throws a clear error if the server has exited or does not answer;
 *                          already run before every integration test (test/servers/setup-file.ts).
 *   serverLogTail(lines?)  the end of the server's log, for error messages.
 *
 * Example:
 *   const vault = vaultClient();
 *   const path = freshMountPath('kv');
 *   await vault.write(`sys/mounts/${path}`, { type: 'kv', options: { version: '2' } });
 */
import { randomBytes } from 'node:crypto';
import { existsSync, writeFileSync } from 'node:fs';
import { inject } from 'vitest';
import { Vault } from '../../../src/adapters/vault.js';
import { resolveVaultOptions } from '../../../src/adapters/vault-options.js';
import { apiRequest, exitReason, logTail, type DevServerInfo, type ServerName } from '../../servers/dev-server.js';

export type { ServerName };

export interface ServerEnv {
  VAULT_ADDR: string;
  VAULT_TOKEN: string;
  VAULT_CACERT?: string;
  /** Which server runs: 'vault' or 'openbao'. */
  server: ServerName;
  /** Its version as sys/health reports it, e.g. "1.21.2" or "2.4.0". */
  version: string;
}

function info(): DevServerInfo {
  return inject('testServer');
}

export function serverEnv(): ServerEnv {
  const s = info();
  const env: ServerEnv = { VAULT_ADDR: s.addr, VAULT_TOKEN: s.token, server: s.name, version: s.version };
  if (s.caCert) env.VAULT_CACERT = s.caCert;
  return env;
}

export function vaultClient(token?: string): Vault {
  const s = info();
  const opts = resolveVaultOptions({ vaultAddr: s.addr, vaultToken: token ?? s.token, caCert: s.caCert }, {});
  return new Vault(opts);
}

const runId = randomBytes(3).toString('hex');
let counter = 0;

export function freshMountPath(prefix = 't'): string {
  counter += 1;
  return `${prefix}-${runId}${process.pid.toString(36)}-${counter}`;
}

export function serverLogTail(lines = 30): string {
  return logTail(info().logFile, lines);
}

export async function requireServer(): Promise<void> {
  const s = info();
  const explain = (what: string) => {
    // The log's tail only in the first such error, not in every remaining test's.
    const shown = `${s.exitFile}.shown`;
    const tail = existsSync(shown) ? '' : `:\n${logTail(s.logFile, 15)}`;
    writeFileSync(shown, '');
    return new Error(`The ${s.name} test server (pid ${s.pid}, ${s.addr}) ${what}. Integration tests need it; its log: ${s.logFile}${tail}`);
  };
  const reason = exitReason(s);
  if (reason !== undefined) throw explain(`${reason} during the run`);
  let status: number;
  try {
    status = (await apiRequest(s, 'GET', 'sys/health', { timeoutMs: 5000 })).status;
  } catch (err) {
    throw explain(`does not answer (${(err as Error).message})`);
  }
  if (status !== 200) throw explain(`is not healthy (sys/health answered ${status})`);
}
