// Validation of the merged config: JSON Schema (schemas/config.schema.json) → names → TTLs →
// references → policy HCL, then normalisation into the `Config` the kinds consume.
// Every problem becomes a Diagnostic with a file:line:col; nothing here throws on bad input.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, isAbsolute, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ErrorObject, ValidateFunction } from 'ajv';
import { parseCidr } from './cidr.js';
import { compileConfigSchema } from './schema-validator.js';
import { checkPolicyHcl } from './hcl.js';
import { builtinMountTypes, SYSTEM_MOUNT_TYPES } from './mount-types.js';
import { GENERIC_NAME_RULE, isGenericName, policyNameProblem } from './names.js';
import { confinePath, credentialFileProblems } from './paths.js';
import type { Layer } from './layering.js';
import type {
  AuthMountConfig,
  Config,
  CredentialHolderConfig,
  CredentialsSpec,
  Diagnostic,
  PasswordPolicy,
  PolicyConfig,
  SecretsMountConfig,
  Settings,
  SourcePos,
} from './model.js';
import { DEFAULT_ENV_NAMES } from './model.js';
import { didYouMean, suggest } from './suggest.js';
import { isTtlFieldName, parseTtl, TTL_HINT } from './ttl.js';
import { dotted, posInScalar, type Json, type SourceEntry, type SourceFile } from './yaml-tree.js';

const isObj = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

// ---------------------------------------------------------------------------------------------
// Schema

/** Finds schemas/config.schema.json from src/core (tests) or dist/src/core (the built CLI). */
function schemaPath(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    const candidate = join(dir, 'schemas', 'config.schema.json');
    if (existsSync(candidate)) return candidate;
    dir = dirname(dir);
  }
  throw new Error('schemas/config.schema.json not found next to vault-gitops');
}

let compiled: { validate: ValidateFunction; schema: Json } | undefined;

/** The config JSON Schema, parsed. */
export function configSchema(): Json {
  return compiledSchema().schema;
}

function compiledSchema(): { validate: ValidateFunction; schema: Json } {
  if (!compiled) {
    const schema = JSON.parse(readFileSync(schemaPath(), 'utf8')) as Json;
    compiled = { validate: compileConfigSchema(schema), schema };
  }
  return compiled;
}

const TYPE_NAMES: Record<string, string> = {
  object: 'a mapping',
  array: 'a list',
  string: 'a string',
  integer: 'an integer',
  number: 'a number',
  boolean: 'a boolean (true or false)',
  null: 'empty',
};

function describeValue(v: unknown): string {
  if (v === null || v === undefined) return 'nothing';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'a mapping';
  if (typeof v === 'string') return `the string ${JSON.stringify(v)}`;
  if (typeof v === 'number') return `the number ${v}`;
  return `the ${typeof v} ${String(v)}`;
}

/** A value for a message: a value that came from variables is named by its references, never shown. */
export function describeAt(layer: Layer, segs: string[], v: unknown): string {
  const refs = layer.index.get(dotted(segs))?.refs;
  return refs ? `the value of ${refs.map((r) => `\${${r}}`).join(' + ')}` : describeValue(v);
}

function segmentsOf(instancePath: string): string[] {
  if (instancePath === '') return [];
  return instancePath
    .slice(1)
    .split('/')
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
}

const KEYWORD_RANK: Record<string, number> = { required: 0, additionalProperties: 1, type: 2, not: 3, enum: 4 };

