/**
 * Direct Vault HTTP calls for tests — making drift by hand, logging in, checking results — bypassing
 * the tool. TLS-aware (the -dev-tls run's CA). `token: null` sends no token (logins).
 */
import { apiRequest } from '../../servers/dev-server.js';
import { serverEnv } from './server.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function vaultRequest(method: string, path: string, body?: unknown, opts: { token?: string | null } = {}): Promise<{ status: number; json: any }> {
  const env = serverEnv();
  const token = opts.token === null ? undefined : (opts.token ?? env.VAULT_TOKEN);
  const res = await apiRequest({ addr: env.VAULT_ADDR, caCert: env.VAULT_CACERT, token }, method, path, { body });
  return { status: res.status, json: res.body };
}
