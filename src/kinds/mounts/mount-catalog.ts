// The plan-time half of the mount type check (the offline half is in core/check/validate.ts): a mount
// the plan would create must have a type this server can mount, or the plan fails before any
// write. The server's plugin catalog is the authority, so custom plugins work; LIST on it needs
// sudo, and without it (or offline, from a snapshot) only the built-in types can pass.
import type { VaultPort as Vault } from '../../core/ports.js';
import { ConfigError, VaultApiError, errorMessage } from '../../core/errors.js';
import { builtinMountTypes, CORE_MOUNT_TYPES } from '../../core/check/mount-types.js';
import type { Config, DesiredObject, Diagnostic } from '../../core/model.js';
import { didYouMean } from '../../core/common/suggest.js';

type Section = 'auth' | 'secrets';
const CATALOG: Record<Section, string> = { auth: 'sys/plugins/catalog/auth', secrets: 'sys/plugins/catalog/secret' };

async function readCatalog(vault: Vault, section: Section): Promise<{ names?: Set<string>; why?: string }> {
  try {
    const names = await vault.list(CATALOG[section]);
    return names.length > 0 ? { names: new Set(names) } : { why: 'it is empty' };
  } catch (err) {
    if (err instanceof VaultApiError) return { why: err.status === 403 ? 'permission denied (LIST on it needs sudo)' : `Vault answered ${err.status}: ${err.vaultMessage}` };
    return { why: errorMessage(err) };
  }
}

/** Throws a ConfigError (positions at each `type:`) when a mount to be created has a type the server cannot mount. */
export async function checkNewMountTypes(vault: Vault, section: Section, desired: readonly DesiredObject[], live: Record<string, unknown>, config: Config): Promise<void> {
  const fresh = desired.filter((d) => d.mount !== undefined && !(d.mount in live) && !CORE_MOUNT_TYPES[section].includes(String(d.settings.type)));
  if (fresh.length === 0) return;
  const catalog = await readCatalog(vault, section);
  const what = section === 'auth' ? 'auth method' : 'secrets engine';
  const errors: Diagnostic[] = [];
  for (const d of fresh) {
    const type = String(d.settings.type);
    const path = `${section}.${d.mount}.type`;
    const at = { severity: 'error' as const, pos: config.sources.get(path), path };
    if (catalog.names) {
      if (catalog.names.has(type)) continue;
      errors.push({
        ...at,
        message: `${what} type \`${type}\` is not in the plugin catalog of ${vault.addr}${didYouMean(type, catalog.names)}`,
        hint: 'fix the type, or register the plugin on the server first',
      });
    } else if (!builtinMountTypes(section).includes(type)) {
      errors.push({
        ...at,
        message: `cannot check ${what} type \`${type}\` (not built into Vault or OpenBao): reading ${CATALOG[section]} failed: ${catalog.why ?? 'no answer'}`,
        hint: `give the token \`list\` and \`sudo\` on ${CATALOG[section]}`,
      });
    }
  }
  if (errors.length > 0) throw new ConfigError(errors, undefined, true);
}
