/**
 * The fault suite's workload: N policies and an AppRole mount with M roles, each delivering its
 * role_id + secret_id to a file sink (out/<role>.json), applied with its own state record. Also the
 * Vault target the CLI and the checks talk to: the dev server, or one node of the Raft cluster.
 */
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { apiRequest, type HttpResult } from '../../../servers/dev-server.js';
import { configDir, uniq } from '../../helpers/cli.js';
import { serverEnv } from '../../helpers/server.js';

export interface VaultTarget {
  addr: string;
  token: string;
  caCert?: string;
}

/** The integration run's dev server, with the root token. */
export function devServerTarget(): VaultTarget {
  const env = serverEnv();
  return { addr: env.VAULT_ADDR, token: env.VAULT_TOKEN, ...(env.VAULT_CACERT ? { caCert: env.VAULT_CACERT } : {}) };
}

/** The environment that points a CLI process at `target` (and nothing else: no inherited CA). */
export function cliEnv(target: VaultTarget): NodeJS.ProcessEnv {
  return { VAULT_ADDR: target.addr, VAULT_TOKEN: target.token, VAULT_CACERT: target.caCert };
}

/** One request to `target`, with its token unless another (or `null`: none) is given. */
export function targetRequest(target: VaultTarget, method: string, path: string, body?: unknown, token?: string | null): Promise<HttpResult> {
  return apiRequest({ addr: target.addr, caCert: target.caCert, token: token === null ? undefined : (token ?? target.token) }, method, path, { body, timeoutMs: 10_000 });
}

export interface Workload {
  dir: string;
  statePath: string;
  /** The AppRole mount path. */
  mount: string;
  roles: string[];
  policies: string[];
  /** Where the file sinks write: `<dir>/out`. */
  sinkDir: string;
  /** Objects in the config (policies, the mount, the roles). */
  size: number;
  /** CLI arguments for `command` on this workload: config dir and state path. */
  args(command: 'apply' | 'plan' | 'rotate', ...extra: string[]): string[];
}

export async function approleWorkload(opts: { policies: number; roles: number }): Promise<Workload> {
  const id = uniq('f');
  const mount = `ar-${id}`;
  const policies = Array.from({ length: opts.policies }, (_, i) => `fp-${id}-${i}`);
  const roles = Array.from({ length: opts.roles }, (_, i) => `r${i}`);
  const policyYaml = policies.map((p, i) => `  ${p}:\n    policy: |\n      path "secret/data/${id}/${i}/*" { capabilities = ["read"] }\n`).join('');
  const roleYaml = roles
    .map((r, i) => `      ${r}: { token_policies: [${policies[i % policies.length]}], token_ttl: 10m, secret_id_ttl: 24h, credentials: { file: { path: out/${r}.json } } }\n`)
    .join('');
  const dir = await configDir({ 'vault.yaml': `policies:\n${policyYaml}auth:\n  ${mount}:\n    type: approle\n    roles:\n${roleYaml}` });
  const statePath = `vault-gitops/${id}`;
  return {
    dir,
    statePath,
    mount,
    roles,
    policies,
    sinkDir: join(dir, 'out'),
    size: policies.length + 1 + roles.length,
    args: (command, ...extra) => [command, '-c', dir, '--state-path', statePath, ...(command === 'apply' ? ['--auto-approve'] : []), ...extra],
  };
}

/** Credential files delivered so far (final names only). */
export async function deliveredFiles(w: Workload): Promise<string[]> {
  const names = await readdir(w.sinkDir).catch(() => [] as string[]);
  return names.filter((n) => /^r\d+\.json$/.test(n));
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Polls `check` until it holds; fails after `timeoutMs` naming `what` (a readiness wait, not a timing assertion). */
export async function waitUntil(what: string, check: () => Promise<boolean> | boolean, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`waited ${timeoutMs / 1000}s for ${what}`);
    await sleep(25);
  }
}
