// A token that runs out mid-run: a renewable one is renewed and the run succeeds; a non-renewable one
// fails as "token expired", and one revoked mid-run as "stopped working" — never "lacks permission".
// The run outlives the token by waiting for a state lock this test holds for a few seconds.
import { describe, expect, it } from 'vitest';
import { cli, configDir, uniq } from '../helpers/cli.js';
import { vaultRequest } from '../helpers/vault-http.js';

async function childToken(opts: Record<string, unknown>): Promise<string> {
  const r = await vaultRequest('POST', 'auth/token/create', { policies: ['root'], ...opts });
  expect(r.status, JSON.stringify(r.json?.errors)).toBe(200);
  return r.json.auth.client_token as string;
}

/** A config, its own state path, and a lock on it held by "another run" for `seconds`. */
async function lockedSetup(seconds: number) {
  const id = uniq('tk');
  const state = `vault-gitops/token-${id}`;
  const dir = await configDir({ 'vault.yaml': `policies:\n  p${id}:\n    policy: |\n      path "secret/data/${id}/*" { capabilities = ["read"] }\n` });
  const first = await cli(['plan', '-c', dir, '--state-path', state], { cwd: dir });
  expect(first.code, first.stderr).toBe(0);
  // The state mount exists once any apply ran; make sure, then hold the lock.
  await vaultRequest('POST', 'sys/mounts/vault-gitops', { type: 'kv', options: { version: '2' } });
  const now = Date.now();
  const lock = { id: `other-${id}`, owner: 'someone@elsewhere pid 1', acquired_at: new Date(now).toISOString(), expires_at: new Date(now + seconds * 1000).toISOString() };
  const held = await vaultRequest('POST', `vault-gitops/data/token-${id}`, { data: { format_version: '1', objects: {}, lock } });
  expect(held.status, JSON.stringify(held.json?.errors)).toBe(200);
  return { dir, state, id };
}

describe('a token that expires during the run', () => {
  it('is renewed when renewable, and the apply succeeds', async () => {
    const { dir, state, id } = await lockedSetup(9);
    const token = await childToken({ ttl: '6s', renewable: true, explicit_max_ttl: '10m' });
    const r = await cli(['apply', '-c', dir, '--state-path', state, '--auto-approve', '--lock-timeout', '30s', '--debug'], { cwd: dir, env: { VAULT_TOKEN: token } });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/debug: token: TTL \ds, renewable/);
    expect(r.stderr).toMatch(/debug: token: renewed/);
    expect((await vaultRequest('GET', `sys/policies/acl/p${id}`)).status).toBe(200);
    expect(r.stdout + r.stderr).not.toContain(token);
  });

  it('is reported as expired when it cannot be renewed', async () => {
    const { dir, state } = await lockedSetup(9);
    const token = await childToken({ ttl: '5s', renewable: false });
    const r = await cli(['apply', '-c', dir, '--state-path', state, '--auto-approve', '--lock-timeout', '30s'], { cwd: dir, env: { VAULT_TOKEN: token } });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/error: the Vault token expired at \S+ \(Vault refused GET vault-gitops\/data\/token-/);
    expect(r.stderr).toContain('hint: use a token that lives for the whole run');
    expect(r.stderr).not.toContain('lacks permission');
    expect(r.stdout + r.stderr).not.toContain(token);
  });

  it('is reported as no longer working when it is revoked mid-run (here: its use limit)', async () => {
    const { dir, state } = await lockedSetup(6);
    const token = await childToken({ ttl: '10m', num_uses: 4 });
    const r = await cli(['apply', '-c', dir, '--state-path', state, '--auto-approve', '--lock-timeout', '30s'], { cwd: dir, env: { VAULT_TOKEN: token } });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/error: the Vault token stopped working during the run: it was revoked, reached its use limit or expired/);
    expect(r.stderr).not.toContain('lacks permission');
  });
});
