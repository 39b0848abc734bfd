// The Kubernetes credential sink against a real kube-apiserver (test/servers/kube.ts): no mocks.
import { createServer, type Server } from 'node:net';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CredentialsSpec } from '../../../src/core/model.js';
import type { CredentialTarget } from '../../../src/core/ports.js';
import { KubernetesError } from '../../../src/credentials/sinks/errors.js';
import { createKubernetesSink, type KubernetesSink } from '../../../src/credentials/sinks/kubernetes.js';
import { startKube, type KubeServer } from '../../servers/kube.js';

const NS = 'apps';
let kube: KubeServer;
let sink: KubernetesSink;

/** Every credential value handed to the sink, to prove none ends up in an error message. */
const usedValues: string[] = [];
const thrown: unknown[] = [];

let serial = 0;
function secretValue(label: string): string {
  const v = `${label}-${Date.now().toString(36)}-${++serial}-Zq8x`;
  usedValues.push(v, Buffer.from(v).toString('base64'));
  return v;
}

type KubeSpec = Partial<NonNullable<CredentialsSpec['kubernetes']>>;

function target(kind: 'approle-role' | 'userpass-user', name: string, secretName: string, kubernetes: KubeSpec): CredentialTarget {
  const [mount, section] = kind === 'approle-role' ? ['approle', 'roles'] : ['userpass', 'users'];
  return {
    address: `auth/${mount}/${section}/${name}`,
    kind,
    mount,
    name,
    vaultAddr: 'https://vault.example:8200',
    spec: { kubernetes: { namespace: NS, name: secretName, ...kubernetes } },
  };
}

const approle = (name: string, k: KubeSpec = {}) => target('approle-role', name, `${name}-vault-approle`, k);
const userpass = (name: string, k: KubeSpec = {}) => target('userpass-user', name, `${name}-vault`, k);

interface SecretJson {
  metadata: {
    name: string;
    resourceVersion: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
  };
  data?: Record<string, string>;
  type?: string;
}

async function getSecret(name: string, ns = NS): Promise<SecretJson> {
  const r = await kube.request('GET', `/api/v1/namespaces/${ns}/secrets/${name}`);
  expect(r.status).toBe(200);
  return r.body as SecretJson;
}

function decoded(s: SecretJson): Record<string, string> {
  return Object.fromEntries(Object.entries(s.data ?? {}).map(([k, v]) => [k, Buffer.from(v, 'base64').toString()]));
}

async function putSecret(s: SecretJson, ns = NS): Promise<void> {
  const r = await kube.request('PUT', `/api/v1/namespaces/${ns}/secrets/${s.metadata.name}`, s);
  expect(r.status).toBe(200);
}

/** Runs `fn`, expects a KubernetesError, records it for the no-values check. */
async function expectKubeError(fn: () => Promise<unknown>, code: KubernetesError['code']): Promise<KubernetesError> {
  let caught: unknown;
  try {
    await fn();
  } catch (err) {
    caught = err;
  }
  thrown.push(caught);
  expect(caught).toBeInstanceOf(KubernetesError);
  const err = caught as KubernetesError;
  expect(err.code, err.message).toBe(code);
  expect(err.message).not.toContain('\n');
  return err;
}

beforeAll(async () => {
  kube = await startKube();
  await kube.createNamespace(NS);
  sink = await createKubernetesSink({ kubeconfig: kube.kubeconfigPath });
}, 600_000);

afterAll(async () => {
  await kube?.stop();
});

