// What the database secrets engine's kinds share: their mounts, the SQL statement lists, and the
// cross-references between connections, roles and static roles of one mount.
import { Type } from 'typebox';
import type { AccessRule, KindAccess } from '../../core/least-privilege.js';
import type { Config, DesiredObject, LiveObject, Settings } from '../../core/model.js';
import type { VaultPort } from '../../core/ports.js';
import { didYouMean } from '../../core/common/suggest.js';
import type { ApplyContext, CheckContext, Kind, ReadScope } from '../kind.js';
import { exportedSettings } from '../shared/export.js';
import { compact, listAndRead, liveMountsOfType, liveObject, placedEntries, placedObject, rule, type PlacedEntry } from '../shared/support.js';

/** The database mounts the config declares. */
export function databaseMounts(config: Config): string[] {
  return Object.keys(config.secrets).filter((path) => config.secrets[path]!.type === 'database');
}

/**
 * What a database kind does with Vault, one collection of a mount (`config`, `roles`, `static-roles`):
 * LIST + GET, a write that creates or updates, a delete, and the paths for policy-for.
 */
export function databaseCollection(self: () => Kind, api: string, fromVault: (data: Record<string, unknown>) => Settings) {
  const apiPath = (mount: string | undefined, name: string) => `${mount ?? ''}/${api}/${encodeURIComponent(name)}`;
  return {
    apiPath,
    desired(config: Config, dependsOn: (e: PlacedEntry) => string[]): DesiredObject[] {
      return placedEntries(config, self()).map((e) => placedObject(config, self(), e, { settings: e.value, dependsOn: [`secrets/${e.mount}`, ...dependsOn(e)] }));
    },
    async readLive(vault: VaultPort, scope: ReadScope): Promise<LiveObject[]> {
      const perMount = await Promise.all(
        liveMountsOfType(scope.config.secrets, scope.mounts.secrets, 'database').map(async (mount) => {
          const items = await listAndRead(vault, `${mount}/${api}`, (n) => apiPath(mount, n));
          return items.map((i) => liveObject(self().name, `secrets/${mount}/${self().placement!.key[0]!}/${i.name}`, fromVault(i.data), mount));
        }),
      );
      return perMount.flat();
    },
    async write(ctx: ApplyContext, obj: DesiredObject, body: Record<string, unknown>): Promise<void> {
      await ctx.vault.write(apiPath(obj.mount, obj.name), body);
    },
    async delete(ctx: ApplyContext, obj: LiveObject): Promise<void> {
      await ctx.vault.delete(apiPath(obj.mount, obj.name));
    },
    access(config: Config, extra: (e: PlacedEntry) => AccessRule[] = () => []): KindAccess {
      const mounts = databaseMounts(config);
      return {
        plan: mounts.map((mount) => rule(`${mount}/${api}/*`, 'read', 'list')),
        apply: [
          ...placedEntries(config, self()).flatMap((e) => [rule(apiPath(e.mount, e.name), 'create', 'update'), ...extra(e)]),
          ...mounts.map((mount) => rule(`${mount}/${api}/*`, 'delete')),
        ],
      };
    },
  };
}

/**
 * What roles and static roles do alike: they depend on their connection, are read and exported as
 * Vault returns them, and a write replaces the whole role.
 */
export function roleMethods(
  objects: ReturnType<typeof databaseCollection>,
  normalise: (s: Settings) => Settings,
  exported: ReadonlySet<string>,
  defaults: Settings,
): Pick<Kind, 'desired' | 'readLive' | 'normalise' | 'export' | 'create' | 'update' | 'delete' | 'access'> {
  return {
    desired: (config) => objects.desired(config, (e) => [`secrets/${e.mount}/connections/${String(e.value.db_name)}`]),
    readLive: (vault, scope) => objects.readLive(vault, scope),
    normalise,
    export: (obj) => exportedSettings(obj.settings, exported, defaults),
    create: (ctx, obj) => objects.write(ctx, obj, compact(obj.settings)),
    update: (ctx, obj) => objects.write(ctx, obj, compact(obj.settings)),
    delete: (ctx, obj) => objects.delete(ctx, obj),
    access: (config) => objects.access(config),
  };
}

