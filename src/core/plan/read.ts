import { ConfigError } from '../errors.js';
import type { VaultPort } from '../ports.js';
import type { Kind, ReadScope } from '../kind.js';
import type { Config, DesiredObject, LiveObject } from '../model.js';
import { listingOnly, type Targets } from './targets.js';

/**
 * Reads the live objects of every kind: mounts first (their tables tell which mounts exist and of
 * what type), then every other kind concurrently, each with LIST + concurrent GETs. With `targets`,
 * only the kinds and names that can be targets are read (the mount tables always).
 */
export async function readLive(
  vault: VaultPort,
  config: Config,
  desired: DesiredObject[],
  kinds: readonly Kind[],
  targets?: Targets,
  declaredOnly = false,
): Promise<LiveObject[]> {
  const byKind = (k: Kind) => desired.filter((d) => d.kind === k.name);
  const scope0: ReadScope = { config, desired: [], mounts: { auth: {}, secrets: {} }, declaredOnly };
  // The mount kinds are the ones without a placement: their tables say which mounts exist, of what type.
  const isMountKind = (k: Kind) => k.placement === undefined;
  const mountKinds = kinds.filter(isMountKind);
  const mountLive = (await Promise.all(mountKinds.map((k) => k.readLive(vault, { ...scope0, desired: byKind(k) })))).flat();

  const mounts: ReadScope['mounts'] = { auth: {}, secrets: {} };
  for (const m of mountLive) {
    const section = m.address.startsWith('auth/') ? 'auth' : 'secrets';
    mounts[section][m.mount ?? m.name] = String(m.settings.type);
  }
  const client = (k: Kind) => {
    const keep = targets?.names(k.name);
    return keep ? listingOnly(vault, keep) : vault;
  };
  const rest = await Promise.allSettled(
    kinds.filter((k) => !isMountKind(k) && (targets?.reads(k.name) ?? true)).map((k) => k.readLive(client(k), { config, desired: byKind(k), mounts, declaredOnly })),
  );
  return [...mountLive, ...fulfilled(rest).flat()];
}

/**
 * The kinds' reads, or their failure: every kind's config errors found by reading (fields this server
 * does not have) together, so one run shows them all; any other failure as it came.
 */
function fulfilled<T>(results: PromiseSettledResult<T>[]): T[] {
  const failures = results.flatMap((r) => (r.status === 'rejected' ? [r.reason as unknown] : []));
  if (failures.length === 0) return results.map((r) => (r as PromiseFulfilledResult<T>).value);
  const other = failures.find((f) => !(f instanceof ConfigError));
  if (other !== undefined) throw other;
  const configErrors = failures as ConfigError[];
  if (configErrors.length === 1) throw configErrors[0];
  throw new ConfigError(configErrors.flatMap((e) => e.diagnostics), undefined, configErrors.every((e) => e.afterRead));
}
