import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
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
 * With `--tenants DIR`, also every namespace beneath, each into its own file DIR/<namespace path,
 * URL-encoded>.json, for `plan -c TENANT --against` that file.
 */
export async function snapshotCommand(flags: VaultCommandFlags, io: Output): Promise<number> {
  if (!flags.out) throw new UsageError('snapshot needs --out FILE');
  const session = await openSession(flags, io, (o) => new RecordingVault(o));
  try {
    const vault = session.vault as RecordingVault;
    const namespaces = await record(vault, flags.out, flags, io);
    if (flags.tenants === undefined) return EXIT_OK;
    await mkdir(flags.tenants, { recursive: true });
    for (const name of namespaces) await record(vault.inNamespace(name), join(flags.tenants, `${encodeURIComponent(name)}.json`), flags, io);
    return EXIT_OK;
  } finally {
    await session.close();
  }
}

/** One namespace's snapshot into `file`; returns the namespaces beneath it (nested ones by their path). */
async function record(vault: RecordingVault, file: string, flags: VaultCommandFlags, io: Output): Promise<string[]> {
  const { snapshot, live } = await takeSnapshot(vault, KINDS, [stateStore(vault, flags)]);
  await writeFileAtomic(file, snapshotText(snapshot));
  const where = vault.namespace === '' ? '' : ` namespace ${vault.namespace}`;
  io.err(`Wrote the live state of ${vault.addr}${where} (${Object.keys(snapshot.responses).length} reads) to ${file}.`);
  return live.filter((l) => l.kind === 'namespace').map((l) => l.name).sort();
}
