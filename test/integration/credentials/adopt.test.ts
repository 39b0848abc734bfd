// `adopt: true` on every sink, through the CLI against the real server, a real kube-apiserver and a
// real S3 server (versitygw): an operator brings an AppRole and a userpass user made by hand, and the
// credential files, Secrets and S3 objects written by hand for them, under management. The
// destinations are taken over: plan says so (exit 2), apply issues and writes our credentials with
// our marker, they log in, and the next plan is empty. The hand-made secret_id the foreign copy held
// stays live (plan says so; vault-gitops never destroys what it did not issue); the hand-made
// password is replaced.
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { allOutput, cli, configDir, uniq } from '../helpers/cli.js';
import { vaultRequest } from '../helpers/vault-http.js';
import { startKube, type KubeServer } from '../../servers/kube.js';
import { startS3, type S3Server } from '../../servers/s3.js';

const id = uniq('adopt');
const ar = `ar${id}`;
const up = `up${id}`;
const bucket = `adopt-${id}`.toLowerCase().replace(/[^a-z0-9-]/g, '');
const NS = 'apps';
const SINKS = ['file', 'secret', 's3'] as const;
type SinkName = (typeof SINKS)[number];

let kube: KubeServer;
let s3: S3Server;
let dir: string;
let env: NodeJS.ProcessEnv;

/** Everything secret the test saw (hand-made and delivered), to grep every output for. */
const secrets = new Set<string>();

/** Where each object's credentials go, by sink. */
const destination = (sink: SinkName, who: 'app' | 'user') =>
  sink === 'file'
    ? `file: { path: out/${who}.json, adopt: true }`
    : sink === 'secret'
      ? `kubernetes: { namespace: ${NS}, name: ${who}-vault, adopt: true }`
      : `s3: { bucket: ${bucket}, key: ${who}.json, endpoint: "${s3.endpoint}", adopt: true }`;

const config = () => `
auth:
  ${ar}:
    type: approle
    roles:
${SINKS.map((s) => `      ${s}-app: { token_policies: [default], secret_id_ttl: 24h, credentials: { ${destination(s, 'app')} } }`).join('\n')}
      agent-app: { token_policies: [default], secret_id_ttl: 24h, credentials: { file: { path: out/agent, format: vault-agent, adopt: true } } }
  ${up}:
    type: userpass
    users:
${SINKS.map((s) => `      ${s}-user: { token_policies: [default], credentials: { ${destination(s, 'user')} } }`).join('\n')}
`;

const run = (args: string[]) => cli([...args, '-c', dir], { cwd: dir, env });

async function ok<T extends { status: number; json: unknown }>(p: Promise<T>): Promise<T> {
  const r = await p;
  expect(r.status, JSON.stringify(r.json)).toBeLessThan(300);
  return r;
}

/** What the destination holds now: its values and whether it carries our mark. */
async function held(sink: SinkName, who: 'app' | 'user'): Promise<{ values: Record<string, string>; ours: boolean }> {
  if (sink === 'file') {
    const json = JSON.parse(await readFile(join(dir, `out/${who}.json`), 'utf8')) as Record<string, unknown>;
    const { vault_gitops: marker, ...values } = json;
    return { values: values as Record<string, string>, ours: marker !== undefined };
  }
  if (sink === 'secret') {
    const r = await kube.request('GET', `/api/v1/namespaces/${NS}/secrets/${who}-vault`);
    expect(r.status).toBe(200);
    const body = r.body as { data: Record<string, string>; metadata: { labels?: Record<string, string> } };
    const values = Object.fromEntries(Object.entries(body.data).map(([k, v]) => [k, Buffer.from(v, 'base64').toString('utf8')]));
    return { values, ours: body.metadata.labels?.['app.kubernetes.io/managed-by'] === 'vault-gitops' };
  }
  const got = await s3.client.send(new GetObjectCommand({ Bucket: bucket, Key: `${who}.json` }));
  const { vault_gitops: marker, ...values } = JSON.parse((await got.Body?.transformToString('utf8')) ?? '{}') as Record<string, unknown>;
  return { values: values as Record<string, string>, ours: marker !== undefined && got.Metadata?.['vault-gitops-object'] !== undefined };
}

