// The S3 harness (test/servers/s3.ts): a real versitygw on loopback with an access key only this
// test knows, objects on its POSIX directory, gone after stop(). With
// VAULT_GITOPS_TEST_KILL=s3-runner (scripts/check-server-death.sh) it waits to be killed instead, to
// prove that the S3 server does not outlive a SIGKILLed test runner.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { alive, waitToBeKilled } from '../helpers/harness-check.js';
import { startS3, type S3Server } from '../../servers/s3.js';

const killMode = process.env.VAULT_GITOPS_TEST_KILL === 's3-runner';

describe.runIf(killMode)('when the test runner is killed with the S3 server running', () => {
  it('waits to be killed', async () => {
    const s3 = await startS3();
    await waitToBeKilled({ versitygw: s3.pid(), watchdog: s3.watchdogPid() });
  });
});

describe.skipIf(killMode)('the S3 test server', () => {
  let s3: S3Server;
  beforeAll(async () => {
    s3 = await startS3();
  });
  afterAll(async () => {
    await s3?.stop();
  });

  it('stores objects on its POSIX directory and refuses a wrong secret key', async () => {
    await s3.createBucket('harness');
    await s3.client.send(new PutObjectCommand({ Bucket: 'harness', Key: 'a/b.txt', Body: 'hello' }));
    expect(readFileSync(join(s3.dataDir, 'harness', 'a', 'b.txt'), 'utf8')).toBe('hello');
    const wrong = new S3Client({ region: s3.region, endpoint: s3.endpoint, forcePathStyle: true, credentials: { accessKeyId: s3.accessKeyId, secretAccessKey: 'not-the-key' } });
    await expect(wrong.send(new GetObjectCommand({ Bucket: 'harness', Key: 'a/b.txt' }))).rejects.toMatchObject({ $metadata: { httpStatusCode: 403 } });
    wrong.destroy();
  });

  it('kill() and restart() keep the data; stop() ends the server and removes it', async () => {
    const other = await startS3();
    await other.createBucket('keep');
    await other.client.send(new PutObjectCommand({ Bucket: 'keep', Key: 'k', Body: 'v' }));
    const first = other.pid();
    await other.kill();
    expect(alive(first)).toBe(false);
    await other.restart();
    const got = await other.client.send(new GetObjectCommand({ Bucket: 'keep', Key: 'k' }));
    expect(await got.Body?.transformToString()).toBe('v');
    const second = other.pid();
    await other.stop();
    expect(alive(second)).toBe(false);
    expect(existsSync(other.dataDir)).toBe(false);
  });
});
