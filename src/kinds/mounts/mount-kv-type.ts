import type { Settings } from '../../core/model.js';

type Json = Record<string, unknown>;

/** The KV aliases Vault and OpenBao accept on enable; both store and list them as `kv` with a version option. */
const KV_ALIASES: Readonly<Record<string, string>> = { 'kv-v1': '1', 'kv-v2': '2' };

/**
 * A mount's settings as the server reports them: `type: kv-v2` becomes `type: kv` with
 * `options.version: "2"` (likewise kv-v1), and option values are strings (Vault's options are a
 * string map, so `version: 2` reads back as "2"). Config and live then compare equal.
 */
export function canonicalMountType(settings: Settings): Settings {
  const type = settings.type;
  const options = settings.options;
  const version = typeof type === 'string' ? KV_ALIASES[type] : undefined;
  if (version === undefined && !isObject(options)) return settings;
  const out: Settings = { ...settings };
  if (isObject(options)) out.options = stringValues(options);
  if (version !== undefined) {
    out.type = 'kv';
    out.options = { ...(isObject(out.options) ? out.options : {}), version };
  }
  return out;
}

function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function stringValues(options: Json): Json {
  const out: Json = {};
  for (const [k, v] of Object.entries(options)) out[k] = typeof v === 'number' || typeof v === 'boolean' ? String(v) : v;
  return out;
}
