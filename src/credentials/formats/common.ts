// What every credential format shares: the ownership marker, value order, and the target facts.
import type { KindName } from '../../core/model.js';
import type { CredentialMeta, CredentialValues } from '../../core/ports.js';

/** The non-secret facts a format needs besides the values. */
export interface FormatTarget {
  /** The object's address, recorded in the ownership marker. */
  address: string;
  kind: KindName;
  /** Auth mount path, e.g. `approle` or `team/approle`. */
  mount: string;
  /** env format: variable names by credential name (`role_id`, `secret_id`, `username`, `password`, `mount`). */
  envNames?: Record<string, string>;
  /** The Vault namespace the object is in; absent in the root. */
  namespace?: string;
}

/** What a format reads back: ownership (our marker is present), metadata and values. */
export interface Parsed {
  owned: boolean;
  meta?: CredentialMeta;
  values?: CredentialValues;
}

/** The marker every format carries: the metadata plus the object's address, never a secret. */
export const MARKER_KEY = 'vault_gitops';
export type Marker = CredentialMeta & { object: string; namespace?: string; format: string };

/** The credential values each kind delivers, in the engine's order (comparisons between sinks rely on it). */
export const VALUE_KEYS: Partial<Record<KindName, readonly string[]>> = {
  'approle-role': ['role_id', 'secret_id'],
  'userpass-user': ['username', 'password'],
};

export function marker(target: FormatTarget, meta: CredentialMeta, format: string): Marker {
  return { ...meta, object: target.address, ...(target.namespace ? { namespace: target.namespace } : {}), format };
}

/**
 * What a format reads back once it found a marker. A marker written in another format (the
 * config's `format:` changed; files from before formats existed are `json`) yields no values, so
 * the status check sees the delivery as stale and re-issues it in the new format.
 */
export function ownedParse(raw: unknown, meta: CredentialMeta, format: string, values: CredentialValues): Parsed {
  const written = (raw as { format?: unknown }).format ?? 'json';
  return { owned: true, meta, values: written === format ? values : {} };
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
    ...(typeof m.wrapExpiresAt === 'string' ? { wrapExpiresAt: m.wrapExpiresAt } : {}),
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
export function jsonWithMarker(body: Record<string, string>, target: FormatTarget, meta: CredentialMeta, format: string): string {
  return JSON.stringify({ ...body, [MARKER_KEY]: marker(target, meta, format) }, null, 2) + '\n';
}

/** The parts of a JSON document with a marker: ownership, metadata, and the values `pick` keeps. */
export function parseJsonWithMarker(target: FormatTarget, text: string, format: string, pick: (key: string) => boolean): Parsed {
  const parsed = parseObject(text);
  const meta = readMarker(parsed?.[MARKER_KEY]);
  if (!parsed || !meta) return { owned: false };
  const found = Object.fromEntries(Object.entries(parsed).filter(([k]) => k !== MARKER_KEY && pick(k)));
  return ownedParse(parsed[MARKER_KEY], meta, format, orderValues(target.kind, found));
}
