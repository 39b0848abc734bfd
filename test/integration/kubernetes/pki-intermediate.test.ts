// A PKI intermediate CA through the CLI, from an empty server: a root mount and an intermediate mount
// applied together (the intermediate's key generated in its mount, signed by the root mount), a leaf
// issued from the intermediate's role verifies with openssl against the CA bundle apply published
// to a namespace of a real kube-apiserver; re-signing is destructive; export plans no change.
import { execFileSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Plan } from '../../../src/core/model.js';
import { allOutput, cli, configDir, exportThenPlan, uniq } from '../helpers/cli.js';
import { vaultRequest } from '../helpers/vault-http.js';
import { startKube, type KubeServer } from '../../servers/kube.js';

const id = uniq('');
const [root, int] = [`pki-root${id}`, `pki-int${id}`];
const ns = `int-ca${id}`;
const work = mkdtempSync(join(tmpdir(), 'pki-int-'));
let kube: KubeServer;
let env: NodeJS.ProcessEnv = {};

const yaml = (o: { cn?: string; renewBefore?: string } = {}) => `
secrets:
  ${root}:
    type: pki
    tune: { max_lease_ttl: 87600h }
    root_ca: { common_name: Test Root ${id}, ttl: 87600h, key_type: ec, key_bits: 384 }
  ${int}:
    type: pki
    tune: { max_lease_ttl: 43800h }
    intermediate:
      signed_by: ${root}
      common_name: ${o.cn ?? `Test Issuing ${id}`}
      organization: [Test]
      ttl: 43800h
      key_type: ec
${o.renewBefore ? `      renew_before: ${o.renewBefore}\n` : ''}    roles:
      web: { allowed_domains: [example.test], allow_subdomains: true, max_ttl: 24h, key_type: ec }
    publish:
      issuing-ca:
        namespaces: { names: [${ns}] }
`;

const pemsOf = (bundle: string) => bundle.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
const changes = (p: Plan) => p.changes.filter((c) => c.action !== 'noop').map((c) => `${c.action} ${c.address}`);
const serial = async (mount: string) => new X509Certificate((await vaultRequest('GET', `${mount}/cert/ca`)).json.data.certificate).serialNumber;

async function bundle(): Promise<string> {
  const r = await kube.request('GET', `/api/v1/namespaces/${ns}/configmaps/issuing-ca`);
  expect(r.status).toBe(200);
  return (r.body as { data: Record<string, string> }).data['ca.crt'] ?? '';
}

/** openssl verify of a freshly issued leaf against the published bundle. */
async function verifyLeaf(name: string): Promise<string> {
  const leaf = await vaultRequest('POST', `${int}/issue/web`, { common_name: `${name}.example.test`, ttl: '1h' });
  expect(leaf.status, JSON.stringify(leaf.json)).toBe(200);
  writeFileSync(join(work, `${name}.pem`), leaf.json.data.certificate);
  writeFileSync(join(work, 'bundle.pem'), await bundle());
  return execFileSync('openssl', ['verify', '-CAfile', join(work, 'bundle.pem'), join(work, `${name}.pem`)], { encoding: 'utf8' });
}

beforeAll(async () => {
  kube = await startKube();
  expect((await kube.request('POST', '/api/v1/namespaces', { metadata: { name: ns } })).status).toBe(201);
  env = { KUBECONFIG: kube.kubeconfigPath };
}, 600_000);

afterAll(async () => {
  await kube?.stop();
});

