/**
 * The estate, part by part, in the order they are made (policies first: roles name them; the kv
 * mount before its config). A kind that does not land: delete its part's line.
 */
import { approle, kvMount, pki, pkiIntermediate, policies, userpass } from './core-kinds.js';
import { auditDevice, identityEntities, identityGroups, kvConfig } from './identity-kinds.js';
import { jwtAuth, oidcAuth } from './jwt-kinds.js';
import { githubAuth, kubernetesAuth } from './kube-kinds.js';
import type { EstatePart } from './part.js';

export const ESTATE: EstatePart[] = [
  policies,
  userpass,
  approle,
  kvMount,
  pki,
  pkiIntermediate,
  jwtAuth,
  oidcAuth,
  kubernetesAuth,
  githubAuth,
  identityGroups,
  identityEntities,
  auditDevice,
  kvConfig,
];
