import { randomUUID } from 'node:crypto';
import { VaultApiError, errorMessage } from '../../../core/errors.js';
import { deliversCredentials } from '../../../core/model.js';
import { ISSUED_MARK, issueWrapped, judgeSecretId, liveSecretIds, lookupAccessor, wrapSeconds } from './secret-id-lifecycle.js';
import { authCollectionKind, objectPath } from '../auth-collection.js';
import { rule } from '../../shared/support.js';
import { cidrList, credentialSinks, deprecated, duration, forbidden, object, stringSet, TOKEN_FIELDS } from '../../shared/fields.js';
import { Type } from 'typebox';
import type { Kind } from '../../kind.js';

const schema = object(
  {
    bind_secret_id: Type.Boolean({ description: 'Require a secret_id at login (default true).' }),
    secret_id_bound_cidrs: cidrList('CIDR blocks allowed to log in with a secret_id.'),
    secret_id_num_uses: Type.Integer({ minimum: 0, description: 'Uses of a secret_id; 0 = unlimited.' }),
    secret_id_ttl: duration('Lifetime of a secret_id.'),
    local_secret_ids: Type.Boolean({ description: 'secret_ids are cluster-local (can only be set at creation).' }),
    role_id: Type.String({ minLength: 1, description: 'A custom role_id (auth/<mount>/role/<name>/role-id).' }),
    ...TOKEN_FIELDS,
    policies: deprecated('token_policies', stringSet),
    period: deprecated('token_period', duration),
    bound_cidr_list: deprecated('secret_id_bound_cidrs', cidrList),
    secret_id: forbidden('not allowed in config: secret_ids are issued by Vault and delivered to the credentials sink'),
    credentials: credentialSinks({
      formats: ['json', 'vault-sidekick', 'vault-agent', 'env'],
      formatHelp:
        'What the consumer reads: json (default), vault-sidekick (its -auth file), vault-agent (a directory with role_id and secret_id files) or env (a dotenv file). ',
      names: ['role_id', 'secret_id', 'mount'],
      envDefault: 'VAULT_ROLE_ID',
      description: 'Where the role_id and a fresh secret_id go.',
      wrap:
        'Deliver a response-wrapping token of this lifetime in place of the secret_id (every sink and format; Vault Agent unwraps it with `secret_id_response_wrapping_path = "auth/<mount>/role/<name>/secret-id"`). vault-gitops keeps only the secret_id\'s accessor. See docs/credentials.md, "One-time and wrapped secret_ids".',
    }),
  },
  { description: 'auth/<mount>/role/<name> parameters.' },
);

