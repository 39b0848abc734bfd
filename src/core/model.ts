// The data that flows through the engine: config → desired objects, Vault → live objects, and the plan.
// Everything here is plain, serialisable data; no I/O.

/** Where something was written in a config file (1-based line and column). */
export interface SourcePos {
  file: string;
  line: number;
  col: number;
}

/** One problem found while loading or validating config. */
export interface Diagnostic {
  severity: 'error' | 'warning';
  /** Where, when known (every config error should have one). */
  pos?: SourcePos;
  /** The YAML path, dotted: `auth.approle.roles.payments-prod.token_ttl`. */
  path?: string;
  /** What is wrong, one line. */
  message: string;
  /** How to fix it, one line, optional. */
  hint?: string;
}

export interface ValidationResult<T> {
  value: T | undefined;
  errors: Diagnostic[];
  warnings: Diagnostic[];
}

/** Generated-password settings (generate-password options). */
export interface PasswordPolicy {
  length: number;
  numbers: boolean;
  symbols: boolean;
  lowercase: boolean;
  uppercase: boolean;
  strict: boolean;
}

export interface RotateSpec {
  /** Seconds: re-issue when less than this remains before the secret_id expires. */
  before_expiry?: number;
  /** Seconds: re-issue when the delivered credential is older than this. */
  max_age?: number;
}

/** `format: env` variable names by credential name; `env_names` overrides any of them. */
export const DEFAULT_ENV_NAMES: Readonly<Record<string, string>> = {
  mount: 'VAULT_AUTH_MOUNT',
  /** Written only for an object in a namespace: the Vault CLI's and Agent's own variable. */
  namespace: 'VAULT_NAMESPACE',
  role_id: 'VAULT_ROLE_ID',
  secret_id: 'VAULT_SECRET_ID',
  username: 'VAULT_USERNAME',
  password: 'VAULT_PASSWORD',
};

/** An S3 object holding one credential in a file format; AWS credentials come from the standard chain. */
export interface S3SinkSpec {
  bucket: string;
  key: string;
  region?: string;
  /** An S3-compatible endpoint URL (default: AWS, or AWS_ENDPOINT_URL_S3 / AWS_ENDPOINT_URL). */
  endpoint?: string;
  /** Server-side encryption asked for on upload. */
  sse?: 'AES256' | 'aws:kms';
  kms_key_id?: string;
  format?: 'json' | 'vault-sidekick' | 'env';
  env_names?: Record<string, string>;
  /** Take over an object vault-gitops did not write. */
  adopt?: boolean;
}

/** Whether the credentials go anywhere (a file, a Secret, an S3 object). */
export function deliversCredentials(spec: CredentialsSpec | undefined): boolean {
  return spec !== undefined && (spec.file !== undefined || spec.kubernetes !== undefined || spec.s3 !== undefined);
}

/** Where a userpass user's or AppRole's generated credentials go. */
export interface CredentialsSpec {
  /** `path` is relative to the sink root. */
  file?: {
    path: string;
    mode?: number;
    /** Take over a file vault-gitops did not write. */
    adopt?: boolean;
    /** What the consumer reads: json (default), vault-sidekick, vault-agent (a directory) or env. */
    format?: 'json' | 'vault-sidekick' | 'vault-agent' | 'env';
    /** env format: variable names by credential name. */
    env_names?: Record<string, string>;
  };
  kubernetes?: {
    namespace: string;
    name: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    keys?: Record<string, string>;
    adopt?: boolean;
  };
  /** An S3 object; the destination must be on the operator's allow-list (VAULT_GITOPS_S3_ALLOW). */
  s3?: S3SinkSpec;
  rotate?: RotateSpec;
  password?: Partial<PasswordPolicy>;
  /** A password policy (sys/policies/password/NAME): Vault generates the password by it instead. */
  password_policy?: string;
  /** AppRole: seconds; deliver a response-wrapping token of this lifetime instead of the secret_id. */
  wrap_ttl?: number;
}

/** An object's declared settings use Vault's own API parameter names. */
export type Settings = Record<string, unknown>;

