import { parseCidr } from '../../core/common/cidr.js';
import { parseTtl } from '../../core/common/ttl.js';
import type { TSchema } from 'typebox';
import type { Settings } from '../../core/model.js';
import { durationFields, setFields } from './fields.js';

/** Kinds compare normalised values with core's deep equality. */
export { sameValue } from '../../core/common/same-value.js';

/** Fields named as a duration: compared as seconds ("1h" == 3600 == "60m"); normaliserFor also follows the schema's type. */
export function isDurationField(name: string): boolean {
  return /(^|_)(ttl|period|duration)$/.test(name) || name === 'ttl';
}

const NO_SETS: ReadonlySet<string> = new Set();

function isCidrField(name: string): boolean {
  return /cidr/.test(name);
}

/** `10.0.0.1/32` and `10.0.0.1` are the same single address; Vault may store either. IPv6 as Go prints it. */
export function canonicalCidr(v: string): string {
  const parsed = parseCidr(v);
  if (parsed.ok) return parsed.canonical;
  const s = v.trim().toLowerCase();
  if (s.endsWith('/32') && s.includes('.')) return s.slice(0, -3);
  if (s.endsWith('/128') && s.includes(':')) return s.slice(0, -4);
  return s;
}

function toList(v: unknown): unknown[] {
  if (Array.isArray(v)) return v;
  if (typeof v === 'string') return v === '' ? [] : v.split(',').map((s) => s.trim()).filter((s) => s !== '');
  if (v === null || v === undefined) return [];
  return [v];
}

/**
 * Normalises one field value into the comparable shape shared by config and live reads. `sets`: the
 * kind's unordered fields (fields.ts stringSet; `setFields(schema)`), compared sorted and de-duplicated,
 * as CIDR fields always are.
 */
export function normaliseField(name: string, value: unknown, sets: ReadonlySet<string> = NO_SETS, durations: ReadonlySet<string> = NO_SETS): unknown {
  if (value === null || value === undefined) return null;
  if ((durations.has(name) || isDurationField(name)) && (typeof value === 'string' || typeof value === 'number')) {
    return parseTtl(value) ?? value;
  }
  if (sets.has(name) || isCidrField(name)) {
    let list = toList(value).map((x) => (typeof x === 'string' ? x.trim() : x));
    if (isCidrField(name)) list = list.map((x) => (typeof x === 'string' ? canonicalCidr(x) : x));
    return [...new Set(list.map((x) => (typeof x === 'string' ? x : JSON.stringify(x))))].sort();
  }
  if (Array.isArray(value)) return value.map((x) => (typeof x === 'string' ? x.trim() : x));
  return value;
}

export function normaliseSettings(settings: Settings, sets: ReadonlySet<string> = NO_SETS, durations: ReadonlySet<string> = NO_SETS): Settings {
  const out: Settings = {};
  for (const [k, v] of Object.entries(settings)) out[k] = normaliseField(k, v, sets, durations);
  return out;
}

/**
 * A kind's normalise(): its schema's set fields sorted, durations in seconds (every field the schema
 * types as a duration, whatever it is called), CIDRs canonical.
 */
export function normaliserFor(schema: TSchema): (settings: Settings) => Settings {
  const sets = setFields(schema);
  const durations = durationFields(schema);
  return (settings) => normaliseSettings(settings, sets, durations);
}

/** A list-valued field where the live side is a list and the config gave a comma string. */
export function coerceToLiveShape(desired: unknown, live: unknown): unknown {
  if (Array.isArray(live) && typeof desired === 'string') return toList(desired);
  return desired;
}
