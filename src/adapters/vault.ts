import http from 'node:http';
import https from 'node:https';
import { createRequire, Module } from 'node:module';
import { readFileSync } from 'node:fs';
import { UsageError, VaultApiError, VaultConnectionError } from '../core/errors.js';
import { Limiter } from '../core/common/limit.js';
import { isDotSegment } from '../core/common/names.js';
import { namespacePath } from '../core/common/namespaces.js';
import type { VaultPort, WrapInfo } from '../core/ports.js';
import { RetryPolicy, type Failure } from '../core/common/retry.js';
import { sleep } from '../core/common/sleep.js';
import { loadCaCerts, type VaultOptions } from './vault-options.js';
import { SELF, TokenKeeper } from './vault-token.js';
import { exchange, vaultAnswer, VaultStatusError, VaultTransportError, type Exchange } from './vault-transport.js';

const require = createRequire(import.meta.url);

type Json = Record<string, unknown>;

interface NodeVaultClient {
  request(options: Json): Promise<unknown>;
  token?: string;
}

/** What node-vault hands its `request-promise`: the full URI and the headers it set (token, namespace). */
interface NodeVaultRequest {
  method: string;
  uri: string;
  headers?: Record<string, string>;
  json?: unknown;
}

/** Counts of requests by method, for --debug and the benchmark. */
export interface RequestStats {
  total: number;
  byMethod: Record<string, number>;
  retries: number;
}

/** Vault is sealed: nothing will work until someone unseals it, so it is not retried. */
export class VaultSealedError extends UsageError {
  constructor(addr: string, method: string, path: string) {
    super(`Vault at ${addr} is sealed (it answered 503 to ${method} ${path})`, 'unseal it (`vault operator unseal`), or point VAULT_ADDR at an unsealed node');
    this.name = 'VaultSealedError';
  }
}

/** A standby sent us elsewhere; the token is never sent to another origin than VAULT_ADDR's. */
export class VaultRedirectError extends UsageError {
  constructor(addr: string, method: string, path: string, target: string) {
    super(
      `Vault at ${addr} redirected ${method} ${path} to ${target} (an HA standby that cannot forward to the active node); the token is not sent to another address`,
      'set VAULT_ADDR to the active node, or to a load balancer that sends requests to it',
    );
    this.name = 'VaultRedirectError';
  }
}

const TRANSIENT_STATUSES = new Set([412, 500, 502, 503, 504]);
const MAX_REDIRECTS = 3;
/** The state record and lock release retry at least this long, whatever --retry-budget says. */
const ESSENTIAL_BUDGET_MS = 5 * 60_000;
const ESSENTIAL_MIN_RETRIES = 8;
/** Vault open source answers a namespace request with 404 and this: the feature is missing, not the object. */
const ENTERPRISE_ONLY = /enterprise-only feature/i;
/** The body type of Vault's PATCH endpoints: anything else is answered 415. */
const MERGE_PATCH = 'application/merge-patch+json';

const noDebug = (_line: string): void => {};

// No library may log a request or an answer: node-vault's `debug` channel logs bodies (generated
// passwords) and follow-redirects' prints headers (the token) when DEBUG is set, as it is in many CI
// jobs. node-vault gets a no-op debug and our transport; the `debug` package is switched off too.
const nodeVaultRequire = createRequire(require.resolve('node-vault'));
(nodeVaultRequire('debug') as { disable(): string }).disable();
// node-vault loads axios (and with it follow-redirects, form-data, proxy agents) even when given a
// transport: a fifth of every start, for code that never runs here. A stand-in takes its place in
// the module cache, so none of it is loaded; node-vault would only call it without a transport.
const axiosPath = nodeVaultRequire.resolve('axios');
if (!nodeVaultRequire.cache[axiosPath]) {
  const standIn = new Module(axiosPath);
  standIn.filename = axiosPath;
  standIn.loaded = true;
  standIn.exports = {
    create() {
      throw new Error('vault-gitops: node-vault must use the injected transport');
    },
  };
  nodeVaultRequire.cache[axiosPath] = standIn;
}
const nodeVault = require('node-vault') as (cfg: Json) => NodeVaultClient;

