// A real PostgreSQL for integration tests, from Debian's `postgresql` package (scripts/test.sh
// installs it): `initdb` into a temp dir, a free loopback port, a superuser whose password exists
// only in this process, and a Unix socket inside the temp dir. No Docker, no mock.
//
//   const pg = await startPostgres();     // in beforeAll (one per test file), ~2 s
//   pg.url, pg.superuser, pg.password, pg.psql(sql, { user, password })
//   await pg.stop();                      // in afterAll; also happens however the test process dies
//
// PostgreSQL refuses to run as root: as root, initdb and postgres run as the package's `postgres` user.
// The server never outlives the tests: PR_SET_PDEATHSIG (setpriv) on the postmaster, the pipe
// watchdog of the dev server harness (covers a SIGKILLed worker), an exit hook, and a check that the
// worker's parent (the runner) is still there.
import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, chownSync, closeSync, existsSync, mkdtempSync, openSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, logTail, startWatchdog } from './dev-server.js';
import { killOnExit } from './exit-hooks.js';

const PG_ROOT = '/usr/lib/postgresql';

export interface PostgresServer {
  /** e.g. "15.18" (`postgres --version`). */
  version: string;
  host: '127.0.0.1';
  port: number;
  /** The bootstrap superuser (`postgres`) and its password: known only to this test process. */
  superuser: string;
  password: string;
  database: string;
  pid: number;
  watchdogPid: number;
  logFile: string;
  /** Runs SQL (one statement, or one transaction) with psql as `user` (default the superuser) in `database` (default postgres); never throws. */
  psql(sql: string, as?: { user: string; password: string; database?: string }): { status: number; stdout: string; stderr: string };
  /** Fast shutdown, then the temp dir is removed. Idempotent. */
  stop(): Promise<void>;
}

/** The newest server the package installed: /usr/lib/postgresql/<version>/bin (never a hard-coded version). */
export function postgresBinDir(): string | undefined {
  if (!existsSync(PG_ROOT)) return undefined;
  const versions = readdirSync(PG_ROOT)
    .filter((v) => existsSync(join(PG_ROOT, v, 'bin', 'postgres')) && existsSync(join(PG_ROOT, v, 'bin', 'initdb')))
    .sort((a, b) => Number.parseFloat(b) - Number.parseFloat(a));
  return versions[0] === undefined ? undefined : join(PG_ROOT, versions[0], 'bin');
}


/** As root: the uid/gid of the `postgres` user the package created. */
function postgresUser(): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const id = (flag: string) => Number(execFileSync('id', [flag, 'postgres'], { encoding: 'utf8' }).trim());
  return { uid: id('-u'), gid: id('-g') };
}

/** A temp dir the server's user can reach: $TMPDIR, or /tmp when that is private to root (check-server-death.sh's). */
function tempDir(asUser: string[]): string {
  const base = tmpdir();
  const reachable = asUser.length === 0 || spawnSync('setpriv', [...asUser, '--', 'test', '-x', base]).status === 0;
  return mkdtempSync(join(reachable ? base : '/tmp', 'vault-gitops-postgres-'));
}

export async function startPostgres(): Promise<PostgresServer> {
  const bin = postgresBinDir();
  if (!bin) throw new Error(`no PostgreSQL server under ${PG_ROOT}/<version>/bin: install Debian's postgresql package (scripts/test.sh does)`);
  const user = postgresUser();
  const asUser = user ? ['--reuid', String(user.uid), '--regid', String(user.gid), '--clear-groups'] : [];
  const dir = tempDir(asUser);
  const data = join(dir, 'data');
  const password = randomBytes(18).toString('base64url');
  const pwfile = join(dir, 'pw');
  writeFileSync(pwfile, `${password}\n`, { mode: 0o600 });
  if (user) {
    chownSync(dir, user.uid, user.gid);
    chownSync(pwfile, user.uid, user.gid);
  }
  chmodSync(dir, 0o700);
  const initdb = spawnSync(
    'setpriv',
    [...asUser, '--', join(bin, 'initdb'), '-D', data, '-U', 'postgres', '--auth=scram-sha-256', `--pwfile=${pwfile}`, '-E', 'UTF8', '--locale=C', '--no-sync'],
    { encoding: 'utf8' },
  );
  rmSync(pwfile, { force: true });
  if (initdb.status !== 0) {
    rmSync(dir, { recursive: true, force: true });
    throw new Error(`initdb failed (${initdb.status}): ${initdb.stderr.trim()}`);
  }
  const version = execFileSync(join(bin, 'postgres'), ['--version'], { encoding: 'utf8' }).trim().split(' ').pop() ?? '';

  const port = await freePort();
  const logFile = join(dir, 'postgres.log');
  const logFd = openSync(logFile, 'a');
  if (user) chownSync(logFile, user.uid, user.gid);
  const child: ChildProcess = spawn(
    'setpriv',
    [...asUser, '--pdeathsig', 'KILL', '--', join(bin, 'postgres'), '-D', data, '-h', '127.0.0.1', '-p', String(port), '-k', dir, '-c', 'fsync=off', '-c', 'max_connections=50'],
    { stdio: ['ignore', logFd, logFd] },
  );
  closeSync(logFd);
  if (child.pid === undefined) throw new Error('cannot start postgres');
  const watchdog = startWatchdog(child.pid);
  const killNow = () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    if (watchdog.exitCode === null) watchdog.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  };
  const unregister = killOnExit(killNow);
  const exited = new Promise<void>((r) => child.once('exit', () => r()));

  const psql = (sql: string, as: { user: string; password: string; database?: string } = { user: 'postgres', password }) => {
    const r = spawnSync(join(bin, 'psql'), ['-X', '-q', '-At', '-v', 'ON_ERROR_STOP=1', '-h', '127.0.0.1', '-p', String(port), '-U', as.user, '-d', as.database ?? 'postgres', '-c', sql], {
      encoding: 'utf8',
      env: { PATH: process.env.PATH, PGPASSWORD: as.password, PGCONNECT_TIMEOUT: '5' },
      timeout: 20_000,
    });
    return { status: r.status ?? -1, stdout: r.stdout ?? '', stderr: r.stderr ?? '' };
  };

  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    unregister();
    if (watchdog.exitCode === null) watchdog.kill('SIGKILL');
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGINT'); // fast shutdown: ends client sessions (Vault's pool) instead of waiting for them
      const killer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(killer);
    }
    rmSync(dir, { recursive: true, force: true });
  };

  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) {
      const tail = logTail(logFile);
      await stop();
      throw new Error(`postgres exited while starting (${child.exitCode ?? child.signalCode}):\n${tail}`);
    }
    if (psql('SELECT 1').stdout.trim() === '1') break;
    if (Date.now() > deadline) {
      const tail = logTail(logFile);
      await stop();
      throw new Error(`postgres did not accept connections within 30 s:\n${tail}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }

  return { version, host: '127.0.0.1', port, superuser: 'postgres', password, database: 'postgres', pid: child.pid, watchdogPid: watchdog.pid ?? 0, logFile, psql, stop };
}
