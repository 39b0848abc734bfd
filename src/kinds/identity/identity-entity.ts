import { Type } from 'typebox';
import type { VaultPort } from '../../core/ports.js';
import type { Config, DesiredObject } from '../../core/model.js';
import { object, stringMap, stringSet } from '../shared/fields.js';
import { isFullScope } from '../shared/full-scope.js';
import type { Kind, Reference } from '../kind.js';
import { checkPolicyRefs, compact, liveObject, placedEntries, placedObject, rule, trimSlash } from '../shared/support.js';
import { checkEntities } from './identity-entity-check.js';
import { AUTO_NAMED, exportEntity, liveEntitySettings, normaliseEntity } from './identity-entity-shape.js';
import { entityData, entityId, entityPath, syncAliases } from './identity-entity-vault.js';
import { aliasOf, type AuthAlias } from './identity-group-shape.js';
import { authPathsByAccessor } from './identity-group-vault.js';

const KIND = 'identity-entity';
export const ENTITIES_COLLECTION = 'identity/entities';

const schema = object(
  {
    policies: stringSet('Policies every token of the entity gets, whichever alias it logged in through.'),
    metadata: stringMap({ type: 'string' }, { description: 'Key/value metadata (strings).' }),
    disabled: Type.Boolean({ description: 'true: every token of the entity is refused (its logins too).' }),
    aliases: Type.Array(
      object(
        {
          name: Type.String({ minLength: 1, description: 'The name the auth method reports: a userpass user name, an OIDC `user_claim` value, a GitHub login, ...' }),
          mount: Type.String({ minLength: 1, description: 'The auth mount path (`userpass`, `oidc`); its accessor is looked up at plan and apply time.' }),
        },
        { required: ['name', 'mount'] },
      ),
      { description: 'The logins that are this entity, at most one per auth mount (a Vault rule). Left out: the aliases are not managed.' },
    ),
  },
  { description: 'An identity entity (identity/entity/name/<name>).' },
);

const names = Type.String({ pattern: '^[^/\\s]+$', 'x-error': 'must be an entity name without `/` or white space', description: 'Identity entity names.' });

/** Entities are read when the config declares or prunes them, or for a full-scope read (export, snapshot). */
function inScope(config: Config): boolean {
  const identity = config.tree.identity as { entities?: unknown } | undefined;
  return identity?.entities !== undefined || config.prune.includes(ENTITIES_COLLECTION) || isFullScope(config);
}

/** The entity's own fields as Vault takes them; the aliases are written separately. */
function entityBody(obj: DesiredObject, fields?: readonly string[]): Record<string, unknown> {
  const s = obj.settings;
  const want = (f: string) => s[f] !== undefined && (fields === undefined || fields.includes(f));
  return compact({ policies: want('policies') ? s.policies : undefined, metadata: want('metadata') ? s.metadata : undefined, disabled: want('disabled') ? s.disabled : undefined });
}

async function writeAliases(vault: VaultPort, obj: DesiredObject): Promise<void> {
  await syncAliases(vault, obj, (obj.settings.aliases as AuthAlias[] | undefined) ?? []);
}

