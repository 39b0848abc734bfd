// Which parts of a plan are destructive (pure). A destructive plan is shown under a banner by every
// renderer and `apply` refuses it without --allow-destroy. Destructive means:
// - deleting an object whose kind says so (Kind.destroyNote: a secrets mount's data, an auth mount's
//   roles and tokens, a PKI CA's private key), or an update its kind says is as bad (Kind.updateDestroyNote:
//   a re-signed intermediate CA, a database connection moved to a host Vault would send its root credential to);
// - deleting many objects at once: at least BULK_MIN_DELETES and more than BULK_FRACTION of the
//   objects the plan covers, or every one of them (a config that lost its files).
// Deleting one policy out of three is an ordinary change; deleting three out of twenty is not.

import type { Kind } from '../kind.js';
import type { Address, Change, Destroy, LiveObject } from '../model.js';

export const BULK_MIN_DELETES = 3;
export const BULK_FRACTION = 0.1;

/** The destructive parts of `changes` (all of a plan's changes, noop included: they are the total). */
export function findDestroys(changes: readonly Change[], live: ReadonlyMap<Address, LiveObject>, kinds: ReadonlyMap<string, Kind>): Destroy[] {
  const deletes = changes.filter((c) => c.action === 'delete');
  const out: Destroy[] = [];
  for (const c of deletes) {
    const kind = kinds.get(c.kind);
    // A delete always has its live object; without one (a test), its mount is read off the address.
    const obj = live.get(c.address) ?? { kind: c.kind, address: c.address, collection: '', name: '', mount: c.address.split('/').slice(1).join('/'), settings: {} };
    const what = kind?.destroyNote?.(obj);
    if (kind && what !== undefined) out.push({ address: c.address, code: kind.destroyCode ?? kind.name, what });
  }
  for (const c of changes) {
    const obj = c.action === 'update' ? live.get(c.address) : undefined;
    const what = obj && kinds.get(c.kind)?.updateDestroyNote?.(obj, c.fields);
    if (what) out.push({ address: c.address, code: kinds.get(c.kind)!.destroyCode ?? c.kind, what });
  }
  const total = changes.length;
  const all = deletes.length > 0 && deletes.length === total;
  if (all || (deletes.length >= BULK_MIN_DELETES && deletes.length > total * BULK_FRACTION)) {
    const share = Math.round((deletes.length / total) * 100);
    out.push({
      address: '*',
      code: 'bulk',
      what: all
        ? `deletes every object vault-gitops manages here (${deletes.length}); the configuration declares none of them`
        : `deletes ${deletes.length} of the ${total} objects vault-gitops manages here (${share}%)`,
    });
  }
  return out;
}
