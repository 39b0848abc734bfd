import { writeFileAtomic } from '../adapters/files.js';
import { login, resolveLogin, revokeOnSignal, type LoginSession } from '../adapters/login.js';
import { Vault } from '../adapters/vault.js';
import { resolveVaultOptions, type VaultOptions } from '../adapters/vault-options.js';
import { ConfigError, UsageError, errorMessage } from '../core/errors.js';
import { configNamespace, namespaceBelow, namespacePath } from '../core/common/namespaces.js';
import type { Config } from '../core/model.js';
import { Sinks } from '../credentials/sinks.js';
import { VaultApiError } from '../core/errors.js';
import { authFlags, sinkRoot, vaultFlags, type VaultCommandFlags } from './options.js';
import { S3_ALLOW_ENV } from '../core/common/s3-destinations.js';
import type { Output } from './output.js';
import { phaseMarks } from './phases.js';

export interface Session {
  vault: Vault;
  sinks: Sinks;
  /** Revokes the token if the tool logged in itself (never a token the user supplied), then closes. */
  close(): Promise<void>;
  /**
   * The same session in the namespace `config` names (a tenant's directory): the same client and
   * request budget, its own sinks. Closing it does nothing; close the session it came from.
   */
  within(config: Config): Promise<Session>;
}

/**
 * A Vault client and the credential sinks for one command run. With `--auth approle|kubernetes|jwt`
 * the tool logs in once here and every request of the run uses that token. The login happens in
 * VAULT_NAMESPACE / --namespace; with `config`, every later request goes to the namespace it names
 * (its `namespace:`), which must be the login's or beneath it.
 */
export async function openSession(
  flags: VaultCommandFlags,
  io: Output,
  make: (options: VaultOptions) => Vault = (o) => new Vault(o),
  config?: Config,
): Promise<Session> {
  const options = resolveVaultOptions(vaultFlags(flags));
  const loginNamespace = namespacePath(options.namespace);
  const auth = resolveLogin(authFlags(flags));
  if (auth.method === 'token' && !options.token) {
    throw new UsageError('no Vault token', 'set VAULT_TOKEN, log in with `vault login` (which writes ~/.vault-token), or use --auth approle|kubernetes|jwt');
  }
  const vault = make(auth.method === 'token' ? options : { ...options, token: undefined });
  if (io.debug) vault.debug = (line) => io.err(`debug: ${line}`);
  let loggedIn: LoginSession | undefined;
  try {
    if (auth.method !== 'token') loggedIn = await login(vault, auth, { timeoutMs: options.timeoutMs });
    await vault.watchToken();
    vault.enterNamespace(await managedNamespace(vault, loginNamespace, config));
  } catch (err) {
    vault.close();
    throw err;
  }
  const sinksIn = (client: Vault) =>
    new Sinks({ vaultAddr: options.addr, vaultNamespace: client.namespace, kubeContext: flags.kubeContext, sinkRoot: sinkRoot(flags), s3Allow: process.env[S3_ALLOW_ENV] });
  const sinks = sinksIn(vault);
  if (loggedIn && io.debug) io.err(`debug: logged in with ${loggedIn.method} at auth/${loggedIn.mount} (token TTL ${loggedIn.ttl}s)`);
  const stopWatching = loggedIn ? revokeOnSignal(loggedIn.revoke, io.err) : () => {};
  const within = async (tenant: Config): Promise<Session> => {
    const view = vault.inNamespace(await managedNamespace(vault, loginNamespace, tenant));
    return { vault: view, sinks: sinksIn(view), close: async () => {}, within };
  };
  return {
    vault,
    sinks,
    within,
    close: async () => {
      stopWatching();
      await loggedIn?.revoke().catch((err: unknown) => io.err(`warning: ${errorMessage(err)}`));
      if (io.debug) io.err(`debug: ${vault.stats.total} Vault requests (${JSON.stringify(vault.stats.byMethod)}), ${vault.stats.retries} retries`);
      // For the benchmark: request counts and peak memory of this run (undocumented on purpose).
      const statsFile = process.env.VAULT_GITOPS_STATS_FILE;
      if (statsFile) await writeFileAtomic(statsFile, JSON.stringify({ ...vault.stats, maxRssKb: process.resourceUsage().maxRSS, phases: phaseMarks() }));
      vault.close();
    },
  };
}

/**
 * The namespace the run manages, below the login's ('' for the login's own), after checking the
 * server has namespaces at all when the run involves one (a login in one, a config that is in one or
 * declares some): before the lock, so a config Vault open source cannot hold fails with nothing written.
 */
async function managedNamespace(vault: Vault, login: string, config: Config | undefined): Promise<string> {
  const scope = config ? configNamespace(config) : undefined;
  const declares = config?.tree.namespaces !== undefined && config.tree.namespaces !== null;
  const target = scope?.path ?? login;
  if (target === '' && !declares) return '';
  const [field, at] = scope ? ['namespace', scope.at] : declares ? ['namespaces', config?.sources.get('namespaces')] : ['namespace', undefined];
  const refuse = (message: string, hint: string) => (at ? new ConfigError([{ severity: 'error', pos: at, path: field, message, hint }], message, true) : new UsageError(message, hint));
  const below = namespaceBelow(login, target);
  if (below === undefined) {
    throw refuse(
      `the config manages namespace ${target}, but the token logs in within namespace ${login} (VAULT_NAMESPACE / --namespace), which is not it nor a parent of it`,
      `log in within ${target} or one of its parents, or run the config of ${login}`,
    );
  }
  // Vault open source ignores X-Vault-Namespace: every write would land in the root namespace.
  if ((await vault.namespacesSupported()) === false) {
    throw refuse(
      `this server has no namespaces (Vault open source answers "enterprise-only feature" to sys/namespaces)${target === '' ? '' : `, so namespace ${target} cannot be reached`}`,
      `namespaces need OpenBao 2.3 or later or Vault Enterprise: point VAULT_ADDR at such a server, or remove \`${field}:\`${scope ? '' : ' and VAULT_NAMESPACE'}`,
    );
  }
  // A path below the login's is sent as a path prefix: were a segment not a namespace, the server would
  // route the request to a mount of that name instead (a config saying `namespace: secret` would read
  // and write the KV mount secret/). Each segment must be a namespace of its parent.
  let parent = '';
  for (const segment of below === '' ? [] : below.split('/')) {
    const found = await vault.read(`${parent}sys/namespaces/${segment}`).catch((err: unknown) => {
      if (err instanceof VaultApiError && err.status === 403) return null; // cannot tell: the token may not list namespaces
      throw err;
    });
    if (found === undefined) {
      throw refuse(
        `namespace ${target} does not exist on this server (${parent}${segment} is not a namespace${parent === '' ? ` of ${login === '' ? 'the root namespace' : login}` : ''})`,
        'create it first: apply the platform config that declares it in `namespaces:`, or fix the name',
      );
    }
    parent += `${segment}/`;
  }
  return below;
}
