import type { Settings } from '../model.js';

/** Deep equality of two normalised values (JSON-shaped). */
export function sameValue(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (a === null || b === null || typeof a !== 'object' || typeof b !== 'object') {
    // Vault returns numbers for numeric fields a user may have quoted.
    if ((typeof a === 'number' && typeof b === 'string') || (typeof a === 'string' && typeof b === 'number')) {
      return String(a) === String(b);
    }
    return false;
  }
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => sameValue(x, b[i]));
  const ka = Object.keys(a as object).sort();
  const kb = Object.keys(b as object).sort();
  return sameValue(ka, kb) && ka.every((k) => sameValue((a as Settings)[k], (b as Settings)[k]));
}