/** Writes a credential by hand where vault-gitops will deliver it, without any mark of ours. */
async function writeForeign(sink: SinkName, who: 'app' | 'user', values: Record<string, string>): Promise<void> {
  const text = JSON.stringify(values);
  if (sink === 'file') {
    await mkdir(join(dir, 'out'), { recursive: true });
    await writeFile(join(dir, `out/${who}.json`), text, { mode: 0o600 });
  } else if (sink === 'secret') {
    const r = await kube.request('POST', `/api/v1/namespaces/${NS}/secrets`, { metadata: { name: `${who}-vault`, labels: { app: 'legacy' } }, stringData: values });
    expect(r.status).toBe(201);
  } else {
    await s3.client.send(new PutObjectCommand({ Bucket: bucket, Key: `${who}.json`, Body: text }));
  }
}

const approleLogin = async (v: Record<string, string | undefined>) => (await vaultRequest('POST', `auth/${ar}/login`, { role_id: v.role_id, secret_id: v.secret_id }, { token: null })).status;
const userLogin = async (name: string, password: string | undefined) => (await vaultRequest('POST', `auth/${up}/login/${name}`, { password }, { token: null })).status;

/** The hand-made credentials, by sink (`agent`: the Vault Agent directory). */
const handMade = new Map<SinkName | 'agent', { role_id: string; secret_id: string; accessor: string; password?: string }>();

/** A role made by hand, with a secret_id issued by hand (no metadata of ours). */
async function handMadeRole(name: string): Promise<{ role_id: string; secret_id: string; accessor: string }> {
  await ok(vaultRequest('POST', `auth/${ar}/role/${name}`, { token_policies: ['default'], secret_id_ttl: '24h' }));
  const roleId = (await ok(vaultRequest('GET', `auth/${ar}/role/${name}/role-id`))).json.data.role_id as string;
  const issued = (await ok(vaultRequest('POST', `auth/${ar}/role/${name}/secret-id`, {}))).json.data as { secret_id: string; secret_id_accessor: string };
  secrets.add(issued.secret_id);
  return { role_id: roleId, secret_id: issued.secret_id, accessor: issued.secret_id_accessor };
}

/** The Vault Agent directory as a consumer reads it (role_id, secret_id) and whether our marker file is there. */
async function agentDirectory(): Promise<{ values: Record<string, string>; ours: boolean }> {
  const read = (name: string) => readFile(join(dir, 'out/agent', name), 'utf8');
  return { values: { role_id: await read('role_id'), secret_id: await read('secret_id') }, ours: existsSync(join(dir, 'out/agent/.vault-gitops.json')) };
}

beforeAll(async () => {
  [kube, s3] = await Promise.all([startKube(), startS3()]);
  await kube.createNamespace(NS);
  await s3.createBucket(bucket);
  dir = await configDir({});
  env = { KUBECONFIG: kube.kubeconfigPath, ...s3.env, VAULT_GITOPS_S3_ALLOW: `${bucket}@${s3.endpoint}` };

  // The estate as an operator made it by hand, before vault-gitops.
  await ok(vaultRequest('POST', `sys/auth/${ar}`, { type: 'approle' }));
  await ok(vaultRequest('POST', `sys/auth/${up}`, { type: 'userpass' }));
  for (const sink of SINKS) {
    const role = await handMadeRole(`${sink}-app`);
    const password = `hand-made-${sink}-${id}`;
    await ok(vaultRequest('POST', `auth/${up}/users/${sink}-user`, { password, token_policies: ['default'] }));
    handMade.set(sink, { ...role, password });
    secrets.add(password);
    await writeForeign(sink, 'app', { role_id: role.role_id, secret_id: role.secret_id });
    await writeForeign(sink, 'user', { username: `${sink}-user`, password });
  }
  // A Vault Agent directory written by hand: plain role_id and secret_id files.
  const agent = await handMadeRole('agent-app');
  handMade.set('agent', agent);
  await mkdir(join(dir, 'out/agent'), { recursive: true, mode: 0o700 });
  await writeFile(join(dir, 'out/agent/role_id'), agent.role_id, { mode: 0o600 });
  await writeFile(join(dir, 'out/agent/secret_id'), agent.secret_id, { mode: 0o600 });
  await writeFile(join(dir, 'vault.yaml'), config());
}, 600_000);

