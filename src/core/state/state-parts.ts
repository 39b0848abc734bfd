// A large state record is stored in parts. Vault (1.16.25+, 1.21) refuses by default a JSON object of
// more than 10,000 entries and a body of too many tokens, so one secret with an entry per object stops
// working above ~10,000 objects. Up to PART_ENTRIES objects the record stays one secret (format 2).
// Above, the head secret (format 3: lock, owner, last apply) names part secrets of at most PART_ENTRIES
// entries each, under `PATH.parts/GENERATION/I`. Parts are written first and never changed; the head
// (check-and-set) is the commit point; the parts it replaced are deleted after. A crash in between
// leaves the old head naming its old, intact parts (new parts are then unreferenced leftovers).

import { UsageError } from '../errors.js';
import type { Address } from '../model.js';
import type { ManagedEntry } from './state-record.js';

export const PART_ENTRIES = 2000;
export const PARTED_FORMAT_VERSION = '3';

export const partPrefix = (path: string): string => `${path}.parts/`;

const PART_NAME = /^[0-9a-f-]{8,64}\/\d{1,6}$/;

/** The entries in sorted chunks of at most PART_ENTRIES. */
export function splitObjects(objects: Record<Address, ManagedEntry>): Array<Record<Address, ManagedEntry>> {
  const keys = Object.keys(objects).sort();
  const chunks: Array<Record<Address, ManagedEntry>> = [];
  for (let i = 0; i < keys.length; i += PART_ENTRIES) {
    chunks.push(Object.fromEntries(keys.slice(i, i + PART_ENTRIES).map((k) => [k, objects[k]!])));
  }
  return chunks;
}

/** The part paths a head names, each confined under the record's own part prefix (the head is untrusted input). */
export function headParts(parts: unknown, path: string, label: string, repair: string): string[] {
  const prefix = partPrefix(path);
  const ok = Array.isArray(parts) && parts.length <= 10000 && parts.every((p) => typeof p === 'string' && p.startsWith(prefix) && PART_NAME.test(p.slice(prefix.length)));
  if (!ok) throw new UsageError(`the state record ${label} is not valid: parts must be a list of ${prefix}GENERATION/N paths`, repair);
  return parts as string[];
}
