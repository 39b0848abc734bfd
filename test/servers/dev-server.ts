/**
 * Starts and stops a real Vault or OpenBao dev server (`server -dev`) for the integration tests.
 * Used by test/servers/global-setup.ts; plain Node, no vitest, so scripts can use it too.
 *
 * - The binary comes from `scripts/test-server.sh path <name>` (built from Go modules, cached).
 * - Random root token, free 127.0.0.1 port, optional `-dev-tls` with the CA in a temp dir.
 * - The server's log (stderr) goes to a file in that temp dir, never to the console; its stdout
 *   (the dev-mode banner) to a .out file next to it.
 * - The server never outlives us: `stop()` on teardown, a synchronous kill on process exit and
 *   SIGINT/SIGTERM, and a watchdog process that kills it when our end of a pipe closes, which
 *   also covers SIGKILL of the test runner.
 * - If the server exits unexpectedly, the reason is written to `exitFile` (tests check it).
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, openSync, closeSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export type ServerName = 'vault' | 'openbao';

/** What the tests need to know about the running server (JSON-serialisable: it crosses to workers). */
export interface DevServerInfo {
  name: ServerName;
  /** As reported by sys/health, e.g. "1.21.2". */
  version: string;
  addr: string;
  token: string;
  /** PEM CA file when the server runs with -dev-tls. */
  caCert?: string;
  logFile: string;
  /** Written when the server exits before `stop()`; holds the reason. */
  exitFile: string;
  pid: number;
  watchdogPid: number;
}

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export function parseServerName(raw: string | undefined): ServerName {
  const v = raw === undefined || raw === '' ? 'vault' : raw;
  if (v !== 'vault' && v !== 'openbao') {
    throw new Error(`VAULT_GITOPS_TEST_SERVER=${JSON.stringify(raw)}: expected "vault" or "openbao"`);
  }
  return v;
}

/** Builds the server if needed (quiet) and returns the cached binary's path. */
export function serverBinary(name: ServerName): string {
  return execFileSync('bash', [join(repoRoot, 'scripts/test-server.sh'), 'path', name], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  }).trim();
}

/** The last `lines` lines of a log file ('' when it cannot be read). */
export function logTail(file: string, lines = 30): string {
  try {
    return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '';
  }
}

/** A reason recorded in exitFile, or undefined while the server runs. */
export function exitReason(info: Pick<DevServerInfo, 'exitFile'>): string | undefined {
  return existsSync(info.exitFile) ? readFileSync(info.exitFile, 'utf8').trim() : undefined;
}

/** The dev server's unseal key, from the banner it prints on stdout (the .out file beside its log). */
export function devUnsealKey(info: Pick<DevServerInfo, 'logFile'>): string {
  const banner = readFileSync(info.logFile.replace(/\.log$/, '.out'), 'utf8');
  const key = /^Unseal Key: (\S+)$/m.exec(banner)?.[1];
  if (!key) throw new Error(`no "Unseal Key:" line in the dev server's banner (${info.logFile.replace(/\.log$/, '.out')})`);
  return key;
}

export interface HttpResult {
  status: number;
  body: unknown;
}

/** One plain HTTP(S) request to the server's API (no retries). */
export function apiRequest(
  info: Pick<DevServerInfo, 'addr' | 'caCert'> & { token?: string },
  method: string,
  path: string,
  opts: { body?: unknown; timeoutMs?: number } = {},
): Promise<HttpResult> {
  const url = new URL(`/v1/${path.replace(/^\/+/, '')}`, info.addr);
  const payload = opts.body === undefined ? undefined : JSON.stringify(opts.body);
  const headers: Record<string, string> = {};
  if (info.token) headers['X-Vault-Token'] = info.token;
  if (payload !== undefined) headers['Content-Type'] = 'application/json';
  return new Promise((resolvePromise, reject) => {
    const done = (res: http.IncomingMessage) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('error', reject);
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let body: unknown = text;
        try {
          body = text === '' ? undefined : JSON.parse(text);
        } catch {
          /* not JSON: keep the text */
        }
        resolvePromise({ status: res.statusCode ?? 0, body });
      });
    };
    const req =
      url.protocol === 'https:'
        ? https.request(url, { method, headers, ca: info.caCert ? readFileSync(info.caCert) : undefined }, done)
        : http.request(url, { method, headers }, done);
    req.setTimeout(opts.timeoutMs ?? 5000, () => req.destroy(new Error(`${method} ${url.pathname}: no answer`)));
    req.on('error', reject);
    req.end(payload);
  });
}

