// Mount types Vault 1.21 and OpenBao 2.4 have built in (helper/builtinplugins/registry*.go of
// each), used offline to catch a typo in `type:` before anything reaches a server. The lists live
// in the config schema (`examples` of each mount's `type`, which editors offer as completions);
// custom plugins are checked at plan time against the server's own catalog (kinds/mounts/mount-catalog.ts).
import { configSchema } from './config-schema.js';

type Section = 'auth' | 'secrets';

const cache: Partial<Record<Section, readonly string[]>> = {};

/** Built-in types of either server in one section (read from the schema on first use). */
export function builtinMountTypes(section: Section): readonly string[] {
  const cached = cache[section];
  if (cached) return cached;
  const defs = (configSchema().definitions ?? {}) as Record<string, { properties?: { type?: { examples?: unknown } } }>;
  const examples = defs[section === 'auth' ? 'authMount' : 'secretsMount']?.properties?.type?.examples;
  return (cache[section] = Array.isArray(examples) ? examples.map(String) : []);
}

/**
 * Types the server mounts without a catalog entry: `database` (one backend for every database
 * plugin), `generic` (Vault's old name for kv), `kv-v1` / `kv-v2` (kv with its version option).
 */
export const CORE_MOUNT_TYPES: Readonly<Record<Section, readonly string[]>> = { auth: [], secrets: ['database', 'generic', 'kv-v1', 'kv-v2'] };

/** Types Vault itself owns, never mounted by hand. */
export const SYSTEM_MOUNT_TYPES: Readonly<Record<Section, readonly string[]>> = {
  auth: ['token', 'ns_token'],
  secrets: ['system', 'identity', 'cubbyhole', 'ns_system', 'ns_identity', 'ns_cubbyhole'],
};
