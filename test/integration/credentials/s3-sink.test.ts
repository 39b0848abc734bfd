// The S3 sink against a real S3 server (versitygw, test/servers/s3.ts) and the test's Vault or
// OpenBao, through the CLI: delivery in the json and env formats read by a container-style
// entrypoint (curl --aws-sigv4, then a login and a KV read), ownership, drift, rotate, a failed
// upload, and the S3 server killed in the middle of an apply of 100 AppRoles.
import { spawn } from 'node:child_process';
import { DeleteObjectCommand, GetObjectCommand, ListObjectsV2Command, PutObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { allOutput, cli, configDir, spawnCli, uniq } from '../helpers/cli.js';
import { kvSecret } from '../helpers/consumers.js';
import { serverEnv } from '../helpers/server.js';
import { vaultRequest } from '../helpers/vault-http.js';
import { startS3, type S3Server } from '../../servers/s3.js';
import { S3Sink } from '../../../src/credentials/sinks/s3.js';
import type { CredentialTarget } from '../../../src/core/ports.js';

const id = uniq('s3');
const ar = `ar${id}`;
const up = `up${id}`;
const bucket = `creds-${id}`.toLowerCase().replace(/[^a-z0-9-]/g, '');
let s3: S3Server;
let kv: Awaited<ReturnType<typeof kvSecret>>;
let dir: string;

const sink = (key: string, format: string, extra = '') => `s3: { bucket: ${bucket}, key: ${key}, endpoint: "${s3.endpoint}", format: ${format}${extra} }`;
const config = () => `${kv.policiesYaml}
auth:
  ${ar}:
    type: approle
    roles:
      web: { token_policies: [read-${id}], secret_id_ttl: 24h, credentials: { ${sink('apps/web.json', 'json', ', sse: AES256')} } }
      batch: { token_policies: [read-${id}], secret_id_ttl: 24h, credentials: { ${sink('apps/batch.env', 'env')} } }
  ${up}:
    type: userpass
    users:
      alice: { token_policies: [read-${id}], credentials: { ${sink('users/alice.json', 'json')} } }
      bob: { token_policies: [read-${id}], credentials: { ${sink('users/bob.env', 'env')} } }
`;
const env = () => ({ ...s3.env, VAULT_GITOPS_S3_ALLOW: `${bucket}@${s3.endpoint}` });
const run = (args: string[], d = dir) => cli([...args, '-c', d], { cwd: d, env: env() });

const object = async (key: string): Promise<string> => {
  const got = await s3.client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  return (await got.Body?.transformToString('utf8')) ?? '';
};
const secretsOf = (text: string): string[] =>
  text.trim().startsWith('{')
    ? Object.entries(JSON.parse(text) as Record<string, unknown>).flatMap(([k, v]) => (k === 'secret_id' || k === 'password' ? [String(v)] : []))
    : [...text.matchAll(/^VAULT_(?:SECRET_ID|PASSWORD)='?([^'\n]*)'?$/gm)].map((m) => m[1]!);
/** Every secret any object held, to grep the CLI's output for. */
const seen = new Set<string>();
const remember = async (keys: string[]) => {
  for (const k of keys) for (const s of secretsOf(await object(k))) seen.add(s);
};
const KEYS = ['apps/web.json', 'apps/batch.env', 'users/alice.json', 'users/bob.env'];

interface PlanJson {
  changes: Array<{ address: string; action: string; reason: string }>;
}
const changes = async (): Promise<PlanJson['changes']> => {
  const p = await run(['plan', '-o', 'json']);
  expect(p.code, p.stderr).toBe(0);
  return (JSON.parse(p.stdout) as PlanJson).changes.filter((c) => c.action !== 'noop');
};

/**
 * A container entrypoint: fetches the object with curl's own SigV4 signing (the AWS variables a
 * pod's environment would hold), then logs in to Vault with what it holds and reads the KV secret.
 */
async function entrypoint(key: string, method: 'approle' | 'userpass', mount: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const server = serverEnv();
  const read =
    method === 'approle'
      ? key.endsWith('.env')
        ? `set -a; . ./creds; set +a; body=$(jq -n --arg r "$VAULT_ROLE_ID" --arg s "$VAULT_SECRET_ID" '{role_id:$r,secret_id:$s}'); login="auth/$VAULT_AUTH_MOUNT/login"`
        : `body=$(jq '{role_id,secret_id}' creds); login="auth/${mount}/login"`
      : key.endsWith('.env')
        ? `set -a; . ./creds; set +a; body=$(jq -n --arg p "$VAULT_PASSWORD" '{password:$p}'); login="auth/$VAULT_AUTH_MOUNT/login/$VAULT_USERNAME"`
        : `body=$(jq '{password}' creds); login="auth/${mount}/login/$(jq -r .username creds)"`;
  const script = [
    'set -euo pipefail',
    'cd "$(mktemp -d)"',
        // S3 wants the payload's hash signed too (here: of the empty body of a GET).
    'curl -sf --aws-sigv4 "aws:amz:$AWS_REGION:s3" --user "$AWS_ACCESS_KEY_ID:$AWS_SECRET_ACCESS_KEY" -H "x-amz-content-sha256: $(printf "" | sha256sum | cut -d" " -f1)" -o creds "$S3_URL"',
    read,
    'token=$(curl -sf "$VAULT_ADDR/v1/$login" --data "$body" | jq -r .auth.client_token)',
    `curl -sf -H "X-Vault-Token: $token" "$VAULT_ADDR/v1/${kv.path}" | jq -c .data.data`,
  ].join('\n');
  const vars = { ...s3.env, S3_URL: `${s3.endpoint}/${bucket}/${key}`, VAULT_ADDR: server.VAULT_ADDR, ...(server.VAULT_CACERT ? { CURL_CA_BUNDLE: server.VAULT_CACERT } : {}) };
  return new Promise((resolve, reject) => {
    const child = spawn('bash', ['-c', script], { env: { PATH: process.env.PATH ?? '/usr/bin:/bin', ...vars }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

async function everyConsumerReads(): Promise<void> {
  for (const [key, method, mount] of [
    ['apps/web.json', 'approle', ar],
    ['apps/batch.env', 'approle', ar],
    ['users/alice.json', 'userpass', up],
    ['users/bob.env', 'userpass', up],
  ] as const) {
    const r = await entrypoint(key, method, mount);
    expect(r.code, `${key}: ${r.stderr}`).toBe(0);
    expect(JSON.parse(r.stdout), key).toEqual(kv.data);
  }
}

/** The secret_id accessors Vault holds for a role (none: an empty list). */
async function accessors(mount: string, role: string): Promise<string[]> {
  const r = await vaultRequest('LIST', `auth/${mount}/role/${role}/secret-id`);
  return r.status === 404 ? [] : ((r.json?.data?.keys as string[] | undefined) ?? []);
}

async function approleLogin(mount: string, creds: { role_id: string; secret_id: string }): Promise<number> {
  return (await vaultRequest('POST', `auth/${mount}/login`, creds, { token: null })).status;
}

beforeAll(async () => {
  s3 = await startS3();
  await s3.createBucket(bucket);
  kv = await kvSecret(`read-${id}`);
  dir = await configDir({ 'vault.yaml': config() });
});

afterAll(async () => {
  await s3?.stop();
});

describe('credentials delivered to S3 objects', () => {
  it('apply uploads an AppRole and a userpass user in the json and env formats; an entrypoint downloads each and reads the KV secret', async () => {
    const r = await run(['apply', '--auto-approve']);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toContain(`s3://${bucket}/apps/web.json`);
    await remember(KEYS);
    expect(seen.size).toBe(4);
    const head = await s3.client.send(new GetObjectCommand({ Bucket: bucket, Key: 'apps/web.json' }));
    expect(head.Metadata?.['vault-gitops-object']).toBe(encodeURIComponent(`auth/${ar}/roles/web`));
    await everyConsumerReads();
    expect(await changes()).toEqual([]);
    const d = await run(['drift', '-o', 'json']);
    expect(d.code, d.stdout + d.stderr).toBe(0);
  });

  it('a deleted object and a hand-edited one are drift; apply re-issues both and the consumers read again', async () => {
    await s3.client.send(new DeleteObjectCommand({ Bucket: bucket, Key: 'apps/web.json' }));
    const edited = (await object('users/bob.env')).replace(/^VAULT_PASSWORD=.*$/m, "VAULT_PASSWORD='edited-by-hand'");
    await s3.client.send(new PutObjectCommand({ Bucket: bucket, Key: 'users/bob.env', Body: edited, Metadata: { 'vault-gitops-object': encodeURIComponent(`auth/${up}/users/bob`) } }));

    const d = await run(['drift', '-o', 'json']);
    expect(d.code, d.stdout + d.stderr).toBe(2);
    const found = (JSON.parse(d.stdout) as { findings: Array<{ address: string; detail: string }> }).findings;
    expect(found.find((f) => f.address === `auth/${ar}/roles/web`)?.detail).toMatch(/missing/);
    expect(found.find((f) => f.address === `auth/${up}/users/bob`)?.detail).toMatch(/edited/);
    const planned = await changes();
    expect(planned.map((c) => c.address).sort()).toEqual([`auth/${ar}/roles/web`, `auth/${up}/users/bob`]);

    const r = await run(['apply', '--auto-approve']);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    await remember(KEYS);
    await everyConsumerReads();
    expect(await changes()).toEqual([]);
  });

  it('rotate uploads the new secret_id before destroying the old one; the old one no longer logs in', async () => {
    const before = JSON.parse(await object('apps/web.json')) as { role_id: string; secret_id: string };
    const r = await run(['rotate', '--select', `auth/${ar}/roles/web`]);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    const after = JSON.parse(await object('apps/web.json')) as { role_id: string; secret_id: string };
    seen.add(after.secret_id);
    expect(after.secret_id).not.toBe(before.secret_id);
    expect(after.role_id).toBe(before.role_id);
    expect(await approleLogin(ar, after)).toBe(200);
    expect(await approleLogin(ar, before)).toBe(400);
    expect(await accessors(ar, 'web')).toHaveLength(1);
    await everyConsumerReads();
  });

  it('a failed upload destroys the new secret_id: the delivered one keeps working and nothing is orphaned', async () => {
    const before = JSON.parse(await object('apps/web.json')) as { role_id: string; secret_id: string };
    await s3.kill();
    try {
      const r = await run(['rotate', '--select', `auth/${ar}/roles/web`]);
      expect(r.code, r.stdout + r.stderr).not.toBe(0);
      expect(r.stdout + r.stderr).toContain(`s3://${bucket}/apps/web.json`);
      expect(r.stderr).not.toMatch(/\n\s+at .+:\d+:\d+/);
    } finally {
      await s3.restart();
    }
    expect(JSON.parse(await object('apps/web.json'))).toEqual(before);
    expect(await approleLogin(ar, before)).toBe(200);
    expect(await accessors(ar, 'web')).toHaveLength(1);
  });

  it('an object vault-gitops did not write is refused (plan says so, apply writes nothing) unless adopted', async () => {
    const foreign = '{"role_id":"someone-else","secret_id":"not-ours"}';
    await s3.client.send(new PutObjectCommand({ Bucket: bucket, Key: 'apps/foreign.json', Body: foreign }));
    const withTaken = (extra: string) =>
      config().replace('    roles:\n', `    roles:\n      taken: { token_policies: [read-${id}], secret_id_ttl: 24h, credentials: { s3: { bucket: ${bucket}, key: apps/foreign.json, endpoint: "${s3.endpoint}"${extra} } } }\n`);
    const other = await configDir({ 'vault.yaml': withTaken('') });
    const a = await run(['apply', '--auto-approve'], other);
    expect(a.code, a.stdout + a.stderr).not.toBe(0);
    expect(a.stdout + a.stderr).toMatch(/not (managed|written) by vault-gitops/);
    expect(await object('apps/foreign.json')).toBe(foreign);
    expect(await accessors(ar, 'taken')).toHaveLength(0);

    const adopted = await configDir({ 'vault.yaml': withTaken(', adopt: true') });
    const b = await run(['apply', '--auto-approve'], adopted);
    expect(b.code, b.stdout + b.stderr).toBe(0);
    const taken = JSON.parse(await object('apps/foreign.json')) as { role_id: string; secret_id: string };
    seen.add(taken.secret_id);
    expect(await approleLogin(ar, taken)).toBe(200);
    dir = adopted;
  });

  it('policy-for --s3 prints the IAM policy for exactly the configured objects', async () => {
    const r = await run(['policy-for', '--s3', '--mode', 'apply']);
    expect(r.code, r.stderr).toBe(0);
    const policy = JSON.parse(r.stdout) as { Statement: Array<{ Action: string[]; Resource: string[] }> };
    expect(policy.Statement[0]!.Action).toEqual(['s3:GetObject', 's3:PutObject']);
    expect(policy.Statement[0]!.Resource).toContain(`arn:aws:s3:::${bucket}/apps/web.json`);
    expect(policy.Statement[0]!.Resource).toContain(`arn:aws:s3:::${bucket}/apps/foreign.json`);
    expect(policy.Statement[1]).toEqual({ Effect: 'Allow', Action: ['s3:ListBucket'], Resource: [`arn:aws:s3:::${bucket}`] });
  });

  it('a missing bucket and rejected AWS credentials are one-line errors that say which, with no stack and no value', async () => {
    // The existing role (plan reads its delivered copy) pointed at a bucket nobody created; plan only.
    const d = await configDir({
      'vault.yaml': `auth:\n  ${ar}:\n    type: approle\n    roles:\n      web: { token_policies: [default], secret_id_ttl: 24h, credentials: { s3: { bucket: ${bucket}-none, key: k.json, endpoint: "${s3.endpoint}" } } }\n`,
    });
    const allowBoth = { ...env(), VAULT_GITOPS_S3_ALLOW: `${bucket}-none@${s3.endpoint}` };
    const state = ['--state-path', `vault-gitops/s3-errors-${id}`];
    const missing = await cli(['plan', ...state, '-c', d], { cwd: d, env: allowBoth });
    expect(missing.stdout + missing.stderr).toContain(`s3://${bucket}-none/k.json: read: the bucket does not exist`);
    const wrong = await cli(['plan', ...state, '-c', d], { cwd: d, env: { ...allowBoth, AWS_SECRET_ACCESS_KEY: 'not-the-key' } });
    expect(wrong.stdout + wrong.stderr).toContain('the store rejected the AWS credentials (403 SignatureDoesNotMatch)');
    for (const r of [missing, wrong]) expect(r.stdout + r.stderr).not.toMatch(/\n\s+at .+:\d+:\d+/);
  });

  it('no output of any run holds a delivered secret', () => {
    expect(seen.size).toBeGreaterThan(4);
    const out = allOutput();
    for (const s of seen) expect(out).not.toContain(s);
  });
});

describe('conditional writes: two writers never interleave one object', () => {
  const target = (key: string): CredentialTarget => ({
    address: `auth/${ar}/roles/race`,
    kind: 'approle-role',
    mount: ar,
    name: 'race',
    spec: { s3: { bucket, key, endpoint: s3.endpoint } },
    vaultAddr: serverEnv().VAULT_ADDR,
  });
  const values = (n: number) => ({ role_id: 'role-race', secret_id: `secret-race-${n}` });
  const meta = { issuedAt: new Date().toISOString() };
  const sinkWith = () => new S3Sink({ allow: env().VAULT_GITOPS_S3_ALLOW });
  const old = { ...process.env };
  beforeAll(() => Object.assign(process.env, s3.env));
  afterAll(() => {
    for (const k of Object.keys(s3.env)) if (old[k] === undefined) delete process.env[k];
  });

  it('two runs that both saw no object upload at once: exactly one wins, the other is refused, the object holds the winner', async () => {
    for (let i = 0; i < 10; i++) {
      const t = target(`race/new-${i}.json`);
      const [a, b] = [sinkWith(), sinkWith()];
      expect((await a.inspect(t)).exists).toBe(false);
      expect((await b.inspect(t)).exists).toBe(false);
      const results = await Promise.allSettled([a.write(t, values(1), meta), b.write(t, values(2), meta)]);
      const won = results.findIndex((r) => r.status === 'fulfilled');
      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
      expect(results.find((r) => r.status === 'rejected')).toMatchObject({ reason: { name: 'S3SinkError', code: 'conflict' } });
      expect(JSON.parse(await object(`race/new-${i}.json`)).secret_id).toBe(`secret-race-${won + 1}`);
    }
  });

  it('a change made after the read is never overwritten (If-Match with the ETag read)', async () => {
    const t = target('race/changed.json');
    await sinkWith().write(t, values(1), meta);
    const a = sinkWith();
    expect((await a.inspect(t)).values).toEqual(values(1));
    const b = sinkWith();
    await b.inspect(t);
    await b.write(t, values(2), meta);
    await expect(a.write(t, values(3), meta)).rejects.toMatchObject({ name: 'S3SinkError', code: 'conflict' });
    expect(JSON.parse(await object('race/changed.json')).secret_id).toBe('secret-race-2');
  });

  it('the error names the object and never a value', async () => {
    const t = target('race/changed.json');
    const a = sinkWith();
    await a.inspect(t);
    await s3.client.send(new PutObjectCommand({ Bucket: bucket, Key: 'race/changed.json', Body: 'x', Metadata: { 'vault-gitops-object': 'y' } }));
    const err = (await a.write(t, values(4), meta).catch((e: unknown) => e)) as Error;
    expect(err.message).toContain(`s3://${bucket}/race/changed.json`);
    expect(err.message).not.toContain('secret-race-4');
  });
});

describe('the S3 server killed in the middle of an apply of 100 AppRoles', () => {
  const many = `m${id}`;
  const roles = Array.from({ length: 100 }, (_, i) => `r${i}`);
  const manyConfig = () => `
auth:
  ${many}:
    type: approle
    roles:
${roles.map((r) => `      ${r}: { token_ttl: 5m, secret_id_ttl: 24h, credentials: { ${sink(`many/${r}.json`, 'json')} } }`).join('\n')}
`;

  it('leaves a state from which the next apply converges: every credential logs in, nothing orphaned', async () => {
    const d = await configDir({ 'vault.yaml': manyConfig() });
    // A config of its own, with its own state record (the one above must not be pruned by it).
    const state = ['--state-path', `vault-gitops/s3-many-${id}`];
    const running = spawnCli(['apply', '--auto-approve', ...state, '-c', d], { cwd: d, env: env() });
    // Kill once some objects are up and before all are: an upload is in flight or about to be.
    let ended = false;
    void running.result.then(() => (ended = true));
    for (;;) {
      const listed = await s3.client.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: 'many/' }));
      if ((listed.KeyCount ?? 0) >= 10 || ended) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    await s3.kill();
    const first = await running.result;
    await s3.restart();
    expect(first.code, first.stdout + first.stderr).not.toBe(0);
    const uploaded = (await s3.client.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: 'many/' }))).KeyCount ?? 0;
    expect(uploaded).toBeLessThan(100);

    const second = await run(['apply', '--auto-approve', ...state], d);
    expect(second.code, second.stdout + second.stderr).toBe(0);
    const after = await run(['plan', '-o', 'json', ...state], d);
    expect((JSON.parse(after.stdout) as PlanJson).changes.filter((c) => c.action !== 'noop')).toEqual([]);

    for (const r of roles) {
      const creds = JSON.parse(await object(`many/${r}.json`)) as { role_id: string; secret_id: string };
      seen.add(creds.secret_id);
      expect(await approleLogin(many, creds), r).toBe(200);
      expect(await accessors(many, r), r).toHaveLength(1);
    }
    const out = allOutput();
    for (const s of seen) expect(out).not.toContain(s);
  }, 600_000);
});