/** A port nothing listens on now (127.0.0.1); a server may still lose the race to bind it. */
export function freePort(): Promise<number> {
  return new Promise((resolvePromise, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolvePromise(port));
    });
  });
}

/** The environment for the server: no inherited VAULT_ and BAO_ settings; HOME in the temp dir so
 * the dev server's token helper does not write ~/.vault-token. */
export function serverEnvironment(home: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (!/^(VAULT|BAO)_/.test(k)) env[k] = v;
  }
  env.HOME = home;
  return env;
}

// Reads its stdin (a pipe from us) until EOF, which happens when we exit however we die, then
// stops the server: TERM, and KILL if it is still there after a few seconds.
const WATCHDOG = `trap '' INT
while read -r _; do :; done
kill -TERM "$1" 2>/dev/null || exit 0
for _ in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20; do kill -0 "$1" 2>/dev/null || exit 0; sleep 0.25; done
kill -KILL "$1" 2>/dev/null || true`;

/** Starts the watchdog for `pid`: it stops that process as soon as this one exits, however it dies. */
export function startWatchdog(pid: number): ChildProcess {
  const watchdog = spawn('bash', ['-c', WATCHDOG, 'vault-gitops-watchdog', String(pid)], {
    stdio: ['pipe', 'ignore', 'ignore'],
  });
  watchdog.unref();
  (watchdog.stdin as net.Socket).unref();
  return watchdog;
}

export class DevServer {
  private stopping = false;
  private readonly exited: Promise<void>;
  private readonly exitListeners: ((reason: string) => void)[] = [];
  private readonly onProcessExit = () => this.killNow();
  private readonly onSignal = (signal: NodeJS.Signals) => {
    this.killNow();
    process.removeListener(signal, this.onSignal);
    if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
  };

  private constructor(
    readonly info: DevServerInfo,
    private readonly child: ChildProcess,
    private readonly watchdog: ChildProcess,
    readonly dir: string,
  ) {
    this.exited = new Promise((r) => child.once('exit', () => r()));
    child.once('exit', (code, signal) => {
      if (this.stopping) return;
      const reason = signal ? `killed by ${signal}` : `exited with code ${code}`;
      writeFileSync(info.exitFile, `${reason}\n`);
      for (const l of this.exitListeners) l(reason);
    });
    process.once('exit', this.onProcessExit);
    process.once('SIGINT', this.onSignal);
    process.once('SIGTERM', this.onSignal);
  }

  /** Called if the server exits before `stop()`. */
  onUnexpectedExit(listener: (reason: string) => void): void {
    this.exitListeners.push(listener);
  }

  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  private killNow(): void {
    this.stopping = true;
    if (this.running) this.child.kill('SIGKILL');
    if (this.watchdog.exitCode === null) this.watchdog.kill('SIGKILL');
  }

  /** Stops the server (TERM, then KILL after 10 s) and removes its temp dir unless `keepDir`. */
  async stop(opts: { keepDir?: boolean } = {}): Promise<void> {
    this.stopping = true;
    process.removeListener('exit', this.onProcessExit);
    process.removeListener('SIGINT', this.onSignal);
    process.removeListener('SIGTERM', this.onSignal);
    if (this.watchdog.exitCode === null) this.watchdog.kill('SIGKILL');
    if (this.running) {
      this.child.kill('SIGTERM');
      const killer = setTimeout(() => this.child.kill('SIGKILL'), 10_000);
      await this.exited;
      clearTimeout(killer);
    }
    if (!opts.keepDir) rmSync(this.dir, { recursive: true, force: true });
  }