/** AppRole's role_id is read from its own endpoint, so it is compared only when the config pins one. */
const roleKind = authCollectionKind({
  kind: 'approle-role',
  title: 'AppRole roles',
  authType: 'approle',
  section: 'roles',
  api: 'role',
  sensitiveFields: ['secret_id'],
  bindings: ['bind_secret_id', 'secret_id_bound_cidrs', 'bound_cidr_list', 'token_bound_cidrs', 'secret_id_num_uses', 'secret_id_ttl'],
  // The alias is the role_id: known when the config pins it.
  entityAlias: (obj) => (typeof obj.settings.role_id === 'string' ? { mount: obj.mount ?? '', name: obj.settings.role_id } : { mount: obj.mount ?? '', from: 'role_id' }),
  schema,
  exportDefaults: { bind_secret_id: true, local_secret_ids: false },
  deprecated: { policies: 'token_policies', period: 'token_period', bound_cidr_list: 'secret_id_bound_cidrs' },
  check(ctx, e) {
    if (e.value.bind_secret_id !== false) return;
    const constrained = ['secret_id_bound_cidrs', 'token_bound_cidrs', 'bound_cidr_list'].some((f) => {
      const v = e.value[f];
      return (Array.isArray(v) && v.length > 0) || (typeof v === 'string' && v !== '');
    });
    if (!constrained) {
      ctx.error([...e.path, 'bind_secret_id'], 'with `bind_secret_id: false` the role needs `secret_id_bound_cidrs` or `token_bound_cidrs` (Vault refuses a role without constraints)');
    }
  },
  notExported: ['role_id'],
  description: 'AppRole roles by name.',
  docs: {
    summary:
      'A role of an AppRole auth mount, for machines. vault-gitops makes its role_id (or takes the one the config pins), issues a secret_id, delivers both to the `credentials:` sink, and only then destroys the secret_id it replaces.',
    api: ['auth/MOUNT/role/NAME', 'auth/MOUNT/role/NAME/role-id', 'auth/MOUNT/role/NAME/secret-id', 'auth/MOUNT/role/NAME/secret-id-accessor/destroy'],
    example: `policies:
  app-read:
    policy: |
      path "secret/data/app/*" {
        capabilities = ["read"]
      }
auth:
  approle:
    type: approle
    roles:
      app:
        token_policies: [app-read]
        token_ttl: 20m
        secret_id_ttl: 720h
        credentials:
          file: { path: out/app.json }
`,
  },
  objectAccess(path, holder) {
    const delivers = deliversCredentials(holder.credentials);
    return {
      // Checking a delivered secret_id is a lookup (a write in Vault's terms), even in a plan; a
      // wrapped one is checked by its wrapping token and its accessor. The role's other secret_ids
      // (orphans; on adoption, those not issued by vault-gitops) are told apart by an accessor lookup.
      plan: delivers
        ? [
            rule(`${path}/secret-id/lookup`, 'update'),
            rule(`${path}/secret-id-accessor/lookup`, 'update'),
            ...(wrapSeconds(holder) !== undefined ? [rule('sys/wrapping/lookup', 'update')] : []),
          ]
        : [],
      apply: [
        ...(holder.settings.role_id !== undefined ? [rule(`${path}/role-id`, 'update')] : []),
        ...(delivers
          ? [rule(`${path}/secret-id`, 'update'), rule(`${path}/secret-id-accessor/lookup`, 'update'), rule(`${path}/secret-id-accessor/destroy`, 'update')]
          : []),
      ],
    };
  },
  extraFields: {
    role_id: async (vault, obj) => ((await vault.read(`${objectPath('role', obj)}/role-id`))?.data as { role_id?: string } | undefined)?.role_id,
  },
  // A create sends the role_id in its own request (approleRoleKind.create).
  async afterWrite(ctx, obj, fields) {
    if (obj.settings.role_id !== undefined && fields.includes('role_id')) {
      await ctx.vault.write(`${objectPath('role', obj)}/role-id`, { role_id: obj.settings.role_id });
    }
  },
  credentials: {
    mode: 'secret-id',
    label: 'role_id + secret_id',
    async issue(ctx, obj, identity) {
      const base = objectPath('role', obj);
      const roleId = identity !== undefined ? { role_id: identity } : ((await ctx.vault.read(`${base}/role-id`))?.data as { role_id?: string } | undefined);
      const wrapTtl = wrapSeconds(obj);
      if (wrapTtl !== undefined) {
        if (!roleId?.role_id) throw new Error(`Vault did not return a role_id for ${obj.address}`);
        const wrapped = await issueWrapped(ctx.vault, base, obj, wrapTtl);
        return { values: { role_id: roleId.role_id, secret_id: wrapped.token }, accessor: wrapped.accessor, wrapExpiresAt: wrapped.expiresAt };
      }
      const issued = (await ctx.vault.write(`${base}/secret-id`, { metadata: ISSUED_MARK }))?.data as
        | { secret_id?: string; secret_id_accessor?: string }
        | undefined;
      if (!roleId?.role_id || !issued?.secret_id) throw new Error(`Vault did not return a role_id and secret_id for ${obj.address}`);
      return { values: { role_id: roleId.role_id, secret_id: issued.secret_id }, accessor: issued.secret_id_accessor };
    },
    async revoke(ctx, obj, accessor) {
      const base = objectPath('role', obj);
      try {
        await ctx.vault.write(`${base}/secret-id-accessor/destroy`, { secret_id_accessor: accessor });
      } catch (err) {
        // Vault answers an unknown accessor with 500 (not 404), like any other failure would: only
        // a lookup that finds nothing proves it is gone. Anything else is an error; the next run retries.
        if (err instanceof VaultApiError && err.status === 404) return;
        if ((await lookupAccessor(ctx.vault, base, accessor).catch(() => 'unknown' as const)) === 'gone') return;
        throw new Error(`could not destroy the superseded secret_id of ${obj.address} (it is still live): ${errorMessage(err)}`);
      }
    },
    async orphans(vault, obj, keepAccessor) {
      return (await liveSecretIds(vault, objectPath('role', obj), keepAccessor)).filter((s) => s.ours).map((s) => s.accessor);
    },
    async unissued(vault, obj) {
      return (await liveSecretIds(vault, objectPath('role', obj))).filter((s) => !s.ours).map((s) => s.accessor);
    },
    async verify(vault, obj, values, meta) {
      const base = objectPath('role', obj);
      const roleId = ((await vault.read(`${base}/role-id`))?.data as { role_id?: string } | undefined)?.role_id;
      if (roleId !== values.role_id) return { valid: false, reason: 'role_id changed in Vault' };
      if (!values.secret_id) return { valid: false, reason: 'no secret_id delivered' };
      return judgeSecretId(vault, base, obj, values.secret_id, meta);
    },
  },
});

/** An AppRole role's identity is its role_id (random unless the config pins one). */
export const approleRoleKind: Kind = {
  ...roleKind,
  /**
   * Vault and OpenBao take a role_id in the create request and otherwise make a random one: making
   * it here instead means the role's identity (and a delivered role_id) needs no read-back. Only on
   * create: an update never sends a role_id the config does not pin (delivered ones stay valid).
   */
  async create(ctx, obj) {
    const roleId = typeof obj.settings.role_id === 'string' ? obj.settings.role_id : randomUUID();
    await roleKind.create(ctx, { ...obj, settings: { ...obj.settings, role_id: roleId } });
    return roleId;
  },
  async identify(vault, obj) {
    return ((await vault.read(`${objectPath('role', { mount: obj.mount, name: obj.name })}/role-id`))?.data as { role_id?: string } | undefined)?.role_id;
  },
};
