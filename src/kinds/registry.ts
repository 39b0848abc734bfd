import type { KindName } from '../core/model.js';
import { approleRoleKind } from './approle-role.js';
import { authMountKind } from './auth-mount.js';
import { caBundleKind } from './ca-bundle.js';
import type { Kind } from './kind.js';
import { pkiRoleKind } from './pki-role.js';
import { pkiRootCaKind } from './pki-root-ca.js';
import { pkiUrlsKind } from './pki-urls.js';
import { policyKind } from './policy.js';
import { secretsMountKind } from './secrets-mount.js';
import { userpassUserKind } from './userpass-user.js';

/** Every supported kind, in apply order of phase. Adding a kind: write its module, list it here. */
export const KINDS: readonly Kind[] = [
  authMountKind,
  secretsMountKind,
  policyKind,
  pkiRootCaKind,
  pkiUrlsKind,
  userpassUserKind,
  approleRoleKind,
  pkiRoleKind,
  caBundleKind,
];

const byName = new Map<KindName, Kind>(KINDS.map((k) => [k.name, k]));

export function kindOf(name: KindName): Kind {
  const k = byName.get(name);
  if (!k) throw new Error(`unknown kind ${name}`);
  return k;
}
