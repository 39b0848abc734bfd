/**
 * The HTTP exchange under node-vault: Node's own http/https with keep-alive agents, injected as
 * node-vault's `request-promise` (so axios and follow-redirects never run). It is the only code that
 * sees raw answers, and it never logs them nor puts a body in an error: errors name the method and
 * URL path only. Every answer is checked: it must be JSON of Vault's shape, no larger than the cap,
 * and come within the timeouts. Global fetch is not used because it takes a CA bundle or client
 * certificate only through the `undici` package (a dependency); node:http does the same job.
 */
import http from 'node:http';
import https from 'node:https';
import { VaultApiError, VaultConnectionError } from '../core/errors.js';

export interface TransportLimits {
  /** TCP (and TLS) connect, milliseconds. */
  connectTimeoutMs: number;
  /** From sending the request to the last byte of the answer, milliseconds. */
  timeoutMs: number;
  maxResponseBytes: number;
}

export interface Exchange {
  method: string;
  url: URL;
  headers: Record<string, string>;
  body?: string;
}

export interface Answer {
  status: number;
  headers: http.IncomingHttpHeaders;
  /** Parsed JSON; undefined when the body was empty. */
  body: unknown;
}

/** The answer did not come, or was not Vault's: a broken proxy, a wrong VAULT_ADDR, a hung server. */
export class VaultTransportError extends VaultConnectionError {
  constructor(
    message: string,
    path: string,
    /** A lost or refused connection is worth another try; a wrong answer or a timeout is not. */
    readonly retriable: boolean,
    /** No connection was made, so the request certainly did not reach Vault. */
    readonly unsent = false,
  ) {
    super(message, path);
    this.name = 'VaultTransportError';
  }
}

/** Vault answered with an error status; carries what the retry policy and redirects need. */
export class VaultStatusError extends VaultApiError {
  constructor(
    status: number,
    vaultMessage: string,
    method: string,
    path: string,
    readonly retryAfterMs: number | undefined,
    readonly location: string | undefined,
  ) {
    super(status, vaultMessage, method, path);
    this.name = 'VaultStatusError';
  }
}

const MiB = 1024 * 1024;

/** `Retry-After` as seconds or an HTTP date → milliseconds (undefined when absent or unreadable). */
export function parseRetryAfter(value: string | undefined, now = Date.now()): number | undefined {
  if (value === undefined || value.trim() === '') return undefined;
  if (/^\d+$/.test(value.trim())) return Number(value.trim()) * 1000;
  const t = Date.parse(value);
  return Number.isFinite(t) ? Math.max(0, t - now) : undefined;
}

const shown = (ex: Pick<Exchange, 'method' | 'url'>) => `${ex.method} ${ex.url.origin}${ex.url.pathname}`;
/** The API path for messages: `sys/mounts`, no `/v1/`, no query. */
const apiPath = (url: URL) => url.pathname.replace(/^\/v1\//, '');

/** One request, one answer: no retries, no redirects followed (the caller decides). */
export function exchange(ex: Exchange, agent: http.Agent, limits: TransportLimits): Promise<Answer> {
  // Only for messages: built when one is needed, not for every request.
  let named: { what: string; path: string } | undefined;
  const name = () => (named ??= { what: shown(ex), path: apiPath(ex.url) });
  return new Promise<Answer>((resolve, reject) => {
    let settled = false;
    const fail = (err: Error) => {
      if (settled) return;
      settled = true;
      clearTimeout(overall);
      req.destroy();
      reject(err);
    };
    const send = ex.url.protocol === 'https:' ? https.request : http.request;
    const req = send(ex.url, { method: ex.method, headers: ex.body === undefined ? ex.headers : { 'content-type': 'application/json', ...ex.headers, 'content-length': String(Buffer.byteLength(ex.body)) }, agent });
    const overall = setTimeout(
      () => fail(new VaultTransportError(`no complete answer from Vault to ${name().what} within ${limits.timeoutMs / 1000}s (is VAULT_ADDR a Vault server? raise --timeout if Vault is just slow)`, name().path, false)),
      limits.timeoutMs,
    );
    let connected = false;
    req.on('socket', (socket) => {
      if (!socket.connecting) {
        connected = true;
        return;
      }
      const t = setTimeout(() => fail(new VaultTransportError(`cannot connect to Vault for ${name().what} within ${limits.connectTimeoutMs / 1000}s (--connect-timeout)`, name().path, true, true)), limits.connectTimeoutMs);
      socket.once('connect', () => {
        connected = true;
        clearTimeout(t);
      });
      socket.once('close', () => clearTimeout(t));
    });
    req.on('error', (err: NodeJS.ErrnoException) => {
      const code = err.code ?? err.message;
      // A certificate Vault's CA does not sign will not start to verify on a second try.
      const tls = /CERT|SSL|TLS|SELF_SIGNED|UNABLE_TO_VERIFY|DEPTH_ZERO/.test(code);
      fail(new VaultTransportError(`cannot reach Vault (${name().what}): ${code}${tls ? ' (check VAULT_CACERT / VAULT_CAPATH, or --tls-server-name)' : ''}`, name().path, !tls, !connected));
    });
    req.on('response', (res) => {
      const status = res.statusCode ?? 0;
      const declared = Number(res.headers['content-length']);
      if (Number.isFinite(declared) && declared > limits.maxResponseBytes) {
        fail(tooLarge(name(), limits));
        return;
      }
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > limits.maxResponseBytes) fail(tooLarge(name(), limits));
        else chunks.push(chunk);
      });
      res.on('error', (err: NodeJS.ErrnoException) => fail(new VaultTransportError(`the answer to ${name().what} broke off: ${err.code ?? err.message}`, name().path, true)));
      res.on('aborted', () => fail(new VaultTransportError(`the answer to ${name().what} broke off`, name().path, true)));
      res.on('end', () => {
        if (settled) return;
        settled = true;
        clearTimeout(overall);
        try {
          resolve({ status, headers: res.headers, body: parseBody(Buffer.concat(chunks), status, res.headers['content-type'], name) });
        } catch (err) {
          reject(err as Error);
        }
      });
    });
    req.end(ex.body);
  });
}