/** JSON Schema errors → one diagnostic per problem, at the key or value it is about. */
export function schemaDiagnostics(layer: Layer, known: ReadonlySet<string> = new Set()): { errors: Diagnostic[]; failed: Set<string> } {
  const { validate } = compiledSchema();
  validate(layer.tree);
  const raw = (validate.errors ?? []).filter(
    (e) =>
      e.keyword !== 'if' &&
      e.keyword !== 'anyOf' &&
      !(e.keyword === 'type' && e.params.type === 'null') &&
      // Object names: the Checker reports each bad name at the name, with Vault's rule (names.ts).
      // Fixed key sets (env_names) are the schema's to report.
      ((e.keyword !== 'propertyNames' && e.propertyName === undefined) || segmentsOf(e.instancePath).at(-1) === 'env_names') &&
      // Already reported (an undefined variable): its unsubstituted text would only add noise.
      !known.has(dotted(segmentsOf(e.instancePath))),
  );
  raw.sort((a, b) => (KEYWORD_RANK[a.keyword] ?? 9) - (KEYWORD_RANK[b.keyword] ?? 9));
  const seen = new Set<string>();
  const failed = new Set<string>();
  const errors: Diagnostic[] = [];
  for (const e of raw) {
    // One error per place (an unknown field is its own place): the first, most telling keyword wins.
    const segs = segmentsOf(e.instancePath);
    const place = dotted(e.keyword === 'additionalProperties' ? [...segs, String(e.params.additionalProperty)] : segs);
    if (seen.has(place)) continue;
    seen.add(place);
    failed.add(place);
    errors.push(toDiagnostic(e, layer));
  }
  return { errors, failed };
}

function entryPos(layer: Layer, segs: string[], prefer: 'key' | 'value'): SourcePos | undefined {
  for (let n = segs.length; n > 0; n--) {
    const e = layer.index.get(dotted(segs.slice(0, n)));
    if (e) return prefer === 'key' ? (e.key ?? e.pos) : e.pos;
    prefer = 'key';
  }
  return undefined;
}

function toDiagnostic(e: ErrorObject, layer: Layer): Diagnostic {
  const segs = segmentsOf(e.instancePath);
  const path = dotted(segs);
  const parent = (e.parentSchema ?? {}) as Json;
  const custom = typeof parent['x-error'] === 'string' ? (parent['x-error'] as string) : undefined;
  const d = (pos: SourcePos | undefined, p: string, message: string, hint?: string): Diagnostic => ({
    severity: 'error',
    pos,
    path: p || undefined,
    message,
    ...(hint ? { hint } : {}),
  });
  switch (e.keyword) {
    case 'additionalProperties': {
      const field = String(e.params.additionalProperty);
      const allowed = Object.keys(isObj(parent.properties) ? parent.properties : {});
      const where = segs.length === 0 ? 'top-level' : '';
      return d(
        entryPos(layer, [...segs, field], 'key'),
        path,
        `\`${field}\`: unknown ${where ? `${where} ` : ''}field${didYouMean(field, allowed)}`,
        allowed.length > 0 && !suggest(field, allowed) ? `allowed here: ${allowed.join(', ')}` : undefined,
      );
    }
    case 'required': {
      const field = String(e.params.missingProperty);
      const hint = field === 'type' ? `e.g. type: ${segs[0] === 'auth' ? 'approle' : 'kv'}` : undefined;
      return d(entryPos(layer, segs, 'key'), path, `missing required field \`${field}\``, hint);
    }
    case 'type': {
      const types = ([] as string[]).concat(e.params.type as string | string[]);
      const isList = types.includes('array') && types.includes('string');
      const want = isList ? 'a list of strings (or a comma-separated string)' : types.map((t) => TYPE_NAMES[t] ?? t).join(' or ');
      const hint =
        types.includes('boolean') && typeof e.data === 'string' && /^(yes|no|on|off|y|n)$/i.test(e.data)
          ? 'YAML 1.2 reads yes/no/on/off as strings: write true or false'
          : types.includes('object') && e.data === null
            ? 'remove the key or give it settings'
            : undefined;
      return d(entryPos(layer, segs, 'value'), path, `must be ${want}, got ${describeAt(layer, segs, e.data)}`, hint);
    }
    case 'enum': {
      const allowed = (e.params.allowedValues as unknown[]).map((v) => JSON.stringify(v));
      const substituted = layer.index.get(dotted(segs))?.refs !== undefined;
      const got = typeof e.data === 'string' && !substituted ? didYouMean(e.data, (e.params.allowedValues as unknown[]).map(String)) : '';
      return d(entryPos(layer, segs, 'value'), path, `must be one of ${allowed.join(', ')}, got ${describeAt(layer, segs, e.data)}${got}`);
    }
    case 'minimum':
      return d(entryPos(layer, segs, 'value'), path, custom ?? `must be at least ${String(e.params.limit)}, got ${describeAt(layer, segs, e.data)}`);
    case 'minLength':
      return d(entryPos(layer, segs, 'value'), path, custom ?? 'must not be empty');
    default:
      return d(entryPos(layer, segs, e.keyword === 'not' || isObj(e.data) ? 'key' : 'value'), path, custom ?? (e.message ?? 'is invalid'));
  }
}

