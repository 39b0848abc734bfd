import { resolve } from 'node:path';
import { Command, Option } from 'commander';
import type { LoadOptions } from '../core/check/load.js';
import { ENV_NAME, looksLikeCredential } from '../core/config/env-policy.js';
import { UsageError } from '../core/errors.js';
import type { VaultPort } from '../core/ports.js';
import { DEFAULT_STATE_PATH, parseStatePath, StateStore, type StateLocation } from '../core/state/state.js';
import { configOwnerId } from '../core/state/state-owner.js';
import { parseTtl } from '../core/common/ttl.js';
import { S3_ALLOW_ENV } from '../core/common/s3-destinations.js';
import type { VaultFlags } from '../adapters/vault-options.js';
import type { AuthFlags } from '../adapters/login.js';
import { KINDS } from '../kinds/registry.js';

const collect = (v: string, prev: string[] = []) => [...prev, v];
const VAR_NAME = /^[A-Za-z_][A-Za-z0-9_-]*$/;

export interface CommonFlags {
  config?: string[];
  var?: string[];
  varFile?: string[];
  allowEnv?: string[];
  configEnv?: boolean;
  color?: boolean;
  debug?: boolean;
  sinkRoot?: string;
}

export type VaultCommandFlags = CommonFlags &
  VaultFlags &
  AuthFlags & { address?: string; tlsSkipVerify?: boolean; kubeContext?: string; output?: string; detailedExitcode?: boolean; failOn?: 'privileged' | 'access'; autoApprove?: boolean; target?: string[] } & StateFlags;

/** Ownership state, lock and saved-plan flags (src/core/state/state.ts, lock.ts, saved-plan.ts). */
export interface StateFlags {
  statePath?: string;
  /** The id of the config owning the state record (src/core/state/state-owner.ts). */
  stateId?: string;
  /** plan, apply: write the write-only values no hash was recorded for (adopted objects). */
  rewriteSecrets?: boolean;
  /** apply: allow a destructive plan (src/core/plan/destroys.ts). */
  allowDestroy?: boolean;
  lockTimeout?: string;
  lockTtl?: string;
  /** plan / apply / drift / rotate / export / snapshot --tenants DIR: one config directory per namespace (docs/namespaces.md). */
  tenants?: string;
  /** plan --out FILE, snapshot --out FILE */
  out?: string;
  /** plan --against SNAPSHOT (offline) */
  against?: string;
  /** force-unlock ID (positional) */
  lockId?: string;
  /** force-unlock --force: remove a lock whose holder is still alive */
  force?: boolean;
  /** apply PLAN-FILE (positional) */
  planFile?: string;
}

export function withStateOption(cmd: Command): Command {
  return cmd
    .option('--state-path <mount/path>', 'KV v2 secret holding the ownership state and apply lock (default: $VAULT_GITOPS_STATE_PATH or vault-gitops/state)')
    .option('--state-id <id>', 'the id of this config, which owns its state record (default: $VAULT_GITOPS_STATE_ID, else the git repository and directory of -c)');
}

/** The owner id of the config (src/core/state/state-owner.ts). */
export function ownerId(flags: CommonFlags & StateFlags): string {
  return configOwnerId(configDirs(flags), flags.stateId);
}

/** --lock-timeout and --lock-ttl, for every command that writes (apply, rotate). */
export function withLockOptions(cmd: Command): Command {
  return cmd
    .option('--lock-timeout <duration>', 'how long to wait for another run\'s state lock', '60s')
    .option('--lock-ttl <duration>', 'the lock expires this long after its holder\'s last renewal (renewed while running)', '10m');
}

export function stateLocation(flags: StateFlags): StateLocation {
  return parseStatePath(flags.statePath ?? (process.env.VAULT_GITOPS_STATE_PATH || DEFAULT_STATE_PATH));
}

/** The state record at --state-path, read knowing the registry's kinds. */
export function stateStore(vault: VaultPort, flags: StateFlags): StateStore {
  return new StateStore(vault, stateLocation(flags), KINDS.map((k) => k.name));
}

/** A duration flag (`30s`, `2m`, `0`) in seconds. */
export function durationFlag(name: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const s = parseTtl(value);
  if (s === undefined) throw new UsageError(`${name} ${JSON.stringify(value)} is not a duration`, 'for example 30s, 2m or 0');
  return s;
}

export function withConfigOptions(cmd: Command): Command {
  return cmd
    .option('-c, --config <dir>', 'config directory (repeat to layer: later ones override earlier ones)', collect)
    .option('--var <NAME=value>', 'a value for ${var.NAME} (repeatable)', collect)
    .option('--var-file <file>', 'a file of variables (repeatable)', collect)
    .option('--allow-env <NAME>', 'let ${env.NAME} read this environment variable (repeatable; credential-looking names are always refused)', collect)
    .option('--no-config-env', "ignore the config's own variables.env declarations (only --allow-env and VAULT_GITOPS_VAR_* names are readable)")
    .option('--sink-root <dir>', 'credential file paths are relative to this directory and confined to it (default: $VAULT_GITOPS_SINK_ROOT or the working directory)')
    .option('--no-color', 'no ANSI colors')
    .option('--debug', 'log every Vault request (method and path only) and show stack traces');
}

