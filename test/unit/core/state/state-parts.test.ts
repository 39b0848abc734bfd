// A large state record is kept in parts so no JSON object Vault receives has more than 10,000 entries.
import { describe, expect, it } from 'vitest';
import { UsageError } from '../../../../src/core/errors.js';
import { CasMismatchError, parseStatePath, StateStore, type ManagedEntry, type StateRecord } from '../../../../src/core/state/state.js';
import { PART_ENTRIES } from '../../../../src/core/state/state-parts.js';
import { MemoryVault } from '../memory-vault.js';

const HASH = 'sha256:' + 'b'.repeat(64);
const LOCATION = parseStatePath('vault-gitops/state');

function record(n: number, hash = HASH): StateRecord {
  const objects: Record<string, ManagedEntry> = {};
  for (let i = 0; i < n; i++) objects[`policies/p${String(i).padStart(6, '0')}`] = { kind: 'policy', hash, applied_at: 'T', created: true };
  return { format_version: '2', owner: 'cfg', objects, lock: { id: 'run', owner: 'ci@h pid 1', acquired_at: 'T', expires_at: 'T' } };
}

/** The largest number of entries of any JSON object in a value. */
function widest(v: unknown): number {
  if (v === null || typeof v !== 'object') return 0;
  const children = Object.values(v as Record<string, unknown>);
  return Math.max(Array.isArray(v) ? 0 : children.length, ...children.map(widest));
}

/** Every stored secret's latest data, by KV key. */
const stored = (vault: MemoryVault) => new Map([...vault.kv].map(([k, s]) => [k, s.versions.at(-1)!.data]));
const head = (vault: MemoryVault) => stored(vault).get('vault-gitops/state') as Record<string, unknown>;

/** Fails every write of a part secret after the first `allowed`. */
class CrashingVault extends MemoryVault {
  partWrites = 0;
  allowed = Infinity;
  override async write(path: string, data?: Record<string, unknown>): Promise<Record<string, unknown> | undefined> {
    if (path.includes('.parts/') && ++this.partWrites > this.allowed) throw new Error('connection reset');
    return super.write(path, data);
  }
}

async function setup(vault = new MemoryVault()) {
  const store = new StateStore(vault, LOCATION, ['policy']);
  await store.ensureMount();
  return { vault, store };
}

describe('state record in parts', () => {
  it('round-trips 25,000 objects in parts of at most PART_ENTRIES entries, each secret under 10,000 keys', async () => {
    const { vault, store } = await setup();
    const big = record(25000);
    expect(await store.write(big, 0)).toBe(1);
    const h = head(vault);
    expect(h.format_version).toBe('3');
    expect(h.objects).toBeUndefined();
    expect(h.lock).toEqual(big.lock);
    expect(h.parts).toHaveLength(Math.ceil(25000 / PART_ENTRIES));
    for (const data of stored(vault).values()) expect(widest(data)).toBeLessThanOrEqual(PART_ENTRIES);
    expect(PART_ENTRIES).toBeLessThan(10000);
    const back = await new StateStore(vault, LOCATION, ['policy']).read();
    expect(back).toEqual({ record: big, version: 1 });
  });

  it('a lock renewal rewrites only the head; changed objects get new parts and the old ones are deleted', async () => {
    const { vault, store } = await setup();
    await store.write(record(5000), 0);
    const before = [...vault.kv.keys()].sort();
    await store.write({ ...record(5000), lock: { id: 'run', owner: 'ci@h pid 1', acquired_at: 'T', expires_at: 'T2' } }, 1);
    expect([...vault.kv.keys()].sort()).toEqual(before);
    const changed = record(5000, 'sha256:' + 'c'.repeat(64));
    expect(await store.write(changed, 2)).toBe(3);
    const after = [...vault.kv.keys()];
    expect(after).toHaveLength(before.length);
    expect(after.filter((k) => before.includes(k))).toEqual(['vault-gitops/state']);
    expect((await new StateStore(vault, LOCATION, ['policy']).read()).record).toEqual(changed);
  });

  it('reads an old single-secret record and rewrites it in parts; shrinking back keeps it in one secret', async () => {
    const { vault, store } = await setup();
    const old = record(12000);
    await vault.write('vault-gitops/data/state', { data: old as unknown as Record<string, unknown> });
    const { record: read, version } = await store.read();
    expect(read).toEqual(old);
    await store.write(read, version);
    expect(head(vault).format_version).toBe('3');
    expect((await store.read()).record).toEqual(old);
    const small = record(10);
    await store.write(small, 2);
    expect(head(vault)).toEqual(small);
    expect([...vault.kv.keys()]).toEqual(['vault-gitops/state']);
  });

  it('a crash after some part writes leaves the old head and its parts valid', async () => {
    const vault = new CrashingVault();
    const { store } = await setup(vault);
    const first = record(9000);
    await store.write(first, 0);
    vault.partWrites = 0;
    vault.allowed = 2;
    await expect(store.write(record(9000, 'sha256:' + 'd'.repeat(64)), 1)).rejects.toThrow('connection reset');
    const again = await new StateStore(vault, LOCATION, ['policy']).read();
    expect(again).toEqual({ record: first, version: 1 });
  });

  it('a lost check-and-set removes the parts it wrote and keeps the winner intact', async () => {
    const { vault, store } = await setup();
    await store.write(record(3000), 0);
    const other = new StateStore(vault, LOCATION, ['policy']);
    const { version } = await other.read();
    const winner = record(4000);
    await other.write(winner, version);
    const keys = [...vault.kv.keys()].sort();
    await expect(store.write(record(6000), 1)).rejects.toBeInstanceOf(CasMismatchError);
    expect([...vault.kv.keys()].sort()).toEqual(keys);
    expect((await store.read()).record).toEqual(winner);
  });

  it('refuses a head that names parts outside its own part prefix', async () => {
    const { vault, store } = await setup();
    await vault.write('vault-gitops/data/state', { data: { format_version: '3', parts: ['vault-gitops/other/secret'] } });
    await expect(store.read()).rejects.toThrow(UsageError);
    await expect(store.read()).rejects.toThrow(/parts must be a list/);
  });
});
