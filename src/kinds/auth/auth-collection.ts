import type { TSchema } from 'typebox';
import type { VaultPort as Vault } from '../../core/ports.js';
import type { KindAccess } from '../../core/least-privilege.js';
import type { Config, CredentialHolderConfig, CredentialsSpec, DesiredObject, KindName, Settings } from '../../core/model.js';
import { parseTtl } from '../../core/common/ttl.js';
import { exportableFields, exportedSettings } from '../shared/export.js';
import { genericName, TOKEN_DEFAULTS } from '../shared/fields.js';
import type { CheckContext, CredentialCapability, Kind, KindDocs, Reference } from '../kind.js';
import { normaliserFor } from '../shared/normalise.js';
import { loginPrincipal, type LoginStatement } from './login-principal.js';
import { checkServerOnlyFields } from '../shared/server-fields.js';
import {
  checkGenericName,
  checkLowerCaseName,
  checkPolicyRefs,
  compact,
  listAndRead,
  liveMountsOfType,
  liveObject,
  placedEntries,
  placedObject,
  rule,
  warnOverMountMax,
  type PlacedEntry,
} from '../shared/support.js';

interface CollectionFlavor {
  kind: KindName;
  title: string;
  /** The auth method type whose mounts hold these objects. */
  authType: string;
  /** Config key and address segment: `users` / `roles`. */
  section: 'users' | 'roles';
  /** Vault's path segment: `users` / `role`. */
  api: string;
  sensitiveFields: string[];
  /** One object's schema and the description of the collection (Placement). */
  schema: TSchema;
  description: string;
  credentials: CredentialCapability;
  /** What Vault fills in for fields nobody set, beyond the token_* ones (left out of an export). */
  exportDefaults?: Settings;
  /** Fields never exported (a role_id Vault generated would pin it on another server). */
  notExported?: string[];
  /** Deprecated fields → what to write instead (a warning each). */
  deprecated: Record<string, string>;
  /** Checks of this flavor's own fields (after the shared ones). */
  check?: (ctx: CheckContext, e: PlacedEntry) => void;
  /** Extra write after create/update (e.g. a custom AppRole role_id). */
  afterWrite?: Kind['update'];
  /** Fields Vault serves from another endpoint, read only for objects whose config declares them. */
  extraFields?: Record<string, (vault: Vault, obj: { mount: string; name: string }) => Promise<unknown>>;
  /** The fields that bind a login to one object (CIDRs, secret_id), shown by `access`. */
  bindings: readonly string[];
  /** The entity alias a login brings. */
  entityAlias: LoginStatement['entityAlias'];
  /** Paths beyond the object's own (`auth/MOUNT/API/NAME`) that one object needs, for policy-for. */
  objectAccess?: (objectPath: string, holder: CredentialHolderConfig) => KindAccess;
  /** The reference page's summary, API paths and example (its defaults are the export's). */
  docs: Omit<KindDocs, 'defaults'>;
}

export function objectPath(api: string, obj: Pick<DesiredObject, 'mount' | 'name'>): string {
  return `auth/${obj.mount}/${api}/${encodeURIComponent(obj.name)}`;
}

