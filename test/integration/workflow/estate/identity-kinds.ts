/**
 * The estate's identity groups (internal with a member group, external with an alias), an audit
 * device, and the kv-v2 mount's config. Group ids and mount accessors differ between servers:
 * members are compared by name, an alias by its mount's path.
 */
import { mountSettings, wholeData, type Api, type EstatePart, type Json } from './part.js';

async function groupShape(b: Json, api: Api): Promise<unknown> {
  const g = b?.data;
  if (!g) return undefined;
  const ids = (g.member_group_ids ?? []) as string[];
  const members = await Promise.all(ids.map(async (id) => (await api('GET', `identity/group/id/${id}`)).data.name as string));
  return { name: g.name, type: g.type, policies: [...((g.policies ?? []) as string[])].sort(), metadata: g.metadata ?? null, member_groups: members.sort() };
}

const aliasShape = (b: Json): unknown => {
  const a = b?.data?.alias;
  return a && a.name ? { name: a.name, mount_path: a.mount_path, mount_type: a.mount_type, group: b.data.name } : undefined;
};

export const identityGroups: EstatePart = {
  name: 'identity groups and a group alias',
  async make(api) {
    const engineers = (await api('POST', 'identity/group', { name: 'engineers', policies: ['app-read'], metadata: { team: 'platform' } })).data.id as string;
    await api('POST', 'identity/group', { name: 'staff', policies: ['default'], member_group_ids: [engineers] });
    const admins = (await api('POST', 'identity/group', { name: 'sso-admins', type: 'external', policies: ['team/ops'] })).data.id as string;
    // The alias names an auth mount of the core estate (userpass), so this part stands alone.
    const accessor = (await api('GET', 'sys/auth')).data['people/'].accessor as string;
    await api('POST', 'identity/group-alias', { name: 'vault-admins', mount_accessor: accessor, canonical_id: admins });
    return {
      objects: [
        ...['engineers', 'staff', 'sso-admins'].map((g) => ({ kind: 'identity-group', label: `identity/groups/${g}`, read: `identity/group/name/${g}`, compare: groupShape })),
        { kind: 'identity-group', label: 'identity/groups/sso-admins (alias)', read: 'identity/group/name/sso-admins', compare: aliasShape },
      ],
    };
  },
};

function entityShape(b: Json): unknown {
  const e = b?.data;
  if (!e) return undefined;
  const aliases = ((e.aliases ?? []) as Json[]).map((a) => `${a.mount_path}${a.name}`).sort();
  return { name: e.name, policies: [...((e.policies ?? []) as string[])].sort(), metadata: e.metadata ?? null, disabled: e.disabled, aliases };
}

async function entityMembers(b: Json, api: Api): Promise<unknown> {
  const ids = (b?.data?.member_entity_ids ?? []) as string[];
  return (await Promise.all(ids.map(async (id) => (await api('GET', `identity/entity/id/${id}`)).data.name as string))).sort();
}

export const identityEntities: EstatePart = {
  name: 'identity entities with aliases, a group with entity members',
  async make(api) {
    const auth = (await api('GET', 'sys/auth')).data;
    const dana = (await api('POST', 'identity/entity', { name: 'dana', policies: ['app-read'], metadata: { team: 'platform' } })).data.id as string;
    // Two logins of one person: the core estate's userpass mount and the OIDC one.
    await api('POST', 'identity/entity-alias', { name: 'dana', mount_accessor: auth['people/'].accessor, canonical_id: dana });
    await api('POST', 'identity/entity-alias', { name: 'dana@example.com', mount_accessor: auth['oidc/'].accessor, canonical_id: dana });
    await api('POST', 'identity/entity', { name: 'leaver', disabled: true });
    await api('POST', 'identity/group', { name: 'dana-team', policies: ['default'], member_entity_ids: [dana] });
    return {
      objects: [
        ...['dana', 'leaver'].map((n) => ({ kind: 'identity-entity', label: `identity/entities/${n}`, read: `identity/entity/name/${n}`, compare: entityShape })),
        { kind: 'identity-group', label: 'identity/groups/dana-team (member entities)', read: 'identity/group/name/dana-team', compare: entityMembers },
      ],
    };
  },
};

/**
 * A device's settings, its options with Vault's default format filled in: `format: json` given or
 * left out is the same device (export leaves defaults out).
 */
function auditSettings(b: Json): unknown {
  const d = mountSettings(b, 'to-stdout') as { options?: Record<string, string> } | undefined;
  return d && { ...d, options: { format: 'json', ...d.options } };
}

export const auditDevice: EstatePart = {
  name: 'audit device',
  unsupported: { openbao: 'OpenBao enables audit devices only in its configuration file, not through sys/audit' },
  async make(api) {
    await api('PUT', 'sys/audit/to-stdout', { type: 'file', description: 'audit trail', options: { file_path: 'stdout', format: 'json', elide_list_responses: 'true' } });
    return { objects: [{ kind: 'audit-device', label: 'audit/to-stdout', read: 'sys/audit', compare: auditSettings }] };
  },
};

export const kvConfig: EstatePart = {
  name: 'kv-v2 mount config',
  async make(api) {
    await api('POST', 'kv/config', { max_versions: 10, cas_required: true, delete_version_after: '768h' });
    return { objects: [{ kind: 'kv-config', label: 'secrets/kv/config', read: 'kv/config', compare: wholeData }] };
  },
};
