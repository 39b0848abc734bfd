import { Type } from 'typebox';
import type { Settings } from '../../core/model.js';
import type { Kind } from '../kind.js';
import { exportableFields } from '../shared/export.js';
import { duration, genericName, object } from '../shared/fields.js';
import { normaliserFor } from '../shared/normalise.js';
import { checkGenericName, placedEntries, warnOverMountMax } from '../shared/support.js';
import { checkDbName, CREDENTIAL_FIELDS, databaseCollection, EXAMPLE_CONNECTION, roleMethods, statements } from './database.js';

const KIND = 'database-role';

const schema = object(
  {
    db_name: Type.String({ minLength: 1, description: 'The connection (declared in the same mount) the role creates users through.' }),
    creation_statements: statements('SQL that creates the user (`{{name}}`, `{{password}}`, `{{expiration}}`), and grants exactly what it may do.', { required: true }),
    revocation_statements: statements('SQL that drops the user when its lease ends (empty: the plugin default).'),
    rollback_statements: statements('SQL that undoes a failed creation.'),
    renew_statements: statements('SQL run when the lease is renewed.'),
    default_ttl: duration('Lease of the credentials (0: the mount default).'),
    max_ttl: duration('Longest the lease may be renewed to (0: the mount maximum).'),
    ...CREDENTIAL_FIELDS,
  },
  { required: ['db_name', 'creation_statements'], description: '<mount>/roles/<name> parameters.' },
);
const normalise = normaliserFor(schema);

const DEFAULTS: Settings = { credential_type: 'password' };
const EXPORTED = exportableFields(schema);

const objects = databaseCollection(() => databaseRoleKind, 'roles', normalise);

/** A dynamic role of a database secrets mount. A role write replaces the whole role. */
export const databaseRoleKind: Kind = {
  name: KIND,
  title: 'Database roles',
  phase: 3,
  sensitiveFields: [],
  securityFields: ['db_name', 'creation_statements', 'max_ttl'],
  deletable: true,
  ...roleMethods(objects, normalise, EXPORTED, DEFAULTS),
  placement: {
    in: 'secrets',
    key: ['roles'],
    mountTypes: ['database'],
    shape: 'map',
    schema,
    names: genericName(),
    description: 'database: dynamic roles by name (<mount>/roles/<name>); <mount>/creds/<name> issues users.',
  },
  docs: {
    summary:
      'A dynamic role of a database secrets mount: reading `MOUNT/creds/NAME` creates a database user with the creation statements and a lease; when the lease ends Vault drops it. `db_name` must be a connection declared in the same mount whose `allowed_roles` admits the role.',
    api: ['MOUNT/roles/NAME'],
    example: `secrets:
  database:
    type: database
    connections:
${EXAMPLE_CONNECTION}        allowed_roles: [app-readonly]
    roles:
      app-readonly:
        db_name: app-db
        creation_statements:
          - CREATE ROLE "{{name}}" WITH LOGIN PASSWORD '{{password}}' VALID UNTIL '{{expiration}}';
          - GRANT SELECT ON ALL TABLES IN SCHEMA public TO "{{name}}";
        default_ttl: 1h
        max_ttl: 24h
`,
    defaults: DEFAULTS,
    guide: 'kinds/database.md',
  },

  check(ctx) {
    for (const e of placedEntries(ctx.config, databaseRoleKind)) {
      checkGenericName(ctx, e, 'role name');
      checkDbName(ctx, e);
      warnOverMountMax(ctx, e, ['default_ttl', 'max_ttl'], 'leases');
    }
  },


};
