import type { VaultPort as Vault } from '../../core/ports.js';
import type { AccessRule, Capability } from '../../core/least-privilege.js';
import type { Config, DesiredObject, KindName, LiveObject, Settings, SourcePos } from '../../core/model.js';
import { type PlacedEntry } from '../../core/config/placed.js';
import { dotted } from '../../core/config/yaml-tree.js';
import { GENERIC_NAME_RULE, isGenericName } from '../../core/common/names.js';
import { didYouMean } from '../../core/common/suggest.js';
import { parseTtl } from '../../core/common/ttl.js';
import type { CheckContext, Kind } from '../kind.js';

export { placedEntries, type PlacedEntry } from '../../core/config/placed.js';

type Json = Record<string, unknown>;

/** The desired object for a placed entry: address, collection, name, mount and source from the entry. */
export function placedObject(config: Config, kind: Kind, entry: PlacedEntry, fields: Omit<DesiredObject, 'kind' | 'address' | 'collection' | 'name' | 'source' | 'mount'>): DesiredObject {
  return {
    kind: kind.name,
    address: entry.address,
    collection: entry.collection,
    name: entry.name,
    ...(entry.mount !== undefined ? { mount: entry.mount } : {}),
    source: config.sources.get(dotted(entry.path)),
    ...fields,
  };
}

export function sourceOf(config: Config, dottedPath: string): SourcePos | undefined {
  return config.sources.get(dottedPath);
}

export function desiredObject(
  config: Config,
  kind: KindName,
  address: string,
  sourcePath: string,
  fields: Omit<DesiredObject, 'kind' | 'address' | 'collection' | 'name' | 'source'>,
  collection?: string,
): DesiredObject {
  return { kind, address, ...split(address, collection), source: sourceOf(config, sourcePath), ...fields };
}

/** `collection` when names may hold `/` (policy `team/app`); otherwise the name is the last segment. */
export function liveObject(kind: KindName, address: string, settings: Settings, mount?: string, collection?: string): LiveObject {
  return { kind, address, ...split(address, collection), mount, settings };
}

function split(address: string, collection: string | undefined): { collection: string; name: string } {
  const cut = collection !== undefined && address.startsWith(`${collection}/`) ? collection.length : address.lastIndexOf('/');
  return { collection: address.slice(0, cut), name: address.slice(cut + 1) };
}

/**
 * LIST a collection, then GET every member concurrently (the Vault client bounds concurrency). With
 * `wanted`, only those members are read; the others come back listed, without data.
 */
export async function listAndRead(vault: Vault, listPath: string, itemPath: (name: string) => string): Promise<Array<{ name: string; data: Json }>>;
export async function listAndRead(
  vault: Vault,
  listPath: string,
  itemPath: (name: string) => string,
  wanted: ((name: string) => boolean) | undefined,
): Promise<Array<{ name: string; data?: Json }>>;
export async function listAndRead(
  vault: Vault,
  listPath: string,
  itemPath: (name: string) => string,
  wanted?: (name: string) => boolean,
): Promise<Array<{ name: string; data?: Json }>> {
  const names = await vault.list(listPath);
  const items = await Promise.all(
    names.map(async (name) => {
      if (wanted && !wanted(name)) return { name };
      const body = await vault.read(itemPath(name));
      return body ? { name, data: (body.data ?? {}) as Json } : undefined;
    }),
  );
  return items.filter((x) => x !== undefined);
}

/** Mount paths in Vault's listings end with a slash; ours never do. */
export function trimSlash(path: string): string {
  return path.replace(/\/+$/, '');
}

/** The mounts of one auth type the config declares that exist live (nothing to read in the others). */
export function liveMountsOfType(declared: Record<string, { type: string }>, live: Record<string, string>, type: string): string[] {
  return Object.entries(declared)
    .filter(([path, m]) => m.type === type && live[path] === type)
    .map(([path]) => path);
}

/** Removes keys whose value is undefined (never send them to Vault). */
export function compact(settings: Settings): Json {
  return Object.fromEntries(Object.entries(settings).filter(([, v]) => v !== undefined));
}

/** An ACL rule for Kind.access: `rule('sys/policies/acl/*', 'read', 'list')`. */
export function rule(path: string, ...capabilities: Capability[]): AccessRule {
  return { path, capabilities };
}

/**
 * A `token_policies`-like value (list or comma-separated string) names policies the config declares
 * (or `default`), in lower case as Vault stores them. For a kind's check().
 */
