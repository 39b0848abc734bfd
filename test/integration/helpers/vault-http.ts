/** Direct Vault HTTP calls for tests: making drift by hand and checking results, bypassing the tool. */
export async function vaultRequest(method: string, path: string, body?: unknown): Promise<{ status: number; json: any }> {
  const addr = process.env.VAULT_ADDR;
  const token = process.env.VAULT_TOKEN;
  if (!addr || !token) throw new Error('VAULT_ADDR/VAULT_TOKEN are not set: the integration global setup did not start a server');
  const res = await fetch(`${addr}/v1/${path}`, {
    method,
    headers: { 'X-Vault-Token': token, 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, json: text ? JSON.parse(text) : undefined };
}
