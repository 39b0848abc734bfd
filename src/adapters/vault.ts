import http from 'node:http';
import https from 'node:https';
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import { UsageError, VaultApiError, VaultConnectionError } from '../core/errors.js';
import { Limiter } from '../core/limit.js';
import { loadCaCerts, type VaultOptions } from './vault-options.js';

const require = createRequire(import.meta.url);

type Json = Record<string, unknown>;

interface NodeVaultClient {
  request(options: Json): Promise<unknown>;
  token?: string;
}

interface NodeVaultError extends Error {
  response?: { statusCode?: number; body?: unknown };
  code?: string;
}

/** Counts of requests by method, for --debug and the benchmark. */
export interface RequestStats {
  total: number;
  byMethod: Record<string, number>;
  retries: number;
}

const RETRY_STATUSES = new Set([412, 429, 500, 502, 503, 504]);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * The one way the tool talks to Vault: node-vault over keep-alive agents, a bounded number of
 * requests in flight, a timeout on each, bounded retries with backoff on 5xx/429/412.
 * Request and response bodies are never logged or put in errors (they may carry secrets).
 */
export class Vault {
  readonly stats: RequestStats = { total: 0, byMethod: {}, retries: 0 };
  private readonly client: NodeVaultClient;
  private readonly limiter: Limiter;
  private readonly agent: http.Agent | https.Agent;
  private readonly isHttps: boolean;
  debug: (line: string) => void = () => {};

  constructor(readonly options: VaultOptions) {
    this.isHttps = options.addr.startsWith('https://');
    this.limiter = new Limiter(options.concurrency);
    const agentOpts = { keepAlive: true, maxSockets: options.concurrency };
    if (this.isHttps) {
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
    const nodeVault = require('node-vault') as (cfg: Json) => NodeVaultClient;
    this.client = nodeVault({
      endpoint: options.addr,
      token: options.token,
      namespace: options.namespace,
      // node-vault reads VAULT_SKIP_VERIFY as "any non-empty string"; we parse it ourselves.
      rpDefaults: { strictSSL: !options.skipVerify, timeout: options.timeoutMs },
      noCustomHTTPVerbs: true,
    });
  }

  get addr(): string {
    return this.options.addr;
  }

  setToken(token: string | undefined): void {
    this.client.token = token;
  }

  /** GET; `undefined` when Vault answers 404. */
  async read(path: string): Promise<Json | undefined> {
    try {
      return await this.call('GET', path);
    } catch (err) {
      if (err instanceof VaultApiError && err.status === 404) return undefined;
      throw err;
    }
  }

  /** LIST as GET ?list=true; `[]` when the collection is empty (Vault answers 404). */
  async list(path: string): Promise<string[]> {
    const body = await this.read(`${path}?list=true`);
    const keys = (body?.data as { keys?: unknown } | undefined)?.keys;
    return Array.isArray(keys) ? keys.map(String) : [];
  }

  async write(path: string, data: Json = {}): Promise<Json | undefined> {
    return this.call('POST', path, data);
  }

  async delete(path: string): Promise<void> {
    await this.call('DELETE', path);
  }

  async call(method: string, path: string, data?: Json): Promise<Json | undefined> {
    return this.limiter.run(() => this.withRetries(method, path, data));
  }

  private async withRetries(method: string, path: string, data?: Json): Promise<Json | undefined> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.once(method, path, data);
      } catch (err) {
        const retriable =
          (err instanceof VaultApiError && RETRY_STATUSES.has(err.status)) || err instanceof VaultConnectionError;
        if (!retriable || attempt >= this.options.maxRetries) throw err;
        this.stats.retries++;
        const delay = Math.min(250 * 2 ** attempt, 4000) * (0.5 + Math.random() / 2);
        this.debug(`retry ${attempt + 1}/${this.options.maxRetries} of ${method} ${path} in ${Math.round(delay)}ms: ${(err as Error).message}`);
        await sleep(delay);
      }
    }
  }

  private async once(method: string, path: string, data?: Json): Promise<Json | undefined> {
    this.stats.total++;
    this.stats.byMethod[method] = (this.stats.byMethod[method] ?? 0) + 1;
    this.debug(`${method} ${path}`);
    const req: Json = { path: `/${path}`, method, timeout: this.options.timeoutMs };
    req[this.isHttps ? 'httpsAgent' : 'httpAgent'] = this.agent;
    if (data !== undefined) req.json = data;
    try {
      const body = await this.client.request(req);
      return body && typeof body === 'object' ? (body as Json) : undefined;
    } catch (err) {
      throw translateError(err as NodeVaultError, method, path);
    }
  }

  close(): void {
    this.agent.destroy();
  }
}

function translateError(err: NodeVaultError, method: string, path: string): Error {
  const status = err.response?.statusCode;
  const shownPath = path.replace(/\?.*$/, '');
  if (typeof status === 'number') {
    const body = err.response?.body as { errors?: unknown } | undefined;
    const errors = Array.isArray(body?.errors) ? body.errors.map(String).filter((e) => e !== '') : [];
    return new VaultApiError(status, errors.length > 0 ? errors.join('; ') : `HTTP ${status}`, method, shownPath);
  }
  const code = err.code ? `${err.code}: ` : '';
  return new VaultConnectionError(`cannot reach Vault (${method} ${shownPath}): ${code}${err.message}`, shownPath);
}
