import { VaultApiError } from '../errors.js';

/**
 * A KV mount that just became version 2 (enabled, or tuned from version 1) answers 400 "Upgrading
 * from non-versioned to versioned data" until it has converted what it holds: milliseconds for a new
 * mount, ten seconds and more on OpenBao for one holding a few thousand secrets.
 */
export const KV_UPGRADE_WAIT_MS = 60_000;
const POLL_MS = 250;

export const isKvUpgrading = (err: unknown): boolean => err instanceof VaultApiError && err.status === 400 && /upgrad/i.test(err.vaultMessage);

/** Runs `op` again while the mount is upgrading, for at most `waitMs`; then the last answer is the error. */
export async function whileKvUpgrading<T>(
  op: () => Promise<T>,
  opts: { waitMs?: number; now?: () => number; sleep?: (ms: number) => Promise<void> } = {},
): Promise<T> {
  const now = opts.now ?? Date.now;
  const sleep = opts.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const deadline = now() + (opts.waitMs ?? KV_UPGRADE_WAIT_MS);
  for (;;) {
    try {
      return await op();
    } catch (err) {
      if (!isKvUpgrading(err) || now() + POLL_MS > deadline) throw err;
      await sleep(POLL_MS);
    }
  }
}
