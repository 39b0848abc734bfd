import { mkdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { writeFileAtomic } from '../adapters/files.js';
import { EXIT_OK, UsageError } from '../core/errors.js';
import { exportConfig } from '../core/export/export.js';
import { confinePath } from '../core/common/paths.js';
import { readEverything } from '../core/export/snapshot.js';
import { KINDS } from '../kinds/registry.js';
import type { LiveObject } from '../core/model.js';
import type { Vault } from '../adapters/vault.js';
import type { VaultCommandFlags } from './options.js';
import type { Output } from './output.js';
import { openSession } from './session.js';

/** Reads a live server and writes config in our format, to adopt vault-gitops on an existing Vault. */
export async function exportCommand(flags: VaultCommandFlags & { kinds?: string; tenants?: string }, io: Output): Promise<number> {
  const wanted = flags.kinds ? flags.kinds.split(',').map((k) => k.trim()) : undefined;
  const unknown = (wanted ?? []).filter((k) => !KINDS.some((kind) => kind.name === k));
  if (unknown.length > 0) throw new UsageError(`unknown kind ${unknown.join(', ')}`, `choose from ${KINDS.map((k) => k.name).join(', ')}`);
  const out = flags.out ?? 'exported';
  const session = await openSession(flags, io);
  try {
    const { live } = await readEverything(session.vault, KINDS);
    await writeExport(out, live, wanted, session.vault, io);
    if (flags.tenants === undefined) return EXIT_OK;
    // Every namespace beneath this one, one after the other, each into its own directory beside the others.
    const names = live.filter((l) => l.kind === 'namespace').map((l) => l.name).sort();
    for (const name of names) {
      session.vault.enterNamespace(name);
      const inside = await readEverything(session.vault, KINDS);
      await writeExport(join(flags.tenants, encodeURIComponent(name)), inside.live, wanted, session.vault, io);
    }
    return EXIT_OK;
  } finally {
    await session.close();
  }
}

/** One namespace's export into `out` (in a namespace, with its `namespace:`). */
async function writeExport(out: string, live: readonly LiveObject[], wanted: string[] | undefined, vault: Vault, io: Output): Promise<void> {
  const warnings: string[] = [];
  const files = exportConfig(live.filter((l) => !wanted || wanted.includes(l.kind)), KINDS, warnings, live);
  for (const w of warnings) io.err(`warning: ${w}`);
  // Logged in within a namespace: the export is that tenant's directory, and says so.
  if (vault.namespace !== '') files['namespace.yaml'] = `namespace: ${vault.namespace}\n`;
  await mkdir(out, { recursive: true });
  for (const [rel, text] of Object.entries(files)) {
    // File names come from object names on the server: keep them inside --out too.
    const where = confinePath({ path: rel, from: out, root: out, rootLabel: `the export directory ${out}`, use: 'write' });
    if (!where.ok) throw new UsageError(`cannot export to ${rel}: the path ${where.problem}`, where.hint);
    await mkdir(dirname(where.path), { recursive: true });
    await writeFileAtomic(where.path, text, { mode: 0o644 });
  }
  const where = vault.namespace === '' ? '' : ` namespace ${vault.namespace}`;
  io.err(`Exported ${live.length} objects from ${vault.addr}${where} to ${out}/ (${Object.keys(files).length} files). Check it with: vault-gitops plan -c ${out}`);
}
