import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Plan } from '../../../src/core/model.js';
import { allOutput, cli, configDir, uniq } from '../helpers/cli.js';
import { vaultRequest } from '../helpers/vault-http.js';

const id = uniq('t');
const up = `up${id}`;
const ar = `ar${id}`;
const pki = `pki${id}`;
const pol = (n: string) => `${n}-${id}`;

function config(extra = ''): Record<string, string> {
  return {
    'vault.yaml': `
policies:
  ${pol('payments')}:
    policy: |
      path "secret/data/payments/*" { capabilities = ["read"] }
  ${pol('ops')}:
    file: policies/ops.hcl
auth:
  ${up}:
    type: userpass
    description: Engineers
    tune: { default_lease_ttl: 1h, max_lease_ttl: 12h }
    users:
      alice:
        token_policies: [${pol('ops')}]
        token_ttl: 1h
        credentials: { file: { path: out/alice.json } }
  ${ar}:
    type: approle
    roles:
      payments:
        token_policies: [${pol('payments')}, default]
        token_ttl: 48h
        secret_id_ttl: 8760h
        token_bound_cidrs: [10.0.0.0/8, 192.168.1.10/32]
        credentials: { file: { path: out/payments.json } }
      orders:
        token_policies: [${pol('payments')}]
        token_ttl: 30m
secrets:
  ${pki}:
    type: pki
    tune: { max_lease_ttl: 87600h }
    root_ca: { common_name: internal.example.com, ttl: 87600h }
    urls: { issuing_certificates: ["https://vault.example.com/v1/${pki}/ca"] }
    roles:
      internal:
        allowed_domains: [svc.cluster.local]
        allow_subdomains: true
        max_ttl: 72h
prune: [auth/${ar}/roles]
${extra}`,
    'policies/ops.hcl': 'path "sys/health" {\n  capabilities = ["read", "sudo"]\n}\n',
  };
}

async function planJson(dir: string) {
  const r = await cli(['plan', '-c', dir, '-o', 'json', '--detailed-exitcode'], { cwd: dir });
  expect(r.stderr).toBe('');
  return { code: r.code, plan: JSON.parse(r.stdout) as Plan };
}
const changed = (plan: Plan) => plan.changes.filter((c) => c.action !== 'noop');

