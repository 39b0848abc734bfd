/**
 * The tool's own login (`--auth token|approle|kubernetes|jwt`, `VAULT_GITOPS_AUTH_*`).
 *
 * `resolveLogin` is pure: flags and environment → what to log in with and where each credential
 * comes from (never the credential itself). `login` reads the credentials, logs in once, puts the
 * token on the Vault client for every later request, and returns a handle that revokes it
 * (`auth/token/revoke-self`) at the end of the run. A token the user supplied (`--auth token`) is
 * never logged in with, nor revoked. No credential or token ever appears in a message.
 */
import { readFileSync } from 'node:fs';
import { UsageError, VaultApiError, errorMessage } from '../core/errors.js';
import type { Vault } from './vault.js';

export const AUTH_METHODS = ['token', 'approle', 'kubernetes', 'jwt'] as const;
export type AuthMethod = (typeof AUTH_METHODS)[number];

/** Where Kubernetes mounts a pod's service-account token. */
export const KUBERNETES_TOKEN_FILE = '/var/run/secrets/kubernetes.io/serviceaccount/token';

const ENV = 'VAULT_GITOPS_AUTH_';

/** The command-line side (non-secret values only: credentials come from the environment or files). */
export interface AuthFlags {
  auth?: string;
  authMount?: string;
  authRole?: string;
  authAudience?: string;
}

/** Where one credential comes from. */
export type CredentialSource =
  /** The value of an environment variable. */
  | { from: 'env'; name: string }
  /** The contents of a file; `setBy` names what chose the file (for messages). */
  | { from: 'file'; path: string; setBy: string }
  /** The GitHub Actions OIDC token endpoint (ACTIONS_ID_TOKEN_REQUEST_URL / _TOKEN). */
  | { from: 'github'; audience?: string };

export type LoginPlan =
  | { method: 'token' }
  | { method: 'approle'; mount: string; roleId: CredentialSource; secretId?: CredentialSource }
  | { method: 'kubernetes'; mount: string; role: string; jwt: CredentialSource }
  | { method: 'jwt'; mount: string; role?: string; jwt: CredentialSource };

const nonEmpty = (v: string | undefined) => (v === undefined || v.trim() === '' ? undefined : v.trim());

/** `NAME` (a value) or `NAME_FILE` (a file), not both; undefined when neither is set. */
function valueOrFile(env: NodeJS.ProcessEnv, name: string): CredentialSource | undefined {
  const value = nonEmpty(env[`${ENV}${name}`]);
  const file = nonEmpty(env[`${ENV}${name}_FILE`]);
  if (value !== undefined && file !== undefined) {
    throw new UsageError(`both ${ENV}${name} and ${ENV}${name}_FILE are set`, 'set only one of them');
  }
  if (value !== undefined) return { from: 'env', name: `${ENV}${name}` };
  if (file !== undefined) return { from: 'file', path: file, setBy: `${ENV}${name}_FILE` };
  return undefined;
}

/** `approle`, `/approle/`, `auth/approle` → `approle`. */
export function normaliseMount(raw: string): string {
  const m = raw.trim().replace(/^\/+|\/+$/g, '').replace(/^auth\//, '');
  if (m === '' || m.split('/').some((s) => s === '' || s === '.' || s === '..')) {
    throw new UsageError(`auth mount ${JSON.stringify(raw)} is not a mount path`, 'for example --auth-mount approle or --auth-mount ci/jwt');
  }
  return m;
}

/** What to log in with: flags first, then VAULT_GITOPS_AUTH_* (see docs/commands.md, "Logging in"). */
export function resolveLogin(flags: AuthFlags, env: NodeJS.ProcessEnv = process.env): LoginPlan {
  const rawMethod = nonEmpty(flags.auth) ?? nonEmpty(env[`${ENV}METHOD`]) ?? 'token';
  const method = AUTH_METHODS.find((m) => m === rawMethod.toLowerCase());
  if (method === undefined) {
    const from = nonEmpty(flags.auth) !== undefined ? '--auth' : `${ENV}METHOD`;
    throw new UsageError(`${from} ${JSON.stringify(rawMethod)} is not a login method`, `use one of ${AUTH_METHODS.join(', ')}`);
  }
  if (method === 'token') return { method };
  const mount = normaliseMount(nonEmpty(flags.authMount) ?? nonEmpty(env[`${ENV}MOUNT`]) ?? method);
  const role = nonEmpty(flags.authRole) ?? nonEmpty(env[`${ENV}ROLE`]);

  if (method === 'approle') {
    const roleId = valueOrFile(env, 'ROLE_ID');
    if (roleId === undefined) {
      throw new UsageError(`--auth approle needs a role_id`, `set ${ENV}ROLE_ID or ${ENV}ROLE_ID_FILE (and ${ENV}SECRET_ID or ${ENV}SECRET_ID_FILE)`);
    }
    const secretId = valueOrFile(env, 'SECRET_ID');
    return secretId === undefined ? { method, mount, roleId } : { method, mount, roleId, secretId };
  }

  if (method === 'kubernetes') {
    if (role === undefined) {
      throw new UsageError('--auth kubernetes needs the Vault role to log in as', `pass --auth-role NAME or set ${ENV}ROLE`);
    }
    const jwt = valueOrFile(env, 'JWT') ?? { from: 'file', path: KUBERNETES_TOKEN_FILE, setBy: 'the Kubernetes service account' };
    return { method, mount, role, jwt };
  }

  const jwt = valueOrFile(env, 'JWT') ?? ciJwtSource(flags, env);
  return role === undefined ? { method, mount, jwt } : { method, mount, role, jwt };
}

/** A CI job's OIDC token: GitLab `id_tokens` (an env var the user names), or GitHub Actions' endpoint. */
function ciJwtSource(flags: AuthFlags, env: NodeJS.ProcessEnv): CredentialSource {
  const named = nonEmpty(env[`${ENV}JWT_ENV`]);
  if (named !== undefined) {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(named)) {
      throw new UsageError(`${ENV}JWT_ENV must name an environment variable, got ${JSON.stringify(named)}`, 'for example VAULT_ID_TOKEN (GitLab id_tokens)');
    }
    return { from: 'env', name: named };
  }
  if (nonEmpty(env.ACTIONS_ID_TOKEN_REQUEST_URL) !== undefined) {
    const audience = nonEmpty(flags.authAudience) ?? nonEmpty(env[`${ENV}AUDIENCE`]);
    return audience === undefined ? { from: 'github' } : { from: 'github', audience };
  }
  throw new UsageError(
    '--auth jwt needs a JWT',
    `set ${ENV}JWT or ${ENV}JWT_FILE; in GitLab CI, ${ENV}JWT_ENV=VAULT_ID_TOKEN (the name under id_tokens:); ` +
      'in GitHub Actions, give the job `permissions: id-token: write`',
  );
}

