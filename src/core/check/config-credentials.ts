// `credentials:` of an object whose kind delivers credentials: read into a CredentialsSpec (octal
// modes, rotate and wrap durations in seconds) with its file path confined to the sink root.
import type { Checker } from './checker.js';
import { DEFAULT_ENV_NAMES, type CredentialsSpec, type PasswordPolicy, type S3SinkSpec } from '../model.js';
import { s3DestinationProblem } from '../common/s3-destinations.js';
import { credentialFileProblems } from '../common/paths.js';
import { parseTtl } from '../common/ttl.js';
import type { Json } from '../config/yaml-tree.js';

const isObj = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

export function readCredentials(c: Checker, raw: unknown, path: string[]): CredentialsSpec | undefined {
  if (!isObj(raw) || c.broken(path)) return undefined;
  const out: CredentialsSpec = {};
  if (isObj(raw.file) && typeof raw.file.path === 'string') {
    const mode = fileMode(c, raw.file.mode, [...path, 'file', 'mode']);
    const { format, env_names: envNames } = raw.file as NonNullable<CredentialsSpec['file']>;
    out.file = {
      path: raw.file.path,
      ...(mode !== undefined ? { mode } : {}),
      ...(raw.file.adopt === true ? { adopt: true } : {}),
      ...(format ? { format } : {}),
      ...(envNames ? { env_names: envNames } : {}),
    };
    for (const d of credentialFileProblems(out.file, c.sinkRoot)) c.error([...path, 'file', d.field], c.valuePos([...path, 'file', d.field]), d.message, d.hint);
    checkEnvNames(c, out.file, [...path, 'file', 'env_names']);
  }
  if (isObj(raw.kubernetes)) out.kubernetes = raw.kubernetes as unknown as NonNullable<CredentialsSpec['kubernetes']>;
  if (isObj(raw.s3) && typeof raw.s3.bucket === 'string' && typeof raw.s3.key === 'string') {
    out.s3 = raw.s3 as unknown as S3SinkSpec;
    const problem = c.broken([...path, 's3']) ? undefined : s3DestinationProblem(out.s3, c.s3Allow);
    if (problem) c.error([...path, 's3', 'bucket'], c.valuePos([...path, 's3', 'bucket']), problem.message, problem.hint);
    if (out.s3.kms_key_id !== undefined && out.s3.sse !== 'aws:kms') {
      c.error([...path, 's3', 'kms_key_id'], c.keyPos([...path, 's3', 'kms_key_id']), '`kms_key_id` is only used with `sse: aws:kms`', 'add `sse: aws:kms` or remove `kms_key_id`');
    }
    checkEnvNames(c, out.s3, [...path, 's3', 'env_names']);
  }
  if (isObj(raw.rotate)) {
    const rotate: NonNullable<CredentialsSpec['rotate']> = {};
    for (const k of ['before_expiry', 'max_age'] as const) {
      const v = raw.rotate[k];
      const secs = typeof v === 'string' || typeof v === 'number' ? parseTtl(v) : undefined;
      if (secs !== undefined) rotate[k] = secs;
    }
    out.rotate = rotate;
  }
  const wrap = typeof raw.wrap_ttl === 'string' || typeof raw.wrap_ttl === 'number' ? parseTtl(raw.wrap_ttl) : undefined;
  if (wrap) out.wrap_ttl = wrap;
  if (isObj(raw.password)) out.password = raw.password as Partial<PasswordPolicy>;
  if (typeof raw.password_policy === 'string') out.password_policy = raw.password_policy;
  return out;
}

/** `env_names` only means something for `format: env`, and two values cannot share a variable. */
function checkEnvNames(c: Checker, file: { format?: string; env_names?: Record<string, string> }, path: string[]): void {
  if (!file.env_names || c.broken(path)) return;
  if (file.format !== 'env') {
    c.error(path, c.keyPos(path), '`env_names` is only used with `format: env`', 'add `format: env` or remove `env_names`');
    return;
  }
  const names = Object.values({ ...DEFAULT_ENV_NAMES, ...file.env_names });
  const dup = names.find((n, i) => names.indexOf(n) !== i);
  if (dup) c.error(path, c.valuePos(path), `two credentials are named \`${dup}\``, 'give each its own variable name');
}

/** `mode: 0600` (YAML reads it as the decimal 600), `"0600"`, `0o600`, `"600"` → 0o600; 384 stays 384. */
function fileMode(c: Checker, v: unknown, path: string[]): number | undefined {
  if (v === undefined || v === null) return undefined;
  const entry = c.entry(path);
  const src = entry ? c.sources.get(entry.pos.file) : undefined;
  const text = entry?.scalar && src ? src.text.slice(entry.scalar.offset, entry.scalar.end).trim().replace(/^["']|["']$/g, '') : String(v);
  const m = /^(?:0o?)?([0-7]{3,4})$/.exec(text);
  if (m) return parseInt(m[1]!, 8);
  if (typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= 0o7777) return v;
  return undefined;
}
