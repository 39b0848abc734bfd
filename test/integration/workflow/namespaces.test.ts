// Namespaces against the real servers: OpenBao 2.4 has them (the tenant estate below), Vault open
// source does not (a config naming one fails at plan time, before any write).
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { allOutput, cli, configDir, uniq } from '../helpers/cli.js';
import { serverEnv } from '../helpers/server.js';
import { platformConfig as platform, tenantConfig as tenant } from '../helpers/tenants.js';
import { vaultRequest } from '../helpers/vault-http.js';

const openbao = serverEnv().server === 'openbao';
const id = uniq('ns');
const a = `a-${id}`;
const b = `b-${id}`;
const apps = `${a}/apps`;

const apply = (dir: string, env: NodeJS.ProcessEnv = {}, extra: string[] = []) => cli(['apply', '-c', dir, '--auto-approve', ...extra], { cwd: dir, env });
const plan = (dir: string, env: NodeJS.ProcessEnv = {}) => cli(['plan', '-c', dir, '-o', 'json', '--detailed-exitcode'], { cwd: dir, env });

describe.skipIf(!openbao)('namespaces on OpenBao: a platform config and one directory per tenant', () => {
  const dirs: Record<string, string> = {};

  it('applies three namespaces (one nested) and their tenants from empty; the next plans are empty', async () => {
    const root = await configDir(platform([a, b, apps]));
    dirs.platform = root;
    const created = await apply(root);
    expect(created.code, created.stdout + created.stderr).toBe(0);
    expect((await vaultRequest('GET', `${a}/sys/namespaces/apps`)).json.data.custom_metadata).toEqual({ owner: `${a}-apps` });

    for (const ns of [a, b, apps]) dirs[ns] = await configDir(tenant(ns));
    const results = await Promise.all([a, b, apps].map((ns) => apply(dirs[ns]!)));
    for (const r of results) expect(r.code, r.stdout + r.stderr).toBe(0);

    for (const dir of [root, dirs[a]!, dirs[b]!, dirs[apps]!]) {
      const p = await plan(dir);
      expect(p.code, p.stdout + p.stderr).toBe(0);
    }
    const json = JSON.parse((await plan(dirs[apps]!)).stdout) as { vault_namespace?: string; changes: Array<{ address: string }> };
    expect(json.vault_namespace).toBe(apps);
    expect(json.changes.map((c) => c.address)).toContain('identity/groups/devs');
    // Each tenant's objects sit in its own namespace, none in the root.
    expect((await vaultRequest('GET', `${apps}/sys/policies/acl/app`)).status).toBe(200);
    expect((await vaultRequest('GET', `${apps}/identity/group/name/devs`)).status).toBe(200);
    expect((await vaultRequest('GET', 'identity/group/name/devs')).status).toBe(404);
    const alias = (await vaultRequest('GET', `${apps}/identity/group/name/oncall`)).json.data.alias as { mount_accessor: string };
    const userpass = (await vaultRequest('GET', `${apps}/sys/auth`)).json.data['userpass/'] as { accessor: string };
    expect(alias.mount_accessor).toBe(userpass.accessor);
    for (const s of [JSON.parse(await readFile(join(dirs[a]!, 'out/app.json'), 'utf8')).secret_id, JSON.parse(await readFile(join(dirs[a]!, 'out/alice.json'), 'utf8')).password]) {
      expect(allOutput()).not.toContain(s);
    }
  });

  it("a tenant's delivered AppRole credential logs in within its namespace and reads only there", async () => {
    for (const ns of [a, b]) expect((await vaultRequest('POST', `${ns}/kv/data/x`, { data: { who: ns } })).status).toBe(200);
    const file = JSON.parse(await readFile(join(dirs[a]!, 'out/app.json'), 'utf8')) as { role_id: string; secret_id: string; vault_gitops: { namespace?: string } };
    expect(file.vault_gitops.namespace).toBe(a); // the consumer's VAULT_NAMESPACE
    const creds = { role_id: file.role_id, secret_id: file.secret_id };
    expect((await vaultRequest('POST', 'auth/approle/login', creds, { token: null })).status).not.toBe(200); // not a login of the root
    const login = await vaultRequest('POST', `${a}/auth/approle/login`, creds, { token: null });
    expect(login.status).toBe(200);
    const token = login.json.auth.client_token as string;
    const own = await vaultRequest('GET', `${a}/kv/data/x`, undefined, { token });
    expect(own.json.data.data).toEqual({ who: a });
    expect((await vaultRequest('GET', `${b}/kv/data/x`, undefined, { token })).status).toBe(403);
  });

  it('drift inside a namespace is reported by drift', async () => {
    await vaultRequest('POST', `${b}/sys/policies/acl/app`, { policy: 'path "kv/*" { capabilities = ["read"] }' });
    const d = await cli(['drift', '-c', dirs[b]!, '-o', 'json'], { cwd: dirs[b]! });
    expect(d.code, d.stderr).toBe(2);
    expect((JSON.parse(d.stdout) as { findings: Array<{ class: string; address: string }> }).findings).toEqual([expect.objectContaining({ class: 'changed', address: 'policies/app' })]);
    expect((await apply(dirs[b]!)).code).toBe(0);
  });

  it("export within a tenant's namespace gives a directory that plans no change", async () => {
    const out = await configDir({});
    const exported = await cli(['export', '--out', out, '--namespace', apps]);
    expect(exported.code, exported.stderr).toBe(0);
    expect(await readFile(join(out, 'namespace.yaml'), 'utf8')).toBe(`namespace: ${apps}\n`);
    const p = await cli(['plan', '-c', out, '-o', 'json', '--detailed-exitcode'], { env: { VAULT_GITOPS_STATE_PATH: `vault-gitops/export-${id}` } });
    expect(p.code, p.stdout + p.stderr).toBe(0);
  });

  it('export of the whole server, every namespace into its own directory: each plans no change', async () => {
    const out = await configDir({});
    const tenants = await configDir({});
    const exported = await cli(['export', '--out', out, '--tenants', tenants]);
    expect(exported.code, exported.stderr).toBe(0);
    expect(await readFile(join(tenants, encodeURIComponent(apps), 'namespace.yaml'), 'utf8')).toBe(`namespace: ${apps}\n`);
    const env = { VAULT_GITOPS_STATE_PATH: `vault-gitops/export-all-${id}` };
    for (const dir of [out, ...[a, b, apps].map((n) => join(tenants, encodeURIComponent(n)))]) {
      const p = await cli(['plan', '-c', dir, '-o', 'json', '--detailed-exitcode'], { env });
      expect(p.code, `${dir}: ${p.stdout}${p.stderr}`).toBe(0);
    }
  });

  it('a namespace removed from the platform config is deleted only with --allow-destroy; one the tool did not create never', async () => {
    const stranger = `s-${id}`;
    expect((await vaultRequest('POST', `sys/namespaces/${stranger}`, {})).status).toBe(200);
    const without = await configDir(platform([a, apps]));
    const refused = await apply(without);
    expect(refused.code).toBe(1);
    expect(refused.stdout + refused.stderr).toContain(`deletes namespace ${b} with everything in it (secrets engines kv/, pki/, vault-gitops/; auth methods approle/, userpass/)`);
    expect(refused.stderr).toContain('nothing was changed');
    expect((await vaultRequest('GET', `sys/namespaces/${b}`)).status).toBe(200);
    expect((await vaultRequest('GET', `${b}/sys/policies/acl/app`)).status).toBe(200);
    const p = JSON.parse((await plan(without)).stdout) as { unmanaged: Array<{ address: string }> };
    expect(p.unmanaged.map((u) => u.address)).toContain(`namespaces/${stranger}`);

    const pruned = await configDir({ 'vault.yaml': `namespaces:\n  ${a}: {}\nprune: [namespaces]\n` });
    const r = await plan(pruned);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/vault\.yaml:\d+:\d+.*`namespaces` cannot be pruned/);
  });

  it('a tenant token (logged in within its namespace, with the policy from policy-for) applies its config and reaches nothing outside', async () => {
    const dir = dirs[a]!;
    // The tenant adds a policy; the platform grants its token what policy-for prints for that config.
    await writeFile(join(dir, 'vault.yaml'), tenant(a, '  extra:\n    policy: |\n      path "kv/data/extra" { capabilities = ["read"] }\n')['vault.yaml']);
    const policy = await cli(['policy-for', '--mode', 'apply', '-c', dir], { cwd: dir });
    expect(policy.code, policy.stderr).toBe(0);
    expect((await vaultRequest('POST', `${a}/sys/policies/acl/gitops`, { policy: policy.stdout })).status).toBe(204);
    const made = await vaultRequest('POST', `${a}/auth/token/create`, { policies: ['gitops'], ttl: '10m' });
    const token = made.json.auth.client_token as string;
    const env = { VAULT_TOKEN: token, VAULT_NAMESPACE: a };

    const r = await apply(dir, env);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect((await vaultRequest('GET', `${a}/sys/policies/acl/extra`)).status).toBe(200);
    expect((await plan(dir, env)).code).toBe(0);

    // Another tenant's config, with this token: refused before any request to it.
    const other = await apply(dirs[b]!, env);
    expect(other.code).toBe(1);
    expect(other.stderr).toMatch(/vault\.yaml:1:\d+.*manages namespace b-/);
    for (const path of ['sys/policies/acl/default', `${b}/sys/policies/acl/app`, 'sys/mounts', `${b}/kv/data/x`]) {
      expect((await vaultRequest('GET', path, undefined, { token })).status, path).toBe(403);
    }
  });
});

