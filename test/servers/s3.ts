// A real S3 server for integration tests: versitygw (built from the Go module proxy by
// scripts/test-server.sh, cached like Vault) with its POSIX backend on a temp dir, a free loopback
// port and a root access key that exists only in this process. No mock of the S3 API.
//
//   const s3 = await startS3();      // in beforeAll (one per test file), well under a second
//   s3.endpoint, s3.env (AWS_* for the CLI), s3.client (an SDK client), s3.createBucket(name)
//   await s3.kill(); await s3.restart();   // the fault tests: the same data dir, a new process
//   await s3.stop();                 // in afterAll; also happens however the test process dies
//
// The server never outlives the tests: PR_SET_PDEATHSIG (setpriv), the pipe watchdog of the dev
// server harness (covers a SIGKILLed worker), an exit hook, and a check that the worker's parent
// (the runner) is still there.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, mkdirSync, mkdtempSync, openSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { freePort, logTail, startWatchdog } from './dev-server.js';
import { killOnExit } from './exit-hooks.js';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

export interface S3Server {
  /** http://127.0.0.1:PORT */
  endpoint: string;
  region: 'us-east-1';
  accessKeyId: string;
  secretAccessKey: string;
  /** The standard AWS variables a CLI process finds its credentials in (never the config). */
  env: Record<string, string>;
  client: S3Client;
  pid(): number;
  watchdogPid(): number;
  /** Where the objects live (the POSIX backend's directory: BUCKET/KEY). */
  dataDir: string;
  logFile: string;
  createBucket(name: string): Promise<void>;
  /** SIGKILL, as a crash: the data directory stays for restart(). */
  kill(): Promise<void>;
  /** A new process on the same port and data directory. */
  restart(): Promise<void>;
  /** Stops the server and removes its temp dir. Idempotent. */
  stop(): Promise<void>;
}


function binary(): string {
  return execFileSync('bash', [join(repoRoot, 'scripts/test-server.sh'), 'path', 'versitygw'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] }).trim();
}

function accepts(port: number): Promise<boolean> {
  return new Promise((r) => {
    const s = net.connect({ host: '127.0.0.1', port }, () => {
      s.destroy();
      r(true);
    });
    s.once('error', () => r(false));
  });
}

export async function startS3(): Promise<S3Server> {
  const bin = binary();
  const dir = mkdtempSync(join(tmpdir(), 'vault-gitops-s3-'));
  const data = join(dir, 'data');
  mkdirSync(data, { mode: 0o700 });
  const accessKeyId = `test${randomBytes(6).toString('hex')}`;
  const secretAccessKey = randomBytes(24).toString('base64url');
  const port = await freePort();
  const logFile = join(dir, 'versitygw.log');

  let child: ChildProcess | undefined;
  let watchdog: ChildProcess | undefined;
  const killNow = () => {
    if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    if (watchdog && watchdog.exitCode === null) watchdog.kill('SIGKILL');
  };
  const cleanup = () => {
    killNow();
    rmSync(dir, { recursive: true, force: true });
  };
  const unregister = killOnExit(cleanup);

  const launch = async () => {
    const logFd = openSync(logFile, 'a');
    // Credentials through its environment (ROOT_ACCESS_KEY_ID, …), not its argv (visible in ps).
    child = spawn('setpriv', ['--pdeathsig', 'KILL', '--', bin, '--port', `127.0.0.1:${port}`, '--quiet', 'posix', data], {
      stdio: ['ignore', logFd, logFd],
      env: { PATH: process.env.PATH, ROOT_ACCESS_KEY_ID: accessKeyId, ROOT_SECRET_ACCESS_KEY: secretAccessKey },
    });
    closeSync(logFd);
    if (child.pid === undefined) throw new Error('cannot start versitygw');
    watchdog = startWatchdog(child.pid);
    const started = child;
    for (let i = 0; ; i++) {
      if (started.exitCode !== null || started.signalCode !== null) throw new Error(`versitygw exited while starting (${started.exitCode ?? started.signalCode}):\n${logTail(logFile)}`);
      if (await accepts(port)) return;
      if (i > 150) throw new Error(`versitygw did not listen on 127.0.0.1:${port} within 30 s:\n${logTail(logFile)}`);
      await new Promise((r) => setTimeout(r, 200));
    }
  };
  const exited = () => (child && child.exitCode === null && child.signalCode === null ? new Promise<void>((r) => child!.once('exit', () => r())) : Promise.resolve());

  try {
    await launch();
  } catch (err) {
    cleanup();
    unregister();
    throw err;
  }

  const endpoint = `http://127.0.0.1:${port}`;
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const client = new S3Client({ region: 'us-east-1', endpoint, forcePathStyle: true, credentials: { accessKeyId, secretAccessKey } });
  let stopped = false;
  return {
    endpoint,
    region: 'us-east-1',
    accessKeyId,
    secretAccessKey,
    env: {
      AWS_ACCESS_KEY_ID: accessKeyId,
      AWS_SECRET_ACCESS_KEY: secretAccessKey,
      AWS_REGION: 'us-east-1',
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
      // No profile or instance metadata lookups from the test machine's own setup.
      AWS_CONFIG_FILE: join(dir, 'no-config'),
      AWS_SHARED_CREDENTIALS_FILE: join(dir, 'no-credentials'),
      AWS_EC2_METADATA_DISABLED: 'true',
    },
    client,
    pid: () => child?.pid ?? 0,
    watchdogPid: () => watchdog?.pid ?? 0,
    dataDir: data,
    logFile,
    createBucket: async (name) => {
      await client.send(new CreateBucketCommand({ Bucket: name }));
    },
    kill: async () => {
      const done = exited();
      killNow();
      await done;
    },
    restart: async () => {
      await launch();
    },
    stop: async () => {
      if (stopped) return;
      stopped = true;
      unregister();
      client.destroy();
      const done = exited();
      killNow();
      await done;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
