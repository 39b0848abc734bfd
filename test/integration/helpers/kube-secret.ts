/**
 * A Kubernetes Secret as its consumer sees it: `secretVolume(kube, ns, name)` reads it from the test
 * kube-apiserver and writes its keys as a Secret volume mounts them (one file per key, in a fresh
 * directory); returns the directory and the decoded data.
 */
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'vitest';
import type { KubeServer } from '../../servers/kube.js';

export interface SecretVolume {
  dir: string;
  data: Record<string, string>;
  annotations: Record<string, string>;
}

export async function secretVolume(kube: KubeServer, ns: string, name: string): Promise<SecretVolume> {
  const r = await kube.request('GET', `/api/v1/namespaces/${ns}/secrets/${name}`);
  expect(r.status).toBe(200);
  const body = r.body as { data: Record<string, string>; metadata?: { annotations?: Record<string, string> } };
  const data = Object.fromEntries(Object.entries(body.data).map(([k, v]) => [k, Buffer.from(v, 'base64').toString('utf8')]));
  const dir = join(await mkdtemp(join(tmpdir(), 'vault-gitops-volume-')), name);
  await mkdir(dir, { mode: 0o700 });
  for (const [k, v] of Object.entries(data)) await writeFile(join(dir, k), v, { mode: 0o600 });
  return { dir, data, annotations: body.metadata?.annotations ?? {} };
}
