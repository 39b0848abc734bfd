import type { Json, VaultPort } from '../ports.js';

/** Reads `sys/auth` or `sys/mounts` once: path (without Vault's trailing slash) → mount info. */
export async function readMountTable(vault: VaultPort, api: string): Promise<Record<string, Json>> {
  const body = (await vault.read(api)) ?? {};
  const table = (body.data && typeof body.data === 'object' ? body.data : body) as Json;
  const out: Record<string, Json> = {};
  for (const [path, info] of Object.entries(table)) {
    if (path.endsWith('/') && info && typeof info === 'object') out[path.replace(/\/+$/, '')] = info as Json;
  }
  return out;
}
