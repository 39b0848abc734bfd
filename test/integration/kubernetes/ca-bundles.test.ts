// CA bundles published to namespaces, end to end: the built CLI (apply, plan, drift, watch) against
// the run's Vault/OpenBao dev server and a real kube-apiserver (test/servers/kube.ts).
import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { allOutput, cli, configDir, spawnCli, uniq, type RunningCli } from '../helpers/cli.js';
import { serverEnv } from '../helpers/server.js';
import { vaultRequest } from '../helpers/vault-http.js';
import { startKube, type KubeServer } from '../../servers/kube.js';
import { disableReviewerJwtMounts } from '../helpers/reviewer-jwt-cleanup.js';

// A reviewer JWT cannot be exported: leave none for later files' whole-server export tests.
afterAll(disableReviewerJwtMounts);

const id = uniq('');
const pki = `pki-cab${id}`;
// The name the example ClusterRole allows (config-examples/kubernetes/watch-ca-bundles.yaml).
const NAME = 'company-ca';
const INTERVAL_S = 4;
let kube: KubeServer;
let dir = '';
let env: NodeJS.ProcessEnv = {};
let watch: RunningCli | undefined;
let port = 0;
let watchDir = '';
let watchEnv: NodeJS.ProcessEnv = {};
let saToken = '';
const k8sMount = `k8s-cab${id}`;

interface ObjectJson {
  metadata: { name: string; resourceVersion?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  data?: Record<string, string>;
  type?: string;
}

/** `extras`: a Secret target and an adopted ConfigMap (`adoptIn`), which apply runs with; watch runs without them. */
const config = (extras = true, adoptIn = 'team-a') => `
secrets:
  ${pki}:
    type: pki
    tune: { max_lease_ttl: 87600h }
    root_ca: { common_name: Scalefast Test Root ${id}, ttl: 8760h }
    publish:
      ca:
        name: ${NAME}
        labels: { team: platform }
        namespaces:
          selector: { ca: "yes" }
          exclude: [excluded]
${
  extras
    ? `      ca-secret:
        target: secret
        name: ${NAME}-secret
        key: bundle.pem
        namespaces: { names: [team-a] }
      legacy:
        name: legacy-ca
        adopt: true
        namespaces: { names: [${adoptIn}] }`
    : ''
}
`;

async function createNamespace(name: string, labels: Record<string, string> = {}): Promise<void> {
  const r = await kube.request('POST', '/api/v1/namespaces', { metadata: { name, labels } });
  expect(r.status, JSON.stringify(r.body)).toBe(201);
}

async function configMap(ns: string, name = NAME): Promise<ObjectJson | undefined> {
  const r = await kube.request('GET', `/api/v1/namespaces/${ns}/configmaps/${name}`);
  if (r.status === 404) return undefined;
  expect(r.status).toBe(200);
  return r.body as ObjectJson;
}

/** Serial numbers of the certificates of a PEM bundle. */
function serials(bundle: string | undefined): string[] {
  const pems = bundle?.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
  return pems.map((p) => new X509Certificate(p).serialNumber).sort();
}

/** Serial numbers of every issuer of the mount, from Vault. */
async function issuerSerials(): Promise<string[]> {
  const list = await vaultRequest('LIST', `${pki}/issuers`);
  const ids = (list.json?.data?.keys ?? []) as string[];
  const out: string[] = [];
  for (const i of ids) out.push(new X509Certificate((await vaultRequest('GET', `${pki}/issuer/${i}`)).json.data.certificate).serialNumber);
  return out.sort();
}

/** Polls `check` until it holds; fails after `ms` (a bound on waiting, not a speed assertion). */
async function eventually(what: string, ms: number, check: () => Promise<boolean>): Promise<void> {
  const until = Date.now() + ms;
  for (;;) {
    if (await check()) return;
    if (Date.now() > until) throw new Error(`${what}: not within ${ms / 1000}s`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const a = s.address();
      s.close(() => resolve(typeof a === 'object' && a ? a.port : 0));
    });
  });
}

