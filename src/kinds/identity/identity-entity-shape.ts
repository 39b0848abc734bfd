// An identity entity's comparable shape, shared by the config side and Vault's answer. No Vault ids:
// each alias names its auth mount by path (Vault holds the mount's accessor).
import type { Settings } from '../../core/model.js';
import { normaliseField } from '../shared/normalise.js';
import { aliasOf, metadataOf, POLICY_SET, type AuthAlias } from './identity-group-shape.js';

type Json = Record<string, unknown>;

/**
 * The name Vault gives the entity it creates at a first login through an alias no entity holds
 * (`entity_1a2b3c4d`; OpenBao adds its namespace: `entity_1a2b3c4d.root`).
 */
export const AUTO_NAMED = /^entity_[0-9a-z]{8}(\.[0-9a-z]+)?$/i;

const byMountThenName = (a: AuthAlias, b: AuthAlias) => (a.mount === b.mount ? (a.name < b.name ? -1 : a.name > b.name ? 1 : 0) : a.mount < b.mount ? -1 : 1);

function aliasesOf(v: unknown): AuthAlias[] {
  const list = (Array.isArray(v) ? v : []).map(aliasOf).filter((a): a is AuthAlias => a !== null);
  const unique = new Map(list.map((a) => [`${a.mount}\n${a.name}`, a]));
  return [...unique.values()].sort(byMountThenName);
}

/** Declared or live settings → the compared shape; a field left out of the config stays out (not managed). */
export function normaliseEntity(settings: Settings): Settings {
  const out: Settings = {};
  if (settings.policies !== undefined) out.policies = normaliseField('policies', settings.policies, POLICY_SET);
  if (settings.metadata !== undefined) out.metadata = metadataOf(settings.metadata);
  if (settings.disabled !== undefined) out.disabled = settings.disabled === true;
  if (settings.aliases !== undefined) out.aliases = aliasesOf(settings.aliases);
  return out;
}

/** Vault's entity answer → the compared shape, given accessor → auth mount path. */
export function liveEntitySettings(data: Json, mountPaths: ReadonlyMap<string, string>): Settings {
  const aliases = (Array.isArray(data.aliases) ? (data.aliases as Json[]) : []).map((a) => {
    const accessor = String(a.mount_accessor);
    // An accessor of no live auth mount (disabled since) cannot equal any declared path.
    return { name: a.name, mount: mountPaths.get(accessor) ?? `(unknown mount accessor ${accessor})` };
  });
  return normaliseEntity({ policies: data.policies ?? [], metadata: data.metadata ?? {}, disabled: data.disabled === true, aliases });
}

/** A live entity as config (`export`): defaults and empty fields dropped. */
export function exportEntity(settings: Settings): Settings {
  const out: Settings = {};
  if (Array.isArray(settings.policies) && settings.policies.length > 0) out.policies = settings.policies;
  const meta = settings.metadata;
  if (meta && typeof meta === 'object' && Object.keys(meta).length > 0) out.metadata = meta;
  if (settings.disabled === true) out.disabled = true;
  if (Array.isArray(settings.aliases) && settings.aliases.length > 0) out.aliases = settings.aliases;
  return out;
}
