import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Plan } from '../../../src/core/model.js';
import { allOutput, cli, configDir, uniq } from '../helpers/cli.js';
import { vaultRequest } from '../helpers/vault-http.js';

const id = uniq('x');
const files = {
  'vault.yaml': `
policies:
  app-${id}:
    policy: |
      path "secret/data/app/*" { capabilities = ["read", "list"] }
auth:
  up${id}:
    type: userpass
    tune: { default_lease_ttl: 30m, listing_visibility: unauth }
    users:
      dana: { token_policies: [app-${id}], token_ttl: 1h, token_bound_cidrs: [10.1.2.3/32] }
  ar${id}:
    type: approle
    description: services
    roles:
      app: { token_policies: [app-${id}], secret_id_ttl: 24h, bind_secret_id: true, secret_id_num_uses: 3, credentials: { file: { path: out/app.json } } }
secrets:
  pki${id}:
    type: pki
    tune: { max_lease_ttl: 8760h }
    root_ca: { common_name: ${id}.example.com, ttl: 8760h }
    urls: { issuing_certificates: ["https://vault.example.com/v1/pki${id}/ca"] }
    roles:
      web: { allowed_domains: [web.example.com], allow_subdomains: true, allow_localhost: false, key_type: ec, key_bits: 384, max_ttl: 24h }
`,
};

const changed = (p: Plan) => p.changes.filter((c) => c.action !== 'noop');

describe('adopting an existing Vault and planning offline', () => {
  let dir = '';

  it('export writes config whose plan shows zero changes (for everything on the server)', async () => {
    dir = await configDir(files);
    expect((await cli(['apply', '-c', dir, '--auto-approve'], { cwd: dir })).code).toBe(0);
    await vaultRequest('POST', `auth/ar${id}/role/orphan`, { token_policies: ['no-such-policy'] }); // Vault allows it; our config may not
    const out = await configDir({}); // outside the config directory (which is loaded recursively)
    const exp = await cli(['export', '--out', out], { cwd: dir });
    expect(exp.code, exp.stderr).toBe(0);
    expect(exp.stderr).toContain(`auth/ar${id}/roles/orphan: token_policies left out: it names no-such-policy`);
    const auth = await readFile(join(out, 'auth.yaml'), 'utf8');
    expect(auth).toContain(`up${id}:`);
    expect(auth).not.toMatch(/^\s+(password|password_hash|secret_id|role_id):|token_type: default$/m);
    expect(await readFile(join(out, `policies/app-${id}.hcl`), 'utf8')).toContain('path "secret/data/app/*"');

    const valid = await cli(['validate', '-c', out]);
    expect(valid.code, valid.stderr).toBe(0);
    const plan = await cli(['plan', '-c', out, '-o', 'json', '--detailed-exitcode'], { cwd: dir });
    expect(plan.code, plan.stderr + plan.stdout.slice(0, 3000)).toBe(0);
    expect(changed(JSON.parse(plan.stdout) as Plan)).toEqual([]);
    const app = JSON.parse(await readFile(join(dir, 'out/app.json'), 'utf8')) as { secret_id: string };
    expect(allOutput()).not.toContain(app.secret_id);
  });

  it('export round-trips policy names holding `/` and other legal characters (0 changes)', async () => {
    const names = [`team-${id}/app`, `team-${id}/deep/x.y_z`, `dots-${id}.v2`];
    for (const name of names) await vaultRequest('PUT', `sys/policies/acl/${encodeURIComponent(name)}`, { policy: 'path "secret/data/x" { capabilities = ["read"] }' });
    const out = await configDir({});
    const exp = await cli(['export', '--kinds', 'policy', '--out', out]);
    expect(exp.code, exp.stderr).toBe(0);
    const yaml = await readFile(join(out, 'policies.yaml'), 'utf8');
    for (const name of names) expect(yaml).toContain(`${name}:`);
    const valid = await cli(['validate', '-c', out]);
    expect(valid.code, valid.stderr).toBe(0);
    // Its own state record: the first test's apply owns objects this policies-only config leaves out.
    const plan = await cli(['plan', '-c', out, '-o', 'json', '--detailed-exitcode'], { env: { VAULT_GITOPS_STATE_PATH: `vault-gitops/names-${id}` } });
    expect(plan.code, plan.stderr + plan.stdout.slice(0, 3000)).toBe(0);
    const p = JSON.parse(plan.stdout) as Plan;
    expect(changed(p)).toEqual([]);
    for (const name of names) expect(p.changes.map((c) => c.address)).toContain(`policies/${name}`);
  });

  // Same directory as above, so the delivered credentials are in place (offline plans skip them).
  it('plan --against a snapshot equals the online plan, with no network and no token', async () => {
    await vaultRequest('POST', `auth/ar${id}/role/app`, { secret_id_num_uses: 9 });
    await vaultRequest('DELETE', `auth/up${id}/users/dana`);
    const snap = join(dir, 'live.json');
    const s = await cli(['snapshot', '--out', snap], { cwd: dir });
    expect(s.code, s.stderr).toBe(0);
    expect((await stat(snap)).mode & 0o777).toBe(0o600);
    const text = await readFile(snap, 'utf8');
    expect(text).not.toContain(process.env.VAULT_TOKEN!);

    const online = await cli(['plan', '-c', dir, '-o', 'json'], { cwd: dir });
    const offline = await cli(['plan', '-c', dir, '-o', 'json', '--against', snap], {
      cwd: dir,
      env: { VAULT_ADDR: 'http://127.0.0.1:1', VAULT_TOKEN: '', VAULT_CACERT: '' },
    });
    expect(offline.code, offline.stderr).toBe(0);
    expect(offline.stderr).toContain('delivered credentials were not checked');
    const [on, off] = [JSON.parse(online.stdout) as Plan, JSON.parse(offline.stdout) as Plan];
    expect(changed(on).map((c) => c.address)).toEqual([`auth/ar${id}/roles/app`, `auth/up${id}/users/dana`]);
    expect(off.changes).toEqual(on.changes);
    expect(off.unmanaged).toEqual(on.unmanaged);
  });
  it('a read Vault refuses (a pki mount without a CA: 400) is in the snapshot, and the offline plan gets the same answer', async () => {
    const mount = `pkinoca${id}`;
    await vaultRequest('POST', `sys/mounts/${mount}`, { type: 'pki' });
    const cfg = await configDir({ 'vault.yaml': `secrets:\n  ${mount}:\n    type: pki\n` });
    const env = { VAULT_GITOPS_STATE_PATH: `vault-gitops/noca-${id}` };
    const snap = join(cfg, 'live.json');
    const s = await cli(['snapshot', '--out', snap], { cwd: cfg, env });
    expect(s.code, s.stderr).toBe(0);
    const recorded = JSON.parse(await readFile(snap, 'utf8')) as { responses: Record<string, unknown> };
    expect(recorded.responses[`${mount}/cert/ca`]).toEqual({ vault_gitops_refused: { status: 400, message: expect.any(String) } });
    const online = await cli(['plan', '-c', cfg, '-o', 'json'], { cwd: cfg, env });
    const offline = await cli(['plan', '-c', cfg, '-o', 'json', '--against', snap], { cwd: cfg, env: { ...env, VAULT_ADDR: 'http://127.0.0.1:1', VAULT_TOKEN: '', VAULT_CACERT: '' } });
    expect(online.code, online.stderr).toBe(0);
    expect(offline.code, offline.stderr).toBe(0);
    expect((JSON.parse(offline.stdout) as Plan).changes).toEqual((JSON.parse(online.stdout) as Plan).changes);
  });
});
