// Ownership state: a small record vault-gitops keeps in a KV v2 secret inside Vault itself — which
// objects it manages (and whether it created them), a hash of what it last applied to each, when,
// by which tool version and git commit — plus the apply lock (src/core/state/lock.ts). Never a secret:
// only addresses, kinds, hashes of declared (non-secret) settings, times and names.

import { execFileSync } from 'node:child_process';
import { createHash, randomUUID } from 'node:crypto';
import type { VaultPort } from '../ports.js';
import type { ApplyResult } from '../apply/apply.js';
import { sortKeysDeep, stableStringify } from '../common/canonical-json.js';
import { UsageError, VaultApiError } from '../errors.js';
import type { StateLocation } from '../state-location.js';
import { isOwnerId, shellQuoted } from './state-owner.js';
import { parseStateRecord, STATE_FORMAT_VERSION, type ManagedEntry, type StateRecord } from './state-record.js';
import type { Address, DesiredObject, Plan } from '../model.js';
import type { Kind } from '../kind.js';
import { hashSecret, secretMatches } from '../common/secret-hash.js';
import { whileKvUpgrading } from '../common/kv-upgrade.js';
import { readMountTable } from '../common/mount-table.js';
import { headParts, PART_ENTRIES, PARTED_FORMAT_VERSION, partPrefix, splitObjects } from './state-parts.js';

export { STATE_FORMAT_VERSION, type LockInfo, type ManagedEntry, type StateRecord } from './state-record.js';
export { DEFAULT_STATE_PATH, parseStatePath, type StateLocation } from '../state-location.js';

export function emptyState(): StateRecord {
  return { format_version: STATE_FORMAT_VERSION, objects: {} };
}

/** Addresses whose removal from the config deletes them: the objects vault-gitops created. */
export function createdAddresses(record: StateRecord): Address[] {
  return Object.entries(record.objects)
    .filter(([, e]) => e.created)
    .map(([a]) => a)
    .sort();
}

/** What planning takes from a record: the created objects, their recorded identities, the hashes of write-only values. */
export function managedInput(record: StateRecord): { managed: Address[]; identities: Record<Address, string>; secrets: Record<Address, Record<string, string>> } {
  const identities: Record<Address, string> = {};
  const secrets: Record<Address, Record<string, string>> = {};
  for (const [a, e] of Object.entries(record.objects)) {
    if (e.created && e.identity !== undefined) identities[a] = e.identity;
    if (e.secrets) secrets[a] = e.secrets;
  }
  return { managed: createdAddresses(record), identities, secrets };
}

/**
 * The hashes to record of each declared write-only value: the recorded one while it still matches
 * (no new salt, no rewrite of the record), else a new one. Address → field → hash.
 */
export function secretHashes(desired: readonly DesiredObject[], kinds: readonly Kind[], record: StateRecord): Record<Address, Record<string, string>> {
  const sensitive = new Map(kinds.map((k) => [k.name, k.sensitiveFields]));
  const out: Record<Address, Record<string, string>> = {};
  for (const d of desired) {
    for (const field of sensitive.get(d.kind) ?? []) {
      const value = d.settings[field];
      if (typeof value !== 'string' || value === '') continue;
      const prev = record.objects[d.address]?.secrets?.[field];
      (out[d.address] ??= {})[field] = prev !== undefined && secretMatches(value, prev) === true ? prev : hashSecret(value);
    }
  }
  return out;
}

/** Refuses a record that another config owns (a record without an owner is taken by its first apply). */
export function checkOwner(record: StateRecord, ownerId: string, label: string): void {
  if (record.owner === undefined || record.owner === ownerId) return;
  // The hint names the owner only when --state-id takes it (a record written by hand may hold anything).
  const rename = isOwnerId(record.owner) ? `; if this is the same config under a new name, pass --state-id ${shellQuoted(record.owner)} (or set $VAULT_GITOPS_STATE_ID to it)` : '';
  throw new UsageError(
    `the state record ${label} belongs to the config ${JSON.stringify(record.owner)}, not to this one (${JSON.stringify(ownerId)}); nothing was changed`,
    `give each config its own --state-path (or $VAULT_GITOPS_STATE_PATH)${rename}`,
  );
}

export function desiredHash(obj: DesiredObject): string {
  return 'sha256:' + createHash('sha256').update(JSON.stringify(sortKeysDeep({ settings: obj.settings, credentials: obj.credentials ?? null }))).digest('hex');
}

