import type { KindAccess } from '../../../core/least-privilege.js';
import type { DesiredObject, LiveObject, Settings } from '../../../core/model.js';
import type { ExportOutput, Kind } from '../../kind.js';
import { checkJwtRoles } from './jwt-checks.js';
import { JWT_MOUNT_TYPES, jwtMountPaths, liveJwtMounts } from './jwt-mounts.js';
import { exportableFields, exportedSettings } from '../../shared/export.js';
import { jwtNormaliser, TOKEN_SETS } from './jwt-normalise.js';
import { normaliseField } from '../../shared/normalise.js';
import { checkServerFields, checkServerOnlyFields } from '../../shared/server-fields.js';
import { jwtRoleSchema } from './jwt-schema.js';
import { loginPrincipal } from '../login-principal.js';
import { genericName, TOKEN_DEFAULTS } from '../../shared/fields.js';
import { checkGenericName, checkPolicyRefs, compact, listAndRead, liveObject, placedEntries, placedObject, rule } from '../../shared/support.js';

const KIND = 'jwt-role';

/** What the plugin stores for a role write that leaves the field out (Vault 1.21, OpenBao 2.4), besides the token_* defaults. */
const DEFAULTS: Settings = {
  role_type: 'oidc',
  bound_claims_type: 'string',
  clock_skew_leeway: 0,
  expiration_leeway: 0,
  not_before_leeway: 0,
  max_age: 0,
  user_claim_json_pointer: false,
  verbose_oidc_logging: false,
  // OpenBao only.
  callback_mode: 'client',
  token_policies_template_claims: false,
};

export const normaliseJwtRole = jwtNormaliser({
  // token_policies and token_bound_cidrs: the shared token field rules (CIDRs canonical).
  sets: ['bound_audiences', 'allowed_redirect_uris', 'oidc_scopes', 'oauth2_metadata'],
  leeways: ['clock_skew_leeway', 'expiration_leeway', 'not_before_leeway'],
  durations: ['max_age'],
  maps: ['claim_mappings'],
  // OpenBao reads poll_interval back only for device-flow roles: comparing it would be a perpetual diff.
  ignored: ['poll_interval'],
});

const rolePath = (mount: string, name: string) => `auth/${mount}/role/${encodeURIComponent(name)}`;

async function write(ctx: Parameters<Kind['update']>[0], obj: DesiredObject): Promise<void> {
  await ctx.vault.write(rolePath(obj.mount ?? '', obj.name), compact(obj.settings));
}

/**
 * `auth/MOUNT/role/NAME` of a jwt or oidc mount: who may log in (bound audiences, subject and
 * claims, redirect URIs for the browser flow) and the token they get. A write replaces the role.
 */
