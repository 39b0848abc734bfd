import { Type } from 'typebox';
import type { VaultPort } from '../../core/ports.js';
import { UsageError } from '../../core/errors.js';
import type { Config, DesiredObject } from '../../core/model.js';
import { object, stringMap, stringSet } from '../shared/fields.js';
import { checkGroups } from './identity-group-check.js';
import { exportGroup, liveGroupSettings, normaliseGroup, type AuthAlias } from './identity-group-shape.js';
import { authPathsByAccessor, groupId, groupPath, memberIds, readAllGroups, syncAlias } from './identity-group-vault.js';
import { isFullScope } from '../shared/full-scope.js';
import { ENTITIES_COLLECTION } from './identity-entity.js';
import { AUTO_NAMED } from './identity-entity-shape.js';
import { entityNamesById, memberEntityIds } from './identity-entity-vault.js';
import type { Kind, Reference } from '../kind.js';
import { checkPolicyRefs, compact, liveObject, placedEntries, placedObject, rule, trimSlash } from '../shared/support.js';

const KIND = 'identity-group';
export const GROUPS_COLLECTION = 'identity/groups';

const schema = object(
  {
    type: Type.String({ enum: ['internal', 'external'], description: 'internal (default): members are declared here; external: members come from an auth method through the alias.' }),
    policies: stringSet('Policies every member gets.'),
    metadata: stringMap({ type: 'string' }, { description: 'Key/value metadata (strings).' }),
    member_groups: Type.Array(Type.String({ minLength: 1 }), { description: 'internal groups: member groups by name (never ids).' }),
    member_entities: Type.Array(Type.String({ minLength: 1 }), { description: 'internal groups: member entities by name (never ids), declared under identity.entities or existing in Vault.' }),
    alias: object(
      {
        name: Type.String({ minLength: 1, description: 'The group name the auth method reports (a GitHub team, an OIDC groups claim value, ...).' }),
        mount: Type.String({ minLength: 1, description: 'The auth mount path (`github`, `oidc`); its accessor is looked up at plan time.' }),
      },
      { required: ['name', 'mount'], description: 'external groups: the group alias that maps the auth method group to this one.' },
    ),
  },
  { description: 'An identity group (identity/group/name/<name>).' },
);

const names = Type.String({ pattern: '^[^/\\s]+$', 'x-error': 'must be a group name without `/` or white space', description: 'Identity group names.' });

/** Groups are read when the config declares or prunes them, or for a full-scope read (export, snapshot). */
function inScope(config: Config): boolean {
  const identity = config.tree.identity as { groups?: unknown } | undefined;
  return identity?.groups !== undefined || config.prune.includes(GROUPS_COLLECTION) || isFullScope(config);
}

/** The group's own fields as Vault takes them (ids resolved); the alias is written separately. */
async function groupBody(vault: VaultPort, obj: DesiredObject, fields?: readonly string[]): Promise<Record<string, unknown>> {
  const s = obj.settings;
  const want = (f: string) => s[f] !== undefined && (fields === undefined || fields.includes(f));
  return compact({
    type: fields === undefined ? s.type : undefined,
    policies: want('policies') ? s.policies : undefined,
    metadata: want('metadata') ? s.metadata : undefined,
    member_group_ids: want('member_groups') ? await memberIds(vault, obj, s.member_groups as string[]) : undefined,
    member_entity_ids: want('member_entities') ? await memberEntityIds(vault, obj, s.member_entities as string[]) : undefined,
  });
}

