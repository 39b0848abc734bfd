/**
 * The real programs that read delivered credentials, run as child processes against the loopback
 * test server:
 *   vaultAgentLogin(dir, mount, rm, wrappingPath)
 *                                   `vault agent` (the test server's own binary) with AppRole
 *                                   auto-auth reading DIR/role_id and DIR/secret_id (a wrapping
 *                                   token when wrappingPath is given); returns the token its file
 *                                   sink wrote.
 *   sidekickFetch(authFile, path)   vault-sidekick -one-shot with `-auth FILE`, fetching one KV
 *                                   secret; returns the secret's data as it wrote it.
 *   envLogin(envFile, kvPath)       a shell sources the env file; its variables log in through the
 *                                   HTTP API (curl) and read one KV secret.
 *   kvSecret(policy)               a fresh KV v2 mount holding one secret, and config YAML for a
 *                                   policy named `policy` that reads it.
 * vault-sidekick is not a Go module on the proxy, and this repository carries neither its code nor
 * a recipe to build it: the tests use a binary already in the cache, built from its public source at
 * SIDEKICK_COMMIT, and skip with `sidekickMissing` where it is absent.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { serverBinary } from '../../servers/dev-server.js';
import { freshMountPath, serverEnv } from './server.js';
import { vaultRequest } from './vault-http.js';

export const SIDEKICK_COMMIT = 'bc5ce4a1ffeed7d006d970d62f544677c9ac7d8e';
const cacheRoot = process.env.VAULT_GITOPS_CACHE ?? join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'vault-gitops');
export const SIDEKICK_BINARY = join(cacheRoot, 'bin', `vault-sidekick-${SIDEKICK_COMMIT}`);
/**
 * VAULT_GITOPS_HIDE_OPTIONAL_TOOLS=1 makes the harness act as a fresh machine would: tools that no project
 * script can install (vault-sidekick) count as absent even where a developer's cache holds them, so
 * scripts/test.sh exercises the skip path on every run, wherever it runs.
 */
export const OPTIONAL_TOOLS_HIDDEN = process.env.VAULT_GITOPS_HIDE_OPTIONAL_TOOLS === '1';
/** Why the vault-sidekick tests skip, or undefined when its binary is there (the reason is printed once). */
export const sidekickMissing = OPTIONAL_TOOLS_HIDDEN
  ? 'skipping the vault-sidekick tests: optional tools hidden (VAULT_GITOPS_HIDE_OPTIONAL_TOOLS=1)'
  : existsSync(SIDEKICK_BINARY)
    ? undefined
    : `skipping the vault-sidekick tests: no binary at ${SIDEKICK_BINARY} (vault-sidekick, public source UKHomeOffice/vault-sidekick at commit ${SIDEKICK_COMMIT}, is not a Go module this repository can install)`;
if (sidekickMissing) console.warn(sidekickMissing);

export interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

const RUN_LIMIT_MS = 45_000;

/** Runs a program with exactly `env` (plus PATH), killing it if it outlives the bounded wait. */
function run(bin: string, args: string[], env: Record<string, string>, cwd: string): Promise<Run> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(bin, args, { cwd, env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: cwd, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), RUN_LIMIT_MS);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolvePromise({ code, stdout, stderr });
    });
  });
}

/**
 * Vault Agent (or OpenBao's agent) logs in once with AppRole from the directory and exits.
 * `wrappingPath`: the secret_id file holds a wrapping token created at that path, which the agent unwraps.
 */
export async function vaultAgentLogin(dir: string, mount: string, removeSecretIdAfterReading = false, wrappingPath?: string): Promise<{ token?: string; run: Run }> {
  const env = serverEnv();
  const work = await mkdtemp(join(tmpdir(), 'vault-gitops-agent-'));
  const tokenFile = join(work, 'token');
  const config = `
exit_after_auth = true
vault {
  address = ${JSON.stringify(env.VAULT_ADDR)}
${env.VAULT_CACERT ? `  ca_cert = ${JSON.stringify(env.VAULT_CACERT)}\n` : ''}}
auto_auth {
  method "approle" {
    mount_path = ${JSON.stringify(`auth/${mount}`)}
    config = {
      role_id_file_path = ${JSON.stringify(join(dir, 'role_id'))}
      secret_id_file_path = ${JSON.stringify(join(dir, 'secret_id'))}
      remove_secret_id_file_after_reading = ${removeSecretIdAfterReading}
${wrappingPath ? `      secret_id_response_wrapping_path = ${JSON.stringify(wrappingPath)}\n` : ''}    }
  }
  sink "file" {
    config = { path = ${JSON.stringify(tokenFile)} }
  }
}
`;
  await writeFile(join(work, 'agent.hcl'), config);
  const r = await run(serverBinary(env.server), ['agent', `-config=${join(work, 'agent.hcl')}`], {}, work);
  const token = existsSync(tokenFile) ? (await readFile(tokenFile, 'utf8')).trim() : undefined;
  return { ...(token ? { token } : {}), run: r };
}

