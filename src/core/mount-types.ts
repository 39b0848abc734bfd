// Mount types Vault 1.21 and OpenBao 2.4 have built in (helper/builtinplugins/registry*.go of
// each), used offline to catch a typo in `type:` before anything reaches a server. Custom plugins
// are checked at plan time against the server's own plugin catalog (kinds/mount-catalog.ts).

const AUTH = {
  both: ['approle', 'cert', 'jwt', 'oidc', 'userpass', 'kerberos', 'kubernetes', 'ldap', 'radius'],
  vaultOnly: ['alicloud', 'aws', 'azure', 'cf', 'gcp', 'github', 'oci', 'okta', 'pcf'],
};
const SECRETS = {
  both: ['kv', 'pki', 'ssh', 'transit', 'kubernetes', 'ldap', 'openldap', 'rabbitmq', 'totp'],
  vaultOnly: ['ad', 'alicloud', 'aws', 'azure', 'consul', 'gcp', 'gcpkms', 'mongodbatlas', 'nomad', 'terraform'],
};

/**
 * Types the server mounts without a catalog entry: `database` (one backend for every database
 * plugin), `generic` (Vault's old name for kv), `kv-v1` / `kv-v2` (kv with its version option).
 */
export const CORE_MOUNT_TYPES: Readonly<Record<'auth' | 'secrets', readonly string[]>> = { auth: [], secrets: ['database', 'generic', 'kv-v1', 'kv-v2'] };

/** Built-in types of either server, per section. */
export const BUILTIN_MOUNT_TYPES: Readonly<Record<'auth' | 'secrets', readonly string[]>> = {
  auth: [...AUTH.both, ...AUTH.vaultOnly].sort(),
  secrets: [...SECRETS.both, ...SECRETS.vaultOnly, ...CORE_MOUNT_TYPES.secrets].sort(),
};

/** Types Vault itself owns, never mounted by hand. */
export const SYSTEM_MOUNT_TYPES: Readonly<Record<'auth' | 'secrets', readonly string[]>> = {
  auth: ['token', 'ns_token'],
  secrets: ['system', 'identity', 'cubbyhole', 'ns_system', 'ns_identity', 'ns_cubbyhole'],
};