// node-vault checks each request's options with tv4 (tens of microseconds a request); the same
// check, for the one shape it validates here: every request carries a string path and method.
const requestOptionsCheck = {
  error: new Error('a Vault request needs a path and a method'),
  validate: (options: Json) => typeof options.path === 'string' && typeof options.method === 'string',
};

function failureOf(err: unknown): Failure {
  if (err instanceof VaultStatusError && err.status === 429) return { kind: 'throttled', retryAfterMs: err.retryAfterMs };
  if (err instanceof VaultApiError && TRANSIENT_STATUSES.has(err.status)) {
    return { kind: 'transient', retryAfterMs: err instanceof VaultStatusError ? err.retryAfterMs : undefined };
  }
  if (err instanceof VaultTransportError) return err.retriable ? { kind: 'transient' } : { kind: 'fatal' };
  if (err instanceof VaultConnectionError) return { kind: 'transient' };
  // A standby redirects while it has no active node to forward to (a leader election): retried
  // within the budget, never followed to another origin.
  if (err instanceof VaultRedirectError) return { kind: 'transient' };
  return { kind: 'fatal' };
}

/**
 * The one way the tool talks to Vault: node-vault over our own keep-alive transport, a bounded and
 * adaptive number of requests in flight, one retry policy (backoff with jitter, Retry-After, a total
 * budget), answers checked and size-capped, the token kept alive. Request and response bodies are
 * never logged or put in errors (they may carry secrets); --debug shows method, path, status, time.
 */
export class Vault implements VaultPort {
  readonly stats: RequestStats = { total: 0, byMethod: {}, retries: 0 };
  private readonly client: NodeVaultClient;
  private readonly limiter: Limiter;
  private readonly agent: http.Agent | https.Agent;
  private readonly policy: RetryPolicy;
  private readonly essentialPolicy: RetryPolicy;
  // Essential requests go through their own port, not an AsyncLocalStorage scope: once one is entered,
  // Node 20 runs a hook on every promise of the process, and that cost a plan of 10,000 objects about
  // a fifth more CPU.
  private essentialPort: VaultPort;
  private readonly origin: string;
  private token?: TokenKeeper;
  /** `team-a/`: the namespace a config manages, below the one the token logged in to. */
  private prefix = '';
  debug: (line: string) => void = noDebug;

  constructor(readonly options: VaultOptions) {
    this.origin = new URL(options.addr).origin;
    this.essentialPort = this.essentialView();
    this.limiter = new Limiter(options.concurrency);
    this.policy = new RetryPolicy({ budgetMs: options.retryBudgetMs, maxRetries: options.maxRetries });
    // A dead Vault still fails the state write within about half a minute; a rate limit is waited out.
    this.essentialPolicy = new RetryPolicy({ budgetMs: Math.max(options.retryBudgetMs, ESSENTIAL_BUDGET_MS), maxRetries: Math.max(options.maxRetries, ESSENTIAL_MIN_RETRIES) });
    const agentOpts = { keepAlive: true, maxSockets: options.concurrency };
    if (options.addr.startsWith('https://')) {
      let cert: string | undefined;
      let key: string | undefined;
      try {
        if (options.clientCert) cert = readFileSync(options.clientCert, 'utf8');
        if (options.clientKey) key = readFileSync(options.clientKey, 'utf8');
      } catch (err) {
        throw new UsageError(`cannot read client certificate: ${(err as Error).message}`, 'check VAULT_CLIENT_CERT / VAULT_CLIENT_KEY');
      }
      this.agent = new https.Agent({
        ...agentOpts,
        ca: loadCaCerts(options),
        cert,
        key,
        rejectUnauthorized: !options.skipVerify,
        servername: options.tlsServerName,
      });
    } else {
      this.agent = new http.Agent(agentOpts);
    }
    this.client = nodeVault({
      endpoint: options.addr,
      token: options.token,
      namespace: options.namespace,
      noCustomHTTPVerbs: true,
      debug: () => {},
      tv4: requestOptionsCheck,
      'request-promise': { defaults: () => (req: NodeVaultRequest) => this.send(req) },
    });
  }