export const identityEntityKind: Kind = {
  name: KIND,
  title: 'Identity entities',
  phase: 2,
  sensitiveFields: [],
  securityFields: ['policies', 'disabled', 'aliases'],
  deletable: true,

  placement: { in: 'root', key: ['identity', 'entities'], shape: 'map', schema, names, allowEmpty: true, description: 'Identity entities by name.' },
  docs: {
    summary:
      'An identity entity: one person or service, whatever auth method it logs in through. Its aliases tie logins to it (`{ mount: userpass, name: alice }`, by auth mount path, never accessor); its policies come with every token of those logins. Internal groups take entities as members by name (`member_entities`).',
    api: ['identity/entity/name/NAME', 'identity/entity-alias', 'identity/entity-alias/id/ID', 'identity/lookup/entity', 'identity/entity/merge'],
    example: `policies:
  alice-home:
    policy: 'path "secret/data/home/alice/*" { capabilities = ["read", "update"] }'
auth:
  userpass:
    type: userpass
identity:
  entities:
    alice:
      policies: [alice-home]
      metadata: { team: platform }
      aliases:
        - { mount: userpass, name: alice }
`,
    defaults: { disabled: false },
    guide: 'kinds/identity-entities.md',
  },

  desired(config) {
    return placedEntries(config, identityEntityKind).map((e) => {
      const s = normaliseEntity(e.value);
      const policies = (s.policies as string[] | undefined) ?? [];
      return placedObject(config, identityEntityKind, e, {
        settings: s,
        // The aliases' mounts are references (below): a declared one is a dependency too.
        dependsOn: policies.filter((p) => config.policies[p]).map((p) => `policies/${p}`),
      });
    });
  },

  /** An alias needs its auth mount's accessor: the mount must be live or created by the same plan. */
  references(config) {
    return placedEntries(config, identityEntityKind).flatMap((e): Reference[] => {
      const written: unknown[] = Array.isArray(e.value.aliases) ? e.value.aliases : [];
      return written.flatMap((a, i) => {
        const alias = aliasOf(a);
        if (!alias) return [];
        return [{ from: e.address, to: `auth/${alias.mount}`, kind: 'auth-mount', path: [...e.path, 'aliases', String(i), 'mount'], what: `auth mount ${alias.mount} (of the entity's alias)` }];
      });
    });
  },

  check(ctx) {
    const entries = placedEntries(ctx.config, identityEntityKind);
    for (const e of entries) checkPolicyRefs(ctx, e.value.policies, [...e.path, 'policies']);
    checkEntities(entries, new Set(Object.keys(ctx.config.auth).map(trimSlash)), ctx);
  },

  /** Entities Vault made at a first login (`entity_1a2b3c4d`) are neither unmanaged nor pruned: declare the alias on a named entity to adopt one. */
  builtIn: (obj) => AUTO_NAMED.test(obj.name),

  export(obj, all) {
    if (AUTO_NAMED.test(obj.name)) return undefined;
    const out = exportEntity(obj.settings);
    const live = new Set(all.filter((l) => l.kind === 'policy').map((l) => l.name));
    if (Array.isArray(out.policies) && !out.policies.every((p) => p === 'default' || live.has(String(p)))) delete out.policies;
    if (Array.isArray(out.aliases) && out.aliases.some((a: AuthAlias) => a.mount.startsWith('(unknown'))) delete out.aliases;
    return out;
  },

  async readLive(vault, scope) {
    if (!inScope(scope.config)) return [];
    const declared = new Set(scope.desired.map((d) => d.name));
    const listed = await vault.list('identity/entity/name');
    // Logins make entities by the thousand: those Vault named are listed (never unmanaged), not read.
    const read = await Promise.all(listed.map(async (name) => [name, AUTO_NAMED.test(name) && !declared.has(name) ? {} : await entityData(vault, name)] as const));
    const found = read.filter((e): e is readonly [string, Record<string, unknown>] => e[1] !== undefined);
    const aliased = found.some(([, data]) => Array.isArray(data.aliases) && data.aliases.length > 0);
    const mounts = aliased ? await authPathsByAccessor(vault) : new Map<string, string>();
    return found.map(([name, data]) => ({
      ...liveObject(KIND, `${ENTITIES_COLLECTION}/${name}`, 'id' in data ? liveEntitySettings(data, mounts) : {}, undefined, ENTITIES_COLLECTION),
      identity: typeof data.id === 'string' ? data.id : undefined,
    }));
  },

  normalise: normaliseEntity,

  /** Logins through its aliases are the entity: its policies come with their tokens, and those of its groups. */
  principal(obj) {
    const s = obj.settings;
    const aliases = (s.aliases as AuthAlias[] | undefined) ?? [];
    return {
      address: obj.address,
      vaultPath: `identity/entity/name/${obj.name}`,
      policies: [...((s.policies as string[] | undefined) ?? [])],
      defaultPolicy: false,
      bindings: compact({ aliases: aliases.length > 0 ? aliases : undefined, disabled: s.disabled === true ? true : undefined }),
      ...(aliases.length > 0 ? { entityAliases: aliases.map((a) => ({ mount: trimSlash(a.mount), name: a.name })) } : {}),
      identity: { type: 'entity', name: obj.name, metadata: { ...((s.metadata as Record<string, string> | undefined) ?? {}) } },
    };
  },

  async identify(vault, obj) {
    return entityId(vault, obj.name);
  },

  async create(ctx, obj) {
    await ctx.vault.write(entityPath(obj.name), entityBody(obj));
    if (obj.settings.aliases !== undefined) await writeAliases(ctx.vault, obj);
  },

  async update(ctx, obj, fields) {
    const body = entityBody(obj, fields);
    if (Object.keys(body).length > 0) await ctx.vault.write(entityPath(obj.name), body);
    if (fields.includes('aliases')) await writeAliases(ctx.vault, obj);
  },

  /** Deleting an entity deletes its aliases; the next login through one makes a new, unnamed entity. */
  async delete(ctx, obj) {
    await ctx.vault.delete(entityPath(obj.name));
  },

  access(config) {
    if (!inScope(config)) return { plan: [], apply: [] };
    const entities = placedEntries(config, identityEntityKind);
    const aliases = entities.some((e) => Array.isArray(e.value.aliases));
    return {
      // sys/auth: live aliases are read back as mount paths, declared or not.
      plan: [rule('identity/entity/name', 'list'), rule('identity/entity/name/*', 'read'), rule('sys/auth', 'read')],
      apply: [
        ...entities.map((e) => rule(entityPath(e.name), 'create', 'update')),
        // An entity removed from the config (or pruned) is deleted, whatever its name.
        rule('identity/entity/name/*', 'delete'),
        ...(aliases
          ? [rule('identity/entity-alias', 'create', 'update'), rule('identity/entity-alias/id/*', 'delete'), rule('identity/lookup/entity', 'update'), rule('identity/entity/merge', 'update')]
          : []),
      ],
    };
  },
};
