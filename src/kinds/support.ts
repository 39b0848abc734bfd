import type { Vault } from '../adapters/vault.js';
import type { AccessRule, Capability } from '../core/access.js';
import type { Config, DesiredObject, KindName, LiveObject, Settings, SourcePos } from '../core/model.js';
import { dotted } from '../core/yaml-tree.js';
import type { Kind } from './kind.js';

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
export function placedEntries(config: Config, kind: Kind): PlacedEntry[] {
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

/** The desired object for a placed entry: address, collection, name, mount and source from the entry. */
export function placedObject(config: Config, kind: Kind, entry: PlacedEntry, fields: Omit<DesiredObject, 'kind' | 'address' | 'collection' | 'name' | 'source' | 'mount'>): DesiredObject {
  return {
    kind: kind.name,
    address: entry.address,
    collection: entry.collection,
    name: entry.name,
    ...(entry.mount !== undefined ? { mount: entry.mount } : {}),
    source: config.sources[dotted(entry.path)],
    ...fields,
  };
}

export function sourceOf(config: Config, dottedPath: string): SourcePos | undefined {
  return config.sources[dottedPath];
}

export function desiredObject(
  config: Config,
  kind: KindName,
  address: string,
  sourcePath: string,
  fields: Omit<DesiredObject, 'kind' | 'address' | 'collection' | 'name' | 'source'>,
  collection?: string,
): DesiredObject {
  return { kind, address, ...split(address, collection), source: sourceOf(config, sourcePath), ...fields };
}

/** `collection` when names may hold `/` (policy `team/app`); otherwise the name is the last segment. */
export function liveObject(kind: KindName, address: string, settings: Settings, mount?: string, collection?: string): LiveObject {
  return { kind, address, ...split(address, collection), mount, settings };
}

function split(address: string, collection: string | undefined): { collection: string; name: string } {
  const cut = collection !== undefined && address.startsWith(`${collection}/`) ? collection.length : address.lastIndexOf('/');
  return { collection: address.slice(0, cut), name: address.slice(cut + 1) };
}

/** LIST a collection, then GET every member concurrently (the Vault client bounds concurrency). */
export async function listAndRead(
  vault: Vault,
  listPath: string,
  itemPath: (name: string) => string,
): Promise<Array<{ name: string; data: Json }>> {
  const names = await vault.list(listPath);
  const items = await Promise.all(
    names.map(async (name) => {
      const body = await vault.read(itemPath(name));
      return body ? { name, data: (body.data ?? {}) as Json } : undefined;
    }),
  );
  return items.filter((x): x is { name: string; data: Json } => x !== undefined);
}

/** Mount paths in Vault's listings end with a slash; ours never do. */
export function trimSlash(path: string): string {
  return path.replace(/\/+$/, '');
}

/** The mounts of one auth type the config declares that exist live (nothing to read in the others). */
export function liveMountsOfType(declared: Record<string, { type: string }>, live: Record<string, string>, type: string): string[] {
  return Object.entries(declared)
    .filter(([path, m]) => m.type === type && live[path] === type)
    .map(([path]) => path);
}

/** Removes keys whose value is undefined (never send them to Vault). */
export function compact(settings: Settings): Json {
  return Object.fromEntries(Object.entries(settings).filter(([, v]) => v !== undefined));
}

/** An ACL rule for Kind.access: `rule('sys/policies/acl/*', 'read', 'list')`. */
export function rule(path: string, ...capabilities: Capability[]): AccessRule {
  return { path, capabilities };
}