describe('kubernetes sink: create and read back', () => {
  it('delivers an AppRole as role_id, secret_id, vault_addr and mount with our label and annotations', async () => {
    const t = approle('payments-prod');
    expect(sink.describe(t)).toBe('secret apps/payments-prod-vault-approle');
    expect(await sink.inspect(t)).toEqual({ exists: false, owned: false });

    const values = { role_id: secretValue('role'), secret_id: secretValue('sid') };
    await sink.write(t, values, { issuedAt: '2026-01-02T03:04:05.000Z', accessor: 'acc-1', hash: 'sha256:abc' });

    const s = await getSecret('payments-prod-vault-approle');
    expect(s.type).toBe('Opaque');
    expect(decoded(s)).toEqual({
      ...values,
      vault_addr: 'https://vault.example:8200',
      mount: 'approle',
      // vault-sidekick's -auth file, mountable as one file
      'login.json': JSON.stringify({ method: 'approle', ...values, login_path: '/v1/auth/approle/login' }),
    });
    expect(s.metadata.labels).toEqual({ 'app.kubernetes.io/managed-by': 'vault-gitops' });
    expect(s.metadata.annotations).toEqual({
      'vault-gitops.io/object': 'auth/approle/roles/payments-prod',
      'vault-gitops.io/issued-at': '2026-01-02T03:04:05.000Z',
      'vault-gitops.io/secret-id-accessor': 'acc-1',
      'vault-gitops.io/data-hash': 'sha256:abc',
    });
    expect(JSON.stringify(s.metadata.annotations)).not.toContain(values.secret_id);

    const state = await sink.inspect(t);
    expect(state).toEqual({
      exists: true,
      owned: true,
      meta: { issuedAt: '2026-01-02T03:04:05.000Z', accessor: 'acc-1', hash: 'sha256:abc' },
      values,
    });
    // The engine compares copies with JSON.stringify: same key order as it wrote them.
    expect(Object.keys(state.values!)).toEqual(['role_id', 'secret_id']);
  });

  it('delivers a userpass password with login.json, user labels and a pending mark that the next write clears', async () => {
    const t = userpass('ci-bot', { labels: { team: 'platform' }, annotations: { note: 'hello' } });
    const values = { username: 'ci-bot', password: secretValue('pw') };
    await sink.write(t, values, { issuedAt: '2026-01-01T00:00:00.000Z', pending: true });

    let s = await getSecret('ci-bot-vault');
    const d = decoded(s);
    expect(Object.keys(d).sort()).toEqual(['login.json', 'mount', 'password', 'username']);
    expect(d.mount).toBe('userpass');
    expect(JSON.parse(d['login.json']!)).toEqual({
      method: 'userpass',
      username: 'ci-bot',
      password: values.password,
      login_path: '/v1/auth/userpass/login/ci-bot',
    });
    expect(s.metadata.labels).toEqual({ team: 'platform', 'app.kubernetes.io/managed-by': 'vault-gitops' });
    expect(s.metadata.annotations?.note).toBe('hello');
    expect(s.metadata.annotations?.['vault-gitops.io/pending']).toBe('true');
    expect(s.metadata.annotations?.['vault-gitops.io/data-hash']).toMatch(/^sha256:[0-9a-f]{64}$/);

    const state = await sink.inspect(t);
    expect(state.meta?.pending).toBe(true);
    expect(state.values).toEqual(values);
    expect(Object.keys(state.values!)).toEqual(['username', 'password']);

    await sink.write(t, values, { issuedAt: '2026-01-01T00:00:00.000Z' });
    s = await getSecret('ci-bot-vault');
    expect(s.metadata.annotations?.['vault-gitops.io/pending']).toBeUndefined();
    expect((await sink.inspect(t)).meta?.pending).toBeUndefined();
  });

  it('renames keys with spec.kubernetes.keys and maps them back on inspect', async () => {
    const t = approle('renamed', { keys: { role_id: 'VAULT_ROLE_ID', secret_id: 'VAULT_SECRET_ID', vault_addr: 'VAULT_ADDR' } });
    const values = { role_id: secretValue('role'), secret_id: secretValue('sid') };
    await sink.write(t, values, { issuedAt: '2026-01-01T00:00:00.000Z' });
    expect(Object.keys(decoded(await getSecret('renamed-vault-approle'))).sort()).toEqual([
      'VAULT_ADDR',
      'VAULT_ROLE_ID',
      'VAULT_SECRET_ID',
      'login.json',
      'mount',
    ]);
    expect((await sink.inspect(t)).values).toEqual(values);
  });

  it('rejects a key mapping that Kubernetes would refuse, before any request', async () => {
    const t = approle('badkeys', { keys: { secret_id: 'has space' } });
    const err = await expectKubeError(() => sink.write(t, { role_id: 'r', secret_id: secretValue('sid') }, { issuedAt: 'x' }), 'config');
    expect(err.message).toContain('apps/badkeys-vault-approle');
  });
});