// ---------------------------------------------------------------------------------------------
// Normalisation and semantic checks

export interface Checked {
  config: Config;
  errors: Diagnostic[];
  warnings: Diagnostic[];
}

const DEPRECATED: Record<'users' | 'roles', Record<string, string>> = {
  users: { policies: 'token_policies', ttl: 'token_ttl', max_ttl: 'token_max_ttl', bound_cidrs: 'token_bound_cidrs' },
  roles: { policies: 'token_policies', period: 'token_period', bound_cidr_list: 'secret_id_bound_cidrs' },
};

const RESERVED_MOUNTS: Record<'auth' | 'secrets', string[]> = {
  auth: ['token'],
  secrets: ['sys', 'cubbyhole', 'identity', 'auth'],
};

class Checker {
  readonly errors: Diagnostic[] = [];
  readonly warnings: Diagnostic[] = [];
  /** Every failed path and each of its ancestors. */
  private readonly failedOrAbove = new Set<string>();
  /** Where credential file paths resolve (--sink-root). */
  sinkRoot = process.cwd();

  constructor(
    private readonly layer: Layer,
    private readonly sources: Map<string, SourceFile>,
    failed: Set<string>,
  ) {
    for (const f of failed) {
      this.failedOrAbove.add(f);
      for (let i = f.indexOf('.'); i >= 0; i = f.indexOf('.', i + 1)) this.failedOrAbove.add(f.slice(0, i));
    }
  }

  entry(path: string[]): SourceEntry | undefined {
    return this.layer.index.get(dotted(path));
  }
  keyPos(path: string[]): SourcePos | undefined {
    const e = this.entry(path);
    return e?.key ?? e?.pos;
  }
  valuePos(path: string[]): SourcePos | undefined {
    return this.entry(path)?.pos ?? this.keyPos(path);
  }
  error(path: string[], pos: SourcePos | undefined, message: string, hint?: string): void {
    this.errors.push({ severity: 'error', pos, path: dotted(path), message, ...(hint ? { hint } : {}) });
  }
  warn(path: string[], pos: SourcePos | undefined, message: string, hint?: string): void {
    this.warnings.push({ severity: 'warning', pos, path: dotted(path), message, ...(hint ? { hint } : {}) });
  }
  /** A value for a message (never a variable's value: see describeAt). */
  shown(path: string[], v: unknown, format: (v: unknown) => string = (x) => JSON.stringify(x)): string {
    return this.entry(path)?.refs ? describeAt(this.layer, path, v) : format(v);
  }
  /** True when the schema already reported something at or under this path. */
  broken(path: string[]): boolean {
    return this.failedOrAbove.has(dotted(path));
  }

  /** Every duration field (recursively) must parse the way Vault parses it. */
  checkTtls(obj: unknown, path: string[]): void {
    if (!isObj(obj)) return;
    for (const [k, v] of Object.entries(obj)) {
      const p = [...path, k];
      if (isObj(v)) this.checkTtls(v, p);
      else if (isTtlFieldName(k) && (typeof v === 'string' || typeof v === 'number') && !this.broken(p)) {
        if (parseTtl(v) === undefined) this.error(p, this.valuePos(p), `invalid duration ${this.shown(p, v)}`, TTL_HINT);
      }
    }
  }

  /** Users and roles: the names Vault's API routes (names.ts). */
  genericName(path: string[], name: string, noun: string): void {
    if (!isGenericName(name)) this.error(path, this.keyPos(path), `${noun} \`${name}\` is not a name Vault accepts: ${GENERIC_NAME_RULE}`);
  }

