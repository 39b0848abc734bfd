// A PKI intermediate signed outside Vault, through the CLI: apply generates the key in the mount and
// writes the CSR into the config directory; the test signs it with its own openssl root; a later
// config names the certificate file, apply sets it as the default issuer; a leaf issued from the
// mount verifies with openssl against the root and the CA bundle apply published; replacing the set
// certificate is destructive; a path leaving the config directory is refused at file:line:col.
import { execFileSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Plan } from '../../../src/core/model.js';
import { allOutput, cli, configDir, uniq } from '../helpers/cli.js';
import { vaultRequest } from '../helpers/vault-http.js';
import { startKube, type KubeServer } from '../../servers/kube.js';

const id = uniq('');
const int = `pki-ext${id}`;
const ns = `ext-ca${id}`;
const work = mkdtempSync(join(tmpdir(), 'pki-ext-'));
let kube: KubeServer;
let env: NodeJS.ProcessEnv = {};
let dir = '';

const yaml = (cert?: string) => `
secrets:
  ${int}:
    type: pki
    tune: { max_lease_ttl: 43800h }
    intermediate:
      signed_by: external
      common_name: External Issuing ${id}
      key_type: ec
      csr_file: csr/issuing.csr
${cert ? `      certificate_file: ${cert}\n` : ''}    roles:
      web: { allowed_domains: [example.test], allow_subdomains: true, max_ttl: 24h, key_type: ec, not_before_duration: 1s }
    publish:
      issuing-ca:
        namespaces: { names: [${ns}] }
`;