  get addr(): string {
    return this.options.addr;
  }

  get namespace(): string {
    return [namespacePath(this.options.namespace), this.prefix.replace(/\/$/, '')].filter((p) => p !== '').join('/');
  }

  get concurrency(): number {
    return this.options.concurrency;
  }

  /**
   * From now on every request but the token's own (lookup, renew, revoke) goes to `namespace`, a
   * path below the namespace of the login (VAULT_NAMESPACE), as a path prefix: Vault and OpenBao
   * join it to the X-Vault-Namespace header. Call after the login.
   */
  enterNamespace(namespace: string): void {
    this.prefix = namespace === '' ? '' : `${namespace}/`;
    this.essentialPort = this.essentialView();
  }

  /**
   * The same client (connections, limiter, retry budget, token, request counts) with its requests
   * in `namespace` below the login's: tenants planned side by side share one request budget.
   */
  inNamespace(namespace: string): Vault {
    const view = Object.create(this) as Vault;
    view.prefix = namespace === '' ? '' : `${namespace}/`;
    view.essentialPort = view.essentialView();
    return view;
  }

  private essentialView(): VaultPort {
    const port: VaultPort = {
      addr: this.options.addr,
      namespace: this.namespace,
      concurrency: this.options.concurrency,
      read: (path) => this.readAs(path, true),
      list: (path) => this.listAs(path, true),
      write: (path, data = {}) => this.call('POST', path, data, true),
      writeOnce: (path, data, done) => this.attempts('POST', path, data, true, true, done),
      patch: (path, data) => this.patchAs(path, data, true),
      delete: async (path) => void (await this.call('DELETE', path, undefined, true)),
      essential: (task) => task(port),
    };
    return port;
  }

  /**
   * Whether the server has namespaces: false on Vault open source (it answers `sys/namespaces` with
   * "enterprise-only feature"), undefined when the token may not ask.
   */
  async namespacesSupported(): Promise<boolean | undefined> {
    try {
      await this.read('sys/namespaces?list=true');
      return true;
    } catch (err) {
      if (err instanceof VaultApiError && err.status === 404) return false;
      if (err instanceof VaultApiError && err.status === 403) return undefined;
      throw err;
    }
  }

  setToken(token: string | undefined): void {
    this.client.token = token;
  }

  /**
   * Looks the token up (TTL, renewable) so it is renewed before it runs out and its expiry is named
   * as such. Call once the token is set (after a login).
   */
  async watchToken(): Promise<void> {
    this.token?.stop();
    this.token = new TokenKeeper({ raw: (method, path, data) => this.attempts(method, path, data, false) }, undefined, (line) => this.debug(line));
    await this.token.start();
  }

  /**
   * Runs `task` (state record and lock writes) with its own, longer retry budget (429 waited out for
   * up to 5 minutes, other transient failures retried at least 8 times) and no waiting behind other
   * requests: a run that changed Vault must be able to record it, and must let go of its lock.
   */
  essential<T>(task: (vault: VaultPort) => Promise<T>): Promise<T> {
    return task(this.essentialPort);
  }

  /** GET; `undefined` when Vault answers 404. */
  read(path: string): Promise<Json | undefined> {
    return this.readAs(path, false);
  }

  private async readAs(path: string, essential: boolean): Promise<Json | undefined> {
    try {
      return await this.call('GET', path, undefined, essential);
    } catch (err) {
      if (err instanceof VaultApiError && err.status === 404 && !ENTERPRISE_ONLY.test(err.vaultMessage)) return undefined;
      throw err;
    }
  }

  /** LIST as GET ?list=true; `[]` when the collection is empty (Vault answers 404). */
  list(path: string): Promise<string[]> {
    return this.listAs(path, false);
  }

