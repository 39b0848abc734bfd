import { constants } from 'node:fs';
import { mkdir, open } from 'node:fs/promises';
import { dirname } from 'node:path';
import { removeStaleTemps, writeFileAtomic } from '../../adapters/files.js';
import { readSwapped, swapDirectory } from '../../adapters/swap-directory.js';
import { adoptHint } from '../../core/common/adopt.js';
import { confinePath, credentialModeProblem, credentialPathUse, sinkRootLabel } from '../../core/common/paths.js';
import { foreignState } from './foreign.js';
import { directoryFileNames, formatTargetOf, parseDirectory, parseOwnedFile, render, type CredentialFormat, type FormatTarget } from '../format.js';
import type { CredentialMeta, CredentialSink, CredentialTarget, CredentialValues, DeliveredState } from '../../core/ports.js';

/** A credential file is a few hundred bytes; anything far larger is not one of ours. */
const MAX_BYTES = 1 << 20;

/** A credential file that cannot be read or written. One line, never a value. */
export class FileSinkError extends Error {
  constructor(
    path: string,
    detail: string,
    public readonly hint?: string,
  ) {
    super(`file ${path}: ${detail}${hint ? ` — ${hint}` : ''}`);
    this.name = 'FileSinkError';
  }
}

/**
 * Writes credentials in the file's `format` (see credentials/format.ts): one file (json, the default;
 * vault-sidekick; env) through the one atomic writer, or a directory (vault-agent) whose files are
 * swapped in as a whole. Mode 0600 unless the config says otherwise, never looser than 0640. Paths are
 * relative to the sink root and confined to it. Every format carries the non-secret ownership marker;
 * an existing file without it is never replaced unless the sink says `adopt: true`.
 */
export class FileSink implements CredentialSink {
  readonly type = 'file' as const;

  constructor(private readonly root: string = process.cwd()) {}

  /** The real path to use, checked again at run time (the tree may have changed since validation). */
  private locate(target: CredentialTarget): string {
    const path = target.spec.file!.path;
    const c = confinePath({ path, from: this.root, root: this.root, rootLabel: sinkRootLabel(this.root), use: credentialPathUse(target.spec.file!) });
    if (!c.ok) throw new FileSinkError(path, `the path ${c.problem}`, c.hint);
    return c.path;
  }

  describe(target: CredentialTarget): string {
    return `file ${target.spec.file!.path}`;
  }

  async inspect(target: CredentialTarget): Promise<DeliveredState> {
    const file = this.locate(target);
    // A killed run's temp file holds a credential: remove it as soon as we look at the directory.
    removeStaleTemps(dirname(file));
    const foreign = foreignState(target.spec.file?.adopt);
    const format = formatOf(target);
    if (format === 'vault-agent') {
      const read = await readSwapped(file, directoryFileNames(target.kind));
      if (!read.exists) return { exists: false, owned: true };
      if (read.foreign) return foreign;
      const { complete, ...parsed } = parseDirectory(formatTarget(target), read.files);
      if (!parsed.owned) return Object.values(read.files).some((v) => v !== undefined) ? foreign : { exists: false, owned: true };
      // A removed value file (Vault Agent's remove_secret_id_file_after_reading) is a missing credential.
      return { ...parsed, exists: complete };
    }
    const text = await this.read(target, file);
    if (text === undefined) return { exists: false, owned: true };
    // Ours in another format (the config's format changed): owned, without values, so it is re-issued.
    const parsed = parseOwnedFile(format, formatTarget(target), text);
    if (!parsed) return foreign;
    return { exists: true, ...parsed };
  }

  /** The file's text, or undefined when there is none. Never follows a symbolic link. */
  private async read(target: CredentialTarget, file: string): Promise<string | undefined> {
    let fh;
    try {
      fh = await open(file, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') return undefined;
      throw new FileSinkError(target.spec.file!.path, code === 'ELOOP' ? 'is a symbolic link (refusing to follow it)' : `cannot be read (${code ?? 'error'})`);
    }
    try {
      const st = await fh.stat();
      if (!st.isFile()) throw new FileSinkError(target.spec.file!.path, 'is not a regular file');
      if (st.size > MAX_BYTES) throw new FileSinkError(target.spec.file!.path, 'is larger than 1 MiB: not a credential file vault-gitops wrote');
      return await fh.readFile('utf8');
    } finally {
      await fh.close();
    }
  }

  async write(target: CredentialTarget, values: CredentialValues, meta: CredentialMeta): Promise<void> {
    const spec = target.spec.file!;
    const mode = spec.mode ?? 0o600;
    const loose = credentialModeProblem(mode);
    if (loose) throw new FileSinkError(spec.path, loose, 'use mode 0600 (or 0640 for a group that must read it)');
    const file = this.locate(target);
    await mkdir(dirname(file), { recursive: true, mode: 0o700 });
    const current = await this.inspect(target);
    if (current.exists && !current.owned && !current.adopting) {
      throw new FileSinkError(spec.path, 'exists and was not written by vault-gitops (no ownership marker); refusing to overwrite it', adoptHint('file'));
    }
    const out = render(formatOf(target), formatTarget(target), values, meta);
    if (out.shape === 'directory') return swapDirectory(file, out.files, mode, { adopt: spec.adopt === true });
    await writeFileAtomic(file, out.text, { mode });
  }
}

function formatOf(target: CredentialTarget): CredentialFormat {
  return target.spec.file?.format ?? 'json';
}

function formatTarget(target: CredentialTarget): FormatTarget {
  return formatTargetOf(target, target.spec.file?.env_names);
}