/**
 * Before applying: the objects about to be created are recorded as created (hash null), so a run
 * that dies half-way still knows what it made, and the next run converges from there.
 */
export function withIntent(record: StateRecord, plan: Plan, now: string): StateRecord {
  const objects = { ...record.objects };
  for (const c of plan.changes) {
    if (c.action === 'create') objects[c.address] = { kind: c.kind, hash: null, applied_at: now, created: true };
  }
  return { ...record, objects };
}

/**
 * After applying: every declared object that is now in Vault as declared is managed (keeping
 * whether vault-gitops created it); deleted ones are forgotten; a failed object keeps its previous
 * entry so the next run retries. Entries for undeclared objects that were not deleted are dropped:
 * not in Vault any more, or (not created by vault-gitops) left to be unmanaged.
 */
export function withResults(
  record: StateRecord,
  plan: Plan,
  results: readonly ApplyResult[],
  desired: readonly DesiredObject[],
  now: string,
  identities: Readonly<Record<Address, string>> = {},
  secrets: Readonly<Record<Address, Record<string, string>>> = {},
): StateRecord {
  const failed = new Set(results.filter((r) => !r.ok).map((r) => r.address));
  const changes = new Map(plan.changes.map((c) => [c.address, c]));
  const objects: Record<Address, ManagedEntry> = {};
  for (const d of desired) {
    const prev = record.objects[d.address];
    const change = changes.get(d.address);
    if (failed.has(d.address) || !change) {
      if (prev) objects[d.address] = prev;
      continue;
    }
    const hash = desiredHash(d);
    const unchanged = change.action === 'noop' && prev?.hash === hash;
    const identity = identities[d.address] ?? (change.action === 'create' ? undefined : prev?.identity);
    // A create or update wrote the declared write-only values; a noop wrote nothing, so what was known stays.
    const hashes = change.action === 'noop' ? prev?.secrets : secrets[d.address];
    objects[d.address] = {
      kind: d.kind,
      hash,
      applied_at: unchanged ? prev.applied_at : now,
      created: (prev?.created ?? false) || change.action === 'create',
      ...(identity !== undefined ? { identity } : {}),
      ...(hashes !== undefined ? { secrets: hashes } : {}),
    };
  }
  for (const c of plan.changes) {
    const prev = record.objects[c.address];
    if (c.action === 'delete' && failed.has(c.address) && prev) objects[c.address] = prev;
  }
  return { ...record, format_version: STATE_FORMAT_VERSION, objects };
}

/** True when the managed objects, their identities or the owner differ (times aside): whether a plan with no changes must still write. */
export function objectsDiffer(a: StateRecord, b: StateRecord): boolean {
  const key = (r: StateRecord) =>
    JSON.stringify(sortKeysDeep({ owner: r.owner, v: r.format_version, o: Object.fromEntries(Object.entries(r.objects).map(([k, e]) => [k, [e.kind, e.hash, e.created, e.identity, e.secrets ?? null]])) }));
  return key(a) !== key(b);
}

/** The git commit being applied: CI variables first, else `git rev-parse HEAD` in `dir`. */
export function gitCommit(dir: string, env: NodeJS.ProcessEnv = process.env): string | undefined {
  const fromEnv = env.GITHUB_SHA || env.CI_COMMIT_SHA;
  if (fromEnv) return fromEnv;
  try {
    const out = execFileSync('git', ['rev-parse', 'HEAD'], { cwd: dir, timeout: 2000, stdio: ['ignore', 'pipe', 'ignore'] });
    const sha = out.toString().trim();
    return /^[0-9a-f]{7,64}$/.test(sha) ? sha : undefined;
  } catch {
    return undefined;
  }
}

/** The record was written by someone else since we read it (KV v2 check-and-set failed). */
export class CasMismatchError extends Error {
  constructor(label: string) {
    super(`the state record ${label} changed while writing it`);
    this.name = 'CasMismatchError';
  }
}


/** Reads and writes the state record (KV v2, always with check-and-set). */
export class StateStore {
  constructor(
    readonly vault: VaultPort,
    readonly location: StateLocation,
    /** The kinds this vault-gitops knows (the registry's names): a record entry of another kind is refused. */
    readonly kindNames: readonly string[],
  ) {}

  get label(): string {
    return this.location.label;
  }

