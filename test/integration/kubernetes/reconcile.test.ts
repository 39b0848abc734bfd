// End to end: the built CLI against the integration project's Vault/OpenBao dev server and a real
// kube-apiserver (test/servers/kube.ts). Credentials go to Kubernetes Secrets; nothing is mocked.
import { copyFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { allOutput, cli, configDir, uniq } from '../helpers/cli.js';
import { vaultRequest } from '../helpers/vault-http.js';
import { startKube, type KubeServer } from '../../servers/kube.js';

const id = uniq('k');
const ar = `ar${id}`;
const up = `up${id}`;
const pol = `pol-${id}`;
let kube: KubeServer;
let dir = '';
let env: NodeJS.ProcessEnv = {};

interface SecretJson {
  metadata: { name: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  data?: Record<string, string>;
}

const config = (extra = '') => ({
  'vault.yaml': `
policies:
  ${pol}:
    policy: |
      path "secret/data/payments/*" { capabilities = ["read"] }
auth:
  ${ar}:
    type: approle
    roles:
      payments:
        token_policies: [${pol}]
        secret_id_ttl: 720h
        credentials:
          kubernetes: { namespace: payments, name: payments-vault-approle }
      orders:
        token_policies: [${pol}]
        credentials:
          kubernetes: { namespace: orders, name: orders-vault-approle }
  ${up}:
    type: userpass
    users:
      ci-bot:
        token_policies: [${pol}]
        credentials:
          kubernetes: { namespace: ci, name: ci-bot-vault, labels: { team: platform } }
${extra}`,
});

async function secret(ns: string, name: string): Promise<SecretJson | undefined> {
  const r = await kube.request('GET', `/api/v1/namespaces/${ns}/secrets/${name}`);
  if (r.status === 404) return undefined;
  expect(r.status).toBe(200);
  return r.body as SecretJson;
}

/** Every credential value seen in a Secret, to prove none was ever printed. */
const delivered = new Set<string>();

function values(s: SecretJson | undefined): Record<string, string> {
  const out = Object.fromEntries(Object.entries(s?.data ?? {}).map(([k, v]) => [k, Buffer.from(v, 'base64').toString()]));
  for (const k of ['secret_id', 'password']) if (out[k]) delivered.add(out[k]);
  return out;
}

/** Whether Vault still knows this secret_id. */
async function secretIdLive(role: string, secretId: string): Promise<boolean> {
  const r = await vaultRequest('POST', `auth/${ar}/role/${role}/secret-id/lookup`, { secret_id: secretId });
  return r.status === 200 && !!r.json?.data;
}

async function login(v: Record<string, string>): Promise<number> {
  return (await vaultRequest('POST', `auth/${ar}/login`, { role_id: v.role_id, secret_id: v.secret_id })).status;
}

async function passwordLogin(password: string | undefined): Promise<number> {
  return (await vaultRequest('POST', `auth/${up}/login/ci-bot`, { password })).status;
}

beforeAll(async () => {
  kube = await startKube();
  for (const ns of ['payments', 'orders', 'ci']) await kube.createNamespace(ns);
  dir = await configDir(config());
  env = { KUBECONFIG: kube.kubeconfigPath };
}, 600_000);

afterAll(async () => {
  await kube?.stop();
});

describe('publishing credentials to Kubernetes through the CLI', () => {
  it('apply creates the roles and user and delivers their credentials as Secrets', async () => {
    const plan = await cli(['plan', '-c', dir], { cwd: dir, env });
    expect(plan.code, plan.stderr).toBe(0);
    expect(plan.stdout).toContain('secret payments/payments-vault-approle');

    const r = await cli(['apply', '-c', dir, '--auto-approve'], { cwd: dir, env });
    expect(r.code, r.stdout + r.stderr).toBe(0);

    const pay = values(await secret('payments', 'payments-vault-approle'));
    expect(Object.keys(pay).sort()).toEqual(['login.json', 'mount', 'role_id', 'secret_id', 'vault_addr']);
    expect(pay.mount).toBe(ar);
    expect(await login(pay)).toBe(200);

    const ci = await secret('ci', 'ci-bot-vault');
    expect(ci?.metadata.labels).toEqual({ team: 'platform', 'app.kubernetes.io/managed-by': 'vault-gitops' });
    expect(ci?.metadata.annotations?.['vault-gitops.io/pending']).toBeUndefined();
    expect(await passwordLogin(values(ci).password)).toBe(200);
  });

  it('a second plan has nothing to do', async () => {
    const r = await cli(['plan', '-c', dir, '--detailed-exitcode'], { cwd: dir, env });
    expect(r.code, r.stdout + r.stderr).toBe(0);
  });

  it('a deleted Secret is planned as missing and re-issued', async () => {
    const before = values(await secret('payments', 'payments-vault-approle'));
    expect((await kube.request('DELETE', '/api/v1/namespaces/payments/secrets/payments-vault-approle')).status).toBe(200);
    const plan = await cli(['plan', '-c', dir, '--detailed-exitcode'], { cwd: dir, env });
    expect(plan.code, plan.stdout + plan.stderr).toBe(2);
    expect(plan.stdout).toMatch(/missing/);
    const r = await cli(['apply', '-c', dir, '--auto-approve'], { cwd: dir, env });
    expect(r.code, r.stdout + r.stderr).toBe(0);
    const after = values(await secret('payments', 'payments-vault-approle'));
    expect(after.secret_id).not.toBe(before.secret_id);
    expect(await login(after)).toBe(200);
  });

  it('a half-done password rotation (pending mark) is re-issued on the next run', async () => {
    const s = (await secret('ci', 'ci-bot-vault'))!;
    s.metadata.annotations = { ...s.metadata.annotations, 'vault-gitops.io/pending': 'true' };
    expect((await kube.request('PUT', '/api/v1/namespaces/ci/secrets/ci-bot-vault', s)).status).toBe(200);
    const plan = await cli(['plan', '-c', dir, '--detailed-exitcode'], { cwd: dir, env });
    expect(plan.code, plan.stdout + plan.stderr).toBe(2);
    const r = await cli(['apply', '-c', dir, '--auto-approve'], { cwd: dir, env });
    expect(r.code, r.stdout + r.stderr).toBe(0);
    const after = await secret('ci', 'ci-bot-vault');
    expect(after?.metadata.annotations?.['vault-gitops.io/pending']).toBeUndefined();
    expect(values(after).password).not.toBe(values(s).password);
    expect(await passwordLogin(values(after).password)).toBe(200);
  });

  it('Vault refuses the new password: the Secret keeps the password that logs in, and the next run converges', async () => {
    const before = values(await secret('ci', 'ci-bot-vault'));
    expect(await passwordLogin(before.password)).toBe(200);
    const policy = `refuse-${id}`;
    await vaultRequest('POST', `sys/policies/acl/${policy}`, {
      policy: `path "*" { capabilities = ["create", "read", "update", "delete", "list", "sudo"] }\npath "auth/${up}/users/ci-bot/password" { capabilities = ["deny"] }\n`,
    });
    const token = (await vaultRequest('POST', 'auth/token/create', { policies: [policy], ttl: '10m' })).json.auth.client_token as string;
    const r = await cli(['rotate', '-c', dir, '--select', `auth/${up}/users/ci-bot`], { cwd: dir, env: { ...env, VAULT_TOKEN: token } });
    expect(r.code).toBe(1);
    const kept = values(await secret('ci', 'ci-bot-vault'));
    expect(kept.password).toBe(before.password);
    expect(await passwordLogin(kept.password)).toBe(200);

    const again = await cli(['apply', '-c', dir, '--auto-approve'], { cwd: dir, env });
    expect(again.code, again.stdout + again.stderr).toBe(0);
    const after = await secret('ci', 'ci-bot-vault');
    expect(after?.metadata.annotations?.['vault-gitops.io/pending']).toBeUndefined();
    expect(await passwordLogin(values(after).password)).toBe(200);
    expect(allOutput()).not.toContain(token);
  });

  it('refuses a Secret it does not own, naming it; the other objects still converge', async () => {
    expect((await kube.request('DELETE', '/api/v1/namespaces/orders/secrets/orders-vault-approle')).status).toBe(200);
    const foreign = await kube.request('POST', '/api/v1/namespaces/orders/secrets', {
      metadata: { name: 'orders-vault-approle' },
      stringData: { hand: 'made' },
    });
    expect(foreign.status).toBe(201);
    const r = await cli(['apply', '-c', dir, '--auto-approve'], { cwd: dir, env });
    expect(r.code).toBe(1);
    expect(r.stdout + r.stderr).toContain('orders/orders-vault-approle');
    expect(values(await secret('orders', 'orders-vault-approle'))).toEqual({ hand: 'made' });
  });

  it('with the API server down, apply exits 1 naming the Secrets and leaves Vault credentials alone; a re-run converges', async () => {
    const pay = values(await secret('payments', 'payments-vault-approle'));
    // A change that needs no Kubernetes: the re-run must still make it.
    const dir2 = await configDir(config(`  extra${id}:\n    type: userpass\n`));
    // The kubeconfig outlives the server (stop() removes the server's temp dir).
    const kubeconfig = join(dir2, 'kubeconfig.json');
    await copyFile(kube.kubeconfigPath, kubeconfig);
    await kube.stop();
    const r = await cli(['apply', '-c', dir2, '--auto-approve'], { cwd: dir2, env: { KUBECONFIG: kubeconfig } });
    expect(r.code).toBe(1);
    const out = r.stdout + r.stderr;
    for (const s of ['payments/payments-vault-approle', 'orders/orders-vault-approle', 'ci/ci-bot-vault']) {
      expect(out).toMatch(new RegExp(`secret ${s}: .*cannot reach the Kubernetes API at https://127\\.0\\.0\\.1:\\d+ \\(ECONNREFUSED\\)`));
    }
    const mounts = await vaultRequest('GET', 'sys/auth');
    expect(Object.keys(mounts.json.data ?? mounts.json)).toContain(`extra${id}/`);
    expect(await secretIdLive('payments', pay.secret_id!)).toBe(true);

    // The cluster is back (a fresh one: every Secret is missing): the re-run delivers everything.
    kube = await startKube();
    for (const ns of ['payments', 'orders', 'ci']) await kube.createNamespace(ns);
    env = { KUBECONFIG: kube.kubeconfigPath };
    const again = await cli(['apply', '-c', dir2, '--auto-approve'], { cwd: dir2, env });
    expect(again.code, again.stdout + again.stderr).toBe(0);
    const now = values(await secret('payments', 'payments-vault-approle'));
    expect(await login(now)).toBe(200);
    expect((await cli(['plan', '-c', dir2, '--detailed-exitcode'], { cwd: dir2, env })).code).toBe(0);
  }, 120_000);

  it('never printed a credential', () => {
    const out = allOutput();
    expect(delivered.size).toBeGreaterThan(3);
    for (const v of delivered) expect(out).not.toContain(v);
  });
});