/** Describes a source for messages (never its value). */
export function describeSource(s: CredentialSource): string {
  if (s.from === 'env') return `$${s.name}`;
  if (s.from === 'file') return `${s.path} (${s.setBy})`;
  return `the GitHub Actions OIDC token${s.audience ? ` (audience ${s.audience})` : ''}`;
}

export interface ReadOptions {
  env?: NodeJS.ProcessEnv;
  /** Milliseconds for the GitHub Actions token request. */
  timeoutMs?: number;
  /** Every secret read is added here, so messages can be scrubbed of it. */
  secrets?: Set<string>;
}

/** Reads one credential (a file, an environment variable, or the GitHub Actions token endpoint). */
export async function readCredential(s: CredentialSource, what: string, opts: ReadOptions = {}): Promise<string> {
  const env = opts.env ?? process.env;
  let value: string | undefined;
  if (s.from === 'env') {
    value = nonEmpty(env[s.name]);
    if (value === undefined) throw new UsageError(`the ${what} variable $${s.name} is not set or empty`);
  } else if (s.from === 'file') {
    try {
      value = nonEmpty(readFileSync(s.path, 'utf8'));
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      throw new UsageError(`cannot read the ${what} from ${describeSource(s)}: ${code ?? errorMessage(err)}`);
    }
    if (value === undefined) throw new UsageError(`the ${what} file ${describeSource(s)} is empty`);
  } else {
    value = await githubActionsToken(s.audience, env, opts);
  }
  opts.secrets?.add(value);
  return value;
}

const GITHUB_HINT = 'give the job `permissions: id-token: write` (GitHub sets ACTIONS_ID_TOKEN_REQUEST_URL and _TOKEN only then)';

async function githubActionsToken(audience: string | undefined, env: NodeJS.ProcessEnv, opts: ReadOptions): Promise<string> {
  const url = nonEmpty(env.ACTIONS_ID_TOKEN_REQUEST_URL);
  const bearer = nonEmpty(env.ACTIONS_ID_TOKEN_REQUEST_TOKEN);
  if (url === undefined || bearer === undefined) {
    throw new UsageError('cannot get the GitHub Actions OIDC token: ACTIONS_ID_TOKEN_REQUEST_URL or ACTIONS_ID_TOKEN_REQUEST_TOKEN is not set', GITHUB_HINT);
  }
  opts.secrets?.add(bearer);
  const full = audience === undefined ? url : `${url}${url.includes('?') ? '&' : '?'}audience=${encodeURIComponent(audience)}`;
  let res: Response;
  try {
    res = await fetch(full, {
      headers: { Authorization: `bearer ${bearer}`, Accept: 'application/json' },
      signal: AbortSignal.timeout(opts.timeoutMs ?? 30_000),
    });
  } catch (err) {
    // The URL carries no secret, but the cause's text is not ours: name only its kind.
    const cause = (err as { cause?: { code?: string } }).cause?.code ?? (err as Error).name;
    throw new UsageError(`cannot get the GitHub Actions OIDC token: the request failed (${cause})`);
  }
  if (!res.ok) {
    throw new UsageError(`cannot get the GitHub Actions OIDC token: HTTP ${res.status}`, res.status === 403 || res.status === 401 ? GITHUB_HINT : undefined);
  }
  let value: unknown;
  try {
    value = ((await res.json()) as { value?: unknown }).value;
  } catch {
    value = undefined;
  }
  if (typeof value !== 'string' || value.trim() === '') {
    throw new UsageError('cannot get the GitHub Actions OIDC token: the answer has no token');
  }
  return value.trim();
}