async function http(path: string): Promise<{ status: number; text: string }> {
  try {
    const r = await fetch(`http://127.0.0.1:${port}${path}`);
    return { status: r.status, text: await r.text() };
  } catch {
    return { status: 0, text: '' };
  }
}

/**
 * watch runs as the ServiceAccount of config-examples/kubernetes/watch-ca-bundles.yaml, bound to
 * that file's ClusterRole as written: the documented least privilege is what the tests use.
 */
async function exampleServiceAccount(): Promise<{ token: string; kubeconfigPath: string }> {
  const docs = parseAllDocuments(readFileSync(new URL('../../../config-examples/kubernetes/watch-ca-bundles.yaml', import.meta.url), 'utf8')).map((d) => d.toJS() as { kind: string });
  const account = await kube.serviceAccount('vault-gitops', 'vault-gitops-watch', []);
  for (const [kind, plural] of [['ClusterRole', 'clusterroles'], ['ClusterRoleBinding', 'clusterrolebindings']] as const) {
    const r = await kube.request('POST', `/apis/rbac.authorization.k8s.io/v1/${plural}`, docs.find((d) => d.kind === kind));
    expect(r.status, JSON.stringify(r.body)).toBe(201);
  }
  return account;
}

/**
 * Vault's side of the example: Kubernetes auth (TokenReview against this apiserver) with a role
 * bound to the watch ServiceAccount, whose token may only read the CA.
 */
async function vaultKubernetesAuth(): Promise<void> {
  const ok = (r: { status: number; json: unknown }) => expect(r.status, JSON.stringify(r.json)).toBeLessThan(300);
  ok(await vaultRequest('POST', `sys/auth/${k8sMount}`, { type: 'kubernetes' }));
  ok(await vaultRequest('POST', `auth/${k8sMount}/config`, { kubernetes_host: kube.server, kubernetes_ca_cert: Buffer.from(kube.caData, 'base64').toString('utf8'), token_reviewer_jwt: kube.adminToken }));
  const policy = [`path "${pki}/cert/ca" { capabilities = ["read"] }`, `path "${pki}/issuers" { capabilities = ["list"] }`, `path "${pki}/issuer/*" { capabilities = ["read"] }`].join('\n');
  ok(await vaultRequest('PUT', `sys/policies/acl/ca-watch-${id}`, { policy }));
  ok(await vaultRequest('POST', `auth/${k8sMount}/role/ca-watch`, { bound_service_account_names: ['vault-gitops-watch'], bound_service_account_namespaces: ['vault-gitops'], token_policies: [`ca-watch-${id}`], token_ttl: '10m' }));
}

beforeAll(async () => {
  kube = await startKube();
  for (const ns of ['team-a', 'team-b', 'team-c', 'excluded']) await createNamespace(ns, { ca: 'yes' });
  await createNamespace('unlabelled');
  // Someone else's ConfigMap under the same name: never ours to touch.
  const foreign = { metadata: { name: NAME }, data: { 'ca.crt': 'their own CA' } };
  expect((await kube.request('POST', '/api/v1/namespaces/team-c/configmaps', foreign)).status).toBe(201);
  // A hand-made ConfigMap the config adopts: ours to update, never to delete.
  const legacy = { metadata: { name: 'legacy-ca', labels: { owner: 'ops' } }, data: { 'ca.crt': 'old', 'other.pem': 'kept' } };
  expect((await kube.request('POST', '/api/v1/namespaces/team-a/configmaps', legacy)).status).toBe(201);
  dir = await configDir({ 'vault.yaml': config() });
  watchDir = await configDir({ 'vault.yaml': config(false) });
  env = { KUBECONFIG: kube.kubeconfigPath };
  const account = await exampleServiceAccount();
  await vaultKubernetesAuth();
  // No VAULT_TOKEN: watch logs in with the ServiceAccount's token, as in the Deployment.
  watchEnv = { KUBECONFIG: account.kubeconfigPath, VAULT_TOKEN: '', VAULT_GITOPS_AUTH_JWT: account.token };
  saToken = account.token;
  port = await freePort();
}, 600_000);

