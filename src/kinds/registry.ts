import type { KindName } from '../core/model.js';
import { approleRoleKind } from './approle-role.js';
import { auditDeviceKind } from './audit-device.js';
import { authMountKind } from './auth-mount.js';
import { caBundleKind } from './ca-bundle.js';
import { githubAuthConfigKind } from './github-auth-config.js';
import { githubTeamMapKind, githubUserMapKind } from './github-map.js';
import { identityGroupKind } from './identity-group.js';
import { jwtConfigKind } from './jwt-config.js';
import { jwtRoleKind } from './jwt-role.js';
import type { Kind } from './kind.js';
import { kubernetesAuthConfigKind } from './kubernetes-auth-config.js';
import { kubernetesAuthRoleKind } from './kubernetes-auth-role.js';
import { kvConfigKind } from './kv-config.js';
import { pkiRoleKind } from './pki-role.js';
import { pkiRootCaKind } from './pki-root-ca.js';
import { pkiUrlsKind } from './pki-urls.js';
import { policyKind } from './policy.js';
import { secretsMountKind } from './secrets-mount.js';
import { userpassUserKind } from './userpass-user.js';

/**
 * Every supported kind. Adding a kind: write its module, list it here. The order is the reading
 * order of plans (a section's mount, then what sits in it); the apply order is each kind's phase.
 */
export const KINDS: readonly Kind[] = [
  auditDeviceKind,
  policyKind,
  authMountKind,
  userpassUserKind,
  approleRoleKind,
  jwtConfigKind,
  jwtRoleKind,
  kubernetesAuthConfigKind,
  kubernetesAuthRoleKind,
  githubAuthConfigKind,
  githubTeamMapKind,
  githubUserMapKind,
  secretsMountKind,
  kvConfigKind,
  pkiRootCaKind,
  pkiUrlsKind,
  pkiRoleKind,
  caBundleKind,
  identityGroupKind,
];

const byName = new Map<KindName, Kind>(KINDS.map((k) => [k.name, k]));

export function kindOf(name: KindName): Kind {
  const k = byName.get(name);
  if (!k) throw new Error(`unknown kind ${name}`);
  return k;
}