/** Replaces every occurrence of each secret in `text`. */
export function redact(text: string, secrets: Iterable<string>): string {
  let out = text;
  for (const s of secrets) if (s.length >= 4) out = out.split(s).join('(redacted)');
  return out;
}

/** The token of a login the tool made itself; `revoke()` ends it (once; later calls do nothing). */
export interface LoginSession {
  method: Exclude<AuthMethod, 'token'>;
  mount: string;
  /** Seconds the token lives (0 = no expiry). */
  ttl: number;
  revoke(): Promise<void>;
}

const HINTS: Record<Exclude<AuthMethod, 'token'>, string> = {
  approle: `check the role_id and secret_id (${ENV}ROLE_ID[_FILE], ${ENV}SECRET_ID[_FILE]) and the mount (--auth-mount)`,
  kubernetes: 'check --auth-role, that the role binds this service account and namespace, and the mount (--auth-mount)',
  jwt: "check --auth-role, the token's audience (bound_audiences), issuer and expiry, the mount's keys or OIDC discovery URL, and the mount (--auth-mount)",
};

function loginBody(plan: Exclude<LoginPlan, { method: 'token' }>, read: (s: CredentialSource, what: string) => Promise<string>) {
  switch (plan.method) {
    case 'approle':
      return Promise.all([read(plan.roleId, 'role_id'), plan.secretId ? read(plan.secretId, 'secret_id') : undefined]).then(
        ([role_id, secret_id]) => (secret_id === undefined ? { role_id } : { role_id, secret_id }),
      );
    case 'kubernetes':
      return read(plan.jwt, 'service-account token').then((jwt) => ({ role: plan.role, jwt }));
    case 'jwt':
      return read(plan.jwt, 'JWT').then((jwt) => (plan.role === undefined ? { jwt } : { role: plan.role, jwt }));
  }
}

/**
 * Logs in once (`auth/MOUNT/login`) and sets the token on `vault` for every later request.
 * A failed login is a UsageError naming the method, the mount and Vault's message.
 */
export async function login(vault: Vault, plan: Exclude<LoginPlan, { method: 'token' }>, opts: Omit<ReadOptions, 'secrets'> = {}): Promise<LoginSession> {
  const secrets = new Set<string>();
  const body = await loginBody(plan, (s, what) => readCredential(s, what, { ...opts, secrets }));
  const where = `${plan.method} at auth/${plan.mount}`;
  // A login sends no token (node-vault would otherwise fall back to $VAULT_TOKEN).
  vault.setToken('');
  let answer: Record<string, unknown> | undefined;
  try {
    answer = await vault.write(`auth/${plan.mount}/login`, body);
  } catch (err) {
    if (err instanceof VaultApiError) {
      throw new UsageError(`cannot log in to Vault with ${where}: Vault answered ${err.status}: ${redact(err.vaultMessage, secrets)}`, HINTS[plan.method]);
    }
    if (err instanceof Error) err.message = redact(err.message, secrets);
    throw err;
  }
  const auth = answer?.auth as { client_token?: unknown; lease_duration?: unknown } | undefined;
  if (typeof auth?.client_token !== 'string' || auth.client_token === '') {
    throw new UsageError(`cannot log in to Vault with ${where}: the answer carries no token (is MFA required?)`);
  }
  const token = auth.client_token;
  vault.setToken(token);
  let revoked: Promise<void> | undefined;
  return {
    method: plan.method,
    mount: plan.mount,
    ttl: typeof auth.lease_duration === 'number' ? auth.lease_duration : 0,
    revoke: () =>
      (revoked ??= vault.write('auth/token/revoke-self').then(
        () => vault.setToken(''),
        (err: unknown) => {
          throw new Error(`could not revoke the token of the ${where} login (it expires at its TTL): ${redact(errorMessage(err), [token])}`);
        },
      )),
  };
}

/**
 * Until the returned function is called: on SIGINT/SIGTERM, revokes the login token and exits
 * (128 + the signal's number) — unless the command handles the signal itself (apply releases its
 * lock first), in which case its handler closes the session.
 */
export function revokeOnSignal(revoke: () => Promise<void>, say: (line: string) => void, exit: (code: number) => void = (c) => process.exit(c)): () => void {
  const handler = (signal: NodeJS.Signals) => {
    if (process.listenerCount(signal) > 0) return;
    say(`${signal}: stopping; revoking the login token`);
    void revoke()
      .catch(() => undefined)
      .finally(() => exit(signal === 'SIGINT' ? 130 : 143));
  };
  process.once('SIGINT', handler);
  process.once('SIGTERM', handler);
  return () => {
    process.off('SIGINT', handler);
    process.off('SIGTERM', handler);
  };
}
