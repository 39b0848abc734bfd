import { Type } from 'typebox';
import { parseTtl } from '../../core/common/ttl.js';
import type { Settings } from '../../core/model.js';
import type { CheckContext, Kind } from '../kind.js';
import { exportableFields, exportedSettings } from '../shared/export.js';
import { duration, genericName, object, stringSet } from '../shared/fields.js';
import { normaliserFor } from '../shared/normalise.js';
import { checkGenericName, compact, placedEntries, rule, type PlacedEntry } from '../shared/support.js';
import { connectionTarget, embeddedPassword, usesPasswordTemplate } from './connection-url.js';
import { checkAllowedRoles, databaseCollection, statements } from './database.js';

const KIND = 'database-connection';
const PASSWORD = 'password';

/** Plugin settings Vault keeps under `connection_details` (it never returns the password). */
const DETAILS = ['connection_url', 'username', 'max_open_connections', 'max_idle_connections', 'max_connection_lifetime', 'username_template', 'disable_escaping', 'password_authentication'];

const schema = object(
  {
    plugin_name: Type.String({ minLength: 1, description: 'The database plugin: postgresql-database-plugin, mysql-database-plugin, ...' }),
    plugin_version: Type.String({ description: 'A pinned plugin version (empty: the built-in one).' }),
    connection_url: Type.String({
      minLength: 1,
      description: 'Where Vault connects, with `{{username}}` and `{{password}}` where the credentials go (postgresql://{{username}}:{{password}}@db.example.com:5432/app). Never a password of its own.',
    }),
    username: Type.String({ minLength: 1, description: "The database account Vault uses (the root credential's user)." }),
    [PASSWORD]: Type.String({
      writeOnly: true,
      description:
        'Write-only: the bootstrap password of `username`. Never shown; give it with ${var.db_password} (a variable named like a secret). With rotate_root (the default) Vault replaces it at once, and only Vault knows the live one.',
    }),
    allowed_roles: stringSet('Roles and static roles of this mount that may use the connection (`*` or glob patterns allowed; names are checked against the declared roles).'),
    verify_connection: Type.Boolean({ description: 'Vault connects once when the connection is written (default true). Vault only: OpenBao does not read it back, so it is not compared.' }),
    password_policy: Type.String({ description: 'The password policy (sys/policies/password/NAME) Vault generates passwords with.' }),
    root_rotation_statements: statements('SQL that rotates the root password (`{{username}}`, `{{password}}`); empty: the plugin default.'),
    max_open_connections: Type.Integer({ minimum: 0, description: 'Pool: most open connections (plugin default 4).' }),
    max_idle_connections: Type.Integer({ minimum: 0, description: 'Pool: most idle connections (plugin default 0: as max_open_connections).' }),
    max_connection_lifetime: duration('Pool: longest a connection is reused (plugin default 0s: no limit).'),
    username_template: Type.String({ description: 'Go template for the names of dynamic users.' }),
    disable_escaping: Type.Boolean({ description: 'Do not escape special characters in the username and password of the URL.' }),
    password_authentication: Type.String({ enum: ['password', 'scram-sha-256'], description: 'PostgreSQL: how passwords are sent to the database (default password).' }),
    rotate_root: Type.Boolean({
      description:
        'vault-gitops rotates the root credential (database/rotate-root/NAME) right after creating the connection, so the bootstrap password stops working (default true). false only when something else must keep using that account\'s password.',
    }),
  },
  { required: ['plugin_name', 'connection_url'], description: '<mount>/config/<name> parameters.' },
);
const normaliseFields = normaliserFor(schema);

/** Vault's answers for fields nobody set (left out of an export). */
const DEFAULTS: Settings = { plugin_version: '', password_policy: '', verify_connection: true, rotate_root: true };

/** Compared: what Vault reads back. Not: the password, rotate_root (ours), verify_connection (OpenBao never returns it). */
function normalise(settings: Settings): Settings {
  const { rotate_root: _rotate, verify_connection: _verify, ...rest } = settings;
  return normaliseFields(rest);
}

/** A live connection in the config's shape: connection_details flattened, Vault's read-side name mapped back. */
function fromVault(data: Record<string, unknown>): Settings {
  const details = (data.connection_details ?? {}) as Record<string, unknown>;
  const out: Settings = {
    plugin_name: data.plugin_name,
    plugin_version: data.plugin_version ?? '',
    allowed_roles: data.allowed_roles ?? [],
    password_policy: data.password_policy ?? '',
    root_rotation_statements: data.root_credentials_rotate_statements ?? [],
  };
  for (const f of DETAILS) if (details[f] !== undefined) out[f] = details[f];
  return normalise(out);
}

const objects = databaseCollection(() => databaseConnectionKind, 'config', fromVault);

/** The body of a config write: rotate_root is ours; the password only when it is the live one to set. */
function body(settings: Settings, withPassword: boolean): Record<string, unknown> {
  const { rotate_root: _rotate, [PASSWORD]: password, ...rest } = settings;
  return compact({ ...rest, ...(withPassword ? { [PASSWORD]: password } : {}) });
}