  /** Every `*cidr*` field: IPv4/IPv6 addresses or CIDR blocks, as Vault parses bound CIDRs (cidr.ts). */
  checkCidrs(settings: Json, path: string[]): void {
    for (const [k, v] of Object.entries(settings)) {
      if (!/cidr/.test(k) || this.broken([...path, k])) continue;
      const items: Array<{ text: string; at: string[] }> = [];
      if (typeof v === 'string') for (const t of v.split(',')) items.push({ text: t, at: [...path, k] });
      else if (Array.isArray(v)) v.forEach((t, i) => typeof t === 'string' && items.push({ text: t, at: [...path, k, String(i)] }));
      for (const { text, at } of items) {
        if (typeof v === 'string' && text.trim() === '') continue;
        const r = parseCidr(text);
        const shown = this.entry(at)?.refs ? describeAt(this.layer, at, text) : `\`${text.trim()}\``;
        if (!r.ok) this.error(at, this.valuePos(at), `CIDR ${shown} ${r.problem}`, 'write an address (10.0.0.1, 2001:db8::1) or a CIDR block (10.0.0.0/8, 2001:db8::/32)');
        else if (r.hostBits) this.warn(at, this.valuePos(at), `CIDR ${shown} has host bits set: Vault matches it as ${r.network}`, `write ${r.network}`);
      }
    }
  }

  policies(tree: Json): Record<string, PolicyConfig> {
    const out: Record<string, PolicyConfig> = {};
    const section = tree.policies;
    if (!isObj(section)) return out;
    for (const [name, p] of Object.entries(section)) {
      const path = ['policies', name];
      if (name !== name.toLowerCase()) {
        this.error(
          path,
          this.keyPos(path),
          `policy name \`${name}\` has upper-case letters: Vault stores policy names lower-cased, so every plan would show a change`,
          `rename it to \`${name.toLowerCase()}\``,
        );
      }
      if (name === 'root') this.error(path, this.keyPos(path), 'the `root` policy cannot be changed in Vault', 'remove it from the config');
      const problem = policyNameProblem(name);
      if (problem) this.error(path, this.keyPos(path), `policy name \`${name}\` ${problem}`, 'Vault could not store it under this name');
      if (!isObj(p)) continue;
      if (this.broken(path)) {
        // Reported already; still a declared policy, so references to it are not reported too.
        out[name] = { policy: typeof p.policy === 'string' ? p.policy : '' };
        continue;
      }
      if (typeof p.policy === 'string' && p.file === undefined) {
        out[name] = { policy: p.policy };
        const entry = this.entry([...path, 'policy']);
        const src = entry ? this.sources.get(entry.pos.file) : undefined;
        for (const pr of checkPolicyHcl(p.policy)) {
          const pos = entry && src ? posInScalar(src, entry, pr.line, pr.col) : this.valuePos([...path, 'policy']);
          this.error([...path, 'policy'], pos, `policy HCL: ${pr.message}`, pr.hint);
        }
      } else if (typeof p.file === 'string' && p.policy === undefined) {
        const fpath = [...path, 'file'];
        const declaredIn = this.valuePos(fpath)?.file ?? '.';
        const shown = isAbsolute(p.file) ? p.file : join(dirname(declaredIn), p.file);
        const root = this.sources.get(declaredIn)?.root ?? dirname(declaredIn);
        const confined = confinePath({ path: p.file, from: dirname(declaredIn), root, rootLabel: `the config directory ${root}`, use: 'read' });
        if (!confined.ok) {
          const message = confined.missing ? `cannot read policy file ${shown}: no such file` : `policy file ${p.file} ${confined.problem}`;
          this.error(fpath, this.valuePos(fpath), message, confined.hint);
          out[name] = { policy: '' };
          continue;
        }
        const abs = confined.path;
        let text: string;
        try {
          text = readFileSync(abs, 'utf8');
        } catch (err) {
          const code = (err as NodeJS.ErrnoException).code;
          this.error(
            fpath,
            this.valuePos(fpath),
            `cannot read policy file ${shown}: ${code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a directory' : String(code ?? err)}`,
            'the path is relative to the YAML file that declares the policy',
          );
          out[name] = { policy: '', file: abs };
          continue;
        }
        out[name] = { policy: text, file: abs };
        for (const pr of checkPolicyHcl(text)) {
          this.error(fpath, { file: shown, line: pr.line, col: pr.col }, `policy HCL: ${pr.message}`, pr.hint);
        }
      }
    }
    return out;
  }