/** The connection the reference pages' examples use. */
export const EXAMPLE_CONNECTION = `      app-db:
        plugin_name: postgresql-database-plugin
        connection_url: postgresql://{{username}}:{{password}}@db.example.com:5432/app
`;

/**
 * SQL statements, run in order. A list only: Vault splits a single string at commas, which SQL
 * is full of.
 */
export const statements = (description: string, opts: { required?: boolean } = {}) =>
  Type.Array(Type.String({ minLength: 1 }), { ...(opts.required ? { minItems: 1 } : {}), description });

/** The `credential_type` and `credential_config` of roles and static roles. */
export const CREDENTIAL_FIELDS = {
  credential_type: Type.String({ enum: ['password', 'rsa_private_key', 'client_certificate'], description: 'What Vault generates for the database user (default password).' }),
  credential_config: Type.Record(Type.String(), Type.Union([Type.String(), Type.Integer()]), {
    description: "Options of the credential type (password_policy for passwords; key_bits, format for RSA keys).",
  }),
};

/** What the config declares under `key` (connections, roles, static_roles) of one database mount, by name. */
export function declaredIn(config: Config, mount: string | undefined, key: string): Record<string, Record<string, unknown>> {
  const m = mount === undefined ? undefined : (config.tree.secrets as Record<string, Record<string, unknown>> | undefined)?.[mount];
  const section = m?.[key];
  return section !== null && typeof section === 'object' ? (section as Record<string, Record<string, unknown>>) : {};
}

const declaredNames = (config: Config, mount: string | undefined, key: string): string[] => Object.keys(declaredIn(config, mount, key));

/** `db_name` of a role or static role names a connection declared in the same mount. */
export function checkDbName(ctx: CheckContext, e: PlacedEntry): void {
  const path = [...e.path, 'db_name'];
  const dbName = e.value.db_name;
  if (typeof dbName !== 'string' || ctx.broken(path)) return;
  const connections = declaredNames(ctx.config, e.mount, 'connections');
  if (!connections.includes(dbName)) {
    ctx.error(path, `db_name ${ctx.shown(path, dbName)} is not a connection declared in secrets.${e.mount}.connections${didYouMean(dbName, connections)}`, 'declare the connection under `connections:` of the same mount');
    return;
  }
  const allowed = declaredIn(ctx.config, e.mount, 'connections')[dbName]?.allowed_roles;
  if (allowed === undefined || allowsRole(allowed, e.name)) return;
  ctx.error(
    path,
    `the connection \`${dbName}\` does not list \`${e.name}\` in allowed_roles: Vault refuses to issue credentials for it`,
    `add \`${e.name}\` to secrets.${e.mount}.connections.${dbName}.allowed_roles`,
  );
}

function allowedList(v: unknown): string[] {
  if (Array.isArray(v)) return v.filter((x): x is string => typeof x === 'string').map((x) => x.trim());
  return typeof v === 'string' ? v.split(',').map((x) => x.trim()).filter((x) => x !== '') : [];
}

/** Vault's allowed_roles: names, `*`, or glob patterns. */
export function allowsRole(allowed: unknown, role: string): boolean {
  return allowedList(allowed).some((p) => p === role || (p.includes('*') && globMatch(p, role)));
}

function globMatch(pattern: string, s: string): boolean {
  const re = new RegExp(`^${pattern.split('*').map((x) => x.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`);
  return re.test(s);
}

/** allowed_roles entries without a `*` name roles or static roles declared in the same mount. */
export function checkAllowedRoles(ctx: CheckContext, e: PlacedEntry): void {
  const path = [...e.path, 'allowed_roles'];
  if (e.value.allowed_roles === undefined || ctx.broken(path)) return;
  const declared = [...declaredNames(ctx.config, e.mount, 'roles'), ...declaredNames(ctx.config, e.mount, 'static_roles')];
  const list = e.value.allowed_roles;
  allowedList(list).forEach((name, i) => {
    if (name.includes('*') || declared.includes(name)) return;
    ctx.error(
      path,
      `allowed_roles names \`${name}\`, which is neither a role nor a static role of secrets.${e.mount}${didYouMean(name, declared)}`,
      'declare it under `roles:` or `static_roles:`, or remove it (a pattern with `*` is not checked)',
      Array.isArray(list) ? ctx.pos([...path, String(i)]) : 'value',
    );
  });
}
