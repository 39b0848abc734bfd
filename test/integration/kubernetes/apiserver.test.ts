// The test kube-apiserver itself: it starts, serves Secrets to the admin, and enforces RBAC on a
// ServiceAccount token. If this file fails, the Kubernetes sink tests cannot mean anything.
import { readFileSync } from 'node:fs';
import { parseAllDocuments } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startKube, type KubeServer } from '../../servers/kube.js';

let kube: KubeServer;

beforeAll(async () => {
  kube = await startKube();
}, 600_000);

afterAll(async () => {
  await kube?.stop();
});

describe('test kube-apiserver', () => {
  it('serves the API over TLS verified by the CA it reports', async () => {
    const r = await kube.request('GET', '/version');
    expect(r.status).toBe(200);
    // The version pinned in test/servers/versions.env, stamped at build time by test/servers/kube.sh.
    const pinned = /^KUBE_VERSION=(\S+)$/m.exec(readFileSync(new URL('../../servers/versions.env', import.meta.url), 'utf8'))?.[1];
    expect((r.body as { gitVersion?: string }).gitVersion).toBe(pinned);
  });

  it('creates a namespace and a Secret, and reads it back through @kubernetes/client-node', async () => {
    await kube.createNamespace('smoke');
    const k8s = await import('@kubernetes/client-node');
    const kc = new k8s.KubeConfig();
    kc.loadFromFile(kube.kubeconfigPath);
    const core = kc.makeApiClient(k8s.CoreV1Api);
    await core.createNamespacedSecret({
      namespace: 'smoke',
      body: { metadata: { name: 'hello' }, stringData: { greeting: 'hi' } },
    });
    const s = await core.readNamespacedSecret({ namespace: 'smoke', name: 'hello' });
    expect(Buffer.from(s.data?.greeting ?? '', 'base64').toString()).toBe('hi');
  });

  it('enforces RBAC: a ServiceAccount may read Secrets in its namespace only', async () => {
    await kube.createNamespace('other');
    const sa = await kube.serviceAccount('smoke', 'reader', [
      { apiGroups: [''], resources: ['secrets'], verbs: ['get'] },
    ]);
    expect((await kube.request('GET', '/api/v1/namespaces/smoke/secrets/hello', undefined, sa.token)).status).toBe(200);
    expect((await kube.request('GET', '/api/v1/namespaces/other/secrets/x', undefined, sa.token)).status).toBe(403);
    const create = await kube.request(
      'POST',
      '/api/v1/namespaces/smoke/secrets',
      { metadata: { name: 'nope' }, stringData: { a: 'b' } },
      sa.token,
    );
    expect(create.status).toBe(403);
  });

  it('accepts the example manifests in config-examples/kubernetes (RBAC and the drift CronJob)', async () => {
    const k8s = await import('@kubernetes/client-node');
    const kc = new k8s.KubeConfig();
    kc.loadFromFile(kube.kubeconfigPath);
    const api = k8s.KubernetesObjectApi.makeApiClient(kc);
    for (const ns of ['payments', 'ci']) await kube.createNamespace(ns);
    const created: string[] = [];
    for (const file of ['rbac.yaml', 'cronjob-drift.yaml']) {
      const text = readFileSync(new URL(`../../../config-examples/kubernetes/${file}`, import.meta.url), 'utf8');
      for (const doc of parseAllDocuments(text)) {
        const obj = doc.toJSON() as { kind: string; metadata: { name: string; namespace?: string } } | null;
        if (!obj) continue;
        await api.create(obj);
        created.push(`${obj.kind} ${obj.metadata.namespace ?? ''}/${obj.metadata.name}`);
      }
    }
    expect(created).toContain('CronJob vault-gitops/vault-gitops-drift');
    expect(created.filter((c) => c.startsWith('Role ')).length).toBe(4);
  });

  it('rejects an unknown token', async () => {
    expect((await kube.request('GET', '/api/v1/namespaces', undefined, 'not-a-token')).status).toBe(401);
  });
});