describe('reconcile against a live server', () => {
  let dir = '';

  afterAll(async () => {
    // Nothing generated may ever appear in anything the tool printed.
    const secrets: string[] = [];
    for (const f of ['out/alice.json', 'out/payments.json']) {
      try {
        const j = JSON.parse(await readFile(join(dir, f), 'utf8'));
        for (const k of ['password', 'secret_id']) if (j[k]) secrets.push(j[k]);
      } catch {
        // not written in this run
      }
    }
    expect(secrets.length).toBeGreaterThan(0);
    for (const s of secrets) expect(allOutput()).not.toContain(s);
  });

  it('applies from empty, then plans nothing', async () => {
    dir = await configDir(config());
    const before = await planJson(dir);
    expect(before.code).toBe(2);
    expect(before.plan.summary.create).toBe(11);

    const r = await cli(['apply', '-c', dir, '--auto-approve'], { cwd: dir });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);

    const after = await planJson(dir);
    expect(changed(after.plan)).toEqual([]);
    expect(after.code).toBe(0);

    const alice = JSON.parse(await readFile(join(dir, 'out/alice.json'), 'utf8'));
    const login = await vaultRequest('POST', `auth/${up}/login/alice`, { password: alice.password }, { token: null });
    expect(login.status).toBe(200);
    const creds = JSON.parse(await readFile(join(dir, 'out/payments.json'), 'utf8'));
    const approle = await vaultRequest('POST', `auth/${ar}/login`, { role_id: creds.role_id, secret_id: creds.secret_id }, { token: null });
    expect(approle.status).toBe(200);
    expect(approle.json.auth.policies).toEqual(expect.arrayContaining([pol('payments')]));
  });

  it('shows hand-made drift exactly, and apply fixes it', async () => {
    await vaultRequest('POST', `sys/policies/acl/${pol('payments')}`, { policy: 'path "secret/*" { capabilities = ["read","list"] }' });
    await vaultRequest('POST', `auth/${ar}/role/payments`, { token_ttl: '2h' });
    await vaultRequest('DELETE', `auth/${up}/users/alice`);

    const drift = await planJson(dir);
    expect(drift.code).toBe(2);
    expect(changed(drift.plan).map((c) => [c.action, c.address, c.fields.map((f: { name: string }) => f.name)])).toEqual([
      ['update', `policies/${pol('payments')}`, ['policy']],
      ['update', `auth/${ar}/roles/payments`, ['token_ttl']],
      ['create', `auth/${up}/users/alice`, ['token_policies', 'token_ttl']],
    ]);
    const ttl = changed(drift.plan)[1]?.fields[0];
    expect([ttl?.before, ttl?.after]).toEqual([7200, 172800]);

    expect((await cli(['apply', '-c', dir, '--auto-approve'], { cwd: dir })).code).toBe(0);
    expect(changed((await planJson(dir)).plan)).toEqual([]);
  });

  it('re-issues a lost or hand-edited credential and leaves no undelivered secret_id live', async () => {
    const old = JSON.parse(await readFile(join(dir, 'out/payments.json'), 'utf8'));
    await rm(join(dir, 'out/payments.json'));
    const alice = JSON.parse(await readFile(join(dir, 'out/alice.json'), 'utf8'));
    await writeFile(join(dir, 'out/alice.json'), JSON.stringify({ ...alice, password: 'edited-by-hand' }));

    const p = await planJson(dir);
    expect(changed(p.plan).map((c) => [c.address, c.reason])).toEqual([
      [`auth/${ar}/roles/payments`, 'file out/payments.json: missing → will issue new credentials'],
      [`auth/${up}/users/alice`, 'file out/alice.json: edited by hand since it was delivered → will issue new credentials'],
    ]);
    expect((await cli(['apply', '-c', dir, '--auto-approve'], { cwd: dir })).code).toBe(0);

    const lookup = await vaultRequest('POST', `auth/${ar}/role/payments/secret-id/lookup`, { secret_id: old.secret_id });
    expect(lookup.json?.data ?? null).toBeNull();
    const fresh = JSON.parse(await readFile(join(dir, 'out/payments.json'), 'utf8'));
    expect(fresh.secret_id).not.toBe(old.secret_id);
    const ids = await vaultRequest('LIST', `auth/${ar}/role/payments/secret-id`);
    expect(ids.json.data.keys).toEqual([fresh.vault_gitops.accessor]);
    expect(changed((await planJson(dir)).plan)).toEqual([]);
  });

  it('prunes only undeclared objects in opted-in collections', async () => {
    await vaultRequest('POST', `auth/${ar}/role/stray`, { token_ttl: '1h' });
    await vaultRequest('POST', `auth/${up}/users/bob`, { password: 'not-managed-1234' });

    const p = await planJson(dir);
    expect(changed(p.plan).map((c) => [c.action, c.address])).toEqual([['delete', `auth/${ar}/roles/stray`]]);
    expect(p.plan.unmanaged.map((u) => u.address)).toContain(`auth/${up}/users/bob`);

    expect((await cli(['apply', '-c', dir, '--auto-approve'], { cwd: dir })).code).toBe(0);
    expect((await vaultRequest('GET', `auth/${ar}/role/stray`)).status).toBe(404);
    expect((await vaultRequest('GET', `auth/${up}/users/bob`)).status).toBe(200);
    expect((await vaultRequest('GET', `auth/${ar}/role/payments`)).status).toBe(200);
  });

  it('keeps going when one object fails, reports it, and converges on the next run', async () => {
    const bad = `
  ${pki}b:
    type: pki
    roles:
      broken: { key_type: ec, key_bits: 1234 }
      fine: { allowed_domains: [example.com], max_ttl: 1h }
`;
    const files = config();
    files['vault.yaml'] = files['vault.yaml']!.replace('\nprune:', `${bad}prune:`);
    const dir2 = await configDir(files);
    const r = await cli(['apply', '-c', dir2, '--auto-approve'], { cwd: dir2 });
    expect(r.code).toBe(1);
    expect(r.stdout + r.stderr).toMatch(new RegExp(`secrets/${pki}b/roles/broken.*(400|key_bits|bits)`, 's'));
    expect(r.stdout + r.stderr).not.toMatch(/\n\s+at .*\(/); // no stack trace
    expect((await vaultRequest('GET', `${pki}b/roles/fine`)).status).toBe(200);

    files['vault.yaml'] = files['vault.yaml']!.replace('key_bits: 1234', 'key_bits: 256');
    const dir3 = await configDir(files);
    const fixed = await cli(['apply', '-c', dir3, '--auto-approve'], { cwd: dir3 });
    expect(fixed.code, fixed.stdout + fixed.stderr).toBe(0);
    expect(changed((await planJson(dir3)).plan)).toEqual([]);
  });
});