function tooLarge({ what, path }: { what: string; path: string }, limits: TransportLimits): VaultTransportError {
  return new VaultTransportError(`the answer to ${what} is larger than ${limits.maxResponseBytes / MiB} MiB; refused (raise --max-response-mb if this Vault really answers that much)`, path, false);
}

function parseBody(raw: Buffer, status: number, contentType: string | undefined, name: () => { what: string; path: string }): unknown {
  if (raw.length === 0) return undefined;
  try {
    return JSON.parse(raw.toString('utf8')) as unknown;
  } catch {
    // A proxy in front of Vault answering 502/503/504 with its own page: an error status like Vault's.
    if (status === 502 || status === 503 || status === 504) return undefined;
    const type = contentType ? `, ${contentType.split(';')[0]}` : '';
    const { what, path } = name();
    throw new VaultTransportError(
      `the answer to ${what} (HTTP ${status}${type}) is not JSON, so it is not from Vault: VAULT_ADDR may point at a proxy, a login page or another server`,
      path,
      false,
    );
  }
}

const RAW_SYS_PATHS = /^\/v1\/sys\/(health|seal-status|leader|init)$/;

/**
 * Checks that a 2xx answer has Vault's shape (a JSON object with a request_id, or empty for 204) and
 * turns an error status into a VaultStatusError. A 404 must carry Vault's `errors` list, since
 * "not found" would otherwise let any web server look like an empty Vault.
 */
export function vaultAnswer(ex: Pick<Exchange, 'method' | 'url'>, a: Answer): unknown {
  const notVault = (why: string) =>
    new VaultTransportError(`the answer to ${shown(ex)} (HTTP ${a.status}) ${why}, so it is not from Vault: VAULT_ADDR may point at a proxy or another server`, apiPath(ex.url), false);
  const isObject = typeof a.body === 'object' && a.body !== null && !Array.isArray(a.body);
  if (a.status >= 200 && a.status < 300) {
    if (a.body === undefined) {
      if (a.status === 204) return undefined;
      throw notVault('is empty');
    }
    if (!isObject) throw notVault('is not a JSON object');
    if (!RAW_SYS_PATHS.test(ex.url.pathname) && typeof (a.body as { request_id?: unknown }).request_id !== 'string') throw notVault('has no request_id');
    return a.body;
  }
  const body = isObject ? (a.body as { errors?: unknown; request_id?: unknown; data?: { error?: unknown } }) : undefined;
  const errors = body?.errors;
  // Some endpoints answer "not found" in Vault's response envelope (request_id, data.error) instead
  // of an error list (AppRole's secret-id-accessor/lookup does).
  const enveloped = typeof body?.request_id === 'string';
  if (a.status === 404 && !Array.isArray(errors) && !enveloped) throw notVault('is a 404 without Vault\'s error list');
  const dataError = enveloped && typeof body?.data?.error === 'string' ? [body.data.error] : [];
  const messages = (Array.isArray(errors) ? errors.map(String) : dataError).filter((e) => e !== '');
  const location = typeof a.headers.location === 'string' ? a.headers.location : undefined;
  const retryAfter = parseRetryAfter(typeof a.headers['retry-after'] === 'string' ? a.headers['retry-after'] : undefined);
  throw new VaultStatusError(a.status, messages.length > 0 ? messages.join('; ') : `HTTP ${a.status}`, ex.method, apiPath(ex.url), retryAfter, location);
}
