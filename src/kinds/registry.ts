import type { KindName } from '../core/model.js';
import { approleRoleKind } from './auth/approle/approle-role.js';
import { auditDeviceKind } from './sys/audit-device.js';
import { authMountKind } from './mounts/auth-mount.js';
import { caBundleKind } from './pki/ca-bundle.js';
import { databaseConnectionKind } from './database/database-connection.js';
import { databaseRoleKind } from './database/database-role.js';
import { databaseStaticRoleKind } from './database/database-static-role.js';
import { githubAuthConfigKind } from './auth/github/github-auth-config.js';
import { githubTeamMapKind, githubUserMapKind } from './auth/github/github-map.js';
import { identityEntityKind } from './identity/identity-entity.js';
import { identityGroupKind } from './identity/identity-group.js';
import { jwtConfigKind } from './auth/jwt/jwt-config.js';
import { jwtRoleKind } from './auth/jwt/jwt-role.js';
import type { Kind } from './kind.js';
import { kubernetesAuthConfigKind } from './auth/kubernetes/kubernetes-auth-config.js';
import { kubernetesAuthRoleKind } from './auth/kubernetes/kubernetes-auth-role.js';
import { kvConfigKind } from './kv/kv-config.js';
import { pkiIntermediateCaKind } from './pki/pki-intermediate-ca.js';
import { namespaceKind } from './sys/namespace.js';
import { passwordPolicyKind } from './sys/password-policy.js';
import { pkiRoleKind } from './pki/pki-role.js';
import { pkiRootCaKind } from './pki/pki-root-ca.js';
import { pkiUrlsKind } from './pki/pki-urls.js';
import { policyKind } from './sys/policy.js';
import { secretsMountKind } from './mounts/secrets-mount.js';
import { userpassUserKind } from './auth/userpass/userpass-user.js';

/**
 * Every supported kind. Adding a kind: write its module, list it here. The order is the reading
 * order of plans (a section's mount, then what sits in it); the apply order is each kind's phase.
 */
export const KINDS: readonly Kind[] = [
  namespaceKind,
  auditDeviceKind,
  policyKind,
  passwordPolicyKind,
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
  pkiIntermediateCaKind,
  pkiUrlsKind,
  pkiRoleKind,
  caBundleKind,
  identityEntityKind,
  databaseConnectionKind,
  databaseRoleKind,
  databaseStaticRoleKind,
  identityGroupKind,
];

const byName = new Map<KindName, Kind>(KINDS.map((k) => [k.name, k]));

export function kindOf(name: KindName): Kind {
  const k = byName.get(name);
  if (!k) throw new Error(`unknown kind ${name}`);
  return k;
}