afterAll(async () => {
  await Promise.all([kube?.stop(), s3?.stop()]);
});

describe('adopting destinations written by hand, for objects made by hand', () => {
  it('the hand-made credentials log in from their foreign copies (the estate works before vault-gitops)', async () => {
    expect(await approleLogin((await agentDirectory()).values)).toBe(200);
    for (const sink of SINKS) {
      expect(await approleLogin(handMade.get(sink)!)).toBe(200);
      expect(await userLogin(`${sink}-user`, handMade.get(sink)!.password)).toBe(200);
    }
  });

  it('plan says every destination is adopted and new credentials issued (exit 2), and names the hand-made secret_id left live', async () => {
    const r = await run(['plan', '--detailed-exitcode']);
    expect(r.code, r.stdout + r.stderr).toBe(2);
    const json = await run(['plan', '-o', 'json']);
    expect(json.code, json.stderr).toBe(0);
    const changes = (JSON.parse(json.stdout) as { changes: Array<{ address: string; action: string; credentials?: string[] }> }).changes;
    for (const role of [...SINKS, 'agent']) {
      const app = changes.find((c) => c.address === `auth/${ar}/roles/${role}-app`);
      expect(app?.action).toBe('update');
      expect(app?.credentials?.join('\n')).toMatch(
        /adopting \(not written by vault-gitops\) → will issue new credentials; 1 other live credential, not issued by vault-gitops, stays valid \(left alone: destroy it once no consumer holds it\)/,
      );
    }
    for (const sink of SINKS) {
      const user = changes.find((c) => c.address === `auth/${up}/users/${sink}-user`);
      expect(user?.action).toBe('update');
      expect(user?.credentials?.join('\n')).toMatch(/adopting \(not written by vault-gitops\) → will issue new credentials\)$/);
    }
    expect(r.stdout).toContain(`role_id + secret_id → file out/app.json (adopting (not written by vault-gitops) → will issue new credentials;`);
    const d = await run(['drift', '-o', 'json']);
    expect(d.code, d.stdout + d.stderr).toBe(2);
  });

  it('apply takes every destination over: our marker, new credentials that log in; the hand-made password no longer does', async () => {
    const r = await run(['apply', '--auto-approve']);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    const agent = await agentDirectory();
    secrets.add(agent.values.secret_id!);
    expect(agent.ours).toBe(true);
    expect(agent.values.secret_id).not.toBe(handMade.get('agent')!.secret_id);
    expect(await approleLogin(agent.values)).toBe(200);
    for (const sink of SINKS) {
      const app = await held(sink, 'app');
      secrets.add(app.values.secret_id!);
      expect(app.ours, `${sink} app`).toBe(true);
      expect(app.values.secret_id).not.toBe(handMade.get(sink)!.secret_id);
      expect(app.values.role_id).toBe(handMade.get(sink)!.role_id);
      expect(await approleLogin(app.values)).toBe(200);

      const user = await held(sink, 'user');
      secrets.add(user.values.password!);
      expect(user.ours, `${sink} user`).toBe(true);
      expect(await userLogin(`${sink}-user`, user.values.password)).toBe(200);
      expect(await userLogin(`${sink}-user`, handMade.get(sink)!.password)).toBe(400);
    }
  });

  it('the hand-made secret_id stays live beside ours (never destroyed: someone may hold a copy); the next plan is empty', async () => {
    for (const role of [...SINKS, 'agent'] as const) {
      const hand = handMade.get(role)!;
      expect((await vaultRequest('POST', `auth/${ar}/role/${role}-app/secret-id-accessor/lookup`, { secret_id_accessor: hand.accessor })).status).toBe(200);
      expect(await approleLogin(hand)).toBe(200);
    }
    const r = await run(['plan', '--detailed-exitcode']);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    const d = await run(['drift']);
    expect(d.code, d.stdout + d.stderr).toBe(0);
  });

  it('no output of any run holds a hand-made or delivered secret', () => {
    const out = allOutput();
    expect(secrets.size).toBe(SINKS.length * 4 + 2);
    for (const s of secrets) expect(out).not.toContain(s);
  });
});
