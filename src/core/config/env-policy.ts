// Which environment variables `${env.NAME}` may read. The config comes from pull requests, so
// the default is deny: a name must be declared (`variables: { env: [NAME] }` in the config),
// allowed by the operator (`--allow-env NAME`), or carry the prefix below. Names that look like
// credentials are refused whatever allowed them: a config holds no secrets, and a value read into
// it ends up in plans, pull-request comments and error messages.

/** Variables with this prefix are readable without a declaration (CI sets them for the config). */
export const ENV_PREFIX = 'VAULT_GITOPS_VAR_';

const CREDENTIAL_NAMES: readonly RegExp[] = [
  /^VAULT_/,
  /^BAO_/,
  /TOKEN/,
  /SECRET/,
  /PASSW/,
  /PASSPHRASE/,
  /(^|_)PWD$/,
  /(^|_)KEY($|_)/,
  /APIKEY/,
  /PRIVATE/,
  /CREDENTIAL/,
  /JWT/,
  /(^|_)AUTH($|_)/,
  /COOKIE/,
  /SESSION/,
  /SIGNING/,
  /(^|_)PAT$/,
  /(^|_)DSN$/,
  /^DATABASE_URL$/,
  /CONNECTION_STRING/,
  /^ACTIONS_/,
  /^CI_JOB_/,
  /^CI_REGISTRY_/,
  /^AWS_/,
  /^GOOGLE_/,
  /^GCP_/,
  /^GCLOUD_/,
  /^CLOUDSDK_/,
  /^AZURE_/,
  /^ARM_/,
  /^KUBECONFIG$/,
  /^SSH_/,
  /^GPG_/,
  /^NPM_CONFIG_/,
];

/** True for a name that looks like it holds a credential (checked without the allowed prefix). */
export function looksLikeCredential(name: string): boolean {
  const upper = name.toUpperCase();
  const bare = upper.startsWith(ENV_PREFIX) ? upper.slice(ENV_PREFIX.length) : upper;
  return CREDENTIAL_NAMES.some((re) => re.test(bare));
}

export type EnvAccess = 'allowed' | 'credential' | 'not-allowed';

/** Whether `${env.NAME}` may be read, given the names the config and the command line allow. */
export function envAccess(name: string, allowed: ReadonlySet<string>): EnvAccess {
  if (looksLikeCredential(name)) return 'credential';
  return allowed.has(name) || name.startsWith(ENV_PREFIX) ? 'allowed' : 'not-allowed';
}

export const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
