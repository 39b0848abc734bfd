import { stringify } from 'yaml';
import type { KindName, LiveObject, Settings } from './model.js';
import { configSchema } from './validate.js';

const schema = configSchema() as { definitions: Record<string, { properties?: Record<string, unknown> }> };

/** Settings a config may carry for each kind: the config schema's own parameter lists. */
function allowed(def: string, drop: string[] = []): Set<string> {
  const keys = Object.keys(schema.definitions[def]?.properties ?? {});
  return new Set(keys.filter((k) => !drop.includes(k)));
}

// Never exported: secrets, generated values, deprecated aliases of token_* fields.
const NOT_EXPORTED = ['password', 'password_hash', 'secret_id', 'role_id', 'credentials', 'policies', 'ttl', 'max_ttl', 'bound_cidrs', 'period', 'bound_cidr_list'];
const FIELDS: Partial<Record<KindName, Set<string>>> = {
  'userpass-user': allowed('userpassUser', NOT_EXPORTED),
  'approle-role': allowed('approleRole', NOT_EXPORTED),
  'pki-role': allowed('pkiRole'),
  'pki-urls': allowed('pkiUrls'),
};
const AUTH_TUNE = allowed('authTune');
const SECRETS_TUNE = allowed('secretsTune');

/** What Vault fills in when a field is not given; equal values are left out of the export. */
const DEFAULTS: Record<string, unknown> = {
  token_type: 'default',
  token_no_default_policy: false,
  token_strictly_bind_ip: false,
  bind_secret_id: true,
  local_secret_ids: false,
  allow_localhost: true,
  allowed_domains_template: false,
  allow_bare_domains: false,
  allow_subdomains: false,
  allow_glob_domains: false,
  allow_wildcard_certificates: true,
  allow_any_name: false,
  enforce_hostnames: true,
  allow_ip_sans: true,
  allowed_uri_sans_template: false,
  server_flag: true,
  client_flag: true,
  code_signing_flag: false,
  email_protection_flag: false,
  key_type: 'rsa',
  key_bits: 2048,
  use_pss: false,
  key_usage: ['DigitalSignature', 'KeyAgreement', 'KeyEncipherment'],
  use_csr_common_name: true,
  use_csr_sans: true,
  generate_lease: false,
  no_store: false,
  no_store_metadata: false,
  require_cn: true,
  cn_validations: ['email', 'hostname'],
  basic_constraints_valid_for_non_ca: false,
  not_before_duration: 30,
  issuer_ref: 'default',
  allow_token_displayname: false,
  allow_globs_in_identity_templates: false,
  serial_number_source: 'json-csr',
  enable_templating: false,
  listing_visibility: 'hidden',
};

function isEmpty(v: unknown): boolean {
  return v === null || v === undefined || v === '' || (Array.isArray(v) && v.length === 0) || (typeof v === 'object' && !Array.isArray(v) && Object.keys(v as object).length === 0);
}

function isDefault(name: string, v: unknown): boolean {
  if (isEmpty(v)) return true;
  if (v === 0 && /(ttl|period|duration|num_uses|_bits)$/.test(name)) return true;
  return name in DEFAULTS && JSON.stringify(DEFAULTS[name]) === JSON.stringify(v);
}

function pick(settings: Settings, keys: Set<string>): Settings {
  const out: Settings = {};
  for (const [k, v] of Object.entries(settings)) if (keys.has(k) && !isDefault(k, v)) out[k] = v;
  return out;
}

function mountEntry(l: LiveObject, tuneKeys: Set<string>): Settings {
  const s = l.settings;
  const out: Settings = { type: s.type };
  if (!isEmpty(s.description)) out.description = s.description;
  for (const k of ['local', 'seal_wrap', 'external_entropy_access']) if (s[k] === true) out[k] = true;
  if (s.options && typeof s.options === 'object' && Object.keys(s.options).length > 0) out.options = s.options;
  const tune: Settings = {};
  for (const [k, v] of Object.entries(s)) {
    if (!k.startsWith('tune.')) continue;
    const name = k.slice(5);
    if (tuneKeys.has(name) && !isDefault(name, v) && !(name === 'token_type' && v === 'default-service')) tune[name] = v;
  }
  if (Object.keys(tune).length > 0) out.tune = tune;
  return out;
}

