import { writeFileAtomic } from '../adapters/files.js';
import { login, resolveLogin, revokeOnSignal, type LoginSession } from '../adapters/login.js';
import { Vault } from '../adapters/vault.js';
import { resolveVaultOptions, type VaultOptions } from '../adapters/vault-options.js';
import { UsageError, errorMessage } from '../core/errors.js';
import { Sinks } from '../credentials/sinks.js';
import { authFlags, sinkRoot, vaultFlags, type VaultCommandFlags } from './options.js';
import { S3_ALLOW_ENV } from '../core/common/s3-destinations.js';
import type { Output } from './output.js';
import { phaseMarks } from './phases.js';

export interface Session {
  vault: Vault;
  sinks: Sinks;
  /** Revokes the token if the tool logged in itself (never a token the user supplied), then closes. */
  close(): Promise<void>;
}

/**
 * A Vault client and the credential sinks for one command run. With `--auth approle|kubernetes|jwt`
 * the tool logs in once here and every request of the run uses that token.
 */
export async function openSession(flags: VaultCommandFlags, io: Output, make: (options: VaultOptions) => Vault = (o) => new Vault(o)): Promise<Session> {
  const options = resolveVaultOptions(vaultFlags(flags));
  const auth = resolveLogin(authFlags(flags));
  if (auth.method === 'token' && !options.token) {
    throw new UsageError('no Vault token', 'set VAULT_TOKEN, log in with `vault login` (which writes ~/.vault-token), or use --auth approle|kubernetes|jwt');
  }
  const vault = make(auth.method === 'token' ? options : { ...options, token: undefined });
  if (io.debug) vault.debug = (line) => io.err(`debug: ${line}`);
  const sinks = new Sinks({ vaultAddr: options.addr, kubeContext: flags.kubeContext, sinkRoot: sinkRoot(flags), s3Allow: process.env[S3_ALLOW_ENV] });
  let loggedIn: LoginSession | undefined;
  try {
    if (auth.method !== 'token') loggedIn = await login(vault, auth, { timeoutMs: options.timeoutMs });
    await vault.watchToken();
  } catch (err) {
    vault.close();
    throw err;
  }
  if (loggedIn && io.debug) io.err(`debug: logged in with ${loggedIn.method} at auth/${loggedIn.mount} (token TTL ${loggedIn.ttl}s)`);
  const stopWatching = loggedIn ? revokeOnSignal(loggedIn.revoke, io.err) : () => {};
  return {
    vault,
    sinks,
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
