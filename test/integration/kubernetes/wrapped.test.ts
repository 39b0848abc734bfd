// A wrapped one-time secret_id delivered to a Kubernetes Secret: Vault Agent unwraps it from the
// Secret's keys mounted as files, and drift and plan stay quiet once it is used up; `rotate --select`
// hands out a fresh one. Real kube-apiserver (test/servers/kube.ts), real server.
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startKube, type KubeServer } from '../../servers/kube.js';
import { allOutput, cli, configDir, uniq } from '../helpers/cli.js';
import { kvSecret, vaultAgentLogin } from '../helpers/consumers.js';
import { vaultRequest } from '../helpers/vault-http.js';

const id = uniq('kw');
const ar = `ar${id}`;
const address = `auth/${ar}/roles/web`;
let kv: Awaited<ReturnType<typeof kvSecret>>;
let kube: KubeServer;
let dir: string;
let env: Record<string, string>;
const seen = new Set<string>();

interface Secret {
  data: Record<string, string>;
  annotations: Record<string, string>;
}
async function secret(): Promise<Secret> {
  const r = await kube.request('GET', '/api/v1/namespaces/apps/secrets/web-vault');
  expect(r.status).toBe(200);
  const body = r.body as { data: Record<string, string>; metadata: { annotations: Record<string, string> } };
  const data = Object.fromEntries(Object.entries(body.data).map(([k, v]) => [k, Buffer.from(v, 'base64').toString('utf8')]));
  seen.add(data.secret_id!);
  return { data, annotations: body.metadata.annotations };
}

/** The Secret's keys as a volume would mount them: one file per key, in a fresh directory. */
async function mounted(): Promise<string> {
  const vol = join(await mkdtemp(join(tmpdir(), 'vault-gitops-volume-')), 'web-vault');
  await mkdir(vol, { mode: 0o700 });
  for (const [k, v] of Object.entries((await secret()).data)) await writeFile(join(vol, k), v, { mode: 0o600 });
  return vol;
}

async function agentReads(): Promise<void> {
  const agent = await vaultAgentLogin(await mounted(), ar, false, `auth/${ar}/role/web/secret-id`);
  expect(agent.token, agent.run.stderr).toBeDefined();
  expect((await vaultRequest('GET', kv.path, undefined, { token: agent.token! })).json.data.data).toEqual(kv.data);
}

async function driftNote(): Promise<string | undefined> {
  const r = await cli(['drift', '-c', dir, '-o', 'json'], { cwd: dir, env });
  expect(r.code, r.stdout + r.stderr).toBe(0);
  const report = JSON.parse(r.stdout) as { notes: Array<{ address: string; detail: string }> };
  return report.notes.find((n) => n.address === address)?.detail;
}

beforeAll(async () => {
  kube = await startKube();
  await kube.createNamespace('apps');
  env = { KUBECONFIG: kube.kubeconfigPath };
  kv = await kvSecret(`read-${id}`);
  dir = await configDir({
    'vault.yaml': `${kv.policiesYaml}
auth:
  ${ar}:
    type: approle
    roles:
      web:
        token_policies: [read-${id}]
        secret_id_num_uses: 1
        secret_id_ttl: 1h
        credentials: { kubernetes: { namespace: apps, name: web-vault }, wrap_ttl: 5m }
`,
  });
}, 600_000);

afterAll(async () => {
  await kube?.stop();
});

describe('a wrapped one-time secret_id in a Kubernetes Secret', () => {
  it('apply puts a wrapping token in the secret_id key and records when it expires', async () => {
    const r = await cli(['apply', '-c', dir, '--auto-approve'], { cwd: dir, env });
    expect(r.code, r.stdout + r.stderr).toBe(0);
    const s = await secret();
    const wrap = await vaultRequest('POST', 'sys/wrapping/lookup', { token: s.data.secret_id });
    expect(wrap.status).toBe(200);
    expect(wrap.json.data.creation_path).toBe(`auth/${ar}/role/web/secret-id`);
    expect(Date.parse(s.annotations['vault-gitops.io/wrap-expires-at']!)).toBeGreaterThan(Date.now());
    expect(await driftNote()).toMatch(/^secret apps\/web-vault: wrapped, not yet unwrapped/);
  });

  it('Vault Agent unwraps it from the mounted keys and logs in; drift and plan are then quiet', async () => {
    await agentReads();
    expect(await driftNote()).toMatch(/^secret apps\/web-vault: used up by a login/);
    const p = await cli(['plan', '-c', dir, '--detailed-exitcode'], { cwd: dir, env });
    expect(p.code, p.stdout + p.stderr).toBe(0);
  });

  it('rotate --select delivers a fresh wrapped one the agent logs in with', async () => {
    const before = (await secret()).data.secret_id;
    const r = await cli(['rotate', '-c', dir, '--select', address], { cwd: dir, env });
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect((await secret()).data.secret_id).not.toBe(before);
    await agentReads();
    expect(await driftNote()).toMatch(/used up by a login/);
  });

  it('no output of the run contains a wrapping token', () => {
    const all = allOutput();
    expect(seen.size).toBe(2);
    for (const s of seen) expect(all.includes(s)).toBe(false);
  });
});
