import { Type } from 'typebox';
import type { Settings } from '../../core/model.js';
import type { Kind } from '../kind.js';
import { exportableFields } from '../shared/export.js';
import { duration, genericName, object } from '../shared/fields.js';
import { normaliserFor } from '../shared/normalise.js';
import { checkGenericName, placedEntries } from '../shared/support.js';
import { checkDbName, CREDENTIAL_FIELDS, databaseCollection, EXAMPLE_CONNECTION, roleMethods, statements } from './database.js';

const KIND = 'database-static-role';

const schema = object(
  {
    db_name: Type.String({ minLength: 1, description: 'The connection (declared in the same mount) the user lives behind.' }),
    username: Type.String({ minLength: 1, description: 'The existing database user whose password Vault rotates (it cannot be changed later).' }),
    rotation_period: duration('Rotate the password this often (at least 5s). Either this or rotation_schedule.'),
    rotation_schedule: Type.String({ minLength: 1, description: 'A cron schedule (5 fields) to rotate at. Either this or rotation_period.' }),
    rotation_window: duration('With rotation_schedule: how long after the scheduled time a rotation may still start (at least 1h).'),
    rotation_statements: statements('SQL that sets the new password (`{{name}}`, `{{password}}`); empty: the plugin default.'),
    skip_import_rotation: Type.Boolean({ description: 'Do not rotate the password when the role is created (default false).' }),
    ...CREDENTIAL_FIELDS,
  },
  { required: ['db_name', 'username'], description: '<mount>/static-roles/<name> parameters.' },
);
const normalise = normaliserFor(schema);

/** Reported by Vault, set by nobody. */
const READ_ONLY = ['last_vault_rotation', 'ttl', 'next_vault_rotation', 'last_vault_rotation_failed'];
const DEFAULTS: Settings = { credential_type: 'password', skip_import_rotation: false, rotation_schedule: '' };
const EXPORTED = exportableFields(schema);

function fromVault(data: Record<string, unknown>): Settings {
  const out: Settings = { ...data };
  for (const f of READ_ONLY) delete out[f];
  return normalise(out);
}

const objects = databaseCollection(() => databaseStaticRoleKind, 'static-roles', fromVault);

/**
 * A static role of a database secrets mount: one existing database user whose password Vault
 * rotates on a period or a schedule. Its password (`MOUNT/static-creds/NAME`) is never read.
 */
export const databaseStaticRoleKind: Kind = {
  name: KIND,
  title: 'Database static roles',
  phase: 3,
  sensitiveFields: [],
  securityFields: ['db_name', 'username', 'rotation_statements'],
  deletable: true,
  ...roleMethods(objects, normalise, EXPORTED, DEFAULTS),
  placement: {
    in: 'secrets',
    key: ['static_roles'],
    mountTypes: ['database'],
    shape: 'map',
    schema,
    names: genericName(),
    description: 'database: static roles by name (<mount>/static-roles/<name>): existing users whose password Vault rotates.',
  },
  docs: {
    summary:
      "A static role of a database secrets mount: an existing database user whose password Vault rotates every `rotation_period` (or on `rotation_schedule`); applications read the current one from `MOUNT/static-creds/NAME`. vault-gitops never reads that password. Creating the role rotates the password at once (unless `skip_import_rotation`).",
    api: ['MOUNT/static-roles/NAME'],
    example: `secrets:
  database:
    type: database
    connections:
${EXAMPLE_CONNECTION}        allowed_roles: [reporting]
    static_roles:
      reporting:
        db_name: app-db
        username: reporting
        rotation_period: 24h
`,
    defaults: DEFAULTS,
    guide: 'kinds/database.md',
  },

  check(ctx) {
    for (const e of placedEntries(ctx.config, databaseStaticRoleKind)) {
      checkGenericName(ctx, e, 'static role name');
      checkDbName(ctx, e);
      const { rotation_period: period, rotation_schedule: schedule, rotation_window: window } = e.value;
      if ((period === undefined) === (schedule === undefined)) {
        ctx.error(e.path, 'a static role needs exactly one of rotation_period and rotation_schedule', 'set rotation_period (e.g. 24h) or rotation_schedule (cron)', 'key');
      }
      if (window !== undefined && schedule === undefined) ctx.error([...e.path, 'rotation_window'], 'rotation_window applies only with rotation_schedule', 'remove it, or rotate on a schedule', 'key');
    }
  },


  destroyNote: (obj) =>
    `Vault stops rotating the password of the database user behind ${obj.mount}/static-roles/${obj.name}, and the current one (known only to Vault) is lost with the role`,

};