describe.skipIf(!openbao)('namespaces on OpenBao: one run over the platform and every tenant', () => {
  it('apply --tenants creates the namespaces and fills each in one run; plan --tenants then shows no change', async () => {
    const names = [`c1-${id}`, `c2-${id}`, `c1-${id}/x`];
    const root = await configDir(platform(names));
    const tenants = await configDir(Object.fromEntries(names.map((n, i) => [`t${i}/vault.yaml`, tenant(n, '', `out/t${i}`)['vault.yaml']])));
    const env = { VAULT_GITOPS_STATE_PATH: `vault-gitops/tenants-run-${id}` };
    const cwd = await configDir({}); // the credentials go to out/ here, not among the tenant directories
    const applied = await cli(['apply', '-c', root, '--tenants', tenants, '--auto-approve'], { cwd, env });
    expect(applied.code, applied.stdout + applied.stderr).toBe(0);
    for (const n of names) expect(applied.stdout).toContain(`=== ${n} (`);
    expect((await vaultRequest('GET', `${names[2]}/sys/policies/acl/app`)).status).toBe(200);
    const planned = await cli(['plan', '-c', root, '--tenants', tenants, '--detailed-exitcode'], { cwd, env });
    expect(planned.code, planned.stdout + planned.stderr).toBe(0);
    expect(planned.stdout.match(/No changes/g)?.length).toBe(4);
  });
});