export interface PolicyConfig {
  /** HCL text (inline `policy:` or the contents of `file:`). */
  policy: string;
  /** The file it came from, when `file:` was used (absolute path). */
  file?: string;
  /** Where line 1 of the text is: in the YAML for an inline policy (line N of the text is line `at.line + N - 1`). */
  at?: SourcePos;
}

export interface MountConfig {
  type: string;
  description?: string;
  /** Mount-level options other than tune (local, seal_wrap, options, ...). */
  settings: Settings;
  /** `sys/mounts/<path>/tune` / `sys/auth/<path>/tune` parameters. */
  tune?: Settings;
}

/** A userpass user or AppRole as its kind reads it: settings, and where its credentials go. */
export interface CredentialHolderConfig {
  settings: Settings;
  credentials?: CredentialsSpec;
}

/** The merged, normalised config of all `-c` directories. */
export interface Config {
  policies: Record<string, PolicyConfig>;
  /** Mounts by path: their own settings; what kinds place in them is in `tree`. */
  auth: Record<string, MountConfig>;
  secrets: Record<string, MountConfig>;
  /** Collections whose undeclared objects are deleted: `policies`, `auth/approle/roles`, ... */
  prune: string[];
  /** Defaults for generated passwords. */
  password?: Partial<PasswordPolicy>;
  /**
   * The merged config as written (schema-valid, variables substituted; policy files read in):
   * kinds read their objects from it through their placement (kinds/shared/support.ts placedEntries).
   */
  tree: Record<string, unknown>;
  /** Source positions by dotted YAML path (`auth.userpass.users.alice`). */
  sources: ReadonlyMap<string, SourcePos>;
  /** The `-c` directory each YAML file was loaded from: a path a file names stays inside it (core/common/paths.ts). */
  roots?: ReadonlyMap<string, string>;
}

/** A kind's name (`policy`, `pki-role`, ...): one module each under src/kinds/, listed in kinds/registry.ts. */
export type KindName = string;

/**
 * Addresses mirror the config tree and the `prune:` collection names:
 * `policies/NAME`, `auth/MOUNT`, `auth/MOUNT/users/NAME`, `auth/MOUNT/roles/NAME`,
 * `secrets/MOUNT`, `secrets/MOUNT/root_ca`, `secrets/MOUNT/urls`, `secrets/MOUNT/roles/NAME`.
 */
export type Address = string;

export interface DesiredObject {
  kind: KindName;
  address: Address;
  /** The collection it belongs to (its address minus the last segment), e.g. `auth/approle/roles`. */
  collection: string;
  name: string;
  /** Mount path for objects inside a mount (without trailing slash). */
  mount?: string;
  /** Normalised declared settings; only these fields are compared. */
  settings: Settings;
  credentials?: CredentialsSpec;
  /** Addresses this object needs to exist first (mount, policies). */
  dependsOn: Address[];
  source?: SourcePos;
}

export interface LiveObject {
  kind: KindName;
  address: Address;
  collection: string;
  name: string;
  mount?: string;
  /** Normalised live settings (everything Vault returned, normalised). */
  settings: Settings;
  /**
   * What tells this very object apart from another one at the same address (a mount's accessor, an
   * AppRole's role_id, a CA's serial), filled in only where a delete depends on it.
   */
  identity?: string;
}

export type Action = 'create' | 'update' | 'delete' | 'noop';

export interface FieldChange {
  name: string;
  /** Normalised values; `null` where absent. Sensitive ones are replaced by the mask. */
  before: unknown;
  after: unknown;
  sensitive: boolean;
  /** Policy text changes carry a unified diff for the renderers. */
  diff?: string;
}

export interface Change {
  address: Address;
  kind: KindName;
  action: Action;
  /** Why: `not in Vault`, `differs from config`, `not in config; collection policies is pruned`, ... */
  reason: string;
  fields: FieldChange[];
  /** The change touches policies, token_policies, CIDRs or similar. */
  security: boolean;
  /** Credentials that this change issues or delivers (never values): `password → file out/alice.json`. */
  credentials?: string[];
}

export interface UnmanagedObject {
  address: Address;
  kind: KindName;
  /** Why it is left alone when that is not the usual "not declared, collection not pruned". */
  note?: string;
}

