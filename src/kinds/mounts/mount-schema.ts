// The schema of a mount itself (sys/auth/<path>, sys/mounts/<path>): its type, options and tune.
// The keys kinds place inside a mount (users, roles, config, ...) are added by config-schema.ts.
import { Type, type TProperties, type TSchema } from 'typebox';
import { duration, forbidden, object, stringList, stringSet } from '../shared/fields.js';

export type MountSection = 'auth' | 'secrets';

/**
 * Built-in types of Vault 1.21 and OpenBao 2.4 (helper/builtinplugins/registry*.go of each). The
 * schema lists them as `examples` of `type` (editors complete them; core/check/mount-types.ts reads them
 * back to catch a typo offline).
 */
export const BUILTIN_MOUNT_TYPES: Readonly<Record<MountSection, readonly string[]>> = {
  auth: ['alicloud', 'approle', 'aws', 'azure', 'cert', 'cf', 'gcp', 'github', 'jwt', 'kerberos', 'kubernetes', 'ldap', 'oci', 'oidc', 'okta', 'pcf', 'radius', 'userpass'],
  secrets: [
    'ad',
    'alicloud',
    'aws',
    'azure',
    'consul',
    'database',
    'gcp',
    'gcpkms',
    'generic',
    'kubernetes',
    'kv',
    'kv-v1',
    'kv-v2',
    'ldap',
    'mongodbatlas',
    'nomad',
    'openldap',
    'pki',
    'rabbitmq',
    'ssh',
    'terraform',
    'totp',
    'transit',
  ],
};

const COMMON_TUNE = {
  default_lease_ttl: duration('Default lease TTL.'),
  max_lease_ttl: duration('Maximum lease TTL.'),
  audit_non_hmac_request_keys: stringSet(),
  audit_non_hmac_response_keys: stringSet(),
  listing_visibility: Type.String({ enum: ['unauth', 'hidden', ''] }),
  passthrough_request_headers: stringSet(),
  allowed_response_headers: stringSet(),
  plugin_version: Type.String(),
  identity_token_key: Type.String(),
} satisfies TProperties;

/** `tune:` parameters by section (definitions authTune / secretsTune of the generated schema). */
export const TUNE: Readonly<Record<MountSection, TSchema>> = {
  auth: object(
    {
      ...COMMON_TUNE,
      token_type: Type.String({ enum: ['default-service', 'default-batch', 'service', 'batch'] }),
      user_lockout_config: object({
        lockout_threshold: Type.Unsafe<string | number>({ type: ['integer', 'string'] }),
        lockout_duration: duration(),
        lockout_counter_reset: duration(),
        lockout_disable: Type.Boolean(),
      }),
    },
    { description: 'sys/auth/<path>/tune parameters.' },
  ),
  secrets: object({ ...COMMON_TUNE, allowed_managed_keys: stringList(), delegated_auth_accessors: stringList() }, { description: 'sys/mounts/<path>/tune parameters.' }),
};

/** Said of `config:` on a mount whose type has no kind placed there. */
export const CONFIG_UNDER_TUNE = "write the mount configuration under `tune:` (the same parameters as Vault's `config`)";

const TYPE_HELP: Record<MountSection, string> = {
  auth: 'Auth method type',
  secrets: 'Secrets engine type',
};

/** A mount's own fields (before the keys kinds place in it), `tune` a reference to its tune definition. */
export function mountFields(section: MountSection): TProperties {
  return {
    type: Type.String({
      minLength: 1,
      description: `${TYPE_HELP[section]}: a built-in type of Vault 1.21 or OpenBao 2.4 (listed in \`examples\`; validate refuses a near miss), or a custom plugin registered in the server's plugin catalog (plan checks).`,
      examples: BUILTIN_MOUNT_TYPES[section],
    }),
    description: Type.String(),
    local: Type.Boolean({ description: 'Not replicated (can only be set when enabling).' }),
    seal_wrap: Type.Boolean({ description: 'Seal-wrap the mount (can only be set when enabling).' }),
    external_entropy_access: Type.Boolean(),
    options: Type.Unsafe<Record<string, string | number | boolean>>({
      type: 'object',
      additionalProperties: { type: ['string', 'integer', 'boolean'] },
      description: 'Engine options (e.g. kv `version: 2`).',
    }),
    config: forbidden(CONFIG_UNDER_TUNE),
    path: forbidden('the mount path is the key this mount is declared under'),
    tune: Type.Unsafe({ $ref: `#/definitions/${section}Tune` }),
  };
}

/** A mount's whole schema with its `tune` inlined (the generated reference's field table). */
export function mountSchema(section: MountSection): TSchema {
  return object({ ...mountFields(section), tune: TUNE[section] }, { required: ['type'], description: MOUNT_DESCRIPTION[section] });
}

export const MOUNT_DESCRIPTION: Record<MountSection, string> = {
  auth: 'An auth method mount (sys/auth/<path>).',
  secrets: 'A secrets engine mount (sys/mounts/<path>).',
};