export const identityGroupKind: Kind = {
  name: KIND,
  title: 'Identity groups',
  phase: 2,
  sensitiveFields: [],
  securityFields: ['type', 'policies', 'member_groups', 'alias'],
  deletable: true,

  placement: { in: 'root', key: ['identity', 'groups'], shape: 'map', schema, names, allowEmpty: true, description: 'Identity groups by name.' },
  docs: {
    summary:
      "An identity group: policies for its members. An internal group's members are other groups, by name; an external group's members come from an auth method through its alias (a GitHub team, an OIDC groups claim), named by the auth mount's path. No Vault ids in the config.",
    api: ['identity/group/name/NAME', 'identity/group-alias', 'identity/group-alias/id/ID'],
    example: `policies:
  app-read:
    policy: |
      path "secret/data/app/*" {
        capabilities = ["read"]
      }
identity:
  groups:
    platform:
      policies: [app-read]
      metadata: { team: platform }
`,
    defaults: { type: 'internal' },
    guide: 'kinds/identity-audit-kv.md',
  },

  desired(config) {
    return placedEntries(config, identityGroupKind).map((e) => {
      const s = normaliseGroup(e.value);
      const entities = (s.member_entities as string[] | undefined) ?? [];
      const declaredEntities = (config.tree.identity as { entities?: Record<string, unknown> } | undefined)?.entities ?? {};
      const policies = (s.policies as string[] | undefined) ?? [];
      return placedObject(config, identityGroupKind, e, {
        settings: s,
        // Member groups and the alias's mount are references (below): a declared one is a dependency too.
        dependsOn: [
          ...entities.filter((m) => Object.hasOwn(declaredEntities, m)).map((m) => `${ENTITIES_COLLECTION}/${m}`),
          ...policies.filter((p) => config.policies[p]).map((p) => `policies/${p}`),
        ],
      });
    });
  },

  /** Vault refuses a member group id it does not have, and an alias without its mount's accessor. */
  references(config) {
    return placedEntries(config, identityGroupKind).flatMap((e): Reference[] => {
      const s = normaliseGroup(e.value);
      const written: unknown[] = Array.isArray(e.value.member_groups) ? e.value.member_groups : [];
      const members = written.flatMap((m, i) => (typeof m === 'string' && m !== e.name ? [{ name: m, path: [...e.path, 'member_groups', String(i)] }] : []));
      const refs: Reference[] = members.map((m) => ({ from: e.address, to: `${GROUPS_COLLECTION}/${m.name}`, kind: KIND, path: m.path, what: `member group ${m.name}` }));
      const alias = s.alias as AuthAlias | null | undefined;
      if (alias) refs.push({ from: e.address, to: `auth/${alias.mount}`, kind: 'auth-mount', path: [...e.path, 'alias', 'mount'], what: `auth mount ${alias.mount} (of the group's alias)` });
      return refs;
    });
  },

  /** Members of a member group are members too; an external group's members log in through its alias. */
  principal(obj) {
    const s = obj.settings;
    const alias = s.alias as AuthAlias | null | undefined;
    const members = (s.member_groups as string[] | undefined) ?? [];
    const entities = (s.member_entities as string[] | undefined) ?? [];
    return {
      address: obj.address,
      vaultPath: `identity/group/name/${obj.name}`,
      policies: [...((s.policies as string[] | undefined) ?? [])],
      defaultPolicy: false,
      bindings: compact({ type: s.type, alias: alias ?? undefined, member_groups: members.length > 0 ? members : undefined }),
      ...(members.length > 0 ? { memberGroups: members.map((m) => `${GROUPS_COLLECTION}/${m}`) } : {}),
      ...(entities.length > 0 ? { memberEntities: entities.map((m) => `${ENTITIES_COLLECTION}/${m}`) } : {}),
      ...(s.type === 'external' && alias ? { groupAlias: { mount: trimSlash(alias.mount), name: alias.name } } : {}),
      identity: { type: 'group', name: obj.name, metadata: { ...((s.metadata as Record<string, string> | undefined) ?? {}) } },
    };
  },

  check(ctx) {
    const entries = placedEntries(ctx.config, identityGroupKind);
    for (const e of entries) checkPolicyRefs(ctx, e.value.policies, [...e.path, 'policies']);
    const entities = (ctx.config.tree.identity as { entities?: Record<string, unknown> } | undefined)?.entities ?? {};
    checkGroups(entries, { authMounts: new Set(Object.keys(ctx.config.auth).map(trimSlash)), entities: new Set(Object.keys(entities)) }, ctx);
  },

  /** Policies are exported only when every one exists (the config must declare what it names; an unexported field is not compared). */
  export(obj, all) {
    const out = exportGroup(obj.settings);
    const live = new Set(all.filter((l) => l.kind === 'policy').map((l) => l.name));
    if (Array.isArray(out.policies) && !out.policies.every((p) => p === 'default' || live.has(String(p)))) delete out.policies;
    if (Array.isArray(out.member_groups) && out.member_groups.some((m) => String(m).startsWith('(unknown'))) delete out.member_groups;
    // Entities Vault named at a login are not exported, so a group naming one keeps its members unmanaged.
    if (Array.isArray(out.member_entities) && out.member_entities.some((m) => String(m).startsWith('(unknown') || AUTO_NAMED.test(String(m)))) delete out.member_entities;
    return out;
  },

  async readLive(vault, scope) {
    if (!inScope(scope.config)) return [];
    const groups = await readAllGroups(vault);
    const names = new Map([...groups].map(([name, data]) => [String(data.id), name]));
    const hasAlias = [...groups.values()].some((g) => g.type === 'external');
    const mounts = hasAlias ? await authPathsByAccessor(vault) : new Map<string, string>();
    const hasEntities = [...groups.values()].some((g) => g.type !== 'external' && Array.isArray(g.member_entity_ids) && g.member_entity_ids.length > 0);
    const entities = hasEntities ? await entityNamesById(vault) : new Map<string, string>();
    return [...groups].map(([name, data]) => ({
      ...liveObject(KIND, `${GROUPS_COLLECTION}/${name}`, liveGroupSettings(data, { groups: names, entities }, mounts), undefined, GROUPS_COLLECTION),
      identity: typeof data.id === 'string' ? data.id : undefined,
    }));
  },

  normalise: normaliseGroup,

  async identify(vault, obj) {
    return groupId(vault, obj.name);
  },

  async create(ctx, obj) {
    await ctx.vault.write(groupPath(obj.name), await groupBody(ctx.vault, obj));
    if (obj.settings.type === 'external' && obj.settings.alias) await syncAlias(ctx.vault, obj, obj.settings.alias as AuthAlias);
  },

  async update(ctx, obj, fields) {
    if (fields.includes('type')) {
      throw new UsageError(
        `the type of identity group ${obj.name} cannot change in Vault (internal ↔ external)`,
        'rename the group in the config (a new group is created and the old one deleted when pruned), or delete it by hand first',
      );
    }
    const body = await groupBody(ctx.vault, obj, fields);
    if (Object.keys(body).length > 0) await ctx.vault.write(groupPath(obj.name), body);
    if (fields.includes('alias')) await syncAlias(ctx.vault, obj, (obj.settings.alias as AuthAlias | null | undefined) ?? null);
  },

  /** Deleting a group deletes its alias with it. */
  async delete(ctx, obj) {
    await ctx.vault.delete(groupPath(obj.name));
  },

  access(config) {
    if (!inScope(config)) return { plan: [], apply: [] };
    const groups = Object.fromEntries(placedEntries(config, identityGroupKind).map((e) => [e.name, e.value]));
    const aliases = Object.values(groups).some((g) => g.type === 'external');
    return {
      plan: [rule('identity/group/name', 'list'), rule('identity/group/name/*', 'read'), rule('identity/entity/id', 'list'), ...(aliases ? [rule('sys/auth', 'read')] : [])],
      apply: [
        ...Object.keys(groups).map((name) => rule(groupPath(name), 'create', 'update')),
        // A group removed from the config (or pruned) is deleted, whatever its name.
        rule('identity/group/name/*', 'delete'),
        ...(aliases ? [rule('identity/group-alias', 'create', 'update'), rule('identity/group-alias/id/*', 'update', 'delete')] : []),
      ],
    };
  },
};