/**
 * Why a plan counts as destructive: `bulk` (many objects at once), or a kind's code (its destroyCode or
 * name) when deleting one of its objects loses data: `secrets-mount`, `auth-mount`, `pki-ca`, ...
 */
export type DestroyCode = string;

/** One destructive part of a plan; `apply` refuses the plan without `--allow-destroy`. */
export interface Destroy {
  /** The object destroyed; `*` for a bulk delete of many objects. */
  address: Address;
  code: DestroyCode;
  /** What is lost, for the banner: `destroys all data stored under kv/`. */
  what: string;
}

export const PLAN_FORMAT_VERSION = '3';
export const SENSITIVE_MASK = '(sensitive)';

export interface Plan {
  format_version: string;
  tool_version: string;
  created_at: string;
  /** sha256 of the normalised desired objects. */
  config_fingerprint: string;
  /** Vault address the plan was made against (no token). */
  vault_addr?: string;
  /** The namespace the plan is of (`team-a/apps`); absent for the root namespace. */
  vault_namespace?: string;
  changes: Change[];
  /** The destructive parts of the plan (empty when none): every renderer shows them first. */
  destroys: Destroy[];
  unmanaged: UnmanagedObject[];
  summary: { create: number; update: number; delete: number; noop: number };
  /** Copies of CA bundles in Kubernetes that apply would create, update or delete, or must leave alone. */
  ca_bundles?: CaBundleChange[];
  /** Who may do what after the plan that could not before (and the reverse); absent when nothing changes. */
  access_changes?: AccessChanges;
}

/** The access part of a plan (src/core/plan/access-changes.ts); renderers show it first. */
export interface AccessChanges {
  summary: { principals: number; privileged: number; widened: number; trust: number };
  /** By address. */
  principals: PrincipalAccessChange[];
  /** Trust that is not in a policy: key sources, audit devices, CAs given to Kubernetes namespaces. */
  trust: TrustChange[];
  /** What the plan could not compare, in words (a targeted plan, a policy whose text was not read). */
  not_compared?: string[];
}

/** One principal whose capabilities or login bindings change. */
export interface PrincipalAccessChange {
  address: Address;
  status: 'added' | 'removed' | 'changed';
  /** The reasons its capability changes are privileged (sorted, unique; empty when none). */
  privileged: string[];
  /** added / removed: its tokens carry the `default` policy too (whose rules are not listed). */
  default_policy?: boolean;
  /** Per path rule of its merged ACL, sorted by pattern. */
  capabilities: CapabilityChange[];
  /** Fields deciding who may log in as it that change. */
  bindings?: BindingChange[];
  /** Policies it carries whose text the plan did not read: their rules are left out of the comparison. */
  unread_policies?: string[];
}

export interface CapabilityChange {
  /** The path pattern as Vault reads it: `secret/data/*`, `auth/+/role`, `*` for the root policy. */
  pattern: string;
  /** Sorted; `["deny"]` when a deny decides, `[]` when no rule. */
  before: string[];
  after: string[];
  gained: string[];
  lost: string[];
  /** Why the gain is privileged (sudo, sys/, …); empty when it is not. */
  privileged: string[];
}

export interface BindingChange {
  field: string;
  /** Absent: not set. */
  before?: unknown;
  after?: unknown;
  /** It lets in logins it did not before, and why: `a claim removed`, `* ServiceAccounts`. */
  widened?: string;
}

export interface TrustChange {
  address: Address;
  kind: KindName;
  /** What is trusted, as the kind names it: `JWT/OIDC key source`, `audit device`, `CA bundle`. */
  subject: string;
  /** One line for a reviewer. */
  what: string;
  /** The fields that changed, values as in the plan's changes (sensitive ones masked). */
  fields?: Array<{ name: string; before: unknown; after: unknown }>;
  /** CA bundles: the namespaces newly given the CA. */
  namespaces?: string[];
}

/** What a CA-bundle copy in one namespace needs (plan.ca_bundles). */
export type CopyAction = 'create' | 'update' | 'delete' | 'refused';

/** One planned change to one copy; `refused`: an object we do not own, left alone and reported. */
export interface CaBundleChange {
  address: string;
  namespace: string;
  /** `configmap/NAME` or `secret/NAME`. */
  object: string;
  action: CopyAction;
  reason: string;
}