describe('kubernetes sink: refusals from the API server', () => {
  it('names the missing namespace', async () => {
    const t = approle('nowhere', { namespace: 'does-not-exist' });
    const err = await expectKubeError(() => sink.write(t, { role_id: 'r', secret_id: secretValue('sid') }, { issuedAt: 'x' }), 'api');
    expect(err.message).toMatch(/^secret does-not-exist\/nowhere-vault-approle: create failed \(404 NotFound\): namespaces "does-not-exist" not found — create namespace does-not-exist first$/);
  });

  it('does not try to replace an immutable Secret', async () => {
    const t = approle('frozen');
    await sink.write(t, { role_id: 'r', secret_id: secretValue('sid') }, { issuedAt: 'x' });
    const s = await getSecret('frozen-vault-approle');
    await putSecret({ ...s, immutable: true } as SecretJson);
    const err = await expectKubeError(() => sink.write(t, { role_id: 'r', secret_id: secretValue('sid') }, { issuedAt: 'y' }), 'api');
    expect(err.message).toContain('secret apps/frozen-vault-approle: is immutable');
  });
});

describe('kubernetes sink: rotate (replace)', () => {
  it('replaces the data and annotations, keeping labels and annotations others added', async () => {
    const t = approle('rotating');
    await sink.write(t, { role_id: 'role-1', secret_id: secretValue('sid') }, { issuedAt: '2026-01-01T00:00:00.000Z', accessor: 'acc-old' });
    const before = await getSecret('rotating-vault-approle');
    // Someone (a reloader, kubectl annotate) adds metadata.
    before.metadata.labels = { ...before.metadata.labels, 'reloader.example/watch': 'true' };
    before.metadata.annotations = { ...before.metadata.annotations, 'example.com/owner': 'team-a' };
    await putSecret(before);

    await sink.inspect(t);
    const next = { role_id: 'role-1', secret_id: secretValue('sid') };
    await sink.write(t, next, { issuedAt: '2026-02-01T00:00:00.000Z', accessor: 'acc-new' });
    const after = await getSecret('rotating-vault-approle');
    expect(decoded(after).secret_id).toBe(next.secret_id);
    expect(after.metadata.resourceVersion).not.toBe(before.metadata.resourceVersion);
    expect(after.metadata.labels?.['reloader.example/watch']).toBe('true');
    expect(after.metadata.annotations?.['example.com/owner']).toBe('team-a');
    expect(after.metadata.annotations?.['vault-gitops.io/secret-id-accessor']).toBe('acc-new');
    expect(after.metadata.annotations?.['vault-gitops.io/issued-at']).toBe('2026-02-01T00:00:00.000Z');
    expect((await sink.inspect(t)).meta?.accessor).toBe('acc-new');
  });

  it('drops the accessor annotation when the new credential has none', async () => {
    const t = approle('rotating');
    await sink.write(t, { role_id: 'role-1', secret_id: secretValue('sid') }, { issuedAt: '2026-03-01T00:00:00.000Z' });
    expect((await getSecret('rotating-vault-approle')).metadata.annotations?.['vault-gitops.io/secret-id-accessor']).toBeUndefined();
  });
});

