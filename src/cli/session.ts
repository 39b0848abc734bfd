import { Vault } from '../adapters/vault.js';
import { resolveVaultOptions } from '../adapters/vault-options.js';
import { UsageError } from '../core/errors.js';
import { Sinks } from '../credentials/sinks.js';
import { vaultFlags, type VaultCommandFlags } from './options.js';
import type { Output } from './output.js';

/** A Vault client and the credential sinks for one command run. */
export function openSession(flags: VaultCommandFlags, io: Output): { vault: Vault; sinks: Sinks; close(): void } {
  const options = resolveVaultOptions(vaultFlags(flags));
  if (!options.token) {
    throw new UsageError('no Vault token', 'set VAULT_TOKEN or log in with `vault login` (which writes ~/.vault-token)');
  }
  const vault = new Vault(options);
  if (io.debug) vault.debug = (line) => io.err(`debug: ${line}`);
  const sinks = new Sinks({ vaultAddr: options.addr, kubeContext: flags.kubeContext });
  return {
    vault,
    sinks,
    close: () => {
      if (io.debug) io.err(`debug: ${vault.stats.total} Vault requests (${JSON.stringify(vault.stats.byMethod)}), ${vault.stats.retries} retries`);
      vault.close();
    },
  };
}
