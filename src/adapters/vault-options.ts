import { readFileSync, readdirSync, existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { UsageError } from '../core/errors.js';
import { DEFAULT_RETRY_BUDGET_MS } from '../core/common/retry.js';
import { parseTtl } from '../core/common/ttl.js';

/** How to reach Vault: resolved from flags, then the VAULT_* environment, like the vault CLI. */
export interface VaultOptions {
  addr: string;
  token?: string;
  namespace?: string;
  caCert?: string;
  caPath?: string;
  clientCert?: string;
  clientKey?: string;
  skipVerify: boolean;
  tlsServerName?: string;
  /** Retries of a failed request other than 429 (which is retried for as long as the budget lasts). */
  maxRetries: number;
  /** Total time for one request with its retries, milliseconds. */
  retryBudgetMs: number;
  /** From sending a request to the end of its answer, milliseconds. */
  timeoutMs: number;
  connectTimeoutMs: number;
  /** A larger answer is refused. */
  maxResponseBytes: number;
  /** Requests in flight at once. */
  concurrency: number;
}

export interface VaultFlags {
  vaultAddr?: string;
  vaultToken?: string;
  namespace?: string;
  caCert?: string;
  caPath?: string;
  clientCert?: string;
  clientKey?: string;
  skipVerify?: boolean;
  tlsServerName?: string;
  maxRetries?: string | number;
  retryBudget?: string;
  timeout?: string | number;
  connectTimeout?: string | number;
  maxResponseMb?: string | number;
  concurrency?: string | number;
}

/** Parses a boolean the way Go's strconv.ParseBool does (the vault CLI uses it for VAULT_SKIP_VERIFY). */
export function parseBool(name: string, raw: string | undefined): boolean | undefined {
  if (raw === undefined || raw === '') return undefined;
  const v = raw.trim().toLowerCase();
  if (['1', 't', 'true', 'yes', 'y', 'on'].includes(v)) return true;
  if (['0', 'f', 'false', 'no', 'n', 'off'].includes(v)) return false;
  throw new UsageError(`${name}=${JSON.stringify(raw)} is not a boolean`, 'use true or false');
}

function parseCount(name: string, raw: string | number | undefined, fallback: number, min: number): number {
  if (raw === undefined || raw === '') return fallback;
  const n = typeof raw === 'number' ? raw : Number(raw);
  if (!Number.isInteger(n) || n < min) {
    throw new UsageError(`${name} must be a whole number ≥ ${min}, got ${JSON.stringify(raw)}`);
  }
  return n;
}

export const DEFAULT_MAX_RETRIES = 4;
export const DEFAULT_TIMEOUT_SECONDS = 30;

function parseBudget(raw: string | undefined): number {
  if (raw === undefined) return DEFAULT_RETRY_BUDGET_MS;
  const s = parseTtl(raw);
  if (s === undefined) throw new UsageError(`--retry-budget ${JSON.stringify(raw)} is not a duration`, 'for example 30s, 5m or 0 (no retries)');
  return s * 1000;
}

function readTokenFile(): string | undefined {
  const file = join(homedir(), '.vault-token');
  if (!existsSync(file)) return undefined;
  const t = readFileSync(file, 'utf8').trim();
  return t === '' ? undefined : t;
}

export function resolveVaultOptions(flags: VaultFlags, env: NodeJS.ProcessEnv = process.env): VaultOptions {
  const addr = (flags.vaultAddr ?? env.VAULT_ADDR ?? 'https://127.0.0.1:8200').replace(/\/+$/, '');
  if (!/^https?:\/\//.test(addr)) {
    throw new UsageError(`Vault address ${JSON.stringify(addr)} must start with http:// or https://`);
  }
  return {
    addr,
    token: flags.vaultToken ?? (env.VAULT_TOKEN || undefined) ?? readTokenFile(),
    namespace: flags.namespace ?? (env.VAULT_NAMESPACE || undefined),
    caCert: flags.caCert ?? (env.VAULT_CACERT || undefined),
    caPath: flags.caPath ?? (env.VAULT_CAPATH || undefined),
    clientCert: flags.clientCert ?? (env.VAULT_CLIENT_CERT || undefined),
    clientKey: flags.clientKey ?? (env.VAULT_CLIENT_KEY || undefined),
    skipVerify: flags.skipVerify ?? parseBool('VAULT_SKIP_VERIFY', env.VAULT_SKIP_VERIFY) ?? false,
    tlsServerName: flags.tlsServerName ?? (env.VAULT_TLS_SERVER_NAME || undefined),
    maxRetries: parseCount('VAULT_MAX_RETRIES', flags.maxRetries ?? env.VAULT_MAX_RETRIES, DEFAULT_MAX_RETRIES, 0),
    retryBudgetMs: parseBudget(flags.retryBudget ?? (env.VAULT_GITOPS_RETRY_BUDGET || undefined)),
    timeoutMs: parseCount('--timeout', flags.timeout, DEFAULT_TIMEOUT_SECONDS, 1) * 1000,
    connectTimeoutMs: parseCount('--connect-timeout', flags.connectTimeout, 10, 1) * 1000,
    maxResponseBytes: parseCount('VAULT_GITOPS_MAX_RESPONSE_MB', flags.maxResponseMb ?? env.VAULT_GITOPS_MAX_RESPONSE_MB, 32, 1) * 1024 * 1024,
    concurrency: parseCount('--concurrency', flags.concurrency, 16, 1),
  };
}

/** CA certificates from VAULT_CACERT (a PEM bundle) and VAULT_CAPATH (a directory of PEM files). */
export function loadCaCerts(opts: Pick<VaultOptions, 'caCert' | 'caPath'>): string[] | undefined {
  const out: string[] = [];
  try {
    if (opts.caCert) out.push(readFileSync(opts.caCert, 'utf8'));
    if (opts.caPath) {
      for (const f of readdirSync(opts.caPath)) {
        if (/\.(pem|crt)$/i.test(f)) out.push(readFileSync(join(opts.caPath, f), 'utf8'));
      }
    }
  } catch (err) {
    throw new UsageError(`cannot read CA certificate: ${(err as Error).message}`, 'check VAULT_CACERT / VAULT_CAPATH');
  }
  return out.length > 0 ? out : undefined;
}
