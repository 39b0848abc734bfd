import { mkdir, readFile, rename, writeFile, chmod } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import type { CredentialMeta, CredentialSink, CredentialTarget, CredentialValues, DeliveredState } from '../sink.js';

/** Key under which the non-secret metadata is kept in the file. */
const META_KEY = 'vault_gitops';

/**
 * Writes credentials as a JSON file (mode 0600 unless the config says otherwise), atomically
 * (temp file + rename) so a reader never sees half a file.
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
    let text: string;
    try {
      text = await readFile(this.path(target), 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { exists: false, owned: true };
      throw err;
    }
    try {
      const parsed = JSON.parse(text) as Record<string, unknown>;
      const meta = parsed[META_KEY] as CredentialMeta | undefined;
      const values: CredentialValues = {};
      for (const [k, v] of Object.entries(parsed)) if (k !== META_KEY && typeof v === 'string') values[k] = v;
      return { exists: true, owned: meta !== undefined, meta, values };
    } catch {
      return { exists: true, owned: false };
    }
  }

  async write(target: CredentialTarget, values: CredentialValues, meta: CredentialMeta): Promise<void> {
    const file = this.path(target);
    await mkdir(dirname(file), { recursive: true, mode: 0o700 });
    const mode = target.spec.file?.mode ?? 0o600;
    const tmp = `${file}.tmp-${process.pid}`;
    const body = { ...values, [META_KEY]: { ...meta, object: target.address } };
    await writeFile(tmp, JSON.stringify(body, null, 2) + '\n', { mode });
    await chmod(tmp, mode);
    await rename(tmp, file);
  }
}