  private async listAs(path: string, essential: boolean): Promise<string[]> {
    const body = await this.readAs(`${path}?list=true`, essential);
    if (body === undefined) return [];
    const keys = (body.data as { keys?: unknown } | null | undefined)?.keys;
    if (!Array.isArray(keys) || keys.some((k) => typeof k !== 'string')) {
      throw new VaultTransportError(`the answer to LIST ${this.origin}/v1/${path} has no list of keys, so it is not from Vault`, path, false);
    }
    return keys as string[];
  }

  async write(path: string, data: Json = {}): Promise<Json | undefined> {
    return this.call('POST', path, data);
  }

  async delete(path: string): Promise<void> {
    await this.call('DELETE', path);
  }

  patch(path: string, data: Json): Promise<Json | undefined> {
    return this.patchAs(path, data, false);
  }

  private patchAs(path: string, data: Json, essential: boolean): Promise<Json | undefined> {
    return this.attempts('PATCH', path, data, true, essential, undefined, { 'content-type': MERGE_PATCH });
  }

  /** POST with Vault's response wrapping: the answer's `wrap_info` (its token is a secret). */
  async wrap(path: string, data: Json, ttlSeconds: number): Promise<WrapInfo> {
    const body = await this.attempts('POST', path, data, true, false, undefined, { 'X-Vault-Wrap-TTL': `${ttlSeconds}s` });
    const info = body?.wrap_info as Partial<WrapInfo> | null | undefined;
    if (!info || typeof info.token !== 'string' || typeof info.creation_time !== 'string' || typeof info.ttl !== 'number') {
      throw new VaultTransportError(`the answer to POST ${this.origin}/v1/${path} carries no wrapping token`, path, false);
    }
    return info as WrapInfo;
  }

  /** `essential`: retried longer and not queued behind other requests (see essential()). */
  async call(method: string, path: string, data?: Json, essential = false): Promise<Json | undefined> {
    return this.attempts(method, path, data, true, essential);
  }

  async writeOnce(path: string, data: Json, done: () => Promise<boolean>): Promise<Json | undefined> {
    return this.attempts('POST', path, data, true, false, done);
  }

  private async attempts(
    method: string,
    path: string,
    data: Json | undefined,
    watched: boolean,
    essential = false,
    done?: () => Promise<boolean>,
    headers?: Record<string, string>,
  ): Promise<Json | undefined> {
    // The config checks names; this holds for every path, whatever let one through.
    if (path.replace(/\?.*$/, '').split('/').some(isDotSegment)) {
      throw new UsageError(`refused to send ${method} ${path}: a \`.\` or \`..\` segment would address another path`, 'rename the object: no segment of its name or mount path may be `.` or `..`');
    }
    if (watched && this.prefix !== '' && !SELF.test(path)) path = this.prefix + path;
    const policy = essential ? this.essentialPolicy : this.policy;
    const started = Date.now();
    for (let attempt = 0; ; attempt++) {
      try {
        if (watched) await this.token?.beforeRequest(path);
        const body = essential ? await this.once(method, path, data, headers) : await this.limiter.run(() => this.once(method, path, data, headers));
        this.limiter.succeeded();
        return body;
      } catch (caught) {
        const err = watched && this.token && caught instanceof VaultApiError ? await this.token.classify(caught) : caught;
        const failure = failureOf(err);
        if (failure.kind === 'throttled') this.limiter.throttled();
        const elapsed = Date.now() - started;
        const wait = policy.delay(attempt, elapsed, failure);
        if (wait === undefined) throw attempt > 0 ? gaveUp(err, attempt, elapsed) : err;
        // A check that cannot read (no read permission) leaves it to the retry, as before.
        if (done && mayHaveApplied(err) && (await done().catch(() => false))) {
          this.debug(`${method} ${path}: Vault had carried out the failed attempt; not sent again`);
          return undefined;
        }
        this.stats.retries++;
        this.debug(`retry ${attempt + 1} of ${method} ${path.replace(/\?.*$/, '')} in ${wait}ms (${failure.kind}; ${this.limiter.current} in flight at most)`);
        await sleep(wait);
      }
    }
  }

