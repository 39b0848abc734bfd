// A new policy and a new AppRole whose credentials go to a file or S3 object the delivery would fail
// on: plan, apply, apply of a saved plan and drift stop at the config's `credentials:` (exit 1)
// before any write. Vault gets neither object, the destination is untouched; with the destination
// cleared (or adopted), the same config applies and the delivered credential logs in. Against the
// real server and a real S3 server (versitygw).
import { execFileSync } from 'node:child_process';
import { mkdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { GetObjectCommand, HeadBucketCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { allOutput, cli, configDir, uniq } from '../helpers/cli.js';
import { logsIn, newAppRole, nothingInVault, refusedAtPlan, refusedByEveryCommand, type NewAppRole } from '../helpers/new-approle.js';
import { startS3, type S3Server } from '../../servers/s3.js';

const id = uniq('nd');
const bucket = `nd-${id}`.toLowerCase().replace(/[^a-z0-9-]/g, '');
/** What a foreign destination holds: it must never be replaced, nor shown. */
const FOREIGN = `{"role_id":"theirs","secret_id":"their-own-${id}"}`;
const NOT_OURS = 'exists and was not written by vault-gitops';
let s3: S3Server;

const s3Env = () => ({ ...s3.env, VAULT_GITOPS_S3_ALLOW: `${bucket}@${s3.endpoint} ${bucket}-none@${s3.endpoint}` });
const s3Sink = (b: string) => `s3: { bucket: ${b}, key: apps/web.json, endpoint: "${s3.endpoint}" }`;

/** The config in `dir` applies: its credential is delivered and logs in, and was never printed. */
async function applies(dir: string, o: NewAppRole, read: () => Promise<string>, env: NodeJS.ProcessEnv = {}): Promise<void> {
  const r = await cli(['apply', '-c', dir, '--auto-approve', '--allow-destroy'], { cwd: dir, env });
  expect(r.code, r.stdout + r.stderr).toBe(0);
  const creds = JSON.parse(await read()) as { role_id: string; secret_id: string };
  await logsIn(o, creds);
  expect(allOutput()).not.toContain(creds.secret_id);
}

beforeAll(async () => {
  s3 = await startS3();
  await s3.createBucket(bucket);
});

afterAll(async () => {
  await s3?.stop();
});

describe('a new AppRole delivering to a file', () => {
  it('a file vault-gitops did not write: plan, drift and apply stop at its credentials; the file and Vault are untouched', async () => {
    const o = newAppRole('file: { path: out/web.json }');
    const dir = await configDir({ 'vault.yaml': o.yaml, 'out/web.json': FOREIGN });
    await refusedByEveryCommand(
      dir,
      o,
      `file: file out/web.json: ${NOT_OURS}; auth/${o.mount}/roles/web is not in Vault yet, and creating it would leave its credentials undelivered`,
      'set credentials.file.adopt: true to take it over, or choose another path',
    );
    expect(await readFile(join(dir, 'out/web.json'), 'utf8')).toBe(FOREIGN);

    await rm(join(dir, 'out/web.json'));
    await applies(dir, o, () => readFile(join(dir, 'out/web.json'), 'utf8'));
  });

  it('apply of a saved plan plans again: a foreign file put there since the plan stops it before any write', async () => {
    const o = newAppRole('file: { path: out/web.json }');
    const dir = await configDir({ 'vault.yaml': o.yaml });
    const file = join(dir, 'plan.json');
    const saved = await cli(['plan', '-c', dir, '--out', file], { cwd: dir });
    expect(saved.code, saved.stderr).toBe(0);
    await mkdir(join(dir, 'out'));
    await writeFile(join(dir, 'out/web.json'), FOREIGN);
    refusedAtPlan(await cli(['apply', file, '-c', dir], { cwd: dir }), o, `file: file out/web.json: ${NOT_OURS}`, 'set credentials.file.adopt: true to take it over, or choose another path');
    await nothingInVault(o);
    expect(await readFile(join(dir, 'out/web.json'), 'utf8')).toBe(FOREIGN);
  });

  it('something that is not a regular file (a FIFO) at the path: a plan error, nothing written', async () => {
    const o = newAppRole('file: { path: out/web.json }');
    const dir = await configDir({ 'vault.yaml': o.yaml });
    await mkdir(join(dir, 'out'));
    execFileSync('mkfifo', [join(dir, 'out/web.json')]);
    await refusedByEveryCommand(dir, o, 'file: file out/web.json: is not a regular file', "fix the destination or vault-gitops' access to it, or choose another, then plan again");
  });

  it('a symbolic link at the path is refused before Vault is even read (offline), and what it points to is untouched', async () => {
    const o = newAppRole('file: { path: out/web.json }');
    const dir = await configDir({ 'vault.yaml': o.yaml, 'victim.json': FOREIGN });
    await mkdir(join(dir, 'out'));
    await symlink(join(dir, 'victim.json'), join(dir, 'out/web.json'));
    for (const args of [['plan'], ['drift'], ['apply', '--auto-approve']]) {
      const r = await cli([...args, '-c', dir], { cwd: dir });
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(new RegExp(`vault\\.yaml:13:\\d+: error: auth\\.${o.mount}\\.roles\\.web\\.credentials\\.file\\.path: credential file out/web\\.json is a symbolic link`));
      expect(r.stderr).toContain('nothing was sent to Vault.');
    }
    await nothingInVault(o);
    expect(await readFile(join(dir, 'victim.json'), 'utf8')).toBe(FOREIGN);
  });
});

describe('a new AppRole delivering to an S3 object', () => {
  const object = async (b: string): Promise<string> => {
    const got = await s3.client.send(new GetObjectCommand({ Bucket: b, Key: 'apps/web.json' }));
    return (await got.Body?.transformToString('utf8')) ?? '';
  };

  it('an object vault-gitops did not write: plan, drift and apply stop at its credentials; the object and Vault are untouched', async () => {
    const o = newAppRole(s3Sink(bucket));
    const dir = await configDir({ 'vault.yaml': o.yaml });
    await s3.client.send(new PutObjectCommand({ Bucket: bucket, Key: 'apps/web.json', Body: FOREIGN }));
    await refusedByEveryCommand(
      dir,
      o,
      `s3: s3://${bucket}/apps/web.json: ${NOT_OURS}; auth/${o.mount}/roles/web is not in Vault yet`,
      'set credentials.s3.adopt: true to take it over, or choose another key',
      s3Env(),
    );
    expect(await object(bucket)).toBe(FOREIGN);

    // The fix the hint names: adopt it (its values are never trusted: a fresh credential replaces them).
    const adopted = await configDir({ 'vault.yaml': o.yaml.replace('endpoint:', 'adopt: true, endpoint:') });
    await applies(adopted, o, () => object(bucket), s3Env());
  });

  it('a bucket that does not exist: plan, drift and apply stop at its credentials; no bucket is made and Vault is untouched', async () => {
    const o = newAppRole(s3Sink(`${bucket}-none`));
    const dir = await configDir({ 'vault.yaml': o.yaml });
    await refusedByEveryCommand(
      dir,
      o,
      `s3: s3://${bucket}-none/apps/web.json: read: the bucket does not exist; auth/${o.mount}/roles/web is not in Vault yet`,
      'create the bucket first (vault-gitops never creates buckets)',
      s3Env(),
    );
    await expect(s3.client.send(new HeadBucketCommand({ Bucket: `${bucket}-none` }))).rejects.toMatchObject({ $metadata: { httpStatusCode: 404 } });
  });
});

describe('what the refusals printed', () => {
  it('never shows what a foreign destination holds', () => {
    expect(allOutput()).not.toContain(`their-own-${id}`);
  });
});
