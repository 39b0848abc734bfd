// What every credential format shares: the ownership marker, value order, and the target facts.
import type { KindName } from '../../core/model.js';
import type { CredentialMeta, CredentialValues } from '../sink.js';

/** The non-secret facts a format needs besides the values. */
export interface FormatTarget {
  /** The object's address, recorded in the ownership marker. */
  address: string;
  kind: KindName;
  /** Auth mount path, e.g. `approle` or `team/approle`. */
  mount: string;
  /** env format: variable names by credential name (`role_id`, `secret_id`, `username`, `password`, `mount`). */
  envNames?: Record<string, string>;
}

/** What a format reads back: ownership (our marker is present), metadata and values. */
export interface Parsed {
  owned: boolean;
  meta?: CredentialMeta;
  values?: CredentialValues;
}

/** The marker every format carries: the metadata plus the object's address, never a secret. */
export const MARKER_KEY = 'vault_gitops';
export type Marker = CredentialMeta & { object: string };

/** The credential values each kind delivers, in the engine's order (comparisons between sinks rely on it). */
export const VALUE_KEYS: Partial<Record<KindName, readonly string[]>> = {
  'approle-role': ['role_id', 'secret_id'],
  'userpass-user': ['username', 'password'],
};

export function marker(target: FormatTarget, meta: CredentialMeta): Marker {
  return { ...meta, object: target.address };
}

/** The metadata of a marker read back from a file, or undefined when it is not one of ours. */
export function readMarker(raw: unknown): CredentialMeta | undefined {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return undefined;
  const m = raw as Record<string, unknown>;
  if (typeof m.issuedAt !== 'string') return undefined;
  return {
    issuedAt: m.issuedAt,
    ...(typeof m.accessor === 'string' ? { accessor: m.accessor } : {}),
    ...(m.pending === true ? { pending: true } : {}),
    ...(typeof m.hash === 'string' ? { hash: m.hash } : {}),
  };
}

/** Keeps the kind's value keys in the engine's order; anything else that is a string follows, sorted. */
export function orderValues(kind: KindName, found: Record<string, unknown>): CredentialValues {
  const out: CredentialValues = {};
  const order = VALUE_KEYS[kind] ?? [];
  for (const k of order) if (typeof found[k] === 'string') out[k] = found[k];
  for (const k of Object.keys(found).sort()) if (!(k in out) && typeof found[k] === 'string') out[k] = found[k];
  return out;
}


/** A JSON object read back from a file, or undefined when the text is not one. */
export function parseObject(text: string): Record<string, unknown> | undefined {
  try {
    const parsed = JSON.parse(text) as unknown;
    return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** A JSON document with its marker, pretty-printed, ending in a newline. */
export function jsonWithMarker(body: Record<string, string>, target: FormatTarget, meta: CredentialMeta): string {
  return JSON.stringify({ ...body, [MARKER_KEY]: marker(target, meta) }, null, 2) + '\n';
}

/** The parts of a JSON document with a marker: ownership, metadata, and the values `pick` keeps. */
export function parseJsonWithMarker(target: FormatTarget, text: string, pick: (key: string) => boolean): Parsed {
  const parsed = parseObject(text);
  if (!parsed) return { owned: false };
  const meta = readMarker(parsed[MARKER_KEY]);
  const found = Object.fromEntries(Object.entries(parsed).filter(([k]) => k !== MARKER_KEY && pick(k)));
  return { owned: meta !== undefined, ...(meta ? { meta } : {}), values: orderValues(target.kind, found) };
}