  static async start(name: ServerName, opts: { tls?: boolean; binary?: string } = {}): Promise<DevServer> {
    const binary = opts.binary ?? serverBinary(name);
    const dir = mkdtempSync(join(tmpdir(), `vault-gitops-${name}-`));
    let lastError: Error | undefined;
    // A free port can be taken between our check and the server's bind: try a few.
    for (let attempt = 1; attempt <= 3; attempt++) {
      try {
        return await DevServer.startOnce(name, binary, dir, attempt, opts.tls ?? false);
      } catch (err) {
        lastError = err as Error;
        if (!/address already in use/i.test(lastError.message)) break;
      }
    }
    throw lastError ?? new Error('unreachable');
  }

  private static async startOnce(name: ServerName, binary: string, dir: string, attempt: number, tls: boolean): Promise<DevServer> {
    const port = await freePort();
    const token = `root-${randomBytes(12).toString('hex')}`;
    const logFile = join(dir, `server-${attempt}.log`);
    const certDir = join(dir, 'tls');
    const args = ['server', '-dev', `-dev-root-token-id=${token}`, `-dev-listen-address=127.0.0.1:${port}`];
    if (tls) {
      mkdirSync(certDir, { recursive: true });
      args.push('-dev-tls', `-dev-tls-cert-dir=${certDir}`);
    }
    // stderr is the server's log; stdout only has the dev-mode banner (config, unseal key).
    const outFd = openSync(logFile.replace(/\.log$/, '.out'), 'a');
    const logFd = openSync(logFile, 'a');
    const child = spawn(binary, args, { cwd: dir, env: serverEnvironment(dir), stdio: ['ignore', outFd, logFd] });
    closeSync(outFd);
    closeSync(logFd);
    const pid = child.pid;
    if (pid === undefined) throw new Error(`cannot start ${binary}`);
    const watchdog = startWatchdog(pid);
    const info: DevServerInfo = {
      name,
      version: '',
      addr: `${tls ? 'https' : 'http'}://127.0.0.1:${port}`,
      token,
      logFile,
      exitFile: join(dir, `server-${attempt}.exited`),
      pid,
      watchdogPid: watchdog.pid ?? 0,
    };
    const server = new DevServer(info, child, watchdog, dir);
    try {
      info.version = await server.waitHealthy(tls ? certDir : undefined);
      return server;
    } catch (err) {
      await server.stop({ keepDir: true });
      const tail = `${logTail(logFile.replace(/\.log$/, '.out'), 10)}\n${logTail(logFile)}`.trim();
      throw new Error(`${name} dev server did not start: ${(err as Error).message}\n--- ${logFile} (last lines) ---\n${tail}`);
    }
  }

  /** Waits until sys/health answers 200 (initialised, unsealed, active); returns the version. */
  private async waitHealthy(certDir: string | undefined): Promise<string> {
    const deadline = Date.now() + 60_000;
    for (;;) {
      if (!this.running) throw new Error(`it exited (${this.child.signalCode ?? `code ${this.child.exitCode}`})`);
      if (Date.now() > deadline) throw new Error('sys/health did not answer 200 within 60 s');
      if (certDir && !this.info.caCert) {
        const ca = existsSync(certDir) ? readdirSync(certDir).find((f) => f.endsWith('-ca.pem')) : undefined;
        if (ca) this.info.caCert = join(certDir, ca);
      }
      if (!certDir || this.info.caCert) {
        try {
          const res = await apiRequest(this.info, 'GET', 'sys/health', { timeoutMs: 2000 });
          const version = (res.body as { version?: unknown } | undefined)?.version;
          if (res.status === 200) return typeof version === 'string' ? version : 'unknown';
        } catch {
          /* not listening yet */
        }
      }
      await sleep(100);
    }
  }
}
