import type { Kind } from '../../kind.js';
import { checkJwtConfigs } from './jwt-checks.js';
import { JWT_MOUNT_TYPES, jwtMountPaths, liveJwtMounts } from './jwt-mounts.js';
import { exportableFields, exportedSettings } from '../../shared/export.js';
import { jwtNormaliser } from './jwt-normalise.js';
import { checkServerFields } from '../../shared/server-fields.js';
import { jwtConfigSchema } from './jwt-schema.js';
import { compact, liveObject, placedEntries, placedObject, rule } from '../../shared/support.js';

const KIND = 'jwt-config';

/** Vault never returns the client secret: it is sent on every write and never compared. */
const SECRET = 'oidc_client_secret';
/** Reported by Vault/OpenBao, set by nobody: OpenBao's `status` says whether the keys loaded. */
const READ_ONLY = ['status'];
/** OpenBao's switch for the write-time JWKS check: used on write, never read back, so never compared. */
const NOT_READ_BACK = [SECRET, 'skip_jwks_validation'];

/** What the plugin stores for a config write that leaves the field out. */
const DEFAULTS = { namespace_in_state: true };

export const normaliseJwtConfig = jwtNormaliser({
  sets: ['jwt_validation_pubkeys', 'jwt_supported_algs', 'oidc_response_types', 'jwks_pairs', 'unsupported_critical_cert_extensions', 'override_allowed_server_names'],
  pems: ['oidc_discovery_ca_pem', 'jwks_ca_pem'],
  maps: ['provider_config'],
  ignored: [...READ_ONLY, 'skip_jwks_validation'],
});

const configPath = (mount: string | undefined) => `auth/${mount ?? ''}/config`;

/**
 * `auth/MOUNT/config` of a jwt or oidc mount: where keys come from (discovery URL, JWKS URL(s) or
 * pinned public keys), the OIDC client, the bound issuer. A write replaces the whole config, so
 * create and update send everything the config declares. Part of the mount: never deleted.
 */
export const jwtConfigKind: Kind = {
  name: KIND,
  title: 'JWT/OIDC auth configuration',
  phase: 1,
  sensitiveFields: [SECRET],
  securityFields: ['bound_issuer', 'jwt_validation_pubkeys', 'jwks_url', 'jwks_pairs', 'oidc_discovery_url', 'jwt_supported_algs', 'default_role'],
  // Whoever holds a key these name can sign a login.
  trust: { subject: 'JWT/OIDC key source', fields: ['jwks_url', 'jwks_pairs', 'jwt_validation_pubkeys', 'oidc_discovery_url', 'bound_issuer'] },
  deletable: false,
  placement: {
    in: 'auth',
    key: ['config'],
    mountTypes: JWT_MOUNT_TYPES,
    shape: 'single',
    schema: jwtConfigSchema,
    description: 'jwt/oidc: the auth method configuration (auth/<mount>/config): key source, bound issuer, OIDC client.',
  },
  docs: {
    summary:
      'The configuration of a jwt or oidc auth mount: where the keys that verify JWTs come from (a discovery URL, JWKS URLs or pinned public keys), the issuer they must carry, and the OIDC client of the browser flow. Part of the mount: it is never deleted. A write replaces the whole config.',
    api: ['auth/MOUNT/config'],
    example: `auth:
  ci:
    type: jwt
    config:
      jwks_url: https://token.actions.githubusercontent.com/.well-known/jwks
      bound_issuer: https://token.actions.githubusercontent.com
`,
    defaults: DEFAULTS,
    guide: 'kinds/jwt-oidc.md',
  },

  desired(config) {
    return placedEntries(config, jwtConfigKind).map((e) => placedObject(config, jwtConfigKind, e, { settings: e.value, dependsOn: [`auth/${e.mount ?? ''}`] }));
  },

  check(ctx) {
    checkJwtConfigs(ctx, jwtConfigKind);
  },

  export: (obj) => exportJwtConfig(obj.settings),

  async readLive(vault, scope) {
    const keys = new Map<string, Set<string>>();
    const found = await Promise.all(
      liveJwtMounts(scope.config, scope.mounts.auth).map(async (mount) => {
        // A mount nobody configured yet answers with no data: there is no config object to compare.
        const body = await vault.read(configPath(mount));
        const data = body?.data as Record<string, unknown> | null | undefined;
        if (!data) return undefined;
        keys.set(`auth/${mount}/config`, new Set(Object.keys(data)));
        return liveObject(KIND, `auth/${mount}/config`, normaliseJwtConfig(data), mount);
      }),
    );
    checkServerFields(scope.config, scope.desired, keys, NOT_READ_BACK, (d) => `auth.${d.mount ?? ''}.config`);
    return found.filter((o) => o !== undefined);
  },

  normalise: normaliseJwtConfig,

  async create(ctx, obj) {
    await ctx.vault.write(configPath(obj.mount), compact(obj.settings));
  },

  async update(ctx, obj) {
    await ctx.vault.write(configPath(obj.mount), compact(obj.settings));
  },

  async delete() {
    // A mount's config is part of the mount; removing it from the config leaves it alone.
  },

  access(config) {
    return {
      plan: jwtMountPaths(config).map((mount) => rule(configPath(mount), 'read')),
      apply: placedEntries(config, jwtConfigKind).map((e) => rule(configPath(e.mount), 'create', 'update')),
    };
  },
};

const EXPORTED = exportableFields(jwtConfigSchema, NOT_READ_BACK);

/** The config's value for `export`: what an operator set (no secret, no defaults, nothing read-only). */
export function exportJwtConfig(settings: Record<string, unknown>): Record<string, unknown> {
  return exportedSettings(settings, EXPORTED, DEFAULTS);
}