afterAll(async () => {
  watch?.child.kill('SIGKILL');
  await kube?.stop();
});

describe('CA bundles in every namespace', () => {
  it('apply creates the CA and publishes it to the matching namespaces, leaving a foreign ConfigMap alone', async () => {
    const plan = await cli(['plan', '-c', dir], { env });
    expect(plan.code, plan.stderr).toBe(0);
    expect(plan.stdout).toContain(`team-a/configmap/${NAME} (secrets/${pki}/publish/ca): publish once the CA exists`);
    expect(plan.stdout).toMatch(/team-c\/configmap\/company-ca .*not managed by vault-gitops/);

    const r = await cli(['apply', '-c', dir, '--auto-approve'], { env });
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toMatch(/left alone team-c\/configmap\/company-ca/);

    const expected = await issuerSerials();
    expect(expected).toHaveLength(1);
    for (const ns of ['team-a', 'team-b']) {
      const cm = await configMap(ns);
      expect(serials(cm?.data?.['ca.crt'])).toEqual(expected);
      expect(cm?.metadata.labels).toEqual({ team: 'platform', 'app.kubernetes.io/managed-by': 'vault-gitops' });
      expect(cm?.metadata.annotations?.['vault-gitops.io/object']).toBe(`secrets/${pki}/publish/ca`);
    }
    expect(await configMap('excluded')).toBeUndefined();
    expect(await configMap('unlabelled')).toBeUndefined();
    expect((await configMap('team-c'))?.data).toEqual({ 'ca.crt': 'their own CA' });

    const secret = (await kube.request('GET', `/api/v1/namespaces/team-a/secrets/${NAME}-secret`)).body as ObjectJson;
    expect(secret.type).toBe('Opaque');
    expect(serials(Buffer.from(secret.data?.['bundle.pem'] ?? '', 'base64').toString())).toEqual(expected);
  });

  it('an adopted object is updated in place, and given back (not deleted) when its namespace stops matching', async () => {
    const adopted = await configMap('team-a', 'legacy-ca');
    expect(adopted?.data?.['other.pem']).toBe('kept');
    expect(serials(adopted?.data?.['ca.crt'])).toEqual(await issuerSerials());
    expect(adopted?.metadata.labels).toEqual({ owner: 'ops', 'app.kubernetes.io/managed-by': 'vault-gitops' });

    const moved = await configDir({ 'vault.yaml': config(true, 'team-b') });
    const r = await cli(['apply', '-c', moved, '--auto-approve'], { env });
    expect(r.code, r.stdout + r.stderr).toBe(0);
    const given = await configMap('team-a', 'legacy-ca');
    expect(given?.data).toEqual({ 'other.pem': 'kept' });
    expect(given?.metadata.labels).toEqual({ owner: 'ops' });
    expect(Object.keys(given?.metadata.annotations ?? {}).filter((k) => k.startsWith('vault-gitops.io/'))).toEqual([]);
    expect((await configMap('team-b', 'legacy-ca'))?.metadata.annotations?.['vault-gitops.io/adopted']).toBeUndefined();
    dir = moved; // the config from here on
  });

  it('a second plan has nothing to do; drift reports the foreign object in the CA-bundle class', async () => {
    const plan = await cli(['plan', '-c', dir, '--detailed-exitcode'], { env });
    expect(plan.code, plan.stdout + plan.stderr).toBe(0);
    const drift = await cli(['drift', '-c', dir, '-o', 'json'], { env });
    expect(drift.code, drift.stderr).toBe(2);
    const report = JSON.parse(drift.stdout) as { summary: Record<string, number>; findings: Array<{ class: string; detail: string }> };
    expect(report.summary['ca-bundles']).toBe(1);
    expect(report.findings.filter((f) => f.class === 'ca-bundles').map((f) => f.detail)).toEqual([
      expect.stringMatching(/^refused team-c\/configmap\/company-ca: exists and is not managed by vault-gitops/),
    ]);
  });

  it('watch: ready, then a new namespace gets the bundle within 5 s', async () => {
    const login = ['--auth', 'kubernetes', '--auth-mount', k8sMount, '--auth-role', 'ca-watch', '--debug'];
    watch = spawnCli(['watch', '-c', watchDir, '--interval', `${INTERVAL_S}s`, '--port', String(port), '--listen', '127.0.0.1', ...login], { env: watchEnv });
    await eventually('watch ready', 60_000, async () => {
      if (watch?.child.exitCode !== null) throw new Error(`watch exited: ${watch?.output()}`);
      return (await http('/readyz')).status === 200;
    });
    expect((await http('/healthz')).status).toBe(200);

    await createNamespace('team-new', { ca: 'yes' });
    const expected = await issuerSerials();
    await eventually('the copy in team-new', 5_000, async () => serials((await configMap('team-new'))?.data?.['ca.crt']).join() === expected.join());
  });

  it('watch restores a deleted copy and repairs an edited one', async () => {
    expect((await kube.request('DELETE', `/api/v1/namespaces/team-a/configmaps/${NAME}`)).status).toBe(200);
    const edited = (await configMap('team-b'))!;
    expect((await kube.request('PUT', `/api/v1/namespaces/team-b/configmaps/${NAME}`, { ...edited, data: { 'ca.crt': 'tampered' } })).status).toBe(200);
    const expected = (await issuerSerials()).join();
    await eventually('restored copies', 10_000, async () => {
      const [a, b] = await Promise.all([configMap('team-a'), configMap('team-b')]);
      return serials(a?.data?.['ca.crt']).join() === expected && serials(b?.data?.['ca.crt']).join() === expected;
    });
    await eventually('repairs counted', 5_000, async () => /vault_gitops_ca_bundle_repaired_total [1-9]/.test((await http('/metrics')).text));
  });

  it('a CA rotation in Vault reaches every namespace within one interval', async () => {
    const rotated = await vaultRequest('POST', `${pki}/root/rotate/internal`, { common_name: `Scalefast Test Root ${id} next`, ttl: '8760h', issuer_name: 'next' });
    expect(rotated.status, JSON.stringify(rotated.json)).toBe(200);
    const expected = await issuerSerials();
    expect(expected).toHaveLength(2);
    // One interval until the next re-read, plus the time to write a handful of copies.
    await eventually('the rotated bundle everywhere', (INTERVAL_S + 5) * 1000, async () => {
      const copies = await Promise.all(['team-a', 'team-b', 'team-new'].map((ns) => configMap(ns)));
      return copies.every((c) => serials(c?.data?.['ca.crt']).join() === expected.join());
    });
    expect((await configMap('team-c'))?.data).toEqual({ 'ca.crt': 'their own CA' });
  });

  it('a namespace that stops matching loses our copy; the foreign one stays', async () => {
    const ns = (await kube.request('GET', '/api/v1/namespaces/team-b')).body as ObjectJson;
    const r = await kube.request('PUT', '/api/v1/namespaces/team-b', { ...ns, metadata: { ...ns.metadata, labels: { ca: 'no' } } });
    expect(r.status).toBe(200);
    await eventually('copy removed from team-b', 10_000, async () => (await configMap('team-b')) === undefined);
    expect((await configMap('team-c'))?.data).toEqual({ 'ca.crt': 'their own CA' });
  });

  it('SIGTERM: exit 0, every copy whole, no token printed', async () => {
    const running = watch!;
    watch = undefined;
    running.child.kill('SIGTERM');
    const r = await running.result;
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain('SIGTERM: stopping');
    // One login for the whole run, revoked at the end (--debug logs method, path and status only).
    expect(r.stderr.match(new RegExp(`POST auth/${k8sMount}/login`, 'g'))).toHaveLength(1);
    expect(r.stderr).toMatch(/POST auth\/token\/revoke-self → 204/);
    const expected = (await issuerSerials()).join();
    for (const ns of ['team-a', 'team-new']) expect(serials((await configMap(ns))?.data?.['ca.crt']).join()).toBe(expected);
    for (const secret of [serverEnv().VAULT_TOKEN, saToken, kube.adminToken]) expect(allOutput()).not.toContain(secret);
  });
});
