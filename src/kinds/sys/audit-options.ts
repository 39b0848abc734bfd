// Audit device settings: Vault keeps options as the strings it was given ("0640", "true", "1"), so
// both sides are brought to one shape with Vault's defaults dropped. Pure.
import { hasCollapsingSegment } from '../../core/common/names.js';
import { parseTtl } from '../../core/common/ttl.js';
import type { Settings } from '../../core/model.js';

type Json = Record<string, unknown>;

const BOOLEAN_OPTIONS = new Set(['hmac_accessor', 'log_raw', 'elide_list_responses', 'fallback']);

/** Vault's value for an option it was not given, per device type (`*`: every type). */
const DEFAULTS: Record<string, Json> = {
  '*': { format: 'json', prefix: '', hmac_accessor: true, log_raw: false, elide_list_responses: false, fallback: false },
  file: { mode: '0600' },
  socket: { socket_type: 'tcp', write_timeout: 2 },
  syslog: { facility: 'AUTH', tag: 'vault' },
};

/** Go's strconv.ParseBool, which Vault uses on these options; undefined when it is not a boolean. */
export function parseGoBool(v: unknown): boolean | undefined {
  if (typeof v === 'boolean') return v;
  const s = String(v);
  if (['1', 't', 'T', 'TRUE', 'true', 'True'].includes(s)) return true;
  if (['0', 'f', 'F', 'FALSE', 'false', 'False'].includes(s)) return false;
  return undefined;
}

/** A file mode as four octal digits: YAML's `0640` arrives as the number 640, Vault answers "0640" or "640". */
function fileMode(v: unknown): unknown {
  const s = String(v).trim();
  return /^[0-7]{1,4}$/.test(s) ? s.padStart(4, '0') : s;
}

function optionValue(key: string, v: unknown): unknown {
  if (BOOLEAN_OPTIONS.has(key)) return parseGoBool(v) ?? String(v);
  if (key === 'mode') return fileMode(v);
  if (key === 'write_timeout') return parseTtl(typeof v === 'number' ? v : String(v)) ?? String(v);
  return typeof v === 'string' ? v.trim() : String(v);
}

export function normaliseAuditOptions(type: string, options: unknown): Json {
  const defaults = { ...DEFAULTS['*'], ...DEFAULTS[type] };
  const out: Json = {};
  const entries = options && typeof options === 'object' ? Object.entries(options as Json) : [];
  for (const [key, raw] of entries.sort(([a], [b]) => (a < b ? -1 : 1))) {
    if (raw === null || raw === undefined) continue;
    const v = optionValue(key, raw);
    if (key in defaults && v === defaults[key]) continue;
    out[key] = v;
  }
  return out;
}

/** Declared or live settings → the compared shape (options always present, defaults dropped). */
export function normaliseAudit(settings: Settings): Settings {
  const type = String(settings.type ?? '');
  const out: Settings = { type, options: normaliseAuditOptions(type, settings.options) };
  if (settings.description !== undefined) out.description = settings.description ?? '';
  if (settings.local !== undefined) out.local = parseGoBool(settings.local) ?? settings.local;
  return out;
}

/** Options as Vault takes them: every value a string. */
export function auditOptionsBody(options: unknown): Record<string, string> {
  const entries = options && typeof options === 'object' ? Object.entries(options as Json) : [];
  return Object.fromEntries(entries.map(([k, v]) => [k, k === 'write_timeout' && typeof v === 'number' ? `${v}s` : String(v)]));
}

/**
 * Options that make the audit log carry secrets or token accessors in clear. A pull request must
 * not be able to turn them on, so they are refused outright (set them by hand if really needed).
 */
export function unsafeAuditOptions(options: unknown): Array<{ option: string; why: string }> {
  const o = options && typeof options === 'object' ? (options as Json) : {};
  const out: Array<{ option: string; why: string }> = [];
  if (o.log_raw !== undefined && parseGoBool(o.log_raw) !== false) {
    out.push({ option: 'log_raw', why: 'log_raw: true writes every request and response unhashed: tokens, passwords and secrets in clear in the audit log' });
  }
  if (o.hmac_accessor !== undefined && parseGoBool(o.hmac_accessor) !== true) {
    out.push({ option: 'hmac_accessor', why: 'hmac_accessor: false writes token accessors in clear in the audit log (an accessor can revoke or look up its token)' });
  }
  return out;
}

/** A live device as config (`export`): defaults dropped. */
export function exportAudit(settings: Settings): Settings {
  const out: Settings = { type: settings.type };
  if (typeof settings.description === 'string' && settings.description !== '') out.description = settings.description;
  if (settings.local === true) out.local = true;
  const options = settings.options as Json | undefined;
  if (options && Object.keys(options).length > 0) out.options = options;
  return out;
}

/** The option each device type cannot do without (Vault refuses the device otherwise). */
export const REQUIRED_AUDIT_OPTION: Readonly<Record<string, string>> = { file: 'file_path', socket: 'address' };

/**
 * Where a file device writes is a path on the Vault server, chosen by whoever edits the config: it
 * must read as what it is. A relative path depends on Vault's working directory, and a `..` segment
 * lets `/var/log/vault/../../etc/x` pass for a log file; a world-writable mode lets anyone on the
 * host alter the log. (`stdout` and `discard` are Vault's own special values.)
 */
export function auditFileProblems(type: unknown, options: unknown): Array<{ option: string; message: string; hint: string }> {
  const o = options && typeof options === 'object' ? (options as Json) : {};
  if (type !== 'file') return [];
  const out: Array<{ option: string; message: string; hint: string }> = [];
  const path = o.file_path;
  if (typeof path === 'string' && path !== 'stdout' && path !== 'discard') {
    // eslint-disable-next-line no-control-regex
    const problem = !path.startsWith('/') ? 'is not absolute (it would depend on the Vault server\'s working directory)' : hasCollapsingSegment(path.slice(1)) ? 'has an empty, `.` or `..` segment, so it is not the path it reads as' : /[\u0000-\u001f\u007f]/.test(path) ? 'contains a control character' : undefined;
    if (problem) out.push({ option: 'file_path', message: `file_path ${problem}`, hint: 'write the absolute path, without `.` or `..` segments (or stdout / discard)' });
  }
  const mode = o.mode === undefined ? undefined : fileMode(o.mode);
  if (typeof mode === 'string' && /^[0-7]{4}$/.test(mode) && (parseInt(mode, 8) & 0o002) !== 0) {
    out.push({ option: 'mode', message: `mode ${mode} makes the audit log writable by every user of the Vault host, who could then alter or forge its records`, hint: 'use 0600 (Vault\'s default) or 0640' });
  }
  return out;
}