  mountPath(section: 'auth' | 'secrets', path: string): void {
    const p = [section, path];
    const problem =
      path.trim() === ''
        ? 'is empty'
        : /\s/.test(path)
          ? 'contains white space'
          : /^\/|\/$/.test(path)
            ? 'starts or ends with `/` (Vault strips it, so the plan would never match)'
            : /\/\/|(^|\/)\.\.?(\/|$)/.test(path)
              ? 'contains an empty, `.` or `..` segment'
              : RESERVED_MOUNTS[section].includes(path.toLowerCase())
                ? 'is reserved by Vault'
                : undefined;
    if (problem) this.error(p, this.keyPos(p), `mount path \`${path}\` ${problem}`);
  }

  /**
   * A type no server has built in is either a typo (close to a built-in: an error with the
   * suggestion) or a custom plugin, which plan checks against the server's plugin catalog.
   */
  mountType(section: 'auth' | 'secrets', mount: string, type: string): void {
    const p = [section, mount, 'type'];
    if (this.broken(p) || builtinMountTypes(section).includes(type)) return;
    const shown = this.entry(p)?.refs ? describeAt(this.layer, p, type) : `\`${type}\``;
    const what = section === 'auth' ? 'auth method' : 'secrets engine';
    if (SYSTEM_MOUNT_TYPES[section].includes(type)) {
      this.error(p, this.valuePos(p), `mount type ${shown} is Vault's own and cannot be mounted`);
      return;
    }
    const close = this.entry(p)?.refs ? undefined : suggest(type, builtinMountTypes(section));
    if (close !== undefined) {
      this.error(p, this.valuePos(p), `unknown ${what} type ${shown}, did you mean \`${close}\`?`, `built-in types: ${builtinMountTypes(section).join(', ')}`);
    } else {
      this.warn(p, this.valuePos(p), `${shown} is not a built-in ${what} type of Vault or OpenBao`, "plan checks it against the server's plugin catalog (a custom plugin must be registered there)");
    }
  }

  credentials(raw: unknown, path: string[]): CredentialsSpec | undefined {
    if (!isObj(raw) || this.broken(path)) return undefined;
    const out: CredentialsSpec = {};
    if (isObj(raw.file) && typeof raw.file.path === 'string') {
      const mode = this.fileMode(raw.file.mode, [...path, 'file', 'mode']);
      const { format, env_names: envNames } = raw.file as NonNullable<CredentialsSpec['file']>;
      out.file = {
        path: raw.file.path,
        ...(mode !== undefined ? { mode } : {}),
        ...(raw.file.adopt === true ? { adopt: true } : {}),
        ...(format ? { format } : {}),
        ...(envNames ? { env_names: envNames } : {}),
      };
      for (const d of credentialFileProblems(out.file, this.sinkRoot)) this.error([...path, 'file', d.field], this.valuePos([...path, 'file', d.field]), d.message, d.hint);
      this.checkEnvNames(out.file, [...path, 'file', 'env_names']);
    }
    if (isObj(raw.kubernetes)) out.kubernetes = raw.kubernetes as unknown as NonNullable<CredentialsSpec['kubernetes']>;
    if (isObj(raw.rotate)) {
      const rotate: NonNullable<CredentialsSpec['rotate']> = {};
      for (const k of ['before_expiry', 'max_age'] as const) {
        const v = raw.rotate[k];
        const secs = typeof v === 'string' || typeof v === 'number' ? parseTtl(v) : undefined;
        if (secs !== undefined) rotate[k] = secs;
      }
      out.rotate = rotate;
    }
    if (isObj(raw.password)) out.password = raw.password as Partial<PasswordPolicy>;
    return out;
  }

  /** `env_names` only means something for `format: env`, and two values cannot share a variable. */
  checkEnvNames(file: NonNullable<CredentialsSpec['file']>, path: string[]): void {
    if (!file.env_names || this.broken(path)) return;
    if (file.format !== 'env') {
      this.error(path, this.keyPos(path), '`env_names` is only used with `format: env`', 'add `format: env` or remove `env_names`');
      return;
    }
    const names = Object.values({ ...DEFAULT_ENV_NAMES, ...file.env_names });
    const dup = names.find((n, i) => names.indexOf(n) !== i);
    if (dup) this.error(path, this.valuePos(path), `two credentials are named \`${dup}\``, 'give each its own variable name');
  }

