// One run over a platform config and every tenant directory (`--tenants DIR`), in every output format,
// against the real servers: on OpenBao 2.4 the tenants' namespaces exist, `plan` and `drift` print one
// JSON document (schemas/tenants-plan.schema.json, tenants-drift.schema.json) or one markdown report
// holding each; on Vault open source a namespace config is refused by `drift --tenants` as by plan.
import { readFileSync } from 'node:fs';
import { mkdir, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import Ajv2020 from 'ajv/dist/2020.js';
import { describe, expect, it } from 'vitest';
import { allOutput, cli, configDir, uniq } from '../helpers/cli.js';
import { serverEnv } from '../helpers/server.js';
import { platformConfig, tenantConfig } from '../helpers/tenants.js';
import { vaultRequest } from '../helpers/vault-http.js';

const openbao = serverEnv().server === 'openbao';
const id = uniq('tn');

const schema = (name: string) => JSON.parse(readFileSync(new URL(`../../../schemas/${name}`, import.meta.url), 'utf8')) as object;
const ajv = new Ajv2020.default({ allErrors: true, strict: true });
for (const name of ['plan.schema.json', 'drift.schema.json']) ajv.addSchema(schema(name));
const validPlan = ajv.compile(schema('tenants-plan.schema.json'));
const validDrift = ajv.compile(schema('tenants-drift.schema.json'));

interface Entry {
  dir: string;
  namespace: string;
  status: string;
  error?: string;
  plan?: { vault_namespace?: string; changes: Array<{ address: string; action: string }>; access_changes?: { summary: { privileged: number } } };
  report?: { in_sync: boolean; findings: Array<{ class: string; address: string }> };
}
interface Doc {
  summary: Record<string, unknown>;
  in_sync?: boolean;
  platform: { dirs: string[]; namespace: string };
  tenants: Entry[];
}

function parsed(stdout: string, validate: typeof validPlan): Doc {
  const doc = JSON.parse(stdout) as Doc;
  expect(validate(doc), ajv.errorsText(validate.errors)).toBe(true);
  return doc;
}

/** Tenant i's config, its credentials delivered under out/t<i>/ of the run's working directory; `rule` joins its policy `app`. */
const tenant = (ns: string, i: number, rule = '') => tenantConfig(ns, rule, `out/t${i}`)['vault.yaml'];

describe.skipIf(!openbao)('--tenants on OpenBao: plan and drift of the platform and every tenant, in text, JSON and markdown', () => {
  const names = [`ta-${id}`, `tb-${id}`, `ta-${id}/nested`];
  const env = { VAULT_GITOPS_STATE_PATH: `vault-gitops/tenants-out-${id}` };
  let root = '';
  let tenants = '';
  let cwd = '';
  const run = (args: string[]) => cli([...args, '-c', root, '--tenants', tenants], { cwd, env });
  const tenantFile = (i: number) => join(tenants, `t${i}`, 'vault.yaml');

  it('apply --tenants fills three namespaces (one nested); plan --tenants -o json is one valid document naming each namespace, with no change', async () => {
    root = await configDir(platformConfig(names));
    tenants = await configDir(Object.fromEntries(names.map((n, i) => [`t${i}/vault.yaml`, tenant(n, i)])));
    cwd = await configDir({});
    const applied = await run(['apply', '--auto-approve']);
    expect(applied.code, applied.stdout + applied.stderr).toBe(0);

    const planned = await run(['plan', '-o', 'json', '--detailed-exitcode']);
    expect(planned.code, planned.stdout + planned.stderr).toBe(0);
    const doc = parsed(planned.stdout, validPlan);
    expect(doc.platform).toMatchObject({ dirs: [root], namespace: '' });
    expect(doc.tenants.map((t) => [t.namespace, t.dir, t.status, t.plan?.vault_namespace])).toEqual(names.map((n, i) => [n, join(tenants, `t${i}`), 'planned', n]));
    expect(doc.tenants[2]?.plan?.changes.map((c) => c.address)).toContain('policies/app');
    expect(doc.summary).toEqual({ tenants: 3, platform_changes: false, changed: [], failed: [] });
  });

  it('plan --tenants -o markdown: the platform, then a heading per tenant naming its namespace', async () => {
    const md = await run(['plan', '-o', 'markdown']);
    expect(md.code, md.stderr).toBe(0);
    expect(md.stdout).toContain('**The platform has no changes; 0 of 3 tenants have changes.**');
    const headings = md.stdout.split('\n').filter((l) => l.startsWith('### '));
    expect(headings).toEqual([`### Platform (the root namespace): ${root}`, ...names.map((n, i) => `### Namespace ${n}: ${join(tenants, `t${i}`)}`)]);
  });

  it("drift --tenants: in sync exits 0; a hand edit in one tenant's namespace exits 2 naming that tenant's object, in text, JSON and markdown", async () => {
    const clean = await run(['drift', '-o', 'json']);
    expect(clean.code, clean.stdout + clean.stderr).toBe(0);
    expect(parsed(clean.stdout, validDrift).in_sync).toBe(true);

    const nested = names[2]!;
    expect((await vaultRequest('POST', `${nested}/sys/policies/acl/app`, { policy: 'path "kv/*" { capabilities = ["read"] }' })).status).toBe(204);

    const text = await run(['drift']);
    expect(text.code, text.stdout + text.stderr).toBe(2);
    const section = text.stdout.slice(text.stdout.indexOf(`=== ${nested} (`));
    expect(section).toMatch(/Changed in Vault\n {2}! policies\/app: policy changed in Vault/);
    // Only the nested tenant drifted. (The root's "Not managed" line may name another test file's
    // policies/app: the server is shared.)
    expect(text.stdout.slice(0, text.stdout.indexOf(`=== ${nested} (`))).not.toMatch(/! policies\/app/);
    expect(text.stdout).toContain(`The platform is in sync; 1 of 3 tenants drifted: ${nested}.`);

    const json = await run(['drift', '-o', 'json']);
    expect(json.code, json.stderr).toBe(2);
    const doc = parsed(json.stdout, validDrift);
    expect(doc.in_sync).toBe(false);
    expect(doc.summary).toEqual({ tenants: 3, platform_drifted: false, drifted: [nested], failed: [] });
    expect(doc.tenants.map((t) => [t.namespace, t.report?.in_sync])).toEqual([[names[0], true], [names[1], true], [nested, false]]);
    expect(doc.tenants[2]?.report?.findings).toEqual([expect.objectContaining({ class: 'changed', address: 'policies/app' })]);

    const md = await run(['drift', '-o', 'markdown']);
    expect(md.code, md.stderr).toBe(2);
    expect(md.stdout).toContain(`**The platform is in sync; 1 of 3 tenants drifted: ${nested}.**`);
    expect(md.stdout.slice(md.stdout.indexOf(`### Namespace ${nested}:`))).toContain('| changed | policies/app |');
  });

  it("--detailed-exitcode exits 2 and --fail-on privileged 3 for one tenant's changes, whatever the output format", async () => {
    const changed = await run(['plan', '-o', 'json', '--detailed-exitcode']);
    expect(changed.code, changed.stderr).toBe(2);
    expect(parsed(changed.stdout, validPlan).summary).toMatchObject({ platform_changes: false, changed: [names[2]] });

    await writeFile(tenantFile(1), tenant(names[1]!, 1, '      path "sys/audit/*" { capabilities = ["read", "sudo"] }\n'));
    for (const output of ['text', 'json', 'markdown']) {
      const r = await run(['plan', '-o', output, '--fail-on', 'privileged', '--detailed-exitcode']);
      expect(r.code, `${output}: ${r.stdout}${r.stderr}`).toBe(3);
      if (output === 'json') expect(parsed(r.stdout, validPlan).tenants[1]?.plan?.access_changes?.summary.privileged).toBeGreaterThan(0);
      else expect(r.stdout).toMatch(/auth\/approle\/roles\/app gains read, sudo on sys\/audit\/\\?\*/);
    }
    const md = await run(['plan', '-o', 'markdown']);
    expect(md.stdout).toContain(`> **PRIVILEGED ACCESS CHANGES** in ${names[1]}: see each one's plan.`);
    expect(md.stdout).toContain(`**The platform has no changes; 2 of 3 tenants have changes: ${names[1]}, ${names[2]}.**`);
    await writeFile(tenantFile(1), tenant(names[1]!, 1));
  });

  it('a tenant that fails (its namespace does not exist) is listed as failed with its error in JSON and markdown; the others are planned; exit 1', async () => {
    const missing = `missing-${id}`;
    await mkdir(join(tenants, 't3'));
    await writeFile(join(tenants, 't3', 'vault.yaml'), tenant(missing, 3));
    try {
      for (const [command, validate] of [['plan', validPlan], ['drift', validDrift]] as const) {
        const json = await run([command, '-o', 'json']);
        expect(json.code, json.stdout + json.stderr).toBe(1);
        const doc = parsed(json.stdout, validate);
        expect(doc.tenants.map((t) => t.status)).toEqual(command === 'plan' ? ['planned', 'planned', 'planned', 'failed'] : ['checked', 'checked', 'checked', 'failed']);
        expect(doc.tenants[3]).toMatchObject({ namespace: missing, dir: join(tenants, 't3') });
        expect(doc.tenants[3]?.error).toMatch(new RegExp(`t3/vault\\.yaml:1:1: error: namespace: namespace ${missing} does not exist on this server`));
        expect(doc.summary.failed).toEqual([missing]);
        expect(json.stderr).toContain(`error: 1 of 4 tenants failed: ${join(tenants, 't3')}`);
        expect(json.stderr).not.toMatch(/\n\s+at /);

        const md = await run([command, '-o', 'markdown']);
        expect(md.code).toBe(1);
        expect(md.stdout).toContain(`### Namespace ${missing}: ${join(tenants, 't3')}`);
        expect(md.stdout).toMatch(/❌ \*\*(planning|the drift check) failed:\*\*\n\n```text\n.*does not exist on this server/);
      }
      expect((await vaultRequest('GET', `sys/namespaces/${missing}`)).status).toBe(404);
    } finally {
      await rm(join(tenants, 't3'), { recursive: true });
    }
  });

  /** Each tenant's delivered AppRole credential and userpass password, as its files hold them now; kept for the secret grep. */
  const seen: string[] = [];
  async function delivered(): Promise<Array<{ role_id: string; secret_id: string; password: string }>> {
    const read = async (i: number, file: string) => JSON.parse(await readFile(join(cwd, `out/t${i}`, file), 'utf8')) as Record<string, string>;
    const all = await Promise.all(names.map(async (_, i) => ({ ...(await read(i, 'app.json')), password: (await read(i, 'alice.json')).password! }) as { role_id: string; secret_id: string; password: string }));
    for (const d of all) seen.push(d.secret_id, d.password);
    return all;
  }
  const login = (ns: string, d: { role_id: string; secret_id: string }) => vaultRequest('POST', `${ns}/auth/approle/login`, { role_id: d.role_id, secret_id: d.secret_id }, { token: null });

  it("rotate --tenants re-issues every tenant's credentials in its namespace: the new ones log in there, the old ones no longer", async () => {
    const before = await delivered();
    const r = await run(['rotate']);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    for (const n of names) expect(r.stdout).toContain(`=== ${n} (`);
    const after = await delivered();
    for (const [i, n] of names.entries()) {
      expect(after[i]!.secret_id).not.toBe(before[i]!.secret_id);
      expect(after[i]!.password).not.toBe(before[i]!.password);
      expect((await login(n, after[i]!)).status, n).toBe(200);
      expect((await login(n, before[i]!)).status, n).not.toBe(200);
      expect((await vaultRequest('POST', `${n}/auth/userpass/login/alice`, { password: after[i]!.password }, { token: null })).status).toBe(200);
    }
    // Each namespace's lock was released: the next writing run over all of them takes them at once.
    const again = await run(['rotate', '--select', 'auth/userpass/users/alice', '--lock-timeout', '0']);
    expect(again.code, again.stdout + again.stderr).toBe(0);
    await delivered();
  });

  it("snapshot --tenants writes one file per namespace; a tenant's plan --against its file equals the online plan, offline; another namespace's file is refused", async () => {
    const snaps = await configDir({});
    const dir = join(snaps, 'tenants');
    const s = await cli(['snapshot', '--out', join(snaps, 'root.json'), '--tenants', dir], { cwd, env });
    expect(s.code, s.stderr).toBe(0);
    const file = (ns: string) => join(dir, `${encodeURIComponent(ns)}.json`);
    const offlineEnv = { ...env, VAULT_ADDR: 'http://127.0.0.1:1', VAULT_TOKEN: '', VAULT_CACERT: '' };
    for (const [i, n] of names.entries()) {
      const text = await readFile(file(n), 'utf8');
      expect((JSON.parse(text) as { vault_namespace?: string }).vault_namespace).toBe(n);
      for (const secret of seen) expect(text).not.toContain(secret);
      const online = await cli(['plan', '-c', join(tenants, `t${i}`), '-o', 'json'], { cwd, env });
      const offline = await cli(['plan', '-c', join(tenants, `t${i}`), '-o', 'json', '--against', file(n)], { cwd, env: offlineEnv });
      expect(online.code, online.stderr).toBe(0);
      expect(offline.code, offline.stderr).toBe(0);
      const [on, off] = [JSON.parse(online.stdout) as Entry['plan'] & { unmanaged: unknown }, JSON.parse(offline.stdout) as Entry['plan'] & { unmanaged: unknown }];
      expect(off.vault_namespace).toBe(n);
      expect(off.changes).toEqual(on.changes);
      expect(off.unmanaged).toEqual(on.unmanaged);
    }
    expect((JSON.parse(await readFile(file(names[2]!), 'utf8')) as { responses: Record<string, { data?: { policy?: string } }> }).responses['sys/policies/acl/app']?.data?.policy).toBe('path "kv/*" { capabilities = ["read"] }');

    const wrong = await cli(['plan', '-c', join(tenants, 't0'), '--against', file(names[2]!)], { cwd, env: offlineEnv });
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toMatch(new RegExp(`t0/vault\\.yaml:1:1: error: namespace: the config is of namespace ${names[0]}, but the snapshot \\S+ is of namespace ${names[2]}`));
    const root = await cli(['plan', '-c', join(tenants, 't0'), '--against', join(snaps, 'root.json')], { cwd, env: offlineEnv });
    expect(root.code).toBe(1);
    expect(root.stderr).toContain('is of the root namespace');
  });

  it('no delivered secret_id or password appears in any output of this file', async () => {
    await delivered();
    expect(seen.length).toBeGreaterThanOrEqual(names.length * 2 * 3);
    expect(seen.every((s) => s.length >= 16)).toBe(true);
    for (const s of seen) expect(allOutput()).not.toContain(s);
  });
});

describe.skipIf(openbao)('--tenants on Vault open source: a namespace config refused as plan refuses it', () => {
  const env = { VAULT_GITOPS_STATE_PATH: `vault-gitops/tenants-out-${id}` };

  it('a platform config declaring namespaces: drift --tenants (every format) stops at the field, before any tenant and any write', async () => {
    const root = await configDir({ 'vault.yaml': `policies:\n  p-${id}:\n    policy: |\n      path "x/*" { capabilities = ["read"] }\nnamespaces:\n  a-${id}: {}\n` });
    const tenants = await configDir({ 'a/vault.yaml': `namespace: a-${id}\npolicies:\n  q-${id}: { policy: 'path "y/*" { capabilities = ["read"] }' }\n` });
    for (const output of ['text', 'json', 'markdown']) {
      const r = await cli(['drift', '-c', root, '--tenants', tenants, '-o', output], { cwd: root, env });
      expect(r.code, r.stdout + r.stderr).toBe(1);
      expect(r.stderr).toMatch(/vault\.yaml:5:1: error: namespaces: this server has no namespaces \(Vault open source answers "enterprise-only feature"/);
      expect(r.stderr).not.toMatch(/\n\s+at /);
      expect(r.stdout).toBe('');
    }
    expect((await vaultRequest('GET', `sys/policies/acl/p-${id}`)).status).toBe(404);
  });

  it("a tenant config's namespace: fails that tenant at its field, listed as failed in JSON; exit 1; nothing written", async () => {
    const root = await configDir({ 'vault.yaml': `policies:\n  p-${id}:\n    policy: |\n      path "x/*" { capabilities = ["read"] }\n` });
    const tenants = await configDir({ 'a/vault.yaml': `namespace: a-${id}\npolicies:\n  q-${id}: { policy: 'path "y/*" { capabilities = ["read"] }' }\n` });
    const r = await cli(['drift', '-c', root, '--tenants', tenants, '-o', 'json'], { cwd: root, env });
    expect(r.code, r.stdout + r.stderr).toBe(1);
    const doc = parsed(r.stdout, validDrift);
    expect(doc.tenants).toEqual([expect.objectContaining({ namespace: `a-${id}`, status: 'failed', error: expect.stringMatching(/vault\.yaml:1:\d+: error: namespace: this server has no namespaces/) })]);
    expect(r.stderr).toContain(`1 of 1 tenants failed: ${join(tenants, 'a')}`);
    const text = await cli(['drift', '-c', root, '--tenants', tenants], { cwd: root, env });
    expect(text.code).toBe(1);
    expect(text.stdout).toMatch(/=== a-\S+ \(.*\)\nerror: .*vault\.yaml:1:\d+: error: namespace: this server has no namespaces/);
    for (const path of [`sys/policies/acl/p-${id}`, `sys/policies/acl/q-${id}`, env.VAULT_GITOPS_STATE_PATH.replace('/', '/data/')]) {
      expect((await vaultRequest('GET', path)).status, path).toBe(404);
    }
  });

  it('rotate --tenants fails a tenant naming its namespace: field; snapshot --tenants records the root alone (no namespace beneath)', async () => {
    const root = await configDir({ 'vault.yaml': `policies:\n  p-${id}:\n    policy: |\n      path "x/*" { capabilities = ["read"] }\n` });
    const tenants = await configDir({ 'a/vault.yaml': `namespace: a-${id}\nauth:\n  up-${id}:\n    type: userpass\n    users:\n      u: { credentials: { file: { path: out/u.json } } }\n` });
    const r = await cli(['rotate', '-c', root, '--tenants', tenants], { cwd: root, env });
    expect(r.code, r.stdout + r.stderr).toBe(1);
    expect(r.stdout).toMatch(/=== a-\S+ \(.*\)\nerror: .*vault\.yaml:1:\d+: error: namespace: this server has no namespaces/);
    expect((await vaultRequest('GET', `sys/auth`)).json.data[`up-${id}/`]).toBeUndefined();

    const snaps = await configDir({});
    const s = await cli(['snapshot', '--out', join(snaps, 'root.json'), '--tenants', join(snaps, 'tenants')], { cwd: snaps, env });
    expect(s.code, s.stderr).toBe(0);
    expect(JSON.parse(await readFile(join(snaps, 'root.json'), 'utf8'))).not.toHaveProperty('vault_namespace');
    expect(await readdir(join(snaps, 'tenants'))).toEqual([]);
  });
});