describe('a PKI intermediate signed by the root mount', () => {
  it('apply from nothing → plan 0; a leaf verifies against the published chain (intermediate, then root)', async () => {
    const dir = await configDir({ 'c.yaml': yaml() });
    const applied = await cli(['apply', '-c', dir, '--auto-approve'], { env });
    expect(applied.code, applied.stdout + applied.stderr).toBe(0);
    const again = await cli(['plan', '-c', dir, '--detailed-exitcode', '-o', 'json'], { env });
    expect(again.code, again.stderr + again.stdout.slice(0, 3000)).toBe(0);

    expect(await verifyLeaf('first')).toContain(': OK');
    const chain = pemsOf(await bundle()).map((p) => new X509Certificate(p));
    expect(chain.map((c) => c.subject)).toEqual([`O=Test\nCN=Test Issuing ${id}`, `CN=Test Root ${id}`]);
    expect(chain[0]!.checkIssued(chain[1]!)).toBe(true);
    // The key was generated in the intermediate mount: its default issuer holds it.
    const issuer = (await vaultRequest('GET', `${int}/issuer/default`)).json.data;
    expect(issuer.key_id).not.toBe('');
    expect(allOutput()).not.toContain('PRIVATE KEY');
  });

  it('changed settings plan a re-sign, flagged destructive: refused without --allow-destroy, then a new issuer, plan 0', async () => {
    const before = await serial(int);
    const dir = await configDir({ 'c.yaml': yaml({ cn: `Test Issuing ${id} v2` }) });
    const plan = await cli(['plan', '-c', dir, '-o', 'json'], { env });
    expect(plan.code, plan.stderr).toBe(0);
    const p = JSON.parse(plan.stdout) as Plan;
    expect(changes(p)).toEqual([`update secrets/${int}/intermediate`]);
    expect(p.changes.find((c) => c.action === 'update')!.security).toBe(true);
    expect(p.destroys).toEqual([expect.objectContaining({ address: `secrets/${int}/intermediate`, code: 'pki-ca' })]);

    const refused = await cli(['apply', '-c', dir, '--auto-approve'], { env });
    expect(refused.code).toBe(1);
    expect(await serial(int)).toBe(before);

    const done = await cli(['apply', '-c', dir, '--auto-approve', '--allow-destroy'], { env });
    expect(done.code, done.stdout + done.stderr).toBe(0);
    expect(await serial(int)).not.toBe(before);
    expect((await cli(['plan', '-c', dir, '--detailed-exitcode'], { env })).code).toBe(0);
    expect(await verifyLeaf('second')).toContain(': OK');
    expect(pemsOf(await bundle()).map((pem) => new X509Certificate(pem).subject)[0]).toBe(`O=Test\nCN=Test Issuing ${id} v2`);
  });

  it('a certificate within renew_before of expiry plans a re-sign', async () => {
    const dir = await configDir({ 'c.yaml': yaml({ cn: `Test Issuing ${id} v2`, renewBefore: '50000h' }) });
    const p = JSON.parse((await cli(['plan', '-c', dir, '-o', 'json'], { env })).stdout) as Plan;
    const change = p.changes.find((c) => c.address === `secrets/${int}/intermediate`)!;
    expect(change.action).toBe('update');
    expect(change.fields).toEqual([expect.objectContaining({ name: 'renewal', after: 'not due' })]);
    const fine = await configDir({ 'c.yaml': yaml({ cn: `Test Issuing ${id} v2`, renewBefore: '720h' }) });
    expect((await cli(['plan', '-c', fine, '--detailed-exitcode'], { env })).code).toBe(0);
  });

  it('snapshot → offline plan 0, and the same re-sign as online for changed settings', async () => {
    const dir = await configDir({ 'c.yaml': yaml({ cn: `Test Issuing ${id} v2` }) });
    const snap = join(work, 'live.json');
    expect((await cli(['snapshot', '-c', dir, '--out', snap])).code).toBe(0);
    const offlineEnv = { env: { ...env, VAULT_ADDR: 'http://127.0.0.1:1', VAULT_TOKEN: '', VAULT_CACERT: '' } };
    const offline = await cli(['plan', '-c', dir, '--detailed-exitcode', '--against', snap], offlineEnv);
    expect(offline.code, offline.stderr + offline.stdout.slice(0, 3000)).toBe(0);
    const changed = await configDir({ 'c.yaml': yaml({ cn: `Test Issuing ${id} v3` }) });
    const p = JSON.parse((await cli(['plan', '-c', changed, '-o', 'json', '--against', snap], offlineEnv)).stdout) as Plan;
    expect(changes(p)).toEqual([`update secrets/${int}/intermediate`]);
    expect(p.destroys.map((d) => d.address)).toEqual([`secrets/${int}/intermediate`]);
  });

  it('export → plan 0: the intermediate is exported with its signer, the root mount without an intermediate', async () => {
    const { exported, plan } = await exportThenPlan(id);
    expect(exported.code, exported.stderr).toBe(0);
    expect(plan.code, plan.stderr + plan.stdout.slice(0, 3000)).toBe(0);
    const addresses = (JSON.parse(plan.stdout) as Plan).changes.map((c) => c.address);
    expect(addresses).toEqual(expect.arrayContaining([`secrets/${int}/intermediate`, `secrets/${root}/root_ca`]));
    expect(addresses).not.toContain(`secrets/${int}/root_ca`);
    expect(addresses).not.toContain(`secrets/${root}/intermediate`);
  });

  it('refuses a signer that is not a pki mount of the config, and a mount with both a root and an intermediate, at file:line:col', async () => {
    const dir = await configDir({
      'c.yaml': `secrets:
  x-${id}:
    type: pki
    root_ca: { common_name: r }
    intermediate: { signed_by: nowhere, common_name: i }
`,
    });
    const r = await cli(['plan', '-c', dir]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/c\.yaml:5:\d+: error: secrets\.x-\S+\.intermediate\.signed_by: signed_by names "nowhere", which is not a pki mount of this config/);
    expect(r.stderr).toMatch(/c\.yaml:5:5: error: secrets\.x-\S+\.intermediate: a pki mount has either a root_ca or an intermediate/);
    expect(r.stderr).not.toMatch(/\n\s+at .+:\d+:\d+/);
  });
});