  /** The part secrets the last head read or written names, and the objects they hold (a lock renewal reuses them). */
  private parts: { names: string[]; key: string } = { names: [], key: '' };

  /** The record and its KV version (0 when it does not exist yet). */
  async read(): Promise<{ record: StateRecord; version: number }> {
    const { mount, path } = this.location;
    for (let attempt = 0; ; attempt++) {
      const body = await this.vault.essential((v) => whileKvUpgrading(() => v.read(`${mount}/data/${path}`)));
      const data = body?.data as { data?: unknown; metadata?: { version?: number } } | undefined;
      if (data?.data !== undefined && data.data !== null) {
        const version = data.metadata?.version ?? 0;
        const repair = repairHint(this.location, version);
        const head = data.data as Record<string, unknown>;
        if (head.format_version !== PARTED_FORMAT_VERSION) {
          const record = parseStateRecord(head, this.label, repair, this.kindNames);
          this.parts = { names: [], key: '' };
          return { record, version };
        }
        const names = headParts(head.parts, path, this.label, repair);
        const objects = await this.readParts(names);
        // A writer replaced the head and deleted these parts after we read it: read again.
        if (objects === undefined && attempt < 5) continue;
        if (objects === undefined) throw new UsageError(`the state record ${this.label} names a part that does not exist`, repair);
        const { parts: _parts, ...rest } = head;
        const record = parseStateRecord({ ...rest, format_version: STATE_FORMAT_VERSION, objects }, this.label, repair, this.kindNames);
        this.parts = { names, key: JSON.stringify(record.objects) };
        return { record, version };
      }
      // Missing, or its latest version deleted: check-and-set needs the current version number.
      const meta = await whileKvUpgrading(() => this.vault.read(`${mount}/metadata/${path}`)).catch((err: unknown) => {
        if (err instanceof VaultApiError && err.status === 403) return undefined;
        throw err;
      });
      const m = meta?.data as { current_version?: number; versions?: Record<string, { deletion_time?: string; destroyed?: boolean }> } | undefined;
      const version = m?.current_version ?? 0;
      const latest = m?.versions?.[String(version)];
      // The two reads are not atomic: another run may have written the record in between. Then it
      // exists after all, and reading it as empty would overwrite that run's lock.
      const liveNow = version > 0 && latest !== undefined && !latest.destroyed && !latest.deletion_time;
      if (!liveNow || attempt >= 5) {
        this.parts = { names: [], key: '' };
        return { record: emptyState(), version };
      }
    }
  }

  /** The entries of every part merged; undefined when one is missing. */
  private async readParts(names: readonly string[]): Promise<Record<string, unknown> | undefined> {
    const objects: Record<string, unknown> = {};
    for (const name of names) {
      const body = await this.vault.essential((v) => v.read(`${this.location.mount}/data/${name}`));
      const part = (body?.data as { data?: { objects?: unknown } | null } | undefined)?.data;
      if (part === undefined || part === null) return undefined;
      if (part.objects === null || typeof part.objects !== 'object' || Array.isArray(part.objects)) {
        throw new UsageError(`the state record ${this.label} has a part (${name}) without an objects map`, repairHint(this.location, 0));
      }
      Object.assign(objects, part.objects);
    }
    return objects;
  }

  /** Writes the parts a record needs (none when it is small; the current ones when its objects did not change). */
  private async writeParts(record: StateRecord): Promise<{ names: string[]; key: string; fresh: boolean }> {
    if (Object.keys(record.objects).length <= PART_ENTRIES) return { names: [], key: '', fresh: false };
    const key = JSON.stringify(record.objects);
    if (this.parts.names.length > 0 && this.parts.key === key) return { ...this.parts, fresh: false };
    const generation = randomUUID();
    const names: string[] = [];
    for (const [i, objects] of splitObjects(record.objects).entries()) {
      const name = `${partPrefix(this.location.path)}${generation}/${i}`;
      await this.vault.essential((v) => whileKvUpgrading(() => writeKvOnce(v, `${this.location.mount}/data/${name}`, 0, { objects })));
      names.push(name);
    }
    return { names, key, fresh: true };
  }

  /** Deletes part secrets (all their versions); a failure only leaves an unreferenced leftover. */
  private async dropParts(names: readonly string[]): Promise<void> {
    for (const name of names) await this.vault.delete(`${this.location.mount}/metadata/${name}`).catch(() => undefined);
  }

