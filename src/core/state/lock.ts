// The apply lock: held inside the state record (KV v2 check-and-set), with an owner and a TTL that
// the holder renews while it runs. A second apply waits up to --lock-timeout, then fails naming the
// holder; an expired lock (its run died) is taken over; `force-unlock ID` removes one by hand.
// The holder also writes a heartbeat every few seconds, so force-unlock can tell a live run (which it
// refuses to unlock without --force) from a dead one.

import { hostname, userInfo } from 'node:os';
import { randomUUID } from 'node:crypto';
import { UsageError } from '../errors.js';
import { sleep } from '../common/sleep.js';
import { CasMismatchError, type LockInfo, type StateRecord, type StateStore } from './state.js';

export const DEFAULT_LOCK_TTL_SECONDS = 600;
export const DEFAULT_LOCK_TIMEOUT_SECONDS = 60;
/** The holder renews the lock (and its heartbeat) at least this often. */
export const HEARTBEAT_SECONDS = 15;
/** A heartbeat older than this means the holder is gone (three missed beats). */
export const HEARTBEAT_STALE_SECONDS = 3 * HEARTBEAT_SECONDS;

export function lockOwner(): string {
  let user = process.env.USER ?? process.env.USERNAME ?? 'unknown';
  try {
    user = userInfo().username;
  } catch {
    // no passwd entry (containers): keep the environment's name
  }
  return `${user}@${hostname()} pid ${process.pid}`;
}

export function newRunId(): string {
  return randomUUID();
}

export function isExpired(lock: LockInfo, now: Date): boolean {
  const t = Date.parse(lock.expires_at);
  return !Number.isFinite(t) || t <= now.getTime();
}

export function describeLock(lock: LockInfo): string {
  return `${lock.owner} (lock ID ${lock.id}) since ${lock.acquired_at}`;
}

/**
 * For a holder on this machine (same user@host as this process): true when its process no longer
 * exists, so a recent heartbeat only means it died a moment ago (SIGKILL). Elsewhere: false.
 */
export function holderProcessGone(lock: LockInfo): boolean {
  const m = /^(.*) pid (\d+)$/.exec(lock.owner);
  if (!m || m[1] !== lockOwner().replace(/ pid \d+$/, '')) return false;
  try {
    process.kill(Number(m[2]), 0);
    return false;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'ESRCH';
  }
}

/** True when the holder wrote a heartbeat recently: its run is still going. */
export function holderAlive(lock: LockInfo, now: Date): boolean {
  if (isExpired(lock, now) || !lock.heartbeat_at) return false;
  const beat = Date.parse(lock.heartbeat_at);
  return Number.isFinite(beat) && now.getTime() - beat < HEARTBEAT_STALE_SECONDS * 1000;
}

/** Another run holds the lock and did not let go within --lock-timeout. */
export class LockHeldError extends UsageError {
  constructor(label: string, lock: LockInfo, waitedSeconds: number) {
    super(
      `the state lock ${label} is held by ${describeLock(lock)}; gave up after waiting ${waitedSeconds}s`,
      `wait for that run to finish (or pass a longer --lock-timeout); if it died, its lock expires at ${lock.expires_at}, ` +
        `or remove it now with \`vault-gitops force-unlock ${lock.id}\``,
    );
    this.name = 'LockHeldError';
  }
}

export interface LockOptions {
  ttlSeconds: number;
  timeoutSeconds: number;
  owner: string;
  runId: string;
  now?: () => Date;
  /** Called once when the lock is busy and the run starts waiting, and when an expired lock is taken over. */
  onWait?: (lock: LockInfo) => void;
  onTakeover?: (lock: LockInfo) => void;
  pollMs?: number;
  /** Stops waiting for a busy lock (SIGINT/SIGTERM). */
  signal?: AbortSignal;
}


function lockInfo(opts: LockOptions, acquiredAt: string, now: Date): LockInfo {
  return {
    id: opts.runId,
    owner: opts.owner,
    acquired_at: acquiredAt,
    expires_at: new Date(now.getTime() + opts.ttlSeconds * 1000).toISOString(),
    heartbeat_at: now.toISOString(),
  };
}

/** A held lock: every state write goes through it (check-and-set, lock kept), renewed in the background. */
export class StateLock {
  private chain: Promise<unknown> = Promise.resolve();
  private timer?: NodeJS.Timeout;
  private released = false;

  private constructor(
    private readonly store: StateStore,
    private readonly opts: LockOptions,
    public record: StateRecord,
    private version: number,
  ) {}

  get id(): string {
    return this.opts.runId;
  }

  private now(): Date {
    return this.opts.now?.() ?? new Date();
  }

  private info(acquiredAt: string): LockInfo {
    return lockInfo(this.opts, acquiredAt, this.now());
  }

