// Which parts of a plan are destructive (pure). A destructive plan is shown under a banner by every
// renderer and `apply` refuses it without --allow-destroy. Destructive means:
// - deleting a secrets mount (its data goes with it: KV secrets, a PKI CA's private key, transit keys);
// - deleting an auth mount (every role and user in it, and every token it issued, are revoked);
// - deleting a PKI CA;
// - deleting many objects at once: at least BULK_MIN_DELETES and more than BULK_FRACTION of the
//   objects the plan covers, or every one of them (a config that lost its files).
// Deleting one policy out of three is an ordinary change; deleting three out of twenty is not.

import type { Address, Change, Destroy, LiveObject } from './model.js';

export const BULK_MIN_DELETES = 3;
export const BULK_FRACTION = 0.1;

function secretsMountLoss(path: string, type: string): string {
  switch (type) {
    case 'kv':
    case 'generic':
      return `destroys all data stored under ${path}/ (every secret and all its versions)`;
    case 'pki':
      return `destroys the CA private key under ${path}/ and every certificate it issued`;
    case 'transit':
      return `destroys the encryption keys under ${path}/ (data they encrypted can no longer be decrypted)`;
    default:
      return `destroys all data stored under ${path}/ and revokes every lease it issued`;
  }
}

function mountPath(change: Change, live: LiveObject | undefined): string {
  return live?.mount ?? change.address.split('/').slice(1).join('/');
}

/** The destructive parts of `changes` (all of a plan's changes, noop included: they are the total). */
export function findDestroys(changes: readonly Change[], live: ReadonlyMap<Address, LiveObject>): Destroy[] {
  const deletes = changes.filter((c) => c.action === 'delete');
  const out: Destroy[] = [];
  for (const c of deletes) {
    const obj = live.get(c.address);
    if (c.kind === 'secrets-mount') {
      out.push({ address: c.address, code: 'secrets-mount', what: secretsMountLoss(mountPath(c, obj), String(obj?.settings.type ?? '')) });
    } else if (c.kind === 'auth-mount') {
      const path = mountPath(c, obj);
      out.push({ address: c.address, code: 'auth-mount', what: `disables auth/${path}/: deletes every role and user in it and revokes every token it issued` });
    } else if (c.kind === 'pki-root-ca') {
      out.push({ address: c.address, code: 'pki-ca', what: `destroys the CA private key of ${mountPath(c, obj)}/` });
    }
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