function checkEntry(ctx: CheckContext, e: PlacedEntry): void {
  checkGenericName(ctx, e, 'connection name');
  checkAllowedRoles(ctx, e);
  // A literal password is refused by the rule every write-only field shares (core/check).
  const urlPath = [...e.path, 'connection_url'];
  const url = e.value.connection_url;
  if (typeof url === 'string' && !ctx.broken(urlPath)) {
    if (embeddedPassword(url) !== undefined) {
      ctx.error(urlPath, 'connection_url embeds a password: the URL is shown in plans and exports, and Vault returns it to anyone who may read the connection', 'write `{{password}}` where the password goes and give it in `password:` (from a secret variable)');
    } else if (e.value[PASSWORD] !== undefined && !usesPasswordTemplate(url)) {
      ctx.error(urlPath, 'connection_url has no `{{password}}`: Vault could not log in with `password`, nor with the root credential it rotates', 'write the URL with `{{username}}:{{password}}@`');
    }
  }
  const policyPath = [...e.path, 'password_policy'];
  const policy = e.value.password_policy;
  const declaredPolicies = (ctx.config.tree.password_policies ?? {}) as Record<string, unknown>;
  if (typeof policy === 'string' && policy !== '' && !ctx.broken(policyPath) && !(policy in declaredPolicies)) {
    ctx.warn(policyPath, `password policy \`${policy}\` is not declared under password_policies: Vault must already have it, or the connection write fails`, 'declare it under `password_policies:`');
  }
  const lifetimePath = [...e.path, 'max_connection_lifetime'];
  const lifetime = e.value.max_connection_lifetime;
  if ((typeof lifetime === 'string' || typeof lifetime === 'number') && !ctx.broken(lifetimePath) && parseTtl(lifetime) === undefined) {
    ctx.error(lifetimePath, `invalid duration ${ctx.shown(lifetimePath, lifetime)}`, 'write seconds or a Go duration such as "5m"');
  }
}

const EXPORTED = exportableFields(schema, [PASSWORD, 'rotate_root', 'verify_connection']);

/**
 * A connection of a database secrets mount: how Vault reaches one database and with which root
 * account. Created with the bootstrap password from a secret variable, then (rotate_root, the
 * default) Vault rotates that account's password at once; later writes never send the password
 * again, so the rotated one stays. A write merges into the live connection.
 */
export const databaseConnectionKind: Kind = {
  name: KIND,
  title: 'Database connections',
  phase: 2,
  sensitiveFields: [PASSWORD],
  // Once Vault rotated the root credential, the variable's bootstrap password is dead: a new one is no change.
  secretApplies: (settings) => settings.rotate_root === false,
  securityFields: ['connection_url', 'username', 'allowed_roles', 'plugin_name', 'root_rotation_statements'],
  deletable: true,
  placement: {
    in: 'secrets',
    key: ['connections'],
    mountTypes: ['database'],
    shape: 'map',
    schema,
    names: genericName(),
    description: 'database: connections to databases by name (<mount>/config/<name>).',
  },
  docs: {
    summary:
      "A connection of a database secrets mount: the plugin, the URL Vault connects to, and the root account it connects with. vault-gitops creates it with the bootstrap password from a secret variable and then has Vault rotate that password (`rotate_root`, default true): only Vault knows the live one. The password is never read, shown or exported; later writes leave it alone. Moving the URL to another host is listed under destroys (Vault would send the live root credential there).",
    api: ['MOUNT/config/NAME', 'MOUNT/rotate-root/NAME'],
    example: `secrets:
  database:
    type: database
    connections:
      app-db:
        plugin_name: postgresql-database-plugin
        connection_url: postgresql://{{username}}:{{password}}@db.example.com:5432/app
        username: vault
        allowed_roles: [app]
    roles:
      app:
        db_name: app-db
        creation_statements:
          - CREATE ROLE "{{name}}" WITH LOGIN PASSWORD '{{password}}' VALID UNTIL '{{expiration}}';
`,
    defaults: DEFAULTS,
    guide: 'kinds/database.md',
  },

  // Vault generates the rotated root password by the policy: it must exist first.
  desired: (config) => objects.desired(config, (e) => (typeof e.value.password_policy === 'string' && e.value.password_policy !== '' ? [`password_policies/${e.value.password_policy}`] : [])),

  check(ctx) {
    for (const e of placedEntries(ctx.config, databaseConnectionKind)) checkEntry(ctx, e);
  },

  readLive: (vault, scope) => objects.readLive(vault, scope),

  normalise,

  export: (obj) => exportedSettings(obj.settings, EXPORTED, DEFAULTS),

  async create(ctx, obj) {
    await objects.write(ctx, obj, body(obj.settings, true));
    if (obj.settings.rotate_root === false) return;
    try {
      await ctx.vault.write(`${obj.mount}/rotate-root/${encodeURIComponent(obj.name)}`, {});
    } catch (err) {
      // A connection left with the bootstrap password would look applied, and later runs only update
      // it: undo the create so the next run creates and rotates again.
      await objects.delete(ctx, { ...obj, settings: {} }).catch(() => undefined);
      throw err;
    }
  },

  async update(ctx, obj) {
    // After a rotation the variable holds a dead bootstrap password: sending it would break the connection.
    await objects.write(ctx, obj, body(obj.settings, obj.settings.rotate_root === false));
  },

  delete: (ctx, obj) => objects.delete(ctx, obj),

  destroyNote: (obj) =>
    `Vault forgets the root credential of ${obj.mount}/config/${obj.name} (after a rotation only Vault knew it) and can no longer revoke the database users its roles issued`,

  updateDestroyNote(obj, fields) {
    const url = fields.find((f) => f.name === 'connection_url');
    if (!url || typeof url.after !== 'string') return undefined;
    const before = typeof url.before === 'string' ? connectionTarget(url.before) : undefined;
    const after = connectionTarget(url.after);
    if (before !== undefined && before === after) return undefined;
    return `moves ${obj.mount}/config/${obj.name} to ${after ?? 'another address'}: Vault would log in there with the live root credential (only Vault knows it), handing it to that host`;
  },

  access: (config) => objects.access(config, (e) => (e.value.rotate_root !== false ? [rule(`${e.mount}/rotate-root/${encodeURIComponent(e.name)}`, 'update')] : [])),
};