/** Objects that live in a collection inside auth mounts of one type (userpass users, AppRole roles). */
export function authCollectionKind(f: CollectionFlavor): Kind {
  const holders = (config: Config) =>
    placedEntries(config, kind).map((e) => {
      const { credentials, ...settings } = e.value;
      const h: CredentialHolderConfig = { settings, ...(credentials ? { credentials: credentials as CredentialsSpec } : {}) };
      return { entry: e, mount: e.mount!, name: e.name, h };
    });

  const write = async (ctx: Parameters<Kind['update']>[0], obj: DesiredObject, password?: string) => {
    const body = compact({ ...obj.settings, password });
    await ctx.vault.write(objectPath(f.api, obj), body);
  };

  const exported = exportableFields(f.schema, f.notExported);
  const normalise = normaliserFor(f.schema);
  const kind: Kind = {
    name: f.kind,
    title: f.title,
    phase: 2,
    sensitiveFields: f.sensitiveFields,
    securityFields: ['token_policies', 'policies', 'token_bound_cidrs', 'secret_id_bound_cidrs', 'bound_cidr_list', 'token_type', 'token_no_default_policy'],
    deletable: true,
    placement: { in: 'auth', key: [f.section], mountTypes: [f.authType], shape: 'map', schema: f.schema, names: genericName(), allowEmpty: true, description: f.description },
    credentials: f.credentials,
    docs: { ...f.docs, defaults: { ...TOKEN_DEFAULTS, ...f.exportDefaults } },

    desired(config) {
      return holders(config).map(({ entry, mount, h }) => {
        const policies = [h.settings.token_policies, h.settings.policies].flat().filter((p): p is string => typeof p === 'string');
        return placedObject(config, kind, entry, {
          settings: h.settings,
          credentials: h.credentials,
          dependsOn: [`auth/${mount}`, ...policies.filter((p) => p !== 'default' && config.policies[p]).map((p) => `policies/${p}`)],
        });
      });
    },

    /** A password policy the credentials name (Vault generates the password by it) must exist first. */
    references(config) {
      return holders(config).flatMap(({ entry, h }): Reference[] => {
        const policy = h.credentials?.password_policy;
        if (typeof policy !== 'string') return [];
        return [{ from: entry.address, to: `password_policies/${policy}`, kind: 'sys-password-policy', path: [...entry.path, 'credentials', 'password_policy'], what: `password policy ${policy}` }];
      });
    },

    async readLive(vault, scope) {
      const mounts = liveMountsOfType(scope.config.auth, scope.mounts.auth, f.authType);
      const declaredAt = new Map(scope.desired.map((d) => [d.address, d.settings]));
      const keys = new Map<string, Set<string>>();
      const perMount = await Promise.all(
        mounts.map(async (mount) => {
          const items = await listAndRead(vault, `auth/${mount}/${f.api}`, (n) => objectPath(f.api, { mount, name: n }));
          return Promise.all(
            items.map(async (i) => {
              const address = `auth/${mount}/${f.section}/${i.name}`;
              keys.set(address, new Set(Object.keys(i.data)));
              const declared = declaredAt.get(address) ?? {};
              for (const [field, read] of Object.entries(f.extraFields ?? {})) {
                if (declared[field] !== undefined) i.data[field] = await read(vault, { mount, name: i.name });
              }
              return liveObject(f.kind, address, normalise(i.data), mount);
            }),
          );
        }),
      );
      await checkServerOnlyFields(vault, scope.config, scope.desired, keys, (d) => `auth.${d.mount ?? ''}.${f.section}.${d.name}`);
      return perMount.flat();
    },

    normalise,

    principal: (obj) => loginPrincipal(obj, { policyFields: ['token_policies', 'policies'], bindings: f.bindings, entityAlias: f.entityAlias, api: f.api }),

    export(obj, all, out) {
      const settings = exportedSettings(obj.settings, exported, { ...TOKEN_DEFAULTS, ...f.exportDefaults });
      // Vault lets a role name a policy that does not exist; our config may not: leave them out (apply then leaves them as they are).
      const policies = new Set(all.filter((l) => l.kind === 'policy').map((l) => l.name));
      const missing = ((settings.token_policies ?? []) as string[]).filter((p) => p !== 'default' && !policies.has(p));
      if (missing.length > 0) {
        delete settings.token_policies;
        out.warnings.push(`${obj.address}: token_policies left out: it names ${missing.join(', ')}, which ${missing.length === 1 ? 'does' : 'do'} not exist in Vault`);
      }
      return settings;
    },

    check(ctx) {
      const noun = f.section === 'users' ? 'user name' : 'role name';
      for (const e of placedEntries(ctx.config, kind)) {
        checkLowerCaseName(ctx, e, noun);
        checkGenericName(ctx, e, noun);
        for (const [old, use] of Object.entries(f.deprecated)) {
          if (e.value[old] !== undefined) ctx.warn([...e.path, old], `\`${old}\` is deprecated`, `use \`${use}\``, 'key');
        }
        for (const field of ['token_policies', 'policies']) checkPolicyRefs(ctx, e.value[field], [...e.path, field]);
        const seconds = (v: unknown) => (typeof v === 'string' || typeof v === 'number' ? parseTtl(v) : undefined);
        const ttl = seconds(e.value.token_ttl);
        const max = seconds(e.value.token_max_ttl);
        if (ttl !== undefined && max !== undefined && ttl > 0 && max > 0 && ttl > max) {
          ctx.error([...e.path, 'token_ttl'], '`token_ttl` cannot be greater than `token_max_ttl` (Vault refuses it)');
        }
        f.check?.(ctx, e);
        warnOverMountMax(ctx, e, ['token_ttl', 'token_max_ttl', 'token_explicit_max_ttl', 'token_period'], 'tokens');
      }
    },

    async create(ctx, obj, password) {
      await write(ctx, obj, password);
      await f.afterWrite?.(ctx, obj, []);
    },

    async update(ctx, obj, fields) {
      await write(ctx, obj);
      await f.afterWrite?.(ctx, obj, fields);
    },

    async delete(ctx, obj) {
      await ctx.vault.delete(objectPath(f.api, obj));
    },

    access(config) {
      const out: KindAccess = { plan: [], apply: [] };
      for (const mount of new Set(holders(config).map((h) => h.mount))) {
        out.plan.push(rule(`auth/${mount}/${f.api}/*`, 'read', 'list'));
        // Removed from the config (or pruned): deleted, whatever its name.
        out.apply.push(rule(`auth/${mount}/${f.api}/*`, 'delete'));
      }
      for (const { mount, name, h } of holders(config)) {
        const path = `auth/${mount}/${f.api}/${name}`;
        out.apply.push(rule(path, 'create', 'update'));
        const extra = f.objectAccess?.(path, h);
        out.plan.push(...(extra?.plan ?? []));
        out.apply.push(...(extra?.apply ?? []));
      }
      return out;
    },
  };
  return kind;
}
