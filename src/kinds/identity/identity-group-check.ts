// Cross-reference checks of the declared identity groups (after schema validation).
import type { Settings } from '../../core/model.js';

interface Entry {
  name: string;
  value: Settings;
  path: string[];
}

/** The part of the kinds contract's CheckContext these checks use. */
export interface CheckReporter {
  broken(path: readonly string[]): boolean;
  error(path: readonly string[], message: string, hint?: string, at?: 'key' | 'value'): void;
  warn(path: readonly string[], message: string, hint?: string, at?: 'key' | 'value'): void;
}

const namesIn = (v: unknown): string[] => (Array.isArray(v) ? v.filter((m): m is string => typeof m === 'string') : []);
const membersOf = (v: Settings): string[] => namesIn(v.member_groups);

/** The first membership cycle through `start` among the declared groups (Vault refuses one), as names. */
function cycleFrom(start: string, members: ReadonlyMap<string, string[]>): string[] | undefined {
  const walk = (name: string, trail: string[]): string[] | undefined => {
    for (const m of members.get(name) ?? []) {
      if (m === start) return [...trail, m];
      if (!trail.includes(m)) {
        const found = walk(m, [...trail, m]);
        if (found) return found;
      }
    }
    return undefined;
  };
  return walk(start, [start]);
}

/** Vault's limits on identity metadata: 64 pairs, keys of at most 128 and values of at most 512 bytes, and the key characters. */
const METADATA_LIMITS = { pairs: 64, key: 128, value: 512 };
const METADATA_KEY = /^[A-Za-z0-9=/+_-]+$/;

function checkMetadata(e: Entry, ctx: CheckReporter): void {
  const m = e.value.metadata;
  const path = [...e.path, 'metadata'];
  if (typeof m !== 'object' || m === null || Array.isArray(m) || ctx.broken(path)) return;
  const pairs = Object.entries(m);
  if (pairs.length > METADATA_LIMITS.pairs) ctx.error(path, `metadata has ${pairs.length} pairs: Vault takes at most ${METADATA_LIMITS.pairs}`, undefined, 'key');
  for (const [k, v] of pairs) {
    const key = Buffer.byteLength(k);
    if (!METADATA_KEY.test(k)) ctx.error([...path, k], `metadata key \`${k.slice(0, 40)}\` has characters Vault refuses in a key`, 'use letters, digits and = / + _ -', 'key');
    else if (key > METADATA_LIMITS.key) ctx.error([...path, k], `a metadata key of ${key} bytes: Vault takes at most ${METADATA_LIMITS.key}`, 'shorten the key', 'key');
    const value = typeof v === 'string' ? Buffer.byteLength(v) : 0;
    if (value > METADATA_LIMITS.value) ctx.error([...path, k], `the metadata value of a ${value}-byte string: Vault takes at most ${METADATA_LIMITS.value} bytes`, 'shorten the value');
  }
}

/** `declared`: the auth mount paths and the entity names the config declares. */
export function checkGroups(entries: readonly Entry[], declared: { authMounts: ReadonlySet<string>; entities: ReadonlySet<string> }, ctx: CheckReporter): void {
  const { authMounts } = declared;
  const groups = new Map(entries.map((e) => [e.name, membersOf(e.value)]));
  const reported = new Set<string>();
  for (const e of entries) {
    if (ctx.broken(e.path)) continue;
    checkMetadata(e, ctx);
    const external = e.value.type === 'external';
    const members = membersOf(e.value);
    if (external && members.length > 0) {
      ctx.error([...e.path, 'member_groups'], 'an external group gets its members from its alias (the auth method), not from member_groups', 'make it an internal group, or remove member_groups');
    }
    const entities = namesIn(e.value.member_entities);
    if (external && entities.length > 0) {
      ctx.error([...e.path, 'member_entities'], 'an external group gets its members from its alias (the auth method), not from member_entities', 'make it an internal group, or remove member_entities');
    }
    for (const m of external ? [] : entities) {
      if (!declared.entities.has(m)) ctx.warn([...e.path, 'member_entities'], `member entity ${m} is not declared under identity.entities`, 'it must exist in Vault when applying; declare it to manage it');
    }
    if (!external && e.value.alias !== undefined) {
      ctx.error([...e.path, 'alias'], 'only an external group has an alias', 'add `type: external` (members then come from the auth method), or remove alias');
    }
    for (const m of members) {
      if (m === e.name) ctx.error([...e.path, 'member_groups'], `group ${e.name} cannot be a member of itself`);
      else if (!groups.has(m)) ctx.warn([...e.path, 'member_groups'], `member group ${m} is not declared under identity.groups`, 'it must exist in Vault (plan checks, before anything is written); declare it to manage it');
    }
    const cycle = members.includes(e.name) || reported.has(e.name) ? undefined : cycleFrom(e.name, groups);
    if (cycle) {
      cycle.forEach((n) => reported.add(n));
      ctx.error([...e.path, 'member_groups'], `group membership goes round in a circle: ${cycle.join(' → ')}`, 'Vault refuses cycles: remove one of these memberships');
    }
    const alias = e.value.alias as { mount?: unknown } | undefined;
    if (external && typeof alias?.mount === 'string' && !authMounts.has(alias.mount.replace(/^\/+|\/+$/g, '').replace(/^auth\//, ''))) {
      ctx.warn([...e.path, 'alias', 'mount'], `auth mount ${alias.mount} is not declared under auth`, 'it must be enabled in Vault (plan checks, before anything is written); declare it to manage it');
    }
  }
}