describe('kubernetes sink: ownership', () => {
  const foreign = async (name: string) => {
    const r = await kube.request('POST', `/api/v1/namespaces/${NS}/secrets`, {
      metadata: { name, labels: { app: 'legacy' } },
      stringData: { role_id: 'theirs', secret_id: 'theirs-too' },
    });
    expect(r.status).toBe(201);
  };

  it('refuses to overwrite a Secret without our label, naming it and the fix; nothing changes', async () => {
    await foreign('legacy-vault-approle');
    const t = approle('legacy');
    const state = await sink.inspect(t);
    expect(state.exists).toBe(true);
    expect(state.owned).toBe(false);
    expect(state.meta).toBeUndefined();

    const before = await getSecret('legacy-vault-approle');
    const err = await expectKubeError(() => sink.write(t, { role_id: 'r', secret_id: secretValue('sid') }, { issuedAt: 'x' }), 'not-owned');
    expect(err.message).toContain('secret apps/legacy-vault-approle');
    expect(err.message).toContain('adopt: true');
    expect(await getSecret('legacy-vault-approle')).toEqual(before);
  });

  it('takes it over with adopt: true', async () => {
    await foreign('adopted-vault-approle');
    const t = approle('adopted', { adopt: true });
    // To be taken over: what the foreign Secret holds is never handed on as a delivered credential.
    expect(await sink.inspect(t)).toEqual({ exists: true, owned: false, adopting: true });
    const values = { role_id: secretValue('role'), secret_id: secretValue('sid') };
    await sink.write(t, values, { issuedAt: '2026-01-01T00:00:00.000Z' });
    const s = await getSecret('adopted-vault-approle');
    expect(s.metadata.labels).toEqual({ app: 'legacy', 'app.kubernetes.io/managed-by': 'vault-gitops' });
    expect(decoded(s).secret_id).toBe(values.secret_id);
    expect((await sink.inspect(approle('adopted'))).owned).toBe(true);
  });
});

describe('kubernetes sink: concurrent modification', () => {
  it('stops with a conflict when the data changed between inspect and write, leaving the other writer’s data', async () => {
    const t = approle('raced');
    await sink.write(t, { role_id: 'r', secret_id: secretValue('sid') }, { issuedAt: '2026-01-01T00:00:00.000Z' });
    await sink.inspect(t);
    const s = await getSecret('raced-vault-approle');
    const theirs = secretValue('theirs');
    s.data = { ...s.data, secret_id: Buffer.from(theirs).toString('base64') };
    await putSecret(s);

    const err = await expectKubeError(() => sink.write(t, { role_id: 'r', secret_id: secretValue('ours') }, { issuedAt: 'x' }), 'conflict');
    expect(err.message).toContain('secret apps/raced-vault-approle');
    expect(err.status).toBe(409);
    expect(decoded(await getSecret('raced-vault-approle')).secret_id).toBe(theirs);
  });

  it('stops with a conflict when someone created the Secret after inspect found none', async () => {
    const t = approle('created-meanwhile');
    expect((await sink.inspect(t)).exists).toBe(false);
    const other = await createKubernetesSink({ kubeconfig: kube.kubeconfigPath });
    await other.write(t, { role_id: 'r', secret_id: secretValue('first') }, { issuedAt: 'x' });
    await expectKubeError(() => sink.write(t, { role_id: 'r', secret_id: secretValue('second') }, { issuedAt: 'x' }), 'conflict');
  });

  it('retries through a metadata-only change (new resourceVersion, same data)', async () => {
    const t = approle('relabelled');
    await sink.write(t, { role_id: 'r', secret_id: secretValue('sid') }, { issuedAt: 'x' });
    await sink.inspect(t);
    const s = await getSecret('relabelled-vault-approle');
    s.metadata.labels = { ...s.metadata.labels, extra: 'yes' };
    await putSecret(s);
    const next = { role_id: 'r', secret_id: secretValue('sid') };
    await sink.write(t, next, { issuedAt: 'y' });
    const after = await getSecret('relabelled-vault-approle');
    expect(decoded(after).secret_id).toBe(next.secret_id);
    expect(after.metadata.labels?.extra).toBe('yes');
  });

  it('of two runs racing on one Secret, exactly one wins and the other gets a conflict (409 on PUT)', async () => {
    const t = approle('contended');
    await sink.write(t, { role_id: 'r', secret_id: secretValue('sid') }, { issuedAt: 'x' });
    for (let round = 0; round < 3; round++) {
      const sinks = await Promise.all([1, 2, 3].map(() => createKubernetesSink({ kubeconfig: kube.kubeconfigPath })));
      await Promise.all(sinks.map((s) => s.inspect(t)));
      const values = sinks.map(() => ({ role_id: 'r', secret_id: secretValue('racer') }));
      const results = await Promise.allSettled(sinks.map((s, i) => s.write(t, values[i]!, { issuedAt: 'x' })));
      const won = results.flatMap((r, i) => (r.status === 'fulfilled' ? [i] : []));
      const lost = results.flatMap((r) => (r.status === 'rejected' ? [r.reason as unknown] : []));
      thrown.push(...lost);
      expect(won).toHaveLength(1);
      for (const e of lost) expect((e as KubernetesError).code).toBe('conflict');
      expect(decoded(await getSecret('contended-vault-approle')).secret_id).toBe(values[won[0]!]!.secret_id);
    }
  });
});

