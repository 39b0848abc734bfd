// `env`: a dotenv file for systemd's `EnvironmentFile=`, `source` in a shell, and envconsul-style
// wrappers. The marker is a comment line, which all of them skip.
import { DEFAULT_ENV_NAMES } from '../../core/model.js';
import type { CredentialMeta, CredentialValues } from '../../core/ports.js';
import { marker, orderValues, ownedParse, parseObject, readMarker, VALUE_KEYS, type FormatTarget, type Parsed } from './common.js';

const MARKER_PREFIX = '# vault-gitops: ';
/** Values written without quotes: nothing a shell or systemd would interpret. */
const BARE = /^[A-Za-z0-9_.,:@%+/-]+$/;
/** Inside single quotes shell and systemd take everything literally except the quote itself. */
function unquotable(value: string): boolean {
  return [...value].some((c) => c === "'" || c === '\\' || c.charCodeAt(0) < 0x20 || c.charCodeAt(0) === 0x7f);
}

/** Variable name for each credential name (and `mount`), defaults overridden by `env_names`. */
export function envNames(target: FormatTarget): Record<string, string> {
  return { ...DEFAULT_ENV_NAMES, ...(target.envNames ?? {}) };
}

function quote(target: FormatTarget, name: string, value: string): string {
  if (BARE.test(value)) return value;
  if (unquotable(value)) {
    // The value is never part of the message.
    throw new Error(
      `${target.address}: ${name} contains a quote, backslash or control character, which an env file cannot carry safely; ` +
        'use password: { symbols: false } or another format',
    );
  }
  return `'${value}'`;
}

export function envFile(target: FormatTarget, values: CredentialValues, meta: CredentialMeta): string {
  const names = envNames(target);
  const lines = [
    `# Written by vault-gitops for ${target.address}; replaced as a whole on rotation. Do not edit.`,
    MARKER_PREFIX + JSON.stringify(marker(target, meta, 'env')),
    `${names.mount}=${quote(target, 'mount', target.mount)}`,
    ...(target.namespace ? [`${names.namespace}=${quote(target, 'namespace', target.namespace)}`] : []),
  ];
  for (const [k, v] of Object.entries(values)) lines.push(`${names[k] ?? k}=${quote(target, k, v)}`);
  return lines.join('\n') + '\n';
}

function unquote(raw: string): string {
  return raw.length >= 2 && raw.startsWith("'") && raw.endsWith("'") ? raw.slice(1, -1) : raw;
}

export function parseEnvFile(target: FormatTarget, text: string): Parsed {
  const byName = new Map(Object.entries(envNames(target)).map(([ours, theirs]) => [theirs, ours]));
  const wanted = VALUE_KEYS[target.kind] ?? [];
  let raw: unknown;
  const found: Record<string, string> = {};
  for (const line of text.split('\n')) {
    if (line.startsWith(MARKER_PREFIX)) {
      raw = parseObject(line.slice(MARKER_PREFIX.length));
      continue;
    }
    const m = /^([A-Za-z_][A-Za-z0-9_]*)=(.*)$/.exec(line);
    const ours = m ? byName.get(m[1]!) : undefined;
    if (m && ours && wanted.includes(ours)) found[ours] = unquote(m[2]!);
  }
  const meta = readMarker(raw);
  return meta ? ownedParse(raw, meta, 'env', orderValues(target.kind, found)) : { owned: false };
}
