import type { DeliveredState } from '../../core/ports.js';

/**
 * What every sink reports for a destination that exists without our mark: refused (`owned: false`),
 * or, when the sink says `adopt: true`, taken over by the next apply with new credentials. Its
 * contents are never returned: a foreign copy's values are not ours to vouch for or to keep.
 */
export function foreignState(adopt: boolean | undefined): DeliveredState {
  return adopt === true ? { exists: true, owned: false, adopting: true } : { exists: true, owned: false };
}
