// A Kubernetes Secret's keys, mounted as files the way a Secret volume mounts them, read by the real
// consumers: vault-sidekick with `login.json` (AppRole and userpass), Vault Agent with `role_id` and
// `secret_id` (also a wrapped one-time secret_id, which it unwraps). After apply and after rotate.
// Real kube-apiserver (test/servers/kube.ts), real server.
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startKube, type KubeServer } from '../../servers/kube.js';
import { allOutput, cli, configDir, uniq } from '../helpers/cli.js';
import { kvSecret, sidekickFetch, sidekickMissing, vaultAgentLogin } from '../helpers/consumers.js';
import { secretVolume } from '../helpers/kube-secret.js';
import { vaultRequest } from '../helpers/vault-http.js';

const id = uniq('k');
const ar = `ar${id}`;
let kv: Awaited<ReturnType<typeof kvSecret>>;
let kube: KubeServer;
let dir: string;
let env: Record<string, string>;
const seen = new Set<string>();

async function mounted(ns: string, name: string): Promise<{ dir: string; data: Record<string, string> }> {
  const vol = await secretVolume(kube, ns, name);
  for (const k of ['secret_id', 'password']) if (vol.data[k]) seen.add(vol.data[k]);
  return vol;
}

async function agentReads(): Promise<void> {
  const role = await mounted('apps', 'web-vault');
  const agent = await vaultAgentLogin(role.dir, ar);
  expect(agent.token, agent.run.stderr).toBeDefined();
  expect((await vaultRequest('GET', kv.path, undefined, { token: agent.token! })).json.data.data).toEqual(kv.data);
}

async function sidekickReads(): Promise<void> {
  for (const name of ['web-vault', 'bot-vault']) {
    const vol = await mounted('apps', name);
    const r = await sidekickFetch(join(vol.dir, 'login.json'), kv.path);
    expect(r.data, `${name}: ${r.run.stdout}${r.run.stderr}`).toEqual(kv.data);
  }
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
      web: { token_policies: [read-${id}], secret_id_ttl: 24h, credentials: { kubernetes: { namespace: apps, name: web-vault } } }
      once:
        token_policies: [read-${id}]
        secret_id_num_uses: 1
        secret_id_ttl: 1h
        credentials: { kubernetes: { namespace: apps, name: once-vault }, wrap_ttl: 5m }
  userpass:
    type: userpass
    users:
      bot${id}: { token_policies: [read-${id}], credentials: { kubernetes: { namespace: apps, name: bot-vault } } }
`,
  });
}, 600_000);

afterAll(async () => {
  await kube?.stop();
});

describe('Kubernetes Secret keys read by the real consumers', () => {
  it('after apply: Vault Agent logs in with the role_id and secret_id keys and reads the KV secret', async () => {
    const r = await cli(['apply', '-c', dir, '--auto-approve'], { cwd: dir, env });
    expect(r.code, r.stdout + r.stderr).toBe(0);
    await agentReads();
    await mounted('apps', 'bot-vault'); // the userpass password: collected here, whichever consumer runs
  });

  it.skipIf(sidekickMissing)('after apply: vault-sidekick logs in with login.json (AppRole and userpass) and fetches the KV secret', async () => {
    await sidekickReads();
  });

  it('after rotate: Vault Agent logs in with the new keys', async () => {
    const before = (await mounted('apps', 'web-vault')).data.secret_id;
    const r = await cli(['rotate', '-c', dir], { cwd: dir, env });
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect((await mounted('apps', 'web-vault')).data.secret_id).not.toBe(before);
    await agentReads();
  });

  it.skipIf(sidekickMissing)('after rotate: vault-sidekick logs in with the new login.json', async () => {
    await sidekickReads();
  });

});

describe('a wrapped one-time secret_id in a Secret, unwrapped by Vault Agent from the mounted keys', () => {
  const once = `auth/${ar}/roles/once`;
  const agentUnwraps = async () => {
    const agent = await vaultAgentLogin((await mounted('apps', 'once-vault')).dir, ar, false, `auth/${ar}/role/once/secret-id`);
    expect(agent.token, agent.run.stderr).toBeDefined();
    expect((await vaultRequest('GET', kv.path, undefined, { token: agent.token! })).json.data.data).toEqual(kv.data);
  };
  const driftNote = async () => {
    const r = await cli(['drift', '-c', dir, '-o', 'json'], { cwd: dir, env });
    expect(r.code, r.stdout + r.stderr).toBe(0);
    return (JSON.parse(r.stdout) as { notes: Array<{ address: string; detail: string }> }).notes.find((n) => n.address === once)?.detail;
  };

  it('the secret_id key holds a wrapping token made at the role’s secret-id path; its expiry is annotated', async () => {
    const vol = await secretVolume(kube, 'apps', 'once-vault');
    seen.add(vol.data.secret_id!);
    const wrap = await vaultRequest('POST', 'sys/wrapping/lookup', { token: vol.data.secret_id });
    expect(wrap.status).toBe(200);
    expect(wrap.json.data.creation_path).toBe(`auth/${ar}/role/once/secret-id`);
    expect(Date.parse(vol.annotations['vault-gitops.io/wrap-expires-at']!)).toBeGreaterThan(Date.now());
    expect(await driftNote()).toMatch(/^secret apps\/once-vault: wrapped, not yet unwrapped/);
  });

  it('after the agent logged in with it, drift and plan are quiet (used up)', async () => {
    await agentUnwraps();
    expect(await driftNote()).toMatch(/^secret apps\/once-vault: used up by a login/);
    const p = await cli(['plan', '-c', dir, '--detailed-exitcode'], { cwd: dir, env });
    expect(p.code, p.stdout + p.stderr).toBe(0);
  });

  it('rotate --select delivers a fresh wrapped one the agent logs in with', async () => {
    const before = (await mounted('apps', 'once-vault')).data.secret_id;
    const r = await cli(['rotate', '-c', dir, '--select', once], { cwd: dir, env });
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect((await mounted('apps', 'once-vault')).data.secret_id).not.toBe(before);
    await agentUnwraps();
    expect(await driftNote()).toMatch(/used up by a login/);
  });
});

it('never printed a delivered secret or wrapping token', () => {
  // Collected by the tests that run on every machine: secret_ids and wrapping tokens (apply, rotate) and the password.
  expect(seen.size).toBeGreaterThanOrEqual(5);
  for (const s of seen) expect(allOutput()).not.toContain(s);
});