export function checkPolicyRefs(ctx: CheckContext, v: unknown, path: readonly string[]): void {
  if (v === undefined || ctx.broken(path)) return;
  const policies = ctx.config.policies;
  const items: Array<{ name: string; pos: SourcePos | undefined }> = [];
  if (typeof v === 'string') {
    for (const n of v.split(',').map((s) => s.trim()).filter((s) => s !== '')) items.push({ name: n, pos: ctx.pos(path) });
  } else if (Array.isArray(v)) {
    v.forEach((n, i) => {
      if (typeof n === 'string') items.push({ name: n, pos: ctx.pos([...path, String(i)]) });
    });
  }
  for (const { name, pos } of items) {
    if (name !== name.toLowerCase()) {
      // Vault lower-cases the names it stores; a declared upper-case policy is reported where it is declared.
      if (!policies[name]) ctx.error(path, `policy \`${name}\` has upper-case letters: Vault stores it lower-cased, so every plan would show a change`, `write \`${name.toLowerCase()}\``, pos);
      continue;
    }
    if (name === 'default' || policies[name]) continue;
    // `Payments` declared (reported there) is stored as `payments`.
    if (Object.keys(policies).some((k) => k.toLowerCase() === name)) continue;
    ctx.error(
      path,
      `policy \`${name}\` is not defined in the config${didYouMean(name, [...Object.keys(policies), 'default'])}`,
      'declare it under `policies:` (only `default` may be used without declaring it)',
      pos,
    );
  }
}

/** The limit Vault caps a mount's TTLs at: its tune.max_lease_ttl (undefined when not declared). */
export function mountMaxTtl(config: Config, section: 'auth' | 'secrets', mount: string | undefined): { seconds: number; text: string } | undefined {
  const v = mount === undefined ? undefined : config[section][mount]?.tune?.max_lease_ttl;
  const seconds = typeof v === 'string' || typeof v === 'number' ? parseTtl(v) : undefined;
  return seconds === undefined ? undefined : { seconds, text: String(v) };
}

/** Vault silently caps these at the mount's max_lease_ttl: say so rather than let the plan surprise. */
export function warnOverMountMax(ctx: CheckContext, e: PlacedEntry, fields: readonly string[], what: string): void {
  const section = e.path[0] === 'auth' ? 'auth' : 'secrets';
  const max = mountMaxTtl(ctx.config, section, e.mount);
  if (max === undefined || max.seconds === 0) return;
  for (const f of fields) {
    const v = e.value[f];
    const secs = typeof v === 'string' || typeof v === 'number' ? parseTtl(v) : undefined;
    if (secs !== undefined && secs > max.seconds) {
      ctx.warn(
        [...e.path, f],
        `\`${f}\` (${ctx.shown([...e.path, f], v, String)}) is longer than the mount's max_lease_ttl (${max.text}): Vault caps ${what} at the mount's limit`,
        "raise the mount's tune.max_lease_ttl or lower this value",
      );
    }
  }
}

/** Users and roles: the names Vault's API routes (core/common/names.ts). */
export function checkGenericName(ctx: CheckContext, e: PlacedEntry, noun: string): void {
  if (!isGenericName(e.name)) ctx.error(e.path, `${noun} \`${e.name}\` is not a name Vault accepts: ${GENERIC_NAME_RULE}`, undefined, 'key');
}

/** Vault lower-cases these names, so an upper-case one would show a change in every plan. */
export function checkLowerCaseName(ctx: CheckContext, e: PlacedEntry, noun: string): void {
  if (e.name !== e.name.toLowerCase()) {
    ctx.error(e.path, `${noun} \`${e.name}\` has upper-case letters: Vault lower-cases it, so every plan would show a change`, `rename it to \`${e.name.toLowerCase()}\``, 'key');
  }
}

const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]']);

/**
 * A URL Vault sends a secret to (a reviewer JWT, users' GitHub tokens), learns where to send one
 * from (an OIDC discovery document names the token endpoint the client secret goes to), or fetches
 * the keys that verify logins from (JWKS, discovery) must be https: a pull request could otherwise
 * turn it to http and expose the secret, or the trust in every login, to the network. The same host
 * (a local test server) is exempt.
 */
export function checkSecretTransport(ctx: CheckContext, path: readonly string[], url: unknown, what: string): void {
  if (typeof url !== 'string' || !/^http:\/\//i.test(url.trim())) return;
  let host: string;
  try {
    host = new URL(url.trim()).hostname;
  } catch {
    return;
  }
  if (LOOPBACK.has(host)) return;
  ctx.error(path, `${ctx.shown(path, url)} is plain http: ${what} would cross the network unencrypted`, 'use an https:// URL');
}
