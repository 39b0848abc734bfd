// Field groups shared by the kinds' schemas, each defined once: durations, string lists, CIDR lists,
// names, the token_* fields every auth method's roles carry, and the credential sinks. A kind
// builds its object schema from these (TypeBox); `npm run schemas` writes the result.
import { Type, type TProperties, type TSchema } from 'typebox';
import { DURATION_BODY, DURATION_PATTERN, TTL_HINT } from '../../core/common/ttl.js';

/** Options a field may carry besides TypeBox's: our message for a failed node, editors' hints. */
export interface FieldOptions {
  description?: string;
  deprecated?: boolean;
  'x-error'?: string;
  [keyword: string]: unknown;
}

/** A reference to one of DEFINITIONS (kept once in the generated file, named there). */
function ref<T = unknown>(name: keyof typeof DEFINITIONS, opts: FieldOptions = {}) {
  return Type.Unsafe<T>({ $ref: `#/definitions/${name}`, ...opts });
}

/** An environment variable's name (variables.env, format env's env_names). */
export const ENV_VAR_NAME = { type: 'string', pattern: '^[A-Za-z_][A-Za-z0-9_]*$', 'x-error': 'must be an environment variable name: letters, digits and `_`, not starting with a digit' };

/**
 * What marks a duration in the schema (`x-type`), whatever its field is called: the schema refuses what
 * Vault would not parse, with this message and hint, and tests find every duration field by it.
 */
const DURATION_MARKS = { 'x-type': 'duration', 'x-error': 'invalid duration {value}', 'x-hint': TTL_HINT } as const;

/** A duration that also takes -1 (a JWT role's leeways: -1 = none at all). */
export const durationOrNone = (description: string) =>
  Type.Unsafe<string | number>({
    type: ['string', 'integer'],
    minimum: -1,
    pattern: `^(-1|${DURATION_BODY})?$`,
    ...DURATION_MARKS,
    'x-hint': `${TTL_HINT}; or -1 for none`,
    description,
  });

/** Shared schema nodes: `definitions` of the generated schema. */
export const DEFINITIONS = {
  duration: Type.Unsafe<string | number>({
    type: ['string', 'integer'],
    minimum: 0,
    pattern: DURATION_PATTERN,
    ...DURATION_MARKS,
    description: 'Seconds, or a Go duration ("90m", "1h30m", "720h"), or whole days ("10d").',
  }),
  stringList: Type.Unsafe<string | string[]>({ type: ['array', 'string'], items: { type: 'string' }, description: 'A list (or a comma-separated string).' }),
  stringSet: Type.Unsafe<string | string[]>({
    type: ['array', 'string'],
    items: { type: 'string' },
    description: 'A set (a list or a comma-separated string): order and repeats do not matter.',
  }),
  cidrList: Type.Unsafe<string | string[]>({
    type: ['array', 'string'],
    // The prefix range and host bits are checked after the schema (core/check/checker.ts), found by this mark.
    'x-type': 'cidrs',
    items: { type: 'string', pattern: '^\\s*[0-9A-Fa-f:.]+(/[0-9]+)?\\s*$', 'x-error': 'must be an IPv4 or IPv6 address or a CIDR block such as 10.0.0.0/8' },
    description:
      'IPv4/IPv6 addresses or CIDR blocks (a list, or a comma-separated string), parsed as Vault parses bound CIDRs: the prefix length in range (0-32, 0-128).',
  }),
  genericName: Type.String({
    pattern: '^[A-Za-z0-9_]([A-Za-z0-9_.-]*[A-Za-z0-9_])?$',
    description: "Vault's generic name rule: letters, digits and `_`, with `-` and `.` allowed inside.",
  }),
  passwordPolicy: object(
    {
      length: Type.Integer({ minimum: 8, description: 'Password length (default 32).' }),
      numbers: Type.Boolean({ description: 'Include digits (default true).' }),
      symbols: Type.Boolean({ description: 'Include symbols (default false).' }),
      lowercase: Type.Boolean({ description: 'Include lower-case letters (default true).' }),
      uppercase: Type.Boolean({ description: 'Include upper-case letters (default true).' }),
      strict: Type.Boolean({ description: 'At least one character of each enabled pool (default true).' }),
    },
    { description: 'Generated-password settings (generate-password options).' },
  ),
} satisfies Record<string, TSchema>;

/** Seconds or a Go duration; compared as seconds. */
export const duration = (description?: string, opts: FieldOptions = {}) => ref<string | number>('duration', { ...opts, ...(description ? { description } : {}) });
/** A list of strings, or one comma-separated string. */
export const stringList = (description?: string, opts: FieldOptions = {}) => ref<string | string[]>('stringList', { ...opts, ...(description ? { description } : {}) });
/** An unordered set of strings: compared sorted and without repeats (normalise.ts). */
export const stringSet = (description?: string, opts: FieldOptions = {}) => ref<string | string[]>('stringSet', { ...opts, ...(description ? { description } : {}) });
/** Addresses or CIDR blocks (list or comma-separated); checked as Vault parses them. */
export const cidrList = (description?: string, opts: FieldOptions = {}) => ref<string | string[]>('cidrList', { ...opts, ...(description ? { description } : {}) });
/** Vault's generic name rule (users, roles): for `Placement.names`. */
export const genericName = () => ref<string>('genericName');
export const passwordPolicy = () => ref('passwordPolicy');

