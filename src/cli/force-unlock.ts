import { EXIT_OK } from '../core/errors.js';
import { describeLock, forceUnlock } from '../core/lock.js';
import { StateStore } from '../core/state.js';
import { stateLocation, type VaultCommandFlags } from './options.js';
import type { Output } from './output.js';
import { openSession } from './session.js';

/** `force-unlock ID`: removes the apply lock with that ID (the rest of the state record is kept). */
export async function forceUnlockCommand(flags: VaultCommandFlags & { lockId?: string }, io: Output): Promise<number> {
  const session = await openSession(flags, io);
  try {
    const store = new StateStore(session.vault, stateLocation(flags));
    const removed = await forceUnlock(store, flags.lockId ?? '');
    io.out(`Removed the state lock ${store.label} of ${describeLock(removed)}.`);
    return EXIT_OK;
  } finally {
    await session.close();
  }
}