/**
 * A policy's file under policies/: a name's `/` become directories (`team/app` → team/app.hcl);
 * anything that could leave the directory or is not a plain file-name character is %-encoded.
 */
export function policyFileName(name: string): string {
  const hex = (c: string) => `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`;
  return name
    .split('/')
    .map((seg) => (seg === '' ? '%00' : seg === '.' || seg === '..' ? seg.replace(/\./g, '%2E') : seg.replace(/[^A-Za-z0-9._@=+,-]/g, hex)))
    .join('/');
}

/**
 * Config files (relative path → text) in our own format for the live objects given, and warnings.
 * Vault lets a role name a policy that does not exist; our config may not, so such a role's
 * token_policies are left out (apply then leaves them as they are) and a warning names it.
 */
export function exportConfig(live: readonly LiveObject[], warnings: string[] = [], allLive: readonly LiveObject[] = live): Record<string, string> {
  const files: Record<string, string> = {};
  const livePolicies = new Set(allLive.filter((l) => l.kind === 'policy').map((l) => l.name));
  const policies: Settings = {};
  const auth: Record<string, Settings> = {};
  const secrets: Record<string, Settings> = {};
  const header = '# Exported by vault-gitops from a live server; fields Vault fills with defaults are left out.\n';
  const sorted = [...live].sort((a, b) => a.address.localeCompare(b.address));
  for (const l of sorted.filter((x) => x.kind === 'auth-mount')) auth[l.mount ?? l.name] = mountEntry(l, AUTH_TUNE);
  for (const l of sorted.filter((x) => x.kind === 'secrets-mount')) secrets[l.mount ?? l.name] = mountEntry(l, SECRETS_TUNE);
  for (const l of sorted) {
    const mount = l.mount ?? '';
    if (l.kind === 'policy') {
      if (l.name === 'default') continue; // Vault's own; declare it by hand to manage it
      const file = `policies/${policyFileName(l.name)}.hcl`;
      files[file] = String(l.settings.policy ?? '');
      policies[l.name] = { file };
    } else if (l.kind === 'userpass-user' || l.kind === 'approle-role') {
      const m = (auth[mount] ??= { type: l.kind === 'userpass-user' ? 'userpass' : 'approle' });
      const section = l.kind === 'userpass-user' ? 'users' : 'roles';
      const settings = pick(l.settings, FIELDS[l.kind]!);
      const missing = ((settings.token_policies ?? []) as string[]).filter((p) => p !== 'default' && !livePolicies.has(p));
      if (missing.length > 0) {
        delete settings.token_policies;
        warnings.push(`${l.address}: token_policies left out: it names ${missing.join(', ')}, which ${missing.length === 1 ? 'does' : 'do'} not exist in Vault`);
      }
      ((m[section] ??= {}) as Settings)[l.name] = settings;
    } else if (l.kind === 'pki-role' || l.kind === 'pki-urls' || l.kind === 'pki-root-ca') {
      const m = (secrets[mount] ??= { type: 'pki' });
      if (l.kind === 'pki-role') ((m.roles ??= {}) as Settings)[l.name] = pick(l.settings, FIELDS['pki-role']!);
      if (l.kind === 'pki-urls') {
        const urls = pick(l.settings, FIELDS['pki-urls']!);
        if (Object.keys(urls).length > 0) m.urls = urls;
      }
      if (l.kind === 'pki-root-ca' && typeof l.settings.common_name === 'string') m.root_ca = { common_name: l.settings.common_name };
    }
  }
  if (Object.keys(policies).length > 0) files['policies.yaml'] = header + stringify({ policies });
  if (Object.keys(auth).length > 0) files['auth.yaml'] = header + stringify({ auth });
  if (Object.keys(secrets).length > 0) files['secrets.yaml'] = header + stringify({ secrets });
  return files;
}