/** A mapping of strings (labels, metadata); `value` narrows the values. */
export const stringMap = (value: object = { type: 'string' }, opts: FieldOptions = {}) =>
  Type.Unsafe<Record<string, string>>({ type: 'object', additionalProperties: value, ...opts });

/** The fields of an object schema that are sets (stringSet), for its kind's normalise(). */
export function setFields(schema: TSchema): ReadonlySet<string> {
  const props = ((schema as { properties?: Record<string, { $ref?: string }> }).properties ?? {}) as Record<string, { $ref?: string }>;
  return new Set(Object.keys(props).filter((k) => props[k]!.$ref === '#/definitions/stringSet'));
}

/** The schema's duration fields (a `duration` reference or an `x-type: duration` node), whatever they are called. */
export function durationFields(schema: TSchema): ReadonlySet<string> {
  const props = ((schema as { properties?: Record<string, Record<string, unknown>> }).properties ?? {}) as Record<string, Record<string, unknown>>;
  return new Set(Object.keys(props).filter((k) => props[k]!.$ref === '#/definitions/duration' || props[k]!['x-type'] === 'duration'));
}

/** A field that must not be written here; `message` says why and what to do instead. */
export const forbidden = (message: string) => Type.Unsafe<never>({ not: {}, 'x-error': message });

/** A deprecated alias: still accepted (with a warning from the kind's check), described as such. */
export function deprecated(use: string, field: (d?: string, o?: FieldOptions) => TSchema): TSchema {
  return field(`Deprecated: use \`${use}\`.`, { deprecated: true });
}

/**
 * An object of optional settings (Vault's parameters are optional unless listed in `required`),
 * closed to unknown keys: a typo is an error with a suggestion, never silently ignored.
 */
export function object(props: TProperties, opts: FieldOptions & { required?: readonly string[] } = {}): TSchema {
  const { required = [], ...rest } = opts;
  const fields = Object.fromEntries(Object.entries(props).map(([k, v]) => [k, required.includes(k) ? v : Type.Optional(v)]));
  return Type.Object(fields, { additionalProperties: false, ...rest });
}

/** The token_* parameters of every auth method's roles and users (Vault's tokenutil). */
export const TOKEN_FIELDS = {
  token_bound_cidrs: cidrList('CIDR blocks allowed to use the generated token.'),
  token_explicit_max_ttl: duration('Explicit maximum lifetime of the generated token.'),
  token_max_ttl: duration('Maximum lifetime of the generated token.'),
  token_no_default_policy: Type.Boolean({ description: 'Do not attach the `default` policy to generated tokens.' }),
  token_num_uses: Type.Integer({ minimum: 0, description: 'Maximum uses of a generated token; 0 = unlimited.' }),
  token_period: duration('Periodic tokens: fixed renewal period.'),
  token_policies: stringSet('Policies attached to generated tokens.'),
  token_type: Type.String({ enum: ['default', 'service', 'batch'], description: 'The type of token to generate.' }),
  token_ttl: duration('Initial TTL of the generated token.'),
  token_strictly_bind_ip: Type.Boolean({ description: 'OpenBao only: bind the token strictly to the login IP.' }),
} satisfies TProperties;

/** What Vault fills in for token fields nobody set (left out of an export). */
export const TOKEN_DEFAULTS = { token_type: 'default', token_no_default_policy: false, token_strictly_bind_ip: false };

/** Credential names a sink may rename (format env, Kubernetes keys). */
type CredentialName = 'username' | 'password' | 'role_id' | 'secret_id' | 'mount';

/**
 * Where a kind's generated credentials go (`credentials:` of a userpass user or an AppRole).
 * `formats`: the file formats its consumers read; `names`: the values delivered.
 */
