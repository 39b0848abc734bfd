import { mkdir, readFile, rename, writeFile, chmod } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { readSwapped, swapDirectory } from '../../adapters/swap-directory.js';
import { directoryFileNames, parseDirectory, parseFile, render, type CredentialFormat, type FormatTarget } from '../format.js';
import type { CredentialMeta, CredentialSink, CredentialTarget, CredentialValues, DeliveredState } from '../sink.js';

/**
 * Writes credentials in the file's `format` (see credentials/format.ts): one file (json, the default;
 * vault-sidekick; env), mode 0600 unless the config says otherwise, atomically (temp file + rename);
 * or a directory (vault-agent) whose files are swapped in as a whole. Every format carries the
 * non-secret ownership marker, so a reader never sees half a credential and status checks work.
 */
export class FileSink implements CredentialSink {
  readonly type = 'file' as const;

  constructor(private readonly baseDir: string = process.cwd()) {}

  private path(target: CredentialTarget): string {
    return resolve(this.baseDir, target.spec.file!.path);
  }

  describe(target: CredentialTarget): string {
    return `file ${target.spec.file!.path}`;
  }

  async inspect(target: CredentialTarget): Promise<DeliveredState> {
    const format = formatOf(target);
    if (format === 'vault-agent') {
      const read = await readSwapped(this.path(target), directoryFileNames(target.kind));
      if (!read.exists) return { exists: false, owned: true };
      if (read.foreign) return { exists: true, owned: false };
      const { complete, ...parsed } = parseDirectory(formatTarget(target), read.files);
      if (!parsed.owned) return Object.values(read.files).some((v) => v !== undefined) ? { exists: true, owned: false } : { exists: false, owned: true };
      // A removed value file (Vault Agent's remove_secret_id_file_after_reading) is a missing credential.
      return { ...parsed, exists: complete };
    }
    let text: string;
    try {
      text = await readFile(this.path(target), 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { exists: false, owned: true };
      throw err;
    }
    // Ours in another format (the config's format changed): owned, without values, so it is re-issued.
    const parsed = [format, ...FILE_FORMATS.filter((f) => f !== format)].map((f) => parseFile(f, formatTarget(target), text)).find((p) => p.owned);
    if (!parsed) return { exists: true, owned: false };
    return { exists: true, ...parsed };
  }

  async write(target: CredentialTarget, values: CredentialValues, meta: CredentialMeta): Promise<void> {
    const file = this.path(target);
    const mode = target.spec.file?.mode ?? 0o600;
    const out = render(formatOf(target), formatTarget(target), values, meta);
    await mkdir(dirname(file), { recursive: true, mode: 0o700 });
    if (out.shape === 'directory') return swapDirectory(file, out.files, mode);
    const tmp = `${file}.tmp-${process.pid}`;
    await writeFile(tmp, out.text, { mode });
    await chmod(tmp, mode);
    await rename(tmp, file);
  }
}

const FILE_FORMATS = ['json', 'vault-sidekick', 'env'] as const;

function formatOf(target: CredentialTarget): CredentialFormat {
  return target.spec.file?.format ?? 'json';
}

function formatTarget(target: CredentialTarget): FormatTarget {
  const envNames = target.spec.file?.env_names;
  return { address: target.address, kind: target.kind, mount: target.mount, ...(envNames ? { envNames } : {}) };
}
