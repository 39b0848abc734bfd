import { EXIT_OK } from '../core/errors.js';
import { describeLock, forceUnlock } from '../core/state/lock.js';
import { stateStore, type VaultCommandFlags } from './options.js';
import type { Output } from './output.js';
import { openSession } from './session.js';

/**
 * `force-unlock ID [--force]`: removes the state lock with that ID (the rest of the state record is
 * kept). A holder still sending heartbeats is only unlocked with --force.
 */
export async function forceUnlockCommand(flags: VaultCommandFlags & { lockId?: string }, io: Output): Promise<number> {
  const session = await openSession(flags, io);
  try {
    const store = stateStore(session.vault, flags);
    const removed = await forceUnlock(store, flags.lockId ?? '', { force: flags.force });
    io.out(`Removed the state lock ${store.label} of ${describeLock(removed)}.`);
    return EXIT_OK;
  } finally {
    await session.close();
  }
}
