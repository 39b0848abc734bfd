import type { Settings } from '../../../core/model.js';
import { parseTtl } from '../../../core/common/ttl.js';
import { object, setFields, TOKEN_FIELDS } from '../../shared/fields.js';
import { normaliseField } from '../../shared/normalise.js';

/** The shared token fields that are sets (token_policies): compared sorted, as in every auth kind. */
export const TOKEN_SETS = setFields(object(TOKEN_FIELDS));

/**
 * How the JWT/OIDC plugin stores each kind of field, so config and live read back compare equal:
 * - sets: order-free lists (Vault keeps the order given; `a,b` strings become lists), absent = [];
 * - pems: PEM text Vault stores trimmed;
 * - leeways: durations in seconds where Vault also takes -1 ("no leeway");
 * - maps: objects, absent = {};
 * - ignored: never compared (what Vault reports but nobody sets; what it never reads back).
 */
export interface JwtFieldShapes {
  sets: readonly string[];
  pems?: readonly string[];
  leeways?: readonly string[];
  durations?: readonly string[];
  maps?: readonly string[];
  ignored?: readonly string[];
}

function trimmed(v: unknown): unknown {
  return typeof v === 'string' ? v.trim() : v;
}

function asList(v: unknown): unknown[] {
  if (v === null || v === undefined || v === '') return [];
  if (Array.isArray(v)) return v;
  return typeof v === 'string' ? v.split(',') : [v];
}

/** A set field: members trimmed (PEMs too), de-duplicated, sorted (objects by their JSON). */
export function normaliseSet(v: unknown): unknown[] {
  const byKey = new Map<string, unknown>();
  for (const item of asList(v)) {
    const value = typeof item === 'string' ? item.trim() : item !== null && typeof item === 'object' ? sortedObject(item as Settings) : item;
    if (value === '') continue;
    byKey.set(typeof value === 'string' ? value : JSON.stringify(value), value);
  }
  return [...byKey.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, value]) => value);
}

function sortedObject(o: Settings): Settings {
  return Object.fromEntries(Object.keys(o).sort().map((k) => [k, trimmed(o[k])]));
}

/** -1 disables a leeway; anything else is a duration in seconds ("2m" = 120). */
export function normaliseLeeway(v: unknown): unknown {
  if (v === -1 || v === '-1') return -1;
  if (typeof v === 'number' || typeof v === 'string') return parseTtl(v) ?? v;
  return v;
}

/**
 * bound_claims: claim → one value or a list of accepted values. A list's order means nothing to
 * Vault (any member matches), so it is compared sorted; a single string stays a string.
 */
export function normaliseClaims(v: unknown): Settings {
  if (v === null || v === undefined || typeof v !== 'object' || Array.isArray(v)) return {};
  const out: Settings = {};
  for (const [claim, accepted] of Object.entries(v as Settings).sort(([a], [b]) => (a < b ? -1 : 1))) {
    out[claim] = Array.isArray(accepted) ? normaliseSet(accepted) : accepted;
  }
  return out;
}

export function jwtNormaliser(shapes: JwtFieldShapes): (settings: Settings) => Settings {
  const sets = new Set(shapes.sets);
  const pems = new Set(shapes.pems ?? []);
  const leeways = new Set(shapes.leeways ?? []);
  const durations = new Set(shapes.durations ?? []);
  const maps = new Set(shapes.maps ?? []);
  const ignored = new Set(shapes.ignored ?? []);
  return (settings) => {
    const out: Settings = {};
    for (const [name, value] of Object.entries(settings)) {
      if (ignored.has(name)) continue;
      if (name === 'bound_claims') out[name] = normaliseClaims(value);
      else if (sets.has(name)) out[name] = normaliseSet(value);
      else if (pems.has(name)) out[name] = value === null || value === undefined ? '' : trimmed(value);
      else if (leeways.has(name)) out[name] = normaliseLeeway(value);
      else if (durations.has(name)) out[name] = typeof value === 'string' || typeof value === 'number' ? (parseTtl(value) ?? value) : value;
      else if (maps.has(name)) out[name] = value === null || value === undefined ? {} : sortedObject(value as Settings);
      else out[name] = normaliseField(name, value, TOKEN_SETS);
    }
    return out;
  };
}
