// A new policy and a new AppRole whose credentials go to a Kubernetes Secret the delivery would fail
// on (a Secret not ours, a namespace that does not exist, an API server that refuses us): plan,
// drift and apply stop at the config's `credentials:` (exit 1) before any write; Vault gets neither
// object and nothing is written to Kubernetes. With the cause gone, the same config applies. Against
// the real server and a real kube-apiserver.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { allOutput, cli, configDir, uniq } from '../helpers/cli.js';
import { logsIn, newAppRole, refusedByEveryCommand, type NewAppRole } from '../helpers/new-approle.js';
import { startKube, type KubeServer } from '../../servers/kube.js';

const NS = 'apps';
let kube: KubeServer;
let env: NodeJS.ProcessEnv = {};

const secretSink = (namespace: string, name: string) => newAppRole(`kubernetes: { namespace: ${namespace}, name: ${name} }`);

/** The Secret's status and decoded data. */
async function secret(ns: string, name: string): Promise<{ status: number; data: Record<string, string> }> {
  const r = await kube.request('GET', `/api/v1/namespaces/${ns}/secrets/${name}`);
  const data = Object.fromEntries(Object.entries((r.body as { data?: Record<string, string> }).data ?? {}).map(([k, v]) => [k, Buffer.from(v, 'base64').toString()]));
  return { status: r.status, data };
}

/** The config in `dir` applies now: the Secret holds a credential that logs in, never printed. */
async function applies(dir: string, o: NewAppRole, ns: string, name: string, runEnv = env): Promise<void> {
  const r = await cli(['apply', '-c', dir, '--auto-approve', '--allow-destroy'], { cwd: dir, env: runEnv });
  expect(r.code, r.stdout + r.stderr).toBe(0);
  const { data } = await secret(ns, name);
  await logsIn(o, data);
  expect(allOutput()).not.toContain(data.secret_id);
}

beforeAll(async () => {
  kube = await startKube();
  await kube.createNamespace(NS);
  env = { KUBECONFIG: kube.kubeconfigPath };
}, 600_000);

afterAll(async () => {
  await kube?.stop();
});

describe('a new AppRole delivering to a Kubernetes Secret', () => {
  it('a Secret vault-gitops does not own: plan, drift and apply stop at its credentials; the Secret and Vault are untouched', async () => {
    const name = `web-${uniq('')}`;
    const made = await kube.request('POST', `/api/v1/namespaces/${NS}/secrets`, { metadata: { name }, stringData: { hand: `made-${name}` } });
    expect(made.status).toBe(201);
    const o = secretSink(NS, name);
    const dir = await configDir({ 'vault.yaml': o.yaml });
    await refusedByEveryCommand(
      dir,
      o,
      `kubernetes: secret ${NS}/${name}: exists and was not written by vault-gitops; auth/${o.mount}/roles/web is not in Vault yet, and creating it would leave its credentials undelivered`,
      'set credentials.kubernetes.adopt: true to take it over, or choose another name',
      env,
    );
    expect((await secret(NS, name)).data).toEqual({ hand: `made-${name}` });

    expect((await kube.request('DELETE', `/api/v1/namespaces/${NS}/secrets/${name}`)).status).toBe(200);
    await applies(dir, o, NS, name);
  });

  it('a namespace that does not exist: plan, drift and apply stop at its credentials; no namespace or Secret is made', async () => {
    const ns = `ghost-${uniq('')}`.toLowerCase();
    const o = secretSink(ns, 'web');
    const dir = await configDir({ 'vault.yaml': o.yaml });
    await refusedByEveryCommand(dir, o, `kubernetes: secret ${ns}/web: namespace ${ns} does not exist`, `create namespace ${ns} first (vault-gitops never creates namespaces), or choose another`, env);
    expect((await kube.request('GET', `/api/v1/namespaces/${ns}`)).status).toBe(404);

    await kube.createNamespace(ns);
    await applies(dir, o, ns, 'web');
  });

  it('with the documented minimal RBAC (no `get` on namespaces), a Secret not there yet is fine: plan and apply succeed', async () => {
    const name = `web-${uniq('')}`;
    const publisher = await kube.serviceAccount(NS, `publisher-${uniq('')}`, [{ apiGroups: [''], resources: ['secrets'], verbs: ['get', 'create', 'update'] }]);
    const o = secretSink(NS, name);
    const dir = await configDir({ 'vault.yaml': o.yaml });
    const asPublisher = { KUBECONFIG: publisher.kubeconfigPath };
    const plan = await cli(['plan', '-c', dir], { cwd: dir, env: asPublisher });
    expect(plan.code, plan.stdout + plan.stderr).toBe(0);
    expect(plan.stdout).toContain(`role_id + secret_id → secret ${NS}/${name}`);
    await applies(dir, o, NS, name, asPublisher);
  });

  it('an API server that refuses us (403): plan, drift and apply stop at its credentials; nothing is written', async () => {
    const name = `web-${uniq('')}`;
    // An identity that may read ConfigMaps in the namespace, and nothing about Secrets.
    const { kubeconfigPath } = await kube.serviceAccount(NS, `no-secrets-${uniq('')}`, [{ apiGroups: [''], resources: ['configmaps'], verbs: ['get'] }]);
    const o = secretSink(NS, name);
    const dir = await configDir({ 'vault.yaml': o.yaml });
    await refusedByEveryCommand(dir, o, `kubernetes: secret ${NS}/${name}: read forbidden (403)`, `grant get, create and update on secrets in namespace ${NS}`, { KUBECONFIG: kubeconfigPath });
    expect((await secret(NS, name)).status).toBe(404);

    await applies(dir, o, NS, name);
  });
});
