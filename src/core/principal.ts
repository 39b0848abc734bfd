// Who carries policies: a kind declares, for each of its objects, whether it is a principal (a
// login path such as a role or a user, or an identity group) and what binds it. The access stage
// builds the graph from these declarations alone; it names no kind.
import type { Address, DesiredObject } from './model.js';

/** An object as a principal's declaration reads it: declared (config) or live settings alike. */
export type PrincipalSource = Pick<DesiredObject, 'address' | 'name' | 'mount' | 'settings'>;

export interface Principal {
  /** The plan's address: `auth/approle/roles/NAME`, `auth/MOUNT/roles/NAME`, `identity/groups/NAME`, `identity/entities/NAME`. */
  address: Address;
  /** The object's own Vault path where it differs from the address (`auth/approle/role/NAME`): `access --principal` takes either. */
  vaultPath?: string;
  /** The policies it attaches itself (token_policies, a map's or a group's policies). */
  policies: string[];
  /** Its tokens also carry `default` (false: token_no_default_policy, and for groups). */
  defaultPolicy: boolean;
  /** What a login must present to become it (bound claims, CIDRs, ServiceAccounts…), as declared. */
  bindings: Record<string, unknown>;
  /** Principals whose policies its logins get too (a GitHub team map: the mount's config). */
  includes?: Address[];
  /** A login: the group alias names its logins bring on its auth mount (`*`: whatever its groups claim holds). */
  groupAliases?: { mount: string; names: string[] | '*' };
  /** An identity group: the groups whose members are members of it too (their addresses). */
  memberGroups?: Address[];
  /** An external identity group: the alias (on an auth mount) through which logins join it. */
  groupAlias?: { mount: string; name: string };
  /**
   * A login: the entity alias it brings on its auth mount (a login with an alias an entity holds
   * is that entity). `name` when the config fixes it (a userpass user's name); otherwise `from`:
   * what the login presents that names it (`user claim "sub"`).
   */
  entityAlias?: { mount: string; name: string } | { mount: string; from: string };
  /** An identity entity: the aliases (on auth mounts) through which logins are it. */
  entityAliases?: Array<{ mount: string; name: string }>;
  /** An identity group: its member entities (their addresses). */
  memberEntities?: Address[];
  /** An identity entity or group: what templated policy paths may name of it (`{{identity.entity.name}}`). */
  identity?: { type: 'entity' | 'group'; name: string; metadata: Record<string, string> };
}
