// An auth method's role, user or map as a principal: the policies its logins get, whether `default`
// comes too, and the declared fields that bind a login to it.
import type { Principal, PrincipalSource } from '../../core/principal.js';

/** A list or a comma-separated string of names, trimmed. */
export const nameList = (v: unknown): string[] => (Array.isArray(v) ? v.map(String) : typeof v === 'string' ? v.split(',') : []).map((p) => p.trim()).filter((p) => p !== '');

export interface LoginStatement {
  /** The fields naming its policies (`token_policies`, a deprecated `policies`). */
  policyFields: readonly string[];
  /** The fields that decide who may log in, shown as declared (bound claims, CIDRs, ServiceAccounts…). */
  bindings: readonly string[];
  /** Other principals whose policies its logins also get. */
  includes?(obj: PrincipalSource): Principal['includes'];
  /** The group alias names its logins bring (they make logins members of external groups). */
  groupAliases?(obj: PrincipalSource): Principal['groupAliases'];
  /** The entity alias its logins bring (a login whose alias an entity holds is that entity). */
  entityAlias?(obj: PrincipalSource): Principal['entityAlias'];
  /** Vault's path segment of its objects under the mount (`role`, `map/teams`), when not the address's. */
  api?: string;
}

export function loginPrincipal(obj: PrincipalSource, st: LoginStatement): Principal {
  const s = obj.settings;
  const includes = st.includes?.(obj);
  const groupAliases = st.groupAliases?.(obj);
  const entityAlias = st.entityAlias?.(obj);
  return {
    address: obj.address,
    ...(st.api !== undefined ? { vaultPath: `auth/${obj.mount ?? ''}/${st.api}/${obj.name}` } : {}),
    policies: [...new Set(st.policyFields.flatMap((f) => nameList(s[f])))].sort(),
    defaultPolicy: s.token_no_default_policy !== true,
    bindings: Object.fromEntries(st.bindings.filter((f) => s[f] !== undefined).map((f) => [f, s[f]])),
    ...(includes && includes.length > 0 ? { includes } : {}),
    ...(groupAliases ? { groupAliases } : {}),
    ...(entityAlias ? { entityAlias } : {}),
  };
}
