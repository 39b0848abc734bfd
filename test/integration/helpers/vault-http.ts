/**
 * Direct Vault HTTP calls for tests — making drift by hand, logging in, checking results — bypassing
 * the tool. TLS-aware (the -dev-tls run's CA). `token: null` sends no token (logins).
 *
 * Other test files enable audit devices on the same server, and Vault fails the requests in flight
 * at that moment with 500 "internal error" (it could not audit them): those are sent again, a few
 * times. (Such a request was not carried out unless only its answer failed to be audited; the
 * tests' writes are repeatable.)
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { apiRequest } from '../../servers/dev-server.js';
import { serverEnv } from './server.js';

const AUDIT_RETRIES = 4;
const auditFailure = (status: number, body: unknown) => status === 500 && /internal error/.test(JSON.stringify(body));

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function vaultRequest(method: string, path: string, body?: unknown, opts: { token?: string | null } = {}): Promise<{ status: number; json: any }> {
  const env = serverEnv();
  const token = opts.token === null ? undefined : (opts.token ?? env.VAULT_TOKEN);
  for (let attempt = 0; ; attempt++) {
    const res = await apiRequest({ addr: env.VAULT_ADDR, caCert: env.VAULT_CACERT, token }, method, path, { body });
    if (attempt < AUDIT_RETRIES && auditFailure(res.status, res.body)) {
      await sleep(50 * (attempt + 1));
      continue;
    }
    return { status: res.status, json: res.body };
  }
}
