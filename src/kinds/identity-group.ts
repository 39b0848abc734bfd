import type { Vault } from '../adapters/vault.js';
import { UsageError } from '../core/errors.js';
import type { Config, DesiredObject, KindName, Settings } from '../core/model.js';
import { liveGroupSettings, normaliseGroup, type GroupAlias } from './identity-group-shape.js';
import { authPathsByAccessor, groupId, groupPath, memberIds, readAllGroups, syncAlias } from './identity-group-vault.js';
import type { Kind } from './kind.js';
import { compact, desiredObject, liveObject, rule } from './support.js';

const KIND = 'identity-group' as KindName;
export const GROUPS_COLLECTION = 'identity/groups';

/** The declared groups (name → settings as written). */
export function declaredGroups(config: Config): Record<string, Settings> {
  const identity = (config as unknown as { identity?: { groups?: Record<string, Settings> } }).identity;
  return identity?.groups ?? {};
}

/** Groups are read when the config declares some or prunes them (no identity access needed otherwise). */
function inScope(config: Config): boolean {
  return (config as unknown as { identity?: { groups?: unknown } }).identity?.groups !== undefined || config.prune.includes(GROUPS_COLLECTION);
}

/** The group's own fields as Vault takes them (ids resolved); the alias is written separately. */
async function groupBody(vault: Vault, obj: DesiredObject, fields?: readonly string[]): Promise<Record<string, unknown>> {
  const s = obj.settings;
  const want = (f: string) => s[f] !== undefined && (fields === undefined || fields.includes(f));
  return compact({
    type: fields === undefined ? s.type : undefined,
    policies: want('policies') ? s.policies : undefined,
    metadata: want('metadata') ? s.metadata : undefined,
    member_group_ids: want('member_groups') ? await memberIds(vault, obj, s.member_groups as string[]) : undefined,
  });
}

export const identityGroupKind: Kind = {
  name: KIND,
  title: 'Identity groups',
  phase: 2,
  sensitiveFields: [],
  securityFields: ['type', 'policies', 'member_groups', 'alias'],
  deletable: true,

  desired(config) {
    return Object.entries(declaredGroups(config)).map(([name, raw]) => {
      const s = normaliseGroup(raw);
      const alias = s.alias as GroupAlias | null | undefined;
      const members = (s.member_groups as string[] | undefined) ?? [];
      const policies = (s.policies as string[] | undefined) ?? [];
      return desiredObject(config, KIND, `${GROUPS_COLLECTION}/${name}`, `identity.groups.${name}`, {
        settings: s,
        dependsOn: [
          ...members.filter((m) => m !== name).map((m) => `${GROUPS_COLLECTION}/${m}`),
          ...(alias && config.auth[alias.mount] ? [`auth/${alias.mount}`] : []),
          ...policies.filter((p) => config.policies[p]).map((p) => `policies/${p}`),
        ],
      }, GROUPS_COLLECTION);
    });
  },

  async readLive(vault, scope) {
    if (!inScope(scope.config)) return [];
    const groups = await readAllGroups(vault);
    const names = new Map([...groups].map(([name, data]) => [String(data.id), name]));
    const hasAlias = [...groups.values()].some((g) => g.type === 'external');
    const mounts = hasAlias ? await authPathsByAccessor(vault) : new Map<string, string>();
    return [...groups].map(([name, data]) => ({
      ...liveObject(KIND, `${GROUPS_COLLECTION}/${name}`, liveGroupSettings(data, names, mounts), undefined, GROUPS_COLLECTION),
      identity: typeof data.id === 'string' ? data.id : undefined,
    }));
  },

  normalise: normaliseGroup,

  async identify(vault, obj) {
    return groupId(vault, obj.name);
  },

  async create(ctx, obj) {
    await ctx.vault.write(groupPath(obj.name), await groupBody(ctx.vault, obj));
    if (obj.settings.type === 'external' && obj.settings.alias) await syncAlias(ctx.vault, obj, obj.settings.alias as GroupAlias);
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
    if (fields.includes('alias')) await syncAlias(ctx.vault, obj, (obj.settings.alias as GroupAlias | null | undefined) ?? null);
  },

  /** Deleting a group deletes its alias with it. */
  async delete(ctx, obj) {
    await ctx.vault.delete(groupPath(obj.name));
  },

  access(config) {
    const groups = declaredGroups(config);
    const aliases = Object.values(groups).some((g) => g.type === 'external');
    return {
      plan: [rule('identity/group/name', 'list'), rule('identity/group/name/*', 'read'), ...(aliases ? [rule('sys/auth', 'read')] : [])],
      apply: [
        ...Object.keys(groups).map((name) => rule(groupPath(name), 'create', 'update')),
        // A group removed from the config (or pruned) is deleted, whatever its name.
        rule('identity/group/name/*', 'delete'),
        ...(aliases ? [rule('identity/group-alias', 'create', 'update'), rule('identity/group-alias/id/*', 'update', 'delete')] : []),
      ],
    };
  },
};
