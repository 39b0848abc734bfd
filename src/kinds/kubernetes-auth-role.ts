// Kubernetes auth roles, `auth/MOUNT/role/NAME`: which ServiceAccounts (names, namespaces or a
// namespace label selector) get which token. Vault stores role names lower-cased.
import { parse as parseYaml } from 'yaml';
import type { KindName, Settings } from '../core/model.js';
import { authMapKind, TOKEN_FIELD_NAMES, tokenPolicies } from './auth-method-objects.js';
import { normaliseSettings } from './normalise.js';

const SETS = ['bound_service_account_names', 'bound_service_account_namespaces'];
const SELECTOR = 'bound_service_account_namespace_selector';

/** Vault takes the selector as JSON or YAML text; compared as the object it describes. */
function selectorObject(v: unknown): unknown {
  if (typeof v !== 'string') return v;
  if (v.trim() === '') return null;
  try {
    return parseYaml(v) as unknown; // YAML is a superset of JSON
  } catch {
    return v;
  }
}

function normalise(settings: Settings): Settings {
  const out = normaliseSettings(settings);
  for (const f of SETS) {
    const v = out[f];
    if (v === null || v === undefined) continue;
    const list = (Array.isArray(v) ? v : String(v).split(',')).map((x) => String(x).trim()).filter((x) => x !== '');
    out[f] = [...new Set(list)].sort();
  }
  if (SELECTOR in out) out[SELECTOR] = selectorObject(out[SELECTOR]);
  return out;
}

export const KUBERNETES_ROLE_FIELDS = [
  'bound_service_account_names',
  'bound_service_account_namespaces',
  SELECTOR,
  'audience',
  'alias_name_source',
  ...TOKEN_FIELD_NAMES,
  'token_strictly_bind_ip',
] as const;

export const kubernetesAuthRoleKind = authMapKind({
  kind: 'kubernetes-auth-role' as string as KindName,
  title: 'Kubernetes auth roles',
  authType: 'kubernetes',
  key: 'roles',
  api: 'role',
  securityFields: ['bound_service_account_names', 'bound_service_account_namespaces', SELECTOR, 'audience', 'token_policies', 'policies', 'token_bound_cidrs', 'token_type', 'token_no_default_policy'],
  defaults: { alias_name_source: 'serviceaccount_uid', token_type: 'default', token_no_default_policy: false, token_strictly_bind_ip: false },
  exported: KUBERNETES_ROLE_FIELDS,
  policiesOf: tokenPolicies,
  normalise,
  fromVault: (data) => ({ ...data }),
  toVault(settings) {
    const body: Record<string, unknown> = { ...settings };
    const selector = body[SELECTOR];
    if (selector !== undefined && typeof selector !== 'string') body[SELECTOR] = JSON.stringify(selector);
    return body;
  },
});
