// `policy-for` prints the least-privilege ACL policy for a config; proven on a real server by
// tokens that carry only that policy.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { allOutput, cli, configDir, uniq } from '../helpers/cli.js';
import { vaultRequest } from '../helpers/vault-http.js';

const id = uniq('pf');
const config = (policyPath: string) => ({
  'main.yaml': `
policies:
  app-${id}:
    policy: |
      path "${policyPath}" { capabilities = ["read"] }
auth:
  up-${id}:
    type: userpass
    users:
      bot: { token_ttl: 1h, token_policies: [app-${id}], credentials: { file: { path: out/bot.json } } }
  ar-${id}:
    type: approle
    roles:
      web: { secret_id_ttl: 24h, token_policies: [app-${id}], credentials: { file: { path: out/web.json } } }
secrets:
  pki-${id}:
    type: pki
    tune: { max_lease_ttl: 87600h }
    root_ca: { common_name: ${id}.example.com, ttl: 8760h }
    urls: { issuing_certificates: [https://vault.example.com/v1/pki-${id}/ca] }
    roles:
      svc: { allowed_domains: [svc.cluster.local], allow_subdomains: true, max_ttl: 72h }
prune: [auth/ar-${id}/roles]
`,
});

/** A token whose only policies are `default` and the HCL given. */
async function tokenWith(name: string, hcl: string): Promise<string> {
  expect((await vaultRequest('PUT', `sys/policies/acl/${name}`, { policy: hcl })).status).toBe(204);
  const created = await vaultRequest('POST', 'auth/token/create', { policies: [name], ttl: '1h' });
  expect(created.status).toBe(200);
  return created.json.auth.client_token as string;
}

const policyFor = async (dir: string, mode: 'plan' | 'apply') => {
  const r = await cli(['policy-for', '-c', dir, '--mode', mode], { cwd: dir, env: { VAULT_ADDR: 'http://127.0.0.1:1' } });
  expect(r.code, r.stderr).toBe(0);
  return r.stdout;
};

describe('policy-for', () => {
  it('a token with the printed apply policy applies and re-plans clean; one with the plan policy plans but cannot apply', async () => {
    const dir = await configDir(config('secret/data/one/*'));
    const planHcl = await policyFor(dir, 'plan');
    const applyHcl = await policyFor(dir, 'apply');
    expect(planHcl).not.toMatch(/"create"|"delete"|"sudo"/);
    expect(applyHcl).toContain(`path "sys/policies/acl/app-${id}"`);
    const planToken = await tokenWith(`vg-plan-${id}`, planHcl);
    const applyToken = await tokenWith(`vg-apply-${id}`, applyHcl);

    const planned = await cli(['plan', '-c', dir, '--detailed-exitcode'], { cwd: dir, env: { VAULT_TOKEN: planToken } });
    expect(planned.code, planned.stderr).toBe(2);

    const refused = await cli(['apply', '-c', dir, '--auto-approve'], { cwd: dir, env: { VAULT_TOKEN: planToken } });
    expect(refused.code).toBe(1);
    expect(refused.stdout + refused.stderr).toMatch(/permission denied/);
    expect((await vaultRequest('GET', `sys/policies/acl/app-${id}`)).status).toBe(404);

    const applied = await cli(['apply', '-c', dir, '--auto-approve'], { cwd: dir, env: { VAULT_TOKEN: applyToken } });
    expect(applied.code, applied.stdout + applied.stderr).toBe(0);
    const again = await cli(['plan', '-c', dir, '--detailed-exitcode'], { cwd: dir, env: { VAULT_TOKEN: planToken } });
    expect(again.code, again.stdout + again.stderr).toBe(0);

    // A change, then rotation of the delivered credentials, with the same apply token.
    const changed = await configDir(config('secret/data/two/*'));
    const next = await cli(['apply', '-c', changed, '--auto-approve'], { cwd: dir, env: { VAULT_TOKEN: applyToken } });
    expect(next.code, next.stdout + next.stderr).toBe(0);
    expect((await vaultRequest('GET', `sys/policies/acl/app-${id}`)).json.data.policy).toContain('secret/data/two/*');
    const rotated = await cli(['rotate', '-c', changed], { cwd: dir, env: { VAULT_TOKEN: applyToken } });
    expect(rotated.code, rotated.stdout + rotated.stderr).toBe(0);
    expect(allOutput()).not.toContain(applyToken);
  });

  it('a token with the plan policy plans an adoption, telling a hand-made secret_id from ours', async () => {
    const files = config('secret/data/two/*');
    const dir = await configDir(files);
    const applied = await cli(['apply', '-c', dir, '--auto-approve'], { cwd: dir });
    expect(applied.code, applied.stdout + applied.stderr).toBe(0);
    expect((await vaultRequest('POST', `auth/ar-${id}/role/web/secret-id`, {})).status).toBe(200);
    const adopt = 'credentials: { file: { path: out/adopted.json, adopt: true } }';
    await writeFile(join(dir, 'main.yaml'), files['main.yaml'].replace('credentials: { file: { path: out/web.json } }', adopt));
    await writeFile(join(dir, 'out/adopted.json'), '{"role_id":"hand-made","secret_id":"hand-made"}');
    const planToken = await tokenWith(`vg-plan-adopt-${id}`, await policyFor(dir, 'plan'));
    const planned = await cli(['plan', '-c', dir, '--detailed-exitcode'], { cwd: dir, env: { VAULT_TOKEN: planToken } });
    expect(planned.code, planned.stdout + planned.stderr).toBe(2);
    expect(planned.stdout).toContain('adopting (not written by vault-gitops) → will issue new credentials; 1 other live credential, not issued by vault-gitops, stays valid');
  });

  it('plan mode grants only read and list, plus the secret_id lookups that check a delivered credential and tell the role\'s others apart', async () => {
    const dir = await configDir(config('secret/data/one/*'));
    const hcl = await policyFor(dir, 'plan');
    const caps = [...hcl.matchAll(/path "([^"]+)" \{\n {2}capabilities = \[([^\]]*)\]/g)].map((m) => [m[1]!, m[2]!] as const);
    expect(caps.length).toBeGreaterThan(5);
    for (const [path, list] of caps) {
      const granted = list.split(', ').map((c) => JSON.parse(c) as string);
      const allowed = /\/secret-id(-accessor)?\/lookup$/.test(path) ? ['read', 'update', 'list'] : ['read', 'list'];
      expect(granted.every((c) => allowed.includes(c)), `${path}: ${list}`).toBe(true);
    }
  });
});