export function credentialSinks(opts: {
  formats: string[];
  formatHelp: string;
  names: CredentialName[];
  envDefault: string;
  description: string;
  password?: boolean;
  /** Describes `wrap_ttl` when the kind can deliver its secret wrapped. */
  wrap?: string;
}): TSchema {
  const file = object(
    {
      path: Type.String({
        minLength: 1,
        description:
          'Where the credentials are written, relative to the sink root (--sink-root, default the working directory) and confined to it: a file, or a directory for format vault-agent.',
      }),
      mode: Type.Unsafe<string | number>({
        type: ['integer', 'string'],
        pattern: '^(0o?)?[0-7]{3,4}$',
        'x-error': 'must be an octal file mode such as 0600',
        description: 'File mode, octal (default 0600; at most 0640).',
      }),
      adopt: Type.Boolean({ description: 'Take over an existing file that vault-gitops did not write (default false: such a file is never overwritten).' }),
      format: Type.Unsafe<string>({ enum: opts.formats, description: opts.formatHelp }),
      env_names: stringMap(ENV_VAR_NAME, {
        propertyNames: { enum: opts.names },
        description: `format env: variable names by credential name (defaults ${opts.envDefault}, …, VAULT_AUTH_MOUNT).`,
      }),
    },
    { required: ['path'], description: 'Write the credentials to a local file (mode 0600, atomic) in the chosen format.' },
  );
  const kubernetes = object(
    {
      namespace: Type.String({
        minLength: 1,
        maxLength: 63,
        pattern: '^[a-z0-9]([-a-z0-9]*[a-z0-9])?$',
        'x-error': 'must be a Kubernetes namespace name: lower-case letters, digits and `-`, at most 63 characters',
        description: 'Namespace of the Secret.',
      }),
      name: Type.String({
        minLength: 1,
        maxLength: 253,
        pattern: '^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$',
        'x-error': 'must be a Kubernetes object name: lower-case letters, digits, `-` and `.`, at most 253 characters',
        description: 'Name of the Secret.',
      }),
      labels: stringMap(),
      annotations: stringMap(),
      keys: stringMap(
        { type: 'string', pattern: '^[-._a-zA-Z0-9]+$', 'x-error': 'must be a valid Secret key: letters, digits, `-`, `_` and `.`' },
        { description: 'Secret key names by credential name (e.g. `secret_id: SECRET_ID`).' },
      ),
      adopt: Type.Boolean({ description: 'Take over an existing Secret not created by vault-gitops.' }),
    },
    { required: ['namespace', 'name'], description: 'Write the credentials to a Kubernetes Secret.' },
  );
  const s3 = object(
    {
      bucket: Type.String({
        minLength: 3,
        maxLength: 63,
        pattern: '^[a-z0-9][a-z0-9.-]*[a-z0-9]$',
        'x-error': 'must be an S3 bucket name: lower-case letters, digits, `.` and `-`, 3 to 63 characters',
        description: 'The bucket. It must be on the allow-list of the environment running vault-gitops (VAULT_GITOPS_S3_ALLOW), never decided by the config alone.',
      }),
      key: Type.String({
        minLength: 1,
        maxLength: 1024,
        pattern: '^[^/\\u0000-\\u001f\\u007f](?:[^\\u0000-\\u001f\\u007f]*[^/\\u0000-\\u001f\\u007f])?$',
        'x-error': 'must be an object key without control characters, not starting or ending with `/`',
        description: 'The object key.',
      }),
      region: Type.String({ minLength: 1, pattern: '^[a-z0-9-]+$', 'x-error': 'must be a region name such as eu-west-1', description: 'Region (default AWS_REGION / the profile\'s region).' }),
      endpoint: Type.String({
        pattern: '^https?://[^/?#@\\s]+/?$',
        'x-error': 'must be an http(s) URL of a host, without a path, query or user, e.g. https://s3.example.com',
        description: 'An S3-compatible endpoint (default AWS, or AWS_ENDPOINT_URL_S3). Must be allowed with its bucket in VAULT_GITOPS_S3_ALLOW.',
      }),
      sse: Type.Unsafe<string>({ enum: ['AES256', 'aws:kms'], description: 'Server-side encryption to ask for on upload.' }),
      kms_key_id: Type.String({ minLength: 1, description: 'KMS key for `sse: aws:kms` (default the bucket\'s or AWS\'s key).' }),
      adopt: Type.Boolean({ description: 'Take over an existing object that vault-gitops did not write (default false: such an object is never overwritten).' }),
      format: Type.Unsafe<string>({ enum: opts.formats.filter((f) => f !== 'vault-agent'), description: 'What the consumer reads, as for `file:`: json (default), vault-sidekick or env.' }),
      env_names: stringMap(ENV_VAR_NAME, {
        propertyNames: { enum: opts.names },
        description: `format env: variable names by credential name (defaults ${opts.envDefault}, …, VAULT_AUTH_MOUNT).`,
      }),
    },
    {
      required: ['bucket', 'key'],
      description: 'Upload the credentials as an S3 object (AWS credentials from the standard chain, never from the config; conditional writes).',
    },
  );
  const rotate = object(
    {
      before_expiry: duration('Re-issue when less than this remains before the credential expires.'),
      max_age: duration('Re-issue when the delivered credential is older than this.'),
    },
    { description: 'When to re-issue delivered credentials.' },
  );
  const props: TProperties = { file, kubernetes, s3, rotate };
  if (opts.wrap) props.wrap_ttl = duration(opts.wrap);
  if (opts.password) {
    props.password = passwordPolicy();
    props.password_policy = Type.String({
      minLength: 1,
      description: 'A password policy (password_policies.NAME, or one Vault has): Vault generates the password by it instead of vault-gitops (instead of `password`).',
    });
  }
  return object(props, { description: opts.description });
}
