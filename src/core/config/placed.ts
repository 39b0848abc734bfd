// Where the kinds' objects are in a loaded config: a kind's placement read against config.tree.
// Pure navigation; the loader checks every placed entry and the kinds build their objects from them.
import type { Kind } from '../kind.js';
import type { Config, Settings } from '../model.js';

type Json = Record<string, unknown>;

const isObj = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/** One object a kind's placement finds in the config. */
export interface PlacedEntry {
  /** The mount it sits in (auth / secrets placements). */
  mount?: string;
  /** Its name: the map key, or the placement's last key for a single object. */
  name: string;
  /** Its value as written (schema-valid, variables substituted); `name:` with nothing is `{}`. */
  value: Settings;
  /** Its config path, for source positions: `['secrets', 'pki', 'roles', 'web']`. */
  path: string[];
  /** Its address: `policies/NAME`, `auth/MOUNT/roles/NAME`, `secrets/MOUNT/urls`, ... */
  address: string;
  /** Its address minus the name: what `prune:` names (`auth/MOUNT/roles`). */
  collection: string;
}

/** The objects of `kind` the config declares where its placement says (in mounts of its types). */
export function placedEntries(config: Pick<Config, 'tree' | 'auth' | 'secrets'>, kind: Pick<Kind, 'placement'>): PlacedEntry[] {
  const p = kind.placement;
  if (!p) return [];
  if (p.in === 'root') return entriesAt(config.tree, [...p.key], p.shape, undefined);
  const mounts = p.in === 'auth' ? config.auth : config.secrets;
  return Object.entries(mounts)
    .filter(([, m]) => p.mountTypes === undefined || p.mountTypes.includes(m.type))
    .flatMap(([mount]) => entriesAt(config.tree, [p.in, mount, ...p.key], p.shape, mount));
}

function entriesAt(tree: Json, path: string[], shape: 'map' | 'single', mount: string | undefined): PlacedEntry[] {
  let v: unknown = tree;
  for (const seg of path) v = isObj(v) ? v[seg] : undefined;
  // Addresses use `/` between segments; a mount path keeps its own `/`.
  const address = [path[0]!, ...(mount !== undefined ? [mount] : []), ...path.slice(mount !== undefined ? 2 : 1)].join('/');
  if (shape === 'single') return isObj(v) ? [{ mount, name: path.at(-1)!, value: v, path, address, collection: address.slice(0, address.lastIndexOf('/')) }] : [];
  if (!isObj(v)) return [];
  return Object.entries(v)
    .filter(([, x]) => x === null || isObj(x))
    .map(([name, x]) => ({ mount, name, value: (x ?? {}) as Settings, path: [...path, name], address: `${address}/${name}`, collection: address }));
}