  /** Writes with `cas = version` on the head (parts first, the head commits them); returns the new version. */
  async write(record: StateRecord, version: number): Promise<number> {
    const { mount, path } = this.location;
    const parts = await this.writeParts(record);
    const head: Record<string, unknown> =
      parts.names.length === 0
        ? { ...record }
        : { ...Object.fromEntries(Object.entries(record).filter(([k]) => k !== 'objects')), format_version: PARTED_FORMAT_VERSION, parts: parts.names };
    let written: number;
    try {
      const body = await this.vault.essential((v) => whileKvUpgrading(() => writeKvOnce(v, `${mount}/data/${path}`, version, head)));
      written = (body?.data as { version?: number } | undefined)?.version ?? version + 1;
    } catch (err) {
      if (err instanceof VaultApiError && err.status === 400 && /check-and-set/i.test(err.vaultMessage)) {
        // Certainly not committed: the new parts are nobody's.
        if (parts.fresh) await this.dropParts(parts.names);
        throw new CasMismatchError(this.label);
      }
      throw err;
    }
    const replaced = this.parts.names.filter((n) => !parts.names.includes(n));
    this.parts = { names: parts.names, key: parts.key };
    await this.dropParts(replaced);
    return written;
  }

  /** Creates the KV v2 mount if it does not exist; refuses a mount of another type. */
  async ensureMount(retried = false): Promise<void> {
    const table = await readMountTable(this.vault, 'sys/mounts');
    const info = table[this.location.mount];
    if (!info) {
      try {
        await this.vault.write(`sys/mounts/${this.location.mount}`, {
          type: 'kv',
          options: { version: '2' },
          description: 'vault-gitops ownership state and apply lock',
        });
        return;
      } catch (err) {
        // Another apply's first run created it at the same moment: check what is there now.
        if (retried || !(err instanceof VaultApiError && /already in use/i.test(err.vaultMessage))) throw err;
        return this.ensureMount(true);
      }
    }
    const version = String((info.options as { version?: unknown } | null | undefined)?.version ?? '1');
    if (!['kv', 'generic'].includes(String(info.type)) || version !== '2') {
      throw new UsageError(
        `the state path ${this.label} is not in a KV version 2 mount (${this.location.mount}/ is ${String(info.type)} v${version})`,
        'choose another --state-path MOUNT/PATH whose mount is KV v2',
      );
    }
  }
}

function repairHint(loc: StateLocation, version: number): string {
  const previous = version > 1 ? `restore the last good version (\`vault kv rollback -mount=${loc.mount} -version=${version - 1} ${loc.path}\`), ` : '';
  return (
    `nothing was changed. Repair the record: ${previous}or fix it by hand (\`vault kv get -mount=${loc.mount} ${loc.path}\`, then \`vault kv put\`); ` +
    `or delete it (\`vault kv metadata delete -mount=${loc.mount} ${loc.path}\`): vault-gitops then forgets which objects it created, deletes none of them, and lists them as unmanaged`
  );
}

/** The state record's own mount is not a managed object unless the config declares it. */
export function stateIgnore(location: StateLocation): Address[] {
  return [`secrets/${location.mount}`];
}

/** What planning needs from the state (read only, no lock): the created objects, their identities and what to ignore. */
export async function planningState(store: StateStore, ownerId: string): Promise<ReturnType<typeof managedInput> & { ignore: Address[] }> {
  const { record } = await store.read();
  checkOwner(record, ownerId, store.label);
  return { ...managedInput(record), ignore: stateIgnore(store.location) };
}

/**
 * A check-and-set KV v2 write. If an attempt's answer is lost after Vault committed it, a retry would
 * fail the check-and-set against the tool's own write (and a head's new parts would be dropped as
 * nobody's): before retrying, the secret is read, and the write is done if it holds exactly `data`
 * as the version after `cas`.
 */
function writeKvOnce(vault: VaultPort, dataPath: string, cas: number, data: Record<string, unknown>): Promise<Record<string, unknown> | undefined> {
  return vault.writeOnce(dataPath, { options: { cas }, data }, async () => {
    const now = (await vault.read(dataPath))?.data as { data?: unknown; metadata?: { version?: unknown } } | undefined;
    return now?.metadata?.version === cas + 1 && stableStringify(now.data) === stableStringify(data);
  });
}
