import type { Vault } from '../adapters/vault.js';
import type { KindAccess } from '../core/access.js';
import type { Config, CredentialHolderConfig, DesiredObject, KindName } from '../core/model.js';
import type { CredentialCapability, Kind } from './kind.js';
import { normaliseSettings } from './normalise.js';
import { compact, desiredObject, listAndRead, liveMountsOfType, liveObject, rule } from './support.js';

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
  credentials: CredentialCapability;
  /** Extra write after create/update (e.g. a custom AppRole role_id). */
  afterWrite?: Kind['update'];
  /** Fields Vault serves from another endpoint, read only for objects whose config declares them. */
  extraFields?: Record<string, (vault: Vault, obj: { mount: string; name: string }) => Promise<unknown>>;
  /** Paths beyond the object's own (`auth/MOUNT/API/NAME`) that one object needs, for policy-for. */
  objectAccess?: (objectPath: string, holder: CredentialHolderConfig) => KindAccess;
}

export function objectPath(api: string, obj: Pick<DesiredObject, 'mount' | 'name'>): string {
  return `auth/${obj.mount}/${api}/${encodeURIComponent(obj.name)}`;
}

/** Objects that live in a collection inside auth mounts of one type (userpass users, AppRole roles). */
export function authCollectionKind(f: CollectionFlavor): Kind {
  const holders = (config: Config) =>
    Object.entries(config.auth)
      .filter(([, m]) => m.type === f.authType)
      .flatMap(([mount, m]) =>
        Object.entries((m[f.section] ?? {}) as Record<string, CredentialHolderConfig>).map(([name, h]) => ({ mount, name, h })),
      );

  const write = async (ctx: Parameters<Kind['update']>[0], obj: DesiredObject, password?: string) => {
    const body = compact({ ...obj.settings, password });
    await ctx.vault.write(objectPath(f.api, obj), body);
  };

  return {
    name: f.kind,
    title: f.title,
    phase: 2,
    sensitiveFields: f.sensitiveFields,
    securityFields: ['token_policies', 'policies', 'token_bound_cidrs', 'secret_id_bound_cidrs', 'bound_cidr_list', 'token_type', 'token_no_default_policy'],
    deletable: true,
    credentials: f.credentials,

    desired(config) {
      return holders(config).map(({ mount, name, h }) => {
        const policies = [h.settings.token_policies, h.settings.policies].flat().filter((p): p is string => typeof p === 'string');
        return desiredObject(config, f.kind, `auth/${mount}/${f.section}/${name}`, `auth.${mount}.${f.section}.${name}`, {
          settings: h.settings,
          credentials: h.credentials,
          mount,
          dependsOn: [`auth/${mount}`, ...policies.filter((p) => p !== 'default' && config.policies[p]).map((p) => `policies/${p}`)],
        });
      });
    },

    async readLive(vault, scope) {
      const mounts = liveMountsOfType(scope.config.auth, scope.mounts.auth, f.authType);
      const declaredAt = new Map(scope.desired.map((d) => [d.address, d.settings]));
      const perMount = await Promise.all(
        mounts.map(async (mount) => {
          const items = await listAndRead(vault, `auth/${mount}/${f.api}`, (n) => objectPath(f.api, { mount, name: n }));
          return Promise.all(
            items.map(async (i) => {
              const address = `auth/${mount}/${f.section}/${i.name}`;
              const declared = declaredAt.get(address) ?? {};
              for (const [field, read] of Object.entries(f.extraFields ?? {})) {
                if (declared[field] !== undefined) i.data[field] = await read(vault, { mount, name: i.name });
              }
              return liveObject(f.kind, address, normaliseSettings(i.data), mount);
            }),
          );
        }),
      );
      return perMount.flat();
    },

    normalise: normaliseSettings,

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
}
