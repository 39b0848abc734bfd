import { UsageError, errorMessage } from '../core/errors.js';
import { DEFAULT_LOCK_TIMEOUT_SECONDS, DEFAULT_LOCK_TTL_SECONDS, describeLock, lockOwner, newRunId, StateLock } from '../core/state/lock.js';
import { checkOwner, type StateStore } from '../core/state/state.js';
import { onInterrupt, stopRequested } from './interrupt.js';
import { durationFlag, ownerId, stateStore, type VaultCommandFlags } from './options.js';
import type { Output } from './output.js';
import type { Session } from './session.js';

/** The state lock as a writing command holds it. */
export interface HeldLock {
  lock: StateLock;
  store: StateStore;
  /** Who holds the lock (user@host pid). */
  owner: string;
  /** The config the state record belongs to (--state-id or derived); checked against the record. */
  configOwner: string;
  /** Releases the lock (a failure is a warning: the lock then expires at its TTL). Safe to call twice. */
  close(): Promise<void>;
}

export interface LockSettings {
  ttlSeconds: number;
  timeoutSeconds: number;
}

/** --lock-ttl and --lock-timeout, checked before anything contacts Vault. */
export function lockSettings(flags: VaultCommandFlags): LockSettings {
  const ttlSeconds = durationFlag('--lock-ttl', flags.lockTtl, DEFAULT_LOCK_TTL_SECONDS);
  const timeoutSeconds = durationFlag('--lock-timeout', flags.lockTimeout, DEFAULT_LOCK_TIMEOUT_SECONDS);
  if (ttlSeconds < 1) throw new UsageError('--lock-ttl must be at least 1s');
  return { ttlSeconds, timeoutSeconds };
}

/**
 * Takes the state lock for a command that writes to Vault, the sinks or the state (apply, rotate):
 * waits up to --lock-timeout for another run, and makes sure SIGINT/SIGTERM release it.
 */
export async function takeStateLock({ ttlSeconds, timeoutSeconds }: LockSettings, flags: VaultCommandFlags, io: Output, session: Session): Promise<HeldLock> {
  const store = stateStore(session.vault, flags);
  const owner = lockOwner();
  const configOwner = ownerId(flags);
  let lock: StateLock | undefined;
  const unregister = onInterrupt(async () => {
    await lock?.release();
    await session.close();
  }, io.err);
  try {
    await store.ensureMount();
    lock = await StateLock.acquire(store, {
      ttlSeconds,
      timeoutSeconds,
      owner,
      runId: newRunId(),
      signal: stopRequested,
      onWait: (held) => io.err(`Waiting up to ${timeoutSeconds}s for the state lock ${store.label}, held by ${describeLock(held)}…`),
      onTakeover: (held) => io.err(`Taking over the expired state lock ${store.label} of ${describeLock(held)}`),
    });
    // Another config's record is refused before anything is planned or written.
    checkOwner(lock.record, configOwner, store.label);
  } catch (err) {
    await lock?.release().catch(() => undefined);
    unregister();
    throw err;
  }
  const held = lock;
  return {
    lock: held,
    store,
    owner,
    configOwner,
    close: async () => {
      unregister();
      await held.release().catch((err: unknown) => io.err(`warning: could not release the state lock ${store.label}: ${errorMessage(err)}`));
    },
  };
}
