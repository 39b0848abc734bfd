// An identity group's comparable shape, shared by the config side and Vault's answer. Vault's ids
// never appear in it: member groups are names, an external group's alias names its auth mount path.
import type { Settings } from '../../core/model.js';
import { normaliseField } from '../shared/normalise.js';
import { trimSlash } from '../shared/support.js';

/** An alias of a group or an entity: the name an auth method reports, on the auth mount at `mount`. */
export interface AuthAlias {
  name: string;
  /** The auth mount's path, without slashes: `github`, `oidc/corp`. */
  mount: string;
}

type Json = Record<string, unknown>;

export function sortedNames(v: unknown): string[] {
  const list = Array.isArray(v) ? v : [];
  return [...new Set(list.filter((x): x is string => typeof x === 'string').map((x) => x.trim()))].sort();
}

/** Metadata values are strings in Vault (a number in YAML is sent and read back as text). */
export function metadataOf(v: unknown): Record<string, string> {
  if (!v || typeof v !== 'object' || Array.isArray(v)) return {};
  return Object.fromEntries(
    Object.entries(v as Json)
      .filter(([, x]) => x !== null && x !== undefined)
      .map(([k, x]): [string, string] => [k, typeof x === 'string' ? x : JSON.stringify(x)])
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
  );
}

export function aliasOf(v: unknown): AuthAlias | null {
  if (!v || typeof v !== 'object') return null;
  const a = v as Json;
  if (typeof a.name !== 'string' || typeof a.mount !== 'string') return null;
  return { name: a.name, mount: trimSlash(a.mount.replace(/^\/+/, '').replace(/^auth\//, '')) };
}

/**
 * Declared or live settings → the compared shape. The type defaults to internal, as in Vault. An
 * external group declared without `alias` has none: a live alias is then a difference (removed on
 * apply), so an alias deleted from the config does not linger.
 */
/** Policies are a set: compared sorted and de-duplicated. */
export const POLICY_SET: ReadonlySet<string> = new Set(['policies']);

export function normaliseGroup(settings: Settings): Settings {
  const out: Settings = { type: settings.type === 'external' ? 'external' : 'internal' };
  if (settings.policies !== undefined) out.policies = normaliseField('policies', settings.policies, POLICY_SET);
  if (settings.metadata !== undefined) out.metadata = metadataOf(settings.metadata);
  if (settings.member_groups !== undefined) out.member_groups = sortedNames(settings.member_groups);
  if (settings.member_entities !== undefined) out.member_entities = sortedNames(settings.member_entities);
  if (out.type === 'external') out.alias = aliasOf(settings.alias);
  return out;
}

/** Vault's group answer → the compared shape, given id → name of every group and entity, and accessor → auth mount path. */
export function liveGroupSettings(data: Json, names: { groups: ReadonlyMap<string, string>; entities: ReadonlyMap<string, string> }, mountPaths: ReadonlyMap<string, string>): Settings {
  const ids = (field: string) => (Array.isArray(data[field]) ? (data[field] as unknown[]) : []).map(String);
  const raw = data.alias && typeof data.alias === 'object' ? (data.alias as Json) : {};
  const accessor = typeof raw.mount_accessor === 'string' ? raw.mount_accessor : undefined;
  const alias =
    typeof raw.name === 'string' && accessor !== undefined
      ? // An accessor of no live auth mount (disabled since) cannot equal any declared path.
        { name: raw.name, mount: mountPaths.get(accessor) ?? `(unknown mount accessor ${accessor})` }
      : undefined;
  return normaliseGroup({
    type: data.type,
    policies: data.policies ?? [],
    metadata: data.metadata ?? {},
    member_groups: ids('member_group_ids').map((id) => names.groups.get(id) ?? `(unknown group id ${id})`),
    // An external group's member entities are Vault's to keep (they log in through its alias).
    member_entities: data.type === 'external' ? undefined : ids('member_entity_ids').map((id) => names.entities.get(id) ?? `(unknown entity id ${id})`),
    alias,
  });
}

/** A live group as config (`export`): defaults and empty fields dropped. */
export function exportGroup(settings: Settings): Settings {
  const out: Settings = {};
  if (settings.type === 'external') out.type = 'external';
  for (const field of ['policies', 'member_groups', 'member_entities'] as const) {
    const v = settings[field];
    if (Array.isArray(v) && v.length > 0) out[field] = v;
  }
  const meta = settings.metadata;
  if (meta && typeof meta === 'object' && Object.keys(meta).length > 0) out.metadata = meta;
  if (settings.alias) out.alias = settings.alias;
  return out;
}