const openssl = (...args: string[]) => execFileSync('openssl', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
const changes = (p: Plan) => p.changes.filter((c) => c.action !== 'noop').map((c) => `${c.action} ${c.address}`);
const serial = async () => new X509Certificate((await vaultRequest('GET', `${int}/cert/ca`)).json.data.certificate).serialNumber;
const rootPem = join(work, 'root.pem');

/** Signs the CSR with the test's own root as a CA; the certificate then the root, PEM. */
function sign(csr: string, days: string): string {
  const ext = join(work, 'ext.cnf');
  writeFileSync(ext, 'basicConstraints=critical,CA:true\nkeyUsage=critical,keyCertSign,cRLSign\nsubjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid\n');
  const out = join(work, `int-${days}.pem`);
  openssl('x509', '-req', '-in', csr, '-CA', rootPem, '-CAkey', join(work, 'root.key'), '-CAcreateserial', '-days', days, '-sha256', '-extfile', ext, '-out', out);
  return readFileSync(out, 'utf8') + readFileSync(rootPem, 'utf8');
}

beforeAll(async () => {
  openssl('req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', join(work, 'root.key'), '-out', rootPem, '-days', '3650', '-subj', `/CN=Offline Root ${id}`, '-addext', 'basicConstraints=critical,CA:true', '-addext', 'keyUsage=critical,keyCertSign,cRLSign');
  kube = await startKube();
  expect((await kube.request('POST', '/api/v1/namespaces', { metadata: { name: ns } })).status).toBe(201);
  env = { KUBECONFIG: kube.kubeconfigPath };
}, 600_000);

afterAll(async () => {
  await kube?.stop();
});

describe('a PKI intermediate signed outside Vault', () => {
  it('apply writes the CSR (the key stays in the mount); the plan then waits: 0 changes', async () => {
    dir = await configDir({ 'c.yaml': yaml() });
    const plan = await cli(['plan', '-c', dir, '-o', 'json'], { env });
    expect(plan.code, plan.stderr).toBe(0);
    const p = JSON.parse(plan.stdout) as Plan;
    const create = p.changes.find((c) => c.address === `secrets/${int}/intermediate`)!;
    expect(create.action).toBe('create');
    expect(create.fields).toEqual(expect.arrayContaining([expect.objectContaining({ name: 'certificate', after: 'awaiting the signed certificate (certificate_file)' })]));

    const applied = await cli(['apply', '-c', dir, '--auto-approve'], { env });
    expect(applied.code, applied.stdout + applied.stderr).toBe(0);
    const csr = readFileSync(join(dir, 'csr/issuing.csr'), 'utf8');
    expect(csr).toContain('-----BEGIN CERTIFICATE REQUEST-----');
    expect(csr).not.toContain('PRIVATE KEY');
    expect(openssl('req', '-in', join(dir, 'csr/issuing.csr'), '-noout', '-subject')).toContain(`External Issuing ${id}`);
    // Nothing to change in Vault; the CA bundle waits for the CA.
    const again = await cli(['plan', '-c', dir, '-o', 'json'], { env });
    expect(again.code, again.stderr).toBe(0);
    expect(changes(JSON.parse(again.stdout) as Plan)).toEqual([]);
    expect((await cli(['plan', '-c', dir], { env })).stdout).toContain('publish once the CA exists');
  });

  it('the signed certificate named in the config is set as the default issuer; a leaf verifies against the root; plan 0', async () => {
    writeFileSync(join(dir, 'issuing.pem'), sign(join(dir, 'csr/issuing.csr'), '365'));
    writeFileSync(join(dir, 'c.yaml'), yaml('issuing.pem'));
    const p = JSON.parse((await cli(['plan', '-c', dir, '-o', 'json'], { env })).stdout) as Plan;
    expect(changes(p)).toEqual([`create secrets/${int}/intermediate`]);
    expect(p.destroys).toEqual([]);
    const applied = await cli(['apply', '-c', dir, '--auto-approve'], { env });
    expect(applied.code, applied.stdout + applied.stderr).toBe(0);
    expect((await vaultRequest('GET', `${int}/issuer/default`)).json.data.key_id).not.toBe('');

    // The intermediate was signed seconds ago: a leaf may not start before it does.
    await new Promise((r) => setTimeout(r, 2000));
    const leaf = await vaultRequest('POST', `${int}/issue/web`, { common_name: 'a.example.test', ttl: '1h' });
    expect(leaf.status, JSON.stringify(leaf.json)).toBe(200);
    writeFileSync(join(work, 'leaf.pem'), leaf.json.data.certificate);
    expect(openssl('verify', '-CAfile', rootPem, '-untrusted', join(dir, 'issuing.pem'), join(work, 'leaf.pem'))).toContain(': OK');
    const r = await kube.request('GET', `/api/v1/namespaces/${ns}/configmaps/issuing-ca`);
    const bundle = (r.body as { data: Record<string, string> }).data['ca.crt'] ?? '';
    const chain = (bundle.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? []).map((pem) => new X509Certificate(pem).subject);
    expect(chain).toEqual([`CN=External Issuing ${id}`, `CN=Offline Root ${id}`]);
    writeFileSync(join(work, 'bundle.pem'), bundle);
    expect(openssl('verify', '-CAfile', join(work, 'bundle.pem'), join(work, 'leaf.pem'))).toContain(': OK');

    const again = await cli(['plan', '-c', dir, '--detailed-exitcode'], { env });
    expect(again.code, again.stdout + again.stderr).toBe(0);
    expect(allOutput()).not.toContain('PRIVATE KEY');
  });

  it('replacing the set certificate is destructive: refused without --allow-destroy, then set, plan 0', async () => {
    const before = await serial();
    writeFileSync(join(dir, 'issuing-2.pem'), sign(join(dir, 'csr/issuing.csr'), '300'));
    writeFileSync(join(dir, 'c.yaml'), yaml('issuing-2.pem'));
    const p = JSON.parse((await cli(['plan', '-c', dir, '-o', 'json'], { env })).stdout) as Plan;
    expect(changes(p)).toContain(`update secrets/${int}/intermediate`);
    expect(p.destroys).toEqual([expect.objectContaining({ address: `secrets/${int}/intermediate`, code: 'pki-ca' })]);
    expect((await cli(['apply', '-c', dir, '--auto-approve'], { env })).code).toBe(1);
    expect(await serial()).toBe(before);
    const done = await cli(['apply', '-c', dir, '--auto-approve', '--allow-destroy'], { env });
    expect(done.code, done.stdout + done.stderr).toBe(0);
    expect(await serial()).not.toBe(before);
    expect((await cli(['plan', '-c', dir, '--detailed-exitcode'], { env })).code).toBe(0);
  });

  it('a csr_file or certificate_file leaving the config directory is refused at file:line:col, nothing written', async () => {
    const outside = mkdtempSync(join(tmpdir(), 'pki-ext-outside-'));
    writeFileSync(join(outside, 'cert.pem'), readFileSync(rootPem, 'utf8'));
    const hostile = `${int}-x`;
    const text = (csr: string, cert?: string) => `secrets:
  ${hostile}:
    type: pki
    intermediate:
      signed_by: external
      common_name: x
      csr_file: ${csr}
${cert ? `      certificate_file: ${cert}\n` : ''}`;
    const up = await configDir({ 'c.yaml': text('../escape.csr') });
    const r1 = await cli(['apply', '-c', up, '--auto-approve']);
    expect(r1.code).toBe(1);
    expect(r1.stderr).toMatch(/c\.yaml:7:\d+: error: secrets\.\S+\.intermediate\.csr_file: csr_file \.\.\/escape\.csr leaves the config directory/);
    expect(r1.stderr).not.toMatch(/\n\s+at .+:\d+:\d+/);
    expect(existsSync(join(up, '..', 'escape.csr'))).toBe(false);

    const linked = await configDir({ 'c.yaml': text('ok.csr', 'link/cert.pem') });
    symlinkSync(outside, join(linked, 'link'));
    const r2 = await cli(['apply', '-c', linked, '--auto-approve']);
    expect(r2.code).toBe(1);
    expect(r2.stderr).toMatch(/c\.yaml:8:\d+: error: secrets\.\S+\.intermediate\.certificate_file: certificate_file .* resolves \(through a symbolic link\) to a file outside the config directory/);
    expect(existsSync(join(linked, 'ok.csr'))).toBe(false);
    expect((await vaultRequest('GET', `sys/mounts/${hostile}`)).status).not.toBe(200);
  });
});
