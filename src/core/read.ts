import type { VaultPort } from './ports.js';
import type { Kind, ReadScope } from './kind.js';
import type { Config, DesiredObject, LiveObject } from './model.js';

/**
 * Reads the live objects of every kind: mounts first (their tables tell which mounts exist and of
 * what type), then every other kind concurrently, each with LIST + concurrent GETs.
 */
export async function readLive(vault: VaultPort, config: Config, desired: DesiredObject[], kinds: readonly Kind[]): Promise<LiveObject[]> {
  const byKind = (k: Kind) => desired.filter((d) => d.kind === k.name);
  const scope0: ReadScope = { config, desired: [], mounts: { auth: {}, secrets: {} } };
  const mountKinds = kinds.filter((k) => k.phase === 0);
  const mountLive = (await Promise.all(mountKinds.map((k) => k.readLive(vault, { ...scope0, desired: byKind(k) })))).flat();

  const mounts: ReadScope['mounts'] = { auth: {}, secrets: {} };
  for (const m of mountLive) {
    const section = m.address.startsWith('auth/') ? 'auth' : 'secrets';
    mounts[section][m.mount ?? m.name] = String(m.settings.type);
  }
  const rest = await Promise.all(
    kinds.filter((k) => k.phase !== 0).map((k) => k.readLive(vault, { config, desired: byKind(k), mounts })),
  );
  return [...mountLive, ...rest.flat()];
}