describe.skipIf(!openbao)('namespaces on OpenBao: a hostile namespace: naming a mount', () => {
  it('a namespace that does not exist (here the name of a root KV mount) is refused before any read or write there', async () => {
    const mount = `kvroot-${id}`;
    expect((await vaultRequest('POST', `sys/mounts/${mount}`, { type: 'kv' })).status).toBe(204);
    const marker = `root-kv-value-${id}`;
    expect((await vaultRequest('POST', `${mount}/sys/policies/acl/p`, { policy: marker })).status).toBe(204);
    const dir = await configDir({ 'vault.yaml': `namespace: ${mount}\npolicies:\n  p: { policy: 'path "a/*" { capabilities = ["read"] }' }\n` });
    for (const args of [['plan', '-c', dir], ['apply', '-c', dir, '--auto-approve']]) {
      const r = await cli(args, { cwd: dir });
      expect(r.code, r.stdout + r.stderr).toBe(1);
      expect(r.stderr).toContain(`vault.yaml:1:1: error: namespace: namespace ${mount} does not exist on this server (${mount} is not a namespace of the root namespace)`);
      expect(r.stdout + r.stderr).not.toContain(marker);
    }
    expect((await vaultRequest('GET', `${mount}/sys/policies/acl/p`)).json.data).toEqual({ policy: marker });
    expect((await vaultRequest('GET', `${mount}/?list=true`)).json.data.keys).toEqual(['sys/']);
  });
});

describe.skipIf(openbao)('namespaces on Vault open source', () => {
  it('a config declaring namespaces fails at plan time, naming the field and the reason; nothing is written', async () => {
    const state = `vault-gitops/ns-${id}`;
    const dir = await configDir({ 'vault.yaml': `policies:\n  p-${id}:\n    policy: |\n      path "x/*" { capabilities = ["read"] }\nnamespaces:\n  ${a}: {}\n` });
    for (const cmd of [['plan'], ['apply', '--auto-approve']]) {
      const r = await cli([...cmd, '-c', dir], { cwd: dir, env: { VAULT_GITOPS_STATE_PATH: state } });
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/vault\.yaml:5:1: error: namespaces: this server has no namespaces \(Vault open source answers "enterprise-only feature"/);
      expect(r.stderr).not.toMatch(/\n\s+at /);
    }
    expect((await vaultRequest('GET', `sys/policies/acl/p-${id}`)).status).toBe(404);
    expect((await vaultRequest('GET', state.replace("/", "/data/"))).status).toBe(404);
    const offline = await cli(['validate', '-c', dir], { cwd: dir });
    expect(offline.code, offline.stderr).toBe(0);
  });

  it("a tenant config's namespace: (or VAULT_NAMESPACE) is refused: Vault open source would write into the root", async () => {
    const dir = await configDir({ 'vault.yaml': `namespace: ${a}\npolicies:\n  q-${id}:\n    policy: |\n      path "x/*" { capabilities = ["read"] }\n` });
    const r = await cli(['apply', '-c', dir, '--auto-approve'], { cwd: dir });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/vault\.yaml:1:\d+.*this server has no namespaces/);
    const flagged = await cli(['plan', '-c', await configDir({ 'vault.yaml': `policies:\n  q-${id}:\n    policy: 'path "x/*" { capabilities = ["read"] }'\n` })], { env: { VAULT_NAMESPACE: a } });
    expect(flagged.code).toBe(1);
    expect(flagged.stderr).toContain('this server has no namespaces');
    expect((await vaultRequest('GET', `sys/policies/acl/q-${id}`)).status).toBe(404);
  });
});