  /** `mode: 0600` (YAML reads it as the decimal 600), `"0600"`, `0o600`, `"600"` → 0o600; 384 stays 384. */
  fileMode(v: unknown, path: string[]): number | undefined {
    if (v === undefined || v === null) return undefined;
    const entry = this.entry(path);
    const src = entry ? this.sources.get(entry.pos.file) : undefined;
    const text = entry?.scalar && src ? src.text.slice(entry.scalar.offset, entry.scalar.end).trim().replace(/^["']|["']$/g, '') : String(v);
    const m = /^(?:0o?)?([0-7]{3,4})$/.exec(text);
    if (m) return parseInt(m[1]!, 8);
    if (typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= 0o7777) return v;
    return undefined;
  }

  holders(
    raw: unknown,
    path: string[],
    section: 'users' | 'roles',
    policies: Record<string, PolicyConfig>,
    mountMax?: MountMax,
  ): Record<string, CredentialHolderConfig> | undefined {
    if (raw === undefined) return undefined;
    const out: Record<string, CredentialHolderConfig> = {};
    if (!isObj(raw)) return out;
    for (const [name, h] of Object.entries(raw)) {
      const p = [...path, name];
      const noun = section === 'users' ? 'user name' : 'role name';
      if (name !== name.toLowerCase()) {
        this.error(p, this.keyPos(p), `${noun} \`${name}\` has upper-case letters: Vault lower-cases it, so every plan would show a change`, `rename it to \`${name.toLowerCase()}\``);
      }
      this.genericName(p, name, noun);
      const body = h === null ? {} : h;
      if (!isObj(body)) continue;
      const { credentials, ...settings } = body;
      this.checkTtls(settings, p);
      this.checkCidrs(settings, p);
      for (const [old, use] of Object.entries(DEPRECATED[section])) {
        if (settings[old] !== undefined) {
          this.warn([...p, old], this.keyPos([...p, old]), `\`${old}\` is deprecated`, `use \`${use}\``);
        }
      }
      for (const field of ['token_policies', 'policies']) this.policyRefs(settings[field], [...p, field], policies);
      const ttl = typeof settings.token_ttl === 'string' || typeof settings.token_ttl === 'number' ? parseTtl(settings.token_ttl) : undefined;
      const max = typeof settings.token_max_ttl === 'string' || typeof settings.token_max_ttl === 'number' ? parseTtl(settings.token_max_ttl) : undefined;
      if (ttl !== undefined && max !== undefined && ttl > 0 && max > 0 && ttl > max) {
        this.error([...p, 'token_ttl'], this.valuePos([...p, 'token_ttl']), '`token_ttl` cannot be greater than `token_max_ttl` (Vault refuses it)');
      }
      if (section === 'roles' && settings.bind_secret_id === false) {
        const constrained = ['secret_id_bound_cidrs', 'token_bound_cidrs', 'bound_cidr_list'].some((f) => {
          const v = settings[f];
          return (Array.isArray(v) && v.length > 0) || (typeof v === 'string' && v !== '');
        });
        if (!constrained) {
          this.error([...p, 'bind_secret_id'], this.valuePos([...p, 'bind_secret_id']), 'with `bind_secret_id: false` the role needs `secret_id_bound_cidrs` or `token_bound_cidrs` (Vault refuses a role without constraints)');
        }
      }
      this.checkTtls(isObj(credentials) ? { rotate: credentials.rotate } : {}, [...p, 'credentials']);
      const creds = this.credentials(credentials, [...p, 'credentials']);
      this.overMountMax(settings, p, ['token_ttl', 'token_max_ttl', 'token_explicit_max_ttl', 'token_period'], mountMax, 'tokens');
      if (section === 'users' && !creds?.file && !creds?.kubernetes && !this.broken([...p, 'credentials'])) {
        this.warn(
          p,
          this.keyPos(p),
          `user \`${name}\` has no credentials sink: its generated password is set in Vault and delivered nowhere`,
          `add credentials: { file: { path: out/${name}.json } } (or kubernetes: { namespace, name })`,
        );
      }
      out[name] = { settings: settings as Settings, ...(creds ? { credentials: creds } : {}) };
    }
    return out;
  }

  /** Vault silently caps these at the mount's max_lease_ttl: say so rather than let the plan surprise. */
  overMountMax(settings: Json, path: string[], fields: string[], mountMax: MountMax | undefined, what: string): void {
    if (mountMax === undefined || mountMax.seconds === 0) return;
    for (const f of fields) {
      const v = settings[f];
      const secs = typeof v === 'string' || typeof v === 'number' ? parseTtl(v) : undefined;
      if (secs !== undefined && secs > mountMax.seconds) {
        this.warn(
          [...path, f],
          this.valuePos([...path, f]),
          `\`${f}\` (${this.shown([...path, f], v, String)}) is longer than the mount's max_lease_ttl (${mountMax.text}): Vault caps ${what} at the mount's limit`,
          "raise the mount's tune.max_lease_ttl or lower this value",
        );
      }
    }
  }

  policyRefs(v: unknown, path: string[], policies: Record<string, PolicyConfig>): void {
    if (v === undefined || this.broken(path)) return;
    const items: Array<{ name: string; pos: SourcePos | undefined }> = [];
    if (typeof v === 'string') {
      for (const n of v.split(',').map((s) => s.trim()).filter((s) => s !== '')) items.push({ name: n, pos: this.valuePos(path) });
    } else if (Array.isArray(v)) {
      v.forEach((n, i) => {
        if (typeof n === 'string') items.push({ name: n, pos: this.valuePos([...path, String(i)]) });
      });
    }
    for (const { name, pos } of items) {
      if (name !== name.toLowerCase()) {
        // Vault lower-cases the names it stores in token_policies; a declared upper-case policy is reported where it is declared.
        if (!policies[name]) {
          this.error(path, pos, `policy \`${name}\` has upper-case letters: Vault stores it lower-cased, so every plan would show a change`, `write \`${name.toLowerCase()}\``);
        }
        continue;
      }
      if (name === 'default' || policies[name]) continue;
      // `Payments` declared (reported there) is stored as `payments`.
      if (Object.keys(policies).some((k) => k.toLowerCase() === name)) continue;
      this.error(
        path,
        pos,
        `policy \`${name}\` is not defined in the config${didYouMean(name, [...Object.keys(policies), 'default'])}`,
        'declare it under `policies:` (only `default` may be used without declaring it)',
      );
    }
  }

  tune(raw: unknown, path: string[]): Settings | undefined {
    if (!isObj(raw)) return undefined;
    this.checkTtls(raw, path);
    return raw as Settings;
  }

  auth(tree: Json, policies: Record<string, PolicyConfig>): Record<string, AuthMountConfig> {
    const out: Record<string, AuthMountConfig> = {};
    if (!isObj(tree.auth)) return out;
    for (const [mount, m] of Object.entries(tree.auth)) {
      this.mountPath('auth', mount);
      const p = ['auth', mount];
      if (!isObj(m) || typeof m.type !== 'string') continue;
      const { type, description, tune, users, roles, ...settings } = m;
      this.mountType('auth', mount, type);
      this.checkTtls(settings, p);
      const cfg: AuthMountConfig = { type, settings: settings as Settings };
      if (typeof description === 'string') cfg.description = description;
      const t = this.tune(tune, [...p, 'tune']);
      if (t) cfg.tune = t;
      const max = mountMaxTtl(tune);
      const u = type === 'userpass' ? this.holders(users, [...p, 'users'], 'users', policies, max) : undefined;
      if (u) cfg.users = u;
      const r = type === 'approle' ? this.holders(roles, [...p, 'roles'], 'roles', policies, max) : undefined;
      if (r) cfg.roles = r;
      out[mount] = cfg;
    }
    return out;
  }

  secrets(tree: Json): Record<string, SecretsMountConfig> {
    const out: Record<string, SecretsMountConfig> = {};
    if (!isObj(tree.secrets)) return out;
    for (const [mount, m] of Object.entries(tree.secrets)) {
      this.mountPath('secrets', mount);
      const p = ['secrets', mount];
      if (!isObj(m) || typeof m.type !== 'string') continue;
      const { type, description, tune, root_ca, urls, roles, ...settings } = m;
      this.mountType('secrets', mount, type);
      this.checkTtls(settings, p);
      const cfg: SecretsMountConfig = { type, settings: settings as Settings };
      if (typeof description === 'string') cfg.description = description;
      const t = this.tune(tune, [...p, 'tune']);
      if (t) cfg.tune = t;
      if (type === 'pki') {
        if (isObj(root_ca)) {
          this.checkTtls(root_ca, [...p, 'root_ca']);
          this.overMountMax(root_ca, [...p, 'root_ca'], ['ttl'], mountMaxTtl(tune), 'certificates');
          cfg.root_ca = root_ca as Settings;
        }
        if (isObj(urls)) cfg.urls = urls as Settings;
        if (isObj(roles)) {
          cfg.roles = {};
          for (const [name, r] of Object.entries(roles)) {
            const body = r === null ? {} : r;
            if (!isObj(body)) continue;
            this.checkTtls(body, [...p, 'roles', name]);
            this.overMountMax(body, [...p, 'roles', name], ['ttl', 'max_ttl'], mountMaxTtl(tune), 'certificates');
            this.genericName([...p, 'roles', name], name, 'role name');
            this.checkCidrs(body, [...p, 'roles', name]);
            cfg.roles[name] = body as Settings;
          }
        } else if (roles === null) cfg.roles = {};
      }
      out[mount] = cfg;
    }
    return out;
  }

  prune(tree: Json, config: Config): string[] {
    const raw = tree.prune;
    if (!Array.isArray(raw)) return [];
    const valid = new Set(['policies', 'auth', 'secrets', 'auth/*/users', 'auth/*/roles', 'secrets/*/roles']);
    for (const [m, a] of Object.entries(config.auth)) {
      if (a.type === 'userpass') valid.add(`auth/${m}/users`);
      if (a.type === 'approle') valid.add(`auth/${m}/roles`);
    }
    for (const [m, s] of Object.entries(config.secrets)) if (s.type === 'pki') valid.add(`secrets/${m}/roles`);
    const out: string[] = [];
    raw.forEach((entry, i) => {
      if (typeof entry !== 'string') return;
      const norm = entry.replace(/^\/+|\/+$/g, '');
      const p = ['prune', String(i)];
      if (valid.has(norm)) {
        out.push(norm);
        return;
      }
      const segs = norm.split('/');
      let why = 'is not a collection vault-gitops manages';
      if (segs.length === 3 && (segs[0] === 'auth' || segs[0] === 'secrets') && segs[1] !== '*') {
        const declared = segs[0] === 'auth' ? config.auth[segs[1]!] : config.secrets[segs[1]!];
        if (!declared) why = `names mount \`${segs[0]}/${segs[1]}\`, which the config does not declare`;
        else why = `is not a collection of a ${declared.type} mount`;
      }
      this.error(p, this.valuePos(p), `prune entry \`${entry}\` ${why}${didYouMean(norm, valid)}`, `collections here: ${[...valid].sort().join(', ')}`);
    });
    return out;
  }
}

interface MountMax {
  seconds: number;
  text: string;
}

function mountMaxTtl(tune: unknown): MountMax | undefined {
  const v = isObj(tune) ? tune.max_lease_ttl : undefined;
  const seconds = typeof v === 'string' || typeof v === 'number' ? parseTtl(v) : undefined;
  return seconds === undefined ? undefined : { seconds, text: String(v) };
}

/** Checks the merged layer and builds the Config (also when there are errors, as far as it can). */
export function checkConfig(layer: Layer, sources: Map<string, SourceFile>, reported: Diagnostic[] = [], paths: { sinkRoot?: string } = {}): Checked {
  const known = new Set(reported.map((d) => d.path).filter((p): p is string => p !== undefined));
  const schema = schemaDiagnostics(layer, known);
  const c = new Checker(layer, sources, new Set([...schema.failed, ...known]));
  if (paths.sinkRoot !== undefined) c.sinkRoot = paths.sinkRoot;
  const tree = layer.tree;
  const policies = c.policies(tree);
  const auth = c.auth(tree, policies);
  const secrets = c.secrets(tree);
  const config: Config = { policies, auth, secrets, prune: [], sources: {} };
  config.prune = c.prune(tree, config);
  if (isObj(tree.password)) config.password = tree.password as Partial<PasswordPolicy>;
  for (const [k, e] of layer.index) config.sources[k] = e.key ?? e.pos;
  return { config, errors: [...schema.errors, ...c.errors], warnings: c.warnings };
}
