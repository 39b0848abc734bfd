import { describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { forceUnlock, HEARTBEAT_STALE_SECONDS, holderAlive, holderProcessGone, LockHeldError, lockOwner, StateLock, type LockOptions } from '../../../../src/core/state/lock.js';
import { parseStatePath, StateStore, type LockInfo } from '../../../../src/core/state/state.js';
import { MemoryVault } from '../memory-vault.js';

const now = new Date('2026-12-01T03:00:00Z');
const at = (secondsAgo: number) => new Date(now.getTime() - secondsAgo * 1000).toISOString();
const lock = (over: Partial<LockInfo>): LockInfo => ({ id: 'x', owner: 'ci@host pid 1', acquired_at: at(600), expires_at: at(-600), ...over });

describe('holderAlive', () => {
  it('is alive while the holder beats recently and the lock has not expired', () => {
    expect(holderAlive(lock({ heartbeat_at: at(5) }), now)).toBe(true);
  });
  it('is dead once the heartbeat is older than three beats, when it has none, or when the lock expired', () => {
    expect(holderAlive(lock({ heartbeat_at: at(HEARTBEAT_STALE_SECONDS + 1) }), now)).toBe(false);
    expect(holderAlive(lock({}), now)).toBe(false);
    expect(holderAlive(lock({ heartbeat_at: at(1), expires_at: at(1) }), now)).toBe(false);
    expect(holderAlive(lock({ heartbeat_at: 'not a time' }), now)).toBe(false);
  });
});

describe('holderProcessGone', () => {
  it('is true only for a holder on this machine whose process no longer exists', async () => {
    const here = lockOwner().replace(/ pid \d+$/, '');
    const child = spawn(process.execPath, ['-e', '0']);
    await new Promise((r) => child.on('exit', r));
    expect(holderProcessGone(lock({ owner: `${here} pid ${child.pid}` }))).toBe(true);
    expect(holderProcessGone(lock({ owner: lockOwner() }))).toBe(false);
    expect(holderProcessGone(lock({ owner: `someone@elsewhere pid ${child.pid}` }))).toBe(false);
    expect(holderProcessGone(lock({ owner: 'not a pid' }))).toBe(false);
  });
});

describe('StateLock over an in-memory Vault (KV v2 check-and-set)', () => {
  const T0 = new Date('2026-12-01T03:00:00Z');
  const later = (seconds: number) => new Date(T0.getTime() + seconds * 1000);
  const setup = async () => {
    const vault = new MemoryVault();
    const store = new StateStore(vault, parseStatePath('vault-gitops/state'), ['policy']);
    await store.ensureMount();
    return { vault, store };
  };
  const opts = (runId: string, clock: { now: Date }, over: Partial<LockOptions> = {}): LockOptions => ({
    ttlSeconds: 60,
    timeoutSeconds: 0,
    owner: `ci@elsewhere pid ${runId.length}`,
    runId,
    now: () => clock.now,
    pollMs: 1,
    ...over,
  });

  it('acquires a free lock into the record and releases it, keeping the rest of the record', async () => {
    const { store } = await setup();
    const clock = { now: T0 };
    const lock = await StateLock.acquire(store, opts('run-a', clock));
    await lock.update((r) => ({ ...r, owner: 'config-1' }));
    const held = (await store.read()).record;
    expect(held.lock).toEqual({ id: 'run-a', owner: 'ci@elsewhere pid 5', acquired_at: T0.toISOString(), expires_at: later(60).toISOString(), heartbeat_at: T0.toISOString() });
    await lock.release();
    const { record, version } = await store.read();
    expect(record.lock).toBeUndefined();
    expect(record.owner).toBe('config-1');
    expect(version).toBe(3);
  });

  it('a second run fails at once with --lock-timeout 0, naming the holder; the holder keeps its lock', async () => {
    const { store } = await setup();
    const clock = { now: T0 };
    const a = await StateLock.acquire(store, opts('run-a', clock));
    const before = await store.read();
    const err = await StateLock.acquire(store, opts('run-b', clock)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(LockHeldError);
    expect((err as Error).message).toContain('held by ci@elsewhere pid 5 (lock ID run-a)');
    expect(await store.read()).toEqual(before);
    await a.release();
  });

  it('two runs racing for a free lock: exactly one gets it (check-and-set), the other is told who holds it', async () => {
    const { store } = await setup();
    const clock = { now: T0 };
    const outcomes = await Promise.allSettled([StateLock.acquire(store, opts('run-a', clock)), StateLock.acquire(store, opts('run-b', clock))]);
    const won = outcomes.filter((o): o is PromiseFulfilledResult<StateLock> => o.status === 'fulfilled');
    const lost = outcomes.filter((o): o is PromiseRejectedResult => o.status === 'rejected');
    expect(won).toHaveLength(1);
    expect(lost).toHaveLength(1);
    expect(lost[0]!.reason).toBeInstanceOf(LockHeldError);
    expect((await store.read()).record.lock?.id).toBe(won[0]!.value.id);
    await won[0]!.value.release();
  });

  it('a waiting run gets the lock once the holder lets go', async () => {
    const { store } = await setup();
    const clock = { now: T0 };
    const a = await StateLock.acquire(store, opts('run-a', clock));
    const seen: string[] = [];
    const b = await StateLock.acquire(store, opts('run-b', clock, { timeoutSeconds: 60, onWait: (held) => void a.release().then(() => seen.push(held.id)) }));
    expect(seen).toEqual(['run-a']);
    expect((await store.read()).record.lock?.id).toBe('run-b');
    await b.release();
  });

  it('an expired lock is taken over, and its old holder can no longer write the record', async () => {
    const { store } = await setup();
    const clockA = { now: T0 };
    const a = await StateLock.acquire(store, opts('run-a', clockA));
    const taken: string[] = [];
    const b = await StateLock.acquire(store, opts('run-b', { now: later(61) }, { onTakeover: (l) => taken.push(l.id) }));
    expect(taken).toEqual(['run-a']);
    clockA.now = later(62);
    await expect(a.update((r) => ({ ...r, owner: 'stale-writer' }))).rejects.toThrow(/no longer held by this run \(now held by ci@elsewhere pid 5 \(lock ID run-b\)/);
    const { record } = await store.read();
    expect(record.lock?.id).toBe('run-b');
    expect(record.owner).toBeUndefined();
    await b.release();
  });

  it('each write renews the lock and its heartbeat: a live holder is refused by force-unlock until its heartbeat goes stale', async () => {
    const { store } = await setup();
    const clock = { now: T0 };
    const a = await StateLock.acquire(store, opts('run-a', clock, { ttlSeconds: 600 }));
    clock.now = later(20);
    await a.update((r) => r);
    const lock = (await store.read()).record.lock!;
    expect(lock).toMatchObject({ acquired_at: T0.toISOString(), heartbeat_at: later(20).toISOString(), expires_at: later(620).toISOString() });
    await expect(forceUnlock(store, 'run-a', { now: () => later(30) })).rejects.toThrow(/still alive/);
    await expect(forceUnlock(store, 'run-x', { now: () => later(30), force: true })).rejects.toThrow(/has another ID/);
    const removed = await forceUnlock(store, 'run-a', { now: () => later(20 + HEARTBEAT_STALE_SECONDS + 1) });
    expect(removed.id).toBe('run-a');
    expect((await store.read()).record.lock).toBeUndefined();
    await a.release();
  });
});