describe('kubernetes sink: access', () => {
  it('works with exactly the RBAC of docs/kubernetes.md (Kubernetes Secrets): get, create, update on secrets in the namespace', async () => {
    const sa = await kube.serviceAccount(NS, 'vault-gitops', [
      { apiGroups: [''], resources: ['secrets'], verbs: ['get', 'create', 'update'] },
    ]);
    const s = await createKubernetesSink({ kubeconfig: sa.kubeconfigPath });
    const t = approle('via-rbac');
    await s.inspect(t);
    await s.write(t, { role_id: 'r', secret_id: secretValue('sid') }, { issuedAt: 'x' });
    await s.inspect(t);
    await s.write(t, { role_id: 'r', secret_id: secretValue('sid') }, { issuedAt: 'y' });
  });

  it('reports a forbidden write (403) naming the Secret and the namespace to grant', async () => {
    const sa = await kube.serviceAccount(NS, 'read-only', [{ apiGroups: [''], resources: ['secrets'], verbs: ['get'] }]);
    const s = await createKubernetesSink({ kubeconfig: sa.kubeconfigPath });
    const t = approle('forbidden');
    expect((await s.inspect(t)).exists).toBe(false);
    const err = await expectKubeError(() => s.write(t, { role_id: 'r', secret_id: secretValue('sid') }, { issuedAt: 'x' }), 'forbidden');
    expect(err.status).toBe(403);
    expect(err.message).toMatch(/^secret apps\/forbidden-vault-approle: create forbidden \(403\)/);
    expect(err.message).toContain('namespace apps');
    expect((await kube.request('GET', `/api/v1/namespaces/${NS}/secrets/forbidden-vault-approle`)).status).toBe(404);
  });

  it('reports a forbidden read in a namespace the service account has no rights in', async () => {
    await kube.createNamespace('elsewhere');
    const sa = await kube.serviceAccount(NS, 'ns-scoped', [{ apiGroups: [''], resources: ['secrets'], verbs: ['get', 'create', 'update'] }]);
    const s = await createKubernetesSink({ kubeconfig: sa.kubeconfigPath });
    const t = approle('x', { namespace: 'elsewhere' });
    const err = await expectKubeError(() => s.inspect(t), 'forbidden');
    expect(err.message).toContain('secret elsewhere/x-vault-approle');
  });

  it('reports rejected credentials (401)', async () => {
    const s = await createKubernetesSink({ kubeconfig: kube.kubeconfigForToken('not-a-valid-token') });
    await expectKubeError(() => s.inspect(approle('any')), 'unauthorized');
  });

  it('reports an unknown kubeconfig context as a config error', async () => {
    let caught: unknown;
    try {
      await createKubernetesSink({ kubeconfig: kube.kubeconfigPath, context: 'nope' });
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(KubernetesError);
    expect((caught as KubernetesError).code).toBe('config');
    expect((caught as Error).message).toContain('no context "nope"');
  });

  it('finds the cluster through KUBECONFIG like kubectl, and says so when there is none', async () => {
    const saved = { KUBECONFIG: process.env.KUBECONFIG, HOME: process.env.HOME };
    try {
      process.env.KUBECONFIG = kube.kubeconfigPath;
      const s = await createKubernetesSink();
      expect((await s.inspect(approle('payments-prod'))).owned).toBe(true);

      delete process.env.KUBECONFIG;
      process.env.HOME = join(kube.kubeconfigPath, '..', 'empty-home');
      let caught: unknown;
      try {
        await createKubernetesSink();
      } catch (err) {
        caught = err;
      }
      expect((caught as KubernetesError).code).toBe('config');
      expect((caught as Error).message).toMatch(/^kubernetes: no Kubernetes cluster configured/);
    } finally {
      for (const [k, v] of Object.entries(saved)) {
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
      }
    }
  });

  it('selects another context from the same kubeconfig like kubectl --context', async () => {
    const sa = await kube.serviceAccount(NS, 'ctx-reader', [{ apiGroups: [''], resources: ['secrets'], verbs: ['get'] }]);
    const path = join(kube.kubeconfigPath + '.multi.json');
    const admin = JSON.parse((await import('node:fs')).readFileSync(kube.kubeconfigPath, 'utf8'));
    admin.users.push({ name: 'limited', user: { token: sa.token } });
    admin.contexts.push({ name: 'limited', context: { cluster: 'test', user: 'limited' } });
    writeFileSync(path, JSON.stringify(admin));
    const limited = await createKubernetesSink({ kubeconfig: path, context: 'limited' });
    await expectKubeError(() => limited.write(approle('ctx'), { role_id: 'r', secret_id: secretValue('sid') }, { issuedAt: 'x' }), 'forbidden');
    const full = await createKubernetesSink({ kubeconfig: path });
    await full.write(approle('ctx'), { role_id: 'r', secret_id: secretValue('sid') }, { issuedAt: 'x' });
  });

  it('gives up on an API server that accepts connections but never answers', async () => {
    const sockets = new Set<import('node:net').Socket>();
    const blackHole: Server = createServer((sock) => sockets.add(sock));
    await new Promise<void>((r) => blackHole.listen(0, '127.0.0.1', () => r()));
    const port = (blackHole.address() as { port: number }).port;
    const cfg = JSON.parse((await import('node:fs')).readFileSync(kube.kubeconfigPath, 'utf8'));
    cfg.clusters[0].cluster.server = `https://127.0.0.1:${port}`;
    const path = kube.kubeconfigPath + '.blackhole.json';
    writeFileSync(path, JSON.stringify(cfg));
    try {
      const s = await createKubernetesSink({ kubeconfig: path, timeoutMs: 500 });
      const started = Date.now();
      const err = await expectKubeError(() => s.inspect(approle('hang')), 'unreachable');
      expect(Date.now() - started).toBeLessThan(5000);
      expect(err.message).toContain('secret apps/hang-vault-approle');
    } finally {
      for (const s of sockets) s.destroy();
      blackHole.close();
    }
  });
});

// Last: stops the server.
describe('kubernetes sink: API down', () => {
  it('reports an unreachable API server naming the Secret, for inspect and write', async () => {
    const t = approle('payments-prod');
    await kube.stop();
    const r1 = await expectKubeError(() => sink.inspect(t), 'unreachable');
    expect(r1.message).toMatch(/^secret apps\/payments-prod-vault-approle: read failed: cannot reach the Kubernetes API at https:\/\/127\.0\.0\.1:\d+ \(ECONNREFUSED\)/);
    const r2 = await expectKubeError(() => sink.write(t, { role_id: 'r', secret_id: secretValue('sid') }, { issuedAt: 'x' }), 'unreachable');
    expect(r2.message).toContain('secret apps/payments-prod-vault-approle');
  });

  it('never put a credential value in an error message', () => {
    expect(thrown.length).toBeGreaterThan(8);
    for (const err of thrown) {
      const text = `${(err as Error).message}\n${(err as Error).stack ?? ''}\n${JSON.stringify(err)}`;
      for (const v of usedValues) expect(text).not.toContain(v);
    }
  });
});
