// Helpers for Kind.export: a live object's settings as a config value, with what Vault fills in by
// default left out (an exported config declares only what someone chose).
import type { TSchema } from 'typebox';
import type { Settings } from '../../core/model.js';

type Json = Record<string, unknown>;

function isEmpty(v: unknown): boolean {
  return v === null || v === undefined || v === '' || (Array.isArray(v) && v.length === 0) || (typeof v === 'object' && !Array.isArray(v) && Object.keys(v as object).length === 0);
}

/** True when `v` is what Vault answers for a field nobody set: empty, zero for counts and durations, or the kind's default. */
export function isDefault(name: string, v: unknown, defaults: Settings = {}): boolean {
  if (isEmpty(v)) return true;
  if (v === 0 && /(ttl|period|duration|num_uses|_bits)$/.test(name)) return true;
  return name in defaults && JSON.stringify(defaults[name]) === JSON.stringify(v);
}

/**
 * The fields a config may declare for an object of this schema and that an export writes: its
 * properties minus deprecated aliases, refused fields (`not`, such as generated secrets) and `credentials`.
 */
export function exportableFields(schema: TSchema, skip: readonly string[] = []): Set<string> {
  const props = ((schema as Json).properties ?? {}) as Record<string, Json>;
  return new Set(Object.keys(props).filter((k) => props[k]!.deprecated !== true && props[k]!.not === undefined && k !== 'credentials' && !skip.includes(k)));
}

/** `settings` restricted to `fields`, without default values. */
export function exportedSettings(settings: Settings, fields: ReadonlySet<string>, defaults: Settings = {}): Settings {
  const out: Settings = {};
  for (const [k, v] of Object.entries(settings)) if (fields.has(k) && !isDefault(k, v, defaults)) out[k] = v;
  return out;
}