export const jwtRoleKind: Kind = {
  name: KIND,
  title: 'JWT/OIDC roles',
  phase: 2,
  sensitiveFields: [],
  securityFields: [
    'bound_audiences',
    'bound_subject',
    'bound_claims',
    'bound_claims_type',
    'user_claim',
    'groups_claim',
    'claim_mappings',
    'allowed_redirect_uris',
    'token_policies',
    'token_bound_cidrs',
    'token_type',
    'token_no_default_policy',
  ],
  deletable: true,
  placement: {
    in: 'auth',
    key: ['roles'],
    mountTypes: JWT_MOUNT_TYPES,
    shape: 'map',
    schema: jwtRoleSchema,
    names: genericName(),
    description: 'jwt/oidc: roles by name (auth/<mount>/role/<name>): who may log in and the token they get.',
  },
  docs: {
    summary:
      'A role of a jwt or oidc auth mount: who may log in through it (bound audiences, subject and claims; the redirect URIs of the browser flow) and the token they get. A write replaces the role.',
    api: ['auth/MOUNT/role/NAME'],
    example: `policies:
  app-read:
    policy: |
      path "secret/data/app/*" {
        capabilities = ["read"]
      }
auth:
  ci:
    type: jwt
    config:
      jwks_url: https://token.actions.githubusercontent.com/.well-known/jwks
      bound_issuer: https://token.actions.githubusercontent.com
    roles:
      deploy:
        role_type: jwt
        user_claim: sub
        bound_audiences: [https://github.com/acme]
        bound_claims: { repository: acme/app }
        token_policies: [app-read]
        token_ttl: 15m
`,
    defaults: { ...TOKEN_DEFAULTS, ...DEFAULTS },
    guide: 'kinds/jwt-oidc.md',
  },

  desired(config) {
    return placedEntries(config, jwtRoleKind).map((e) => {
      const policies = normaliseField('token_policies', e.value.token_policies, TOKEN_SETS);
      const named = Array.isArray(policies) ? policies.filter((p): p is string => typeof p === 'string' && config.policies[p] !== undefined) : [];
      return placedObject(config, jwtRoleKind, e, { settings: e.value, dependsOn: [`auth/${e.mount ?? ''}`, ...named.map((p) => `policies/${p}`)] });
    });
  },

  check(ctx) {
    for (const e of placedEntries(ctx.config, jwtRoleKind)) {
      checkGenericName(ctx, e, 'role name');
      checkPolicyRefs(ctx, e.value.token_policies, [...e.path, 'token_policies']);
    }
    checkJwtRoles(ctx, jwtRoleKind);
  },

  export: exportJwtRole,

  async readLive(vault, scope) {
    const perMount = await Promise.all(
      liveJwtMounts(scope.config, scope.mounts.auth).map(async (mount) => {
        const items = await listAndRead(vault, `auth/${mount}/role`, (name) => rolePath(mount, name));
        return items.map((i) => ({ keys: new Set(Object.keys(i.data)), obj: liveObject(KIND, `auth/${mount}/roles/${i.name}`, normaliseJwtRole(i.data), mount) }));
      }),
    );
    const live = perMount.flat();
    const keys = new Map(live.map((l) => [l.obj.address, l.keys]));
    const at = (d: DesiredObject) => `auth.${d.mount ?? ''}.roles.${d.name}`;
    checkServerFields(scope.config, scope.desired, keys, ['poll_interval'], at);
    await checkServerOnlyFields(vault, scope.config, scope.desired, keys, at);
    return live.map((l) => l.obj);
  },

  normalise: normaliseJwtRole,

  principal: (obj) =>
    loginPrincipal(obj, {
      policyFields: ['token_policies'],
      api: 'role',
      bindings: ['role_type', 'bound_audiences', 'bound_subject', 'bound_claims', 'bound_claims_type', 'user_claim', 'groups_claim', 'token_bound_cidrs'],
      // Each value of the groups claim is a group alias on the mount: which ones, only the login's token says.
      entityAlias: (o) => ({ mount: o.mount ?? '', from: `user claim ${JSON.stringify(String(o.settings.user_claim ?? 'sub'))}` }),
      groupAliases: (o) => (typeof o.settings.groups_claim === 'string' && o.settings.groups_claim !== '' ? { mount: o.mount ?? '', names: '*' } : undefined),
    }),

  create: write,
  update: write,

  async delete(ctx, obj) {
    await ctx.vault.delete(rolePath(obj.mount ?? '', obj.name));
  },

  access(config) {
    const out: KindAccess = { plan: [], apply: [] };
    for (const mount of jwtMountPaths(config)) {
      out.plan.push(rule(`auth/${mount}/role/*`, 'read', 'list'));
      // Removed from the config (or pruned): deleted, whatever its name.
      out.apply.push(rule(`auth/${mount}/role/*`, 'delete'));
    }
    for (const e of placedEntries(config, jwtRoleKind)) out.apply.push(rule(rolePath(e.mount ?? '', e.name), 'create', 'update'));
    return out;
  },
};

const EXPORTED = exportableFields(jwtRoleSchema);

/**
 * A live role's value for `export`: what an operator set, defaults dropped (role_type is kept: it
 * says which login flow the role is for). Vault lets a role name a policy that does not exist, a
 * config may not: such a role's token_policies are left out, with a warning.
 */
export function exportJwtRole(obj: LiveObject, all: readonly LiveObject[], out: ExportOutput): Settings {
  const settings: Settings = { role_type: obj.settings.role_type, ...exportedSettings(obj.settings, EXPORTED, { ...TOKEN_DEFAULTS, ...DEFAULTS }) };
  const live = new Set(all.filter((l) => l.kind === 'policy').map((l) => l.name));
  const missing = ((settings.token_policies ?? []) as string[]).filter((p) => p !== 'default' && !live.has(p));
  if (missing.length > 0) {
    delete settings.token_policies;
    out.warnings.push(`${obj.address}: token_policies left out: it names ${missing.join(', ')}, which ${missing.length === 1 ? 'does' : 'do'} not exist in Vault`);
  }
  return settings;
}