  private async once(method: string, path: string, data?: Json, headers?: Record<string, string>): Promise<Json | undefined> {
    this.stats.total++;
    this.stats.byMethod[method] = (this.stats.byMethod[method] ?? 0) + 1;
    const req: Json = { path: `/${path}`, method };
    if (data !== undefined) req.json = data;
    if (headers) req.headers = { ...headers };
    try {
      const body = await this.client.request(req);
      return body && typeof body === 'object' ? (body as Json) : undefined;
    } catch (err) {
      if (err instanceof VaultStatusError && err.status === 503 && /sealed/i.test(err.vaultMessage)) throw new VaultSealedError(this.addr, method, err.path);
      if (err instanceof Error) throw err;
      throw new VaultConnectionError(`cannot reach Vault (${method} ${path.replace(/\?.*$/, '')})`, path);
    }
  }

  /** node-vault's transport: one exchange, following a redirect only within VAULT_ADDR's origin. */
  private async send(req: NodeVaultRequest): Promise<{ statusCode: number; body: unknown; request: { path: string } }> {
    const limits = { connectTimeoutMs: this.options.connectTimeoutMs, timeoutMs: this.options.timeoutMs, maxResponseBytes: this.options.maxResponseBytes };
    const body = req.json === undefined ? undefined : JSON.stringify(req.json);
    let ex: Exchange = { method: req.method, url: new URL(req.uri), headers: { ...req.headers, accept: 'application/json' }, body };
    const debugging = this.debug !== noDebug;
    for (let hop = 0; ; hop++) {
      const shown = () => `${ex.method} ${ex.url.pathname.replace(/^\/v1\//, '')}${ex.url.search}`;
      const started = Date.now();
      let answer;
      try {
        answer = await exchange(ex, this.agent, limits);
      } catch (err) {
        if (debugging) this.debug(`${shown()} → failed after ${Date.now() - started}ms`);
        throw err;
      }
      if (debugging) this.debug(`${shown()} → ${answer.status} (${Date.now() - started}ms)`);
      const location = answer.headers.location;
      if ((answer.status === 307 || answer.status === 308) && typeof location === 'string' && hop < MAX_REDIRECTS) {
        const target = new URL(location, ex.url);
        if (target.origin !== this.origin) throw new VaultRedirectError(this.addr, ex.method, ex.url.pathname.replace(/^\/v1\//, ''), target.origin);
        ex = { ...ex, url: target };
        continue;
      }
      return { statusCode: answer.status, body: vaultAnswer(ex, answer), request: { path: ex.url.pathname } };
    }
  }

  close(): void {
    this.token?.stop();
    this.agent.destroy();
  }
}

/**
 * Whether a failed attempt may still have been carried out: Vault answers 500 when it cannot write
 * the response to an audit device after doing the work, and a proxy's 502/504 or a broken-off answer
 * says nothing either way. No connection made, or Vault's own 429/412/503, means it was not.
 */
function mayHaveApplied(err: unknown): boolean {
  if (err instanceof VaultStatusError) return err.status === 500 || err.status === 502 || err.status === 504;
  if (err instanceof VaultTransportError) return !err.unsent;
  return err instanceof VaultConnectionError;
}

/** The last error, saying how long the retries went on (never a body). */
function gaveUp(err: unknown, retries: number, elapsedMs: number): unknown {
  const tail = ` (gave up after ${retries} ${retries === 1 ? 'retry' : 'retries'} in ${Math.round(elapsedMs / 1000)}s; see --retry-budget and --max-retries)`;
  if (err instanceof VaultStatusError) return new VaultStatusError(err.status, err.vaultMessage + tail, err.method, err.path, err.retryAfterMs, undefined);
  if (err instanceof VaultTransportError) return new VaultTransportError(err.message + tail, err.path, err.retriable, err.unsent);
  if (err instanceof VaultConnectionError) return new VaultConnectionError(err.message + tail, err.path);
  return err;
}