  static async acquire(store: StateStore, opts: LockOptions): Promise<StateLock> {
    const now = () => opts.now?.() ?? new Date();
    const started = now().getTime();
    let told = false;
    for (;;) {
      const { record, version } = await store.read();
      const held = record.lock;
      if (!held || isExpired(held, now())) {
        if (held) opts.onTakeover?.(held);
        const at = now();
        const mine = lockInfo(opts, at.toISOString(), at);
        const next = { ...record, lock: mine };
        try {
          const v = await store.write(next, version);
          const lock = new StateLock(store, opts, next, v);
          lock.startRenewal();
          return lock;
        } catch (err) {
          if (err instanceof CasMismatchError) continue; // someone else moved first: look again
          throw err;
        }
      }
      const waited = now().getTime() - started;
      const left = opts.timeoutSeconds * 1000 - waited;
      if (left <= 0) throw new LockHeldError(store.label, held, Math.round(waited / 1000));
      if (!told) opts.onWait?.(held);
      told = true;
      if (opts.signal?.aborted) throw new UsageError(`interrupted while waiting for the state lock ${store.label}`);
      await sleep(Math.min(opts.pollMs ?? 1000, left));
      if (opts.signal?.aborted) throw new UsageError(`interrupted while waiting for the state lock ${store.label}`);
    }
  }

  private startRenewal(): void {
    const every = Math.max(1000, Math.min(HEARTBEAT_SECONDS * 1000, (this.opts.ttlSeconds * 1000) / 3));
    this.timer = setInterval(() => {
      this.update((r) => r).catch(() => undefined); // a failed renewal shows at the next write
    }, every);
    this.timer.unref();
  }

  /**
   * Changes the record under the lock: `change` is applied to the latest record and written with
   * check-and-set (the lock renewed). If the record moved, it is re-read; if the lock is no longer
   * ours (force-unlocked, expired and taken over), this fails rather than overwrite the new holder.
   */
  update(change: (r: StateRecord) => StateRecord): Promise<void> {
    const run = async () => {
      if (this.released) throw new Error(`the state lock ${this.store.label} was already released`);
      for (let attempt = 0; ; attempt++) {
        const next = { ...change(this.record), lock: this.info(this.record.lock?.acquired_at ?? this.now().toISOString()) };
        try {
          this.version = await this.store.write(next, this.version);
          this.record = next;
          return;
        } catch (err) {
          if (!(err instanceof CasMismatchError) || attempt >= 5) throw err;
          const fresh = await this.store.read();
          if (fresh.record.lock?.id !== this.opts.runId) {
            throw new UsageError(
              `the state lock ${this.store.label} is no longer held by this run (${fresh.record.lock ? `now held by ${describeLock(fresh.record.lock)}` : 'it was force-unlocked'})`,
              'the changes made so far are in Vault; run apply again to converge and record them',
            );
          }
          this.record = fresh.record;
          this.version = fresh.version;
        }
      }
    };
    const p = this.chain.then(run, run);
    this.chain = p.catch(() => undefined);
    return p;
  }

  /** Lets go of the lock (keeping the rest of the record). Safe to call twice; never throws if the lock is already gone. */
  release(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    const run = async () => {
      if (this.released) return;
      this.released = true;
      for (let attempt = 0; attempt < 5; attempt++) {
        if (this.record.lock?.id !== this.opts.runId) return;
        const { lock: _mine, ...rest } = this.record;
        try {
          this.version = await this.store.write(rest, this.version);
          this.record = rest;
          return;
        } catch (err) {
          if (!(err instanceof CasMismatchError)) throw err;
          const fresh = await this.store.read();
          this.record = fresh.record;
          this.version = fresh.version;
        }
      }
    };
    const p = this.chain.then(run, run);
    this.chain = p.catch(() => undefined);
    return p;
  }
}

/**
 * Removes the lock with this ID. A holder that is still alive (recent heartbeat, and on this machine
 * its process still running) is only unlocked with `force`. Returns the lock removed.
 */
export async function forceUnlock(store: StateStore, id: string, opts: { force?: boolean; now?: () => Date } = {}): Promise<LockInfo> {
  for (let attempt = 0; ; attempt++) {
    const { record, version } = await store.read();
    const held = record.lock;
    if (!held) throw new UsageError(`the state ${store.label} is not locked`);
    if (held.id !== id) {
      // Never the right ID here: whoever can run force-unlock must not learn it by guessing.
      throw new UsageError(
        `the state lock ${store.label} has another ID (it is held by ${held.owner} since ${held.acquired_at})`,
        'pass the lock ID exactly as the error of the waiting run printed it',
      );
    }
    if (holderAlive(held, opts.now?.() ?? new Date()) && !holderProcessGone(held) && !opts.force) {
      throw new UsageError(
        `the state lock ${store.label} is held by a run that is still alive: ${held.owner} renewed it at ${held.heartbeat_at ?? '?'}`,
        'let that run finish (or stop it: SIGINT/SIGTERM release the lock); to remove the lock of a live run anyway, pass --force — that run then fails at its next state write',
      );
    }
    const { lock: _removed, ...rest } = record;
    try {
      await store.write(rest, version);
      return held;
    } catch (err) {
      if (!(err instanceof CasMismatchError) || attempt >= 5) throw err;
    }
  }
}
