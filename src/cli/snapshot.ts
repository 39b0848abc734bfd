import { writeFileAtomic } from '../adapters/files.js';
import { RecordingVault } from '../adapters/snapshot-vault.js';
import { EXIT_OK, UsageError } from '../core/errors.js';
import { snapshotText, takeSnapshot } from '../core/export/snapshot.js';
import { KINDS } from '../kinds/registry.js';
import { stateStore, type VaultCommandFlags } from './options.js';
import type { Output } from './output.js';
import { openSession } from './session.js';

/**
 * Records the live state (every read the supported kinds make, answers as Vault gave them — no
 * secrets: nothing it reads carries one) for `plan --against FILE`, which then needs no network.
 */
export async function snapshotCommand(flags: VaultCommandFlags, io: Output): Promise<number> {
  if (!flags.out) throw new UsageError('snapshot needs --out FILE');
  const session = await openSession(flags, io, (o) => new RecordingVault(o));
  try {
    const vault = session.vault as RecordingVault;
    const snapshot = await takeSnapshot(vault, KINDS, [stateStore(vault, flags)]);
    await writeFileAtomic(flags.out, snapshotText(snapshot));
    io.err(`Wrote the live state of ${vault.addr} (${Object.keys(snapshot.responses).length} reads) to ${flags.out}.`);
    return EXIT_OK;
  } finally {
    await session.close();
  }
}