/** vault-sidekick logs in with the auth file and fetches `secret:PATH` once. */
export async function sidekickFetch(authFile: string, path: string): Promise<{ data?: Record<string, unknown>; run: Run }> {
  const env = serverEnv();
  const work = await mkdtemp(join(tmpdir(), 'vault-gitops-sidekick-'));
  const args = ['-logtostderr', '-one-shot', `-vault=${env.VAULT_ADDR}`, `-auth=${authFile}`, `-output=${work}`, `-cn=secret:${path}:file=fetched,fmt=json,retries=1`];
  if (env.VAULT_CACERT) args.push(`-ca-cert=${env.VAULT_CACERT}`);
  const r = await run(SIDEKICK_BINARY, args, {}, work);
  const out = join(work, 'fetched');
  const data = existsSync(out) ? (JSON.parse(await readFile(out, 'utf8')) as Record<string, unknown>) : undefined;
  return { ...(data ? { data } : {}), run: r };
}

/** `set -a; . FILE` in a clean shell, then AppRole or userpass login with curl and one KV read; prints the secret's data. */
export async function envLogin(envFile: string, kvPath: string, method: 'approle' | 'userpass', names: Record<string, string> = {}): Promise<{ data?: Record<string, unknown>; run: Run }> {
  const env = serverEnv();
  const n = { mount: 'VAULT_AUTH_MOUNT', role_id: 'VAULT_ROLE_ID', secret_id: 'VAULT_SECRET_ID', username: 'VAULT_USERNAME', password: 'VAULT_PASSWORD', ...names };
  const login =
    method === 'approle'
      ? `curl -sf "$ADDR/v1/auth/$${n.mount}/login" --data "$(jq -n --arg r "$${n.role_id}" --arg s "$${n.secret_id}" '{role_id:$r,secret_id:$s}')"`
      : `curl -sf "$ADDR/v1/auth/$${n.mount}/login/$${n.username}" --data "$(jq -n --arg p "$${n.password}" '{password:$p}')"`;
  const script = [
    'set -euo pipefail',
    'set -a; . "$1"; set +a',
    `token=$(${login} | jq -r .auth.client_token)`,
    `curl -sf -H "X-Vault-Token: $token" "$ADDR/v1/${kvPath}" | jq -c .data.data`,
  ].join('\n');
  const r = await run('bash', ['-c', script, 'env-login', envFile], { ADDR: env.VAULT_ADDR, ...(env.VAULT_CACERT ? { CURL_CA_BUNDLE: env.VAULT_CACERT } : {}) }, tmpdir());
  const data = r.code === 0 && r.stdout.trim() ? (JSON.parse(r.stdout) as Record<string, unknown>) : undefined;
  return { ...(data ? { data } : {}), run: r };
}

/** A fresh KV v2 mount with one secret (`path`, `data`), and a `policies:` YAML block that reads it. */
export async function kvSecret(policy: string): Promise<{ path: string; data: Record<string, string>; policiesYaml: string }> {
  const mount = freshMountPath('kv');
  const data = { greeting: `hello-${policy}` };
  const made = await vaultRequest('POST', `sys/mounts/${mount}`, { type: 'kv', options: { version: '2' } });
  // A KV v2 mount answers 400 ("upgrading") for a moment after it is enabled: wait that out (bounded).
  let written = await vaultRequest('POST', `${mount}/data/app`, { data });
  for (let i = 0; i < 40 && written.status === 400; i++) {
    await new Promise((r) => setTimeout(r, 250));
    written = await vaultRequest('POST', `${mount}/data/app`, { data });
  }
  if (made.status !== 204 || written.status !== 200) throw new Error(`cannot prepare the KV secret (${made.status}, ${written.status})`);
  const policiesYaml = `policies:\n  ${policy}:\n    policy: |\n      path "${mount}/data/app" { capabilities = ["read"] }\n`;
  return { path: `${mount}/data/app`, data, policiesYaml };
}