export function withVaultOptions(cmd: Command): Command {
  return withConfigOptions(cmd)
    .option('--address <url>', 'Vault address (default: $VAULT_ADDR)')
    .option('--namespace <ns>', 'Vault Enterprise namespace (default: $VAULT_NAMESPACE)')
    .option('--ca-cert <file>', 'PEM CA bundle to verify Vault (default: $VAULT_CACERT)')
    .option('--ca-path <dir>', 'directory of PEM CA certificates (default: $VAULT_CAPATH)')
    .option('--client-cert <file>', 'client certificate for TLS auth (default: $VAULT_CLIENT_CERT)')
    .option('--client-key <file>', 'client key for TLS auth (default: $VAULT_CLIENT_KEY)')
    .option('--tls-skip-verify', 'do not verify Vault\'s certificate (default: $VAULT_SKIP_VERIFY)')
    .option('--tls-server-name <name>', 'SNI name for Vault\'s certificate (default: $VAULT_TLS_SERVER_NAME)')
    .option('--max-retries <n>', 'retries on 5xx/412 and lost connections; 429 is retried until --retry-budget (default: $VAULT_MAX_RETRIES or 4)')
    .option('--retry-budget <duration>', 'total time for one Vault request and its retries (default: $VAULT_GITOPS_RETRY_BUDGET or 3m)')
    .option('--timeout <seconds>', 'time for Vault to answer one request completely', '30')
    .option('--connect-timeout <seconds>', 'time to connect to Vault', '10')
    .option('--max-response-mb <n>', 'refuse Vault answers larger than this (default: $VAULT_GITOPS_MAX_RESPONSE_MB or 32)')
    .option('--concurrency <n>', 'Vault requests in flight at once', '16')
    .option('--kube-context <name>', 'kubeconfig context for Kubernetes credential sinks')
    .option('--auth <method>', 'how the tool gets its Vault token: token (VAULT_TOKEN), approle, kubernetes, jwt (default: $VAULT_GITOPS_AUTH_METHOD or token)')
    .option('--auth-mount <path>', 'auth mount to log in at (default: $VAULT_GITOPS_AUTH_MOUNT or the method name)')
    .option('--auth-role <name>', 'role to log in as, for kubernetes and jwt (default: $VAULT_GITOPS_AUTH_ROLE)')
    .option('--auth-audience <aud>', 'audience of the GitHub Actions OIDC token, for jwt (default: $VAULT_GITOPS_AUTH_AUDIENCE)');
}

export function outputOption(): Option {
  return new Option('-o, --output <format>', 'output format').choices(['text', 'json', 'markdown']).default('text');
}

export function configDirs(flags: CommonFlags): string[] {
  if (!flags.config || flags.config.length === 0) {
    throw new UsageError('no config directory given', 'pass one or more -c DIR (later ones override earlier ones)');
  }
  return flags.config;
}

export function loadOptions(flags: CommonFlags): LoadOptions {
  const vars: Record<string, string> = {};
  for (const kv of flags.var ?? []) {
    const eq = kv.indexOf('=');
    // The argument may be a value passed without its name: never show it.
    if (eq <= 0 || !VAR_NAME.test(kv.slice(0, eq))) throw new UsageError('a --var argument is not NAME=value (the argument is not shown: it may hold a value)', 'write --var NAME=value');
    vars[kv.slice(0, eq)] = kv.slice(eq + 1);
  }
  const allowEnv = flags.allowEnv ?? [];
  for (const name of allowEnv) {
    if (!ENV_NAME.test(name)) throw new UsageError(`--allow-env ${JSON.stringify(name)} is not an environment variable name`);
    if (looksLikeCredential(name)) {
      throw new UsageError(`--allow-env ${name}: the name looks like a credential, and the config never reads such variables`, 'a config holds no secrets; pass non-secret values only');
    }
  }
  return { vars, varFiles: flags.varFile ?? [], env: process.env, allowEnv, configEnv: flags.configEnv !== false, sinkRoot: sinkRoot(flags), s3Allow: process.env[S3_ALLOW_ENV] };
}

/** Where credential files go: --sink-root, $VAULT_GITOPS_SINK_ROOT, or the working directory. */
export function sinkRoot(flags: CommonFlags): string {
  return resolve(flags.sinkRoot ?? (process.env.VAULT_GITOPS_SINK_ROOT || '.'));
}

export function authFlags(flags: VaultCommandFlags): AuthFlags {
  return { auth: flags.auth, authMount: flags.authMount, authRole: flags.authRole, authAudience: flags.authAudience };
}

export function vaultFlags(flags: VaultCommandFlags): VaultFlags {
  return {
    vaultAddr: flags.address,
    namespace: flags.namespace,
    caCert: flags.caCert,
    caPath: flags.caPath,
    clientCert: flags.clientCert,
    clientKey: flags.clientKey,
    skipVerify: flags.tlsSkipVerify ? true : undefined,
    tlsServerName: flags.tlsServerName,
    maxRetries: flags.maxRetries,
    retryBudget: flags.retryBudget,
    timeout: flags.timeout,
    connectTimeout: flags.connectTimeout,
    maxResponseMb: flags.maxResponseMb,
    concurrency: flags.concurrency,
  };
}
