import { constants } from 'node:fs';
import { mkdir, open } from 'node:fs/promises';
import { dirname } from 'node:path';
import { removeStaleTemps, writeFileAtomic } from '../../adapters/files.js';
import { confinePath, credentialModeProblem, sinkRootLabel } from '../../core/paths.js';
import type { CredentialMeta, CredentialSink, CredentialTarget, CredentialValues, DeliveredState } from '../sink.js';

/** Key under which the non-secret metadata is kept in the file; its presence marks the file as ours. */
const META_KEY = 'vault_gitops';

/** A credential file is a few hundred bytes; anything far larger is not one of ours. */
const MAX_BYTES = 1 << 20;

/** A credential file that cannot be read or written. One line, never a value. */
export class FileSinkError extends Error {
  constructor(path: string, detail: string, hint?: string) {
    super(`file ${path}: ${detail}${hint ? ` — ${hint}` : ''}`);
    this.name = 'FileSinkError';
  }
}

/**
 * Writes credentials as a JSON file (mode 0600 unless the config says otherwise, never looser than
 * 0640) through the one atomic writer. Paths are relative to the sink root and confined to it; an
 * existing file without our `vault_gitops` key is never replaced unless the sink says `adopt: true`.
 */
export class FileSink implements CredentialSink {
  readonly type = 'file' as const;

  constructor(private readonly root: string = process.cwd()) {}

  /** The real path to use, checked again at run time (the tree may have changed since validation). */
  private locate(target: CredentialTarget): string {
    const path = target.spec.file!.path;
    const c = confinePath({ path, from: this.root, root: this.root, rootLabel: sinkRootLabel(this.root), use: 'write' });
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
    const text = await this.read(target, file);
    if (text === undefined) return { exists: false, owned: true };
    const adopt = target.spec.file?.adopt === true;
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      return { exists: true, owned: adopt };
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return { exists: true, owned: adopt };
    const record = parsed as Record<string, unknown>;
    const mark = record[META_KEY];
    const meta = typeof mark === 'object' && mark !== null && !Array.isArray(mark) ? (mark as CredentialMeta) : undefined;
    const values: CredentialValues = {};
    for (const [k, v] of Object.entries(record)) if (k !== META_KEY && typeof v === 'string') values[k] = v;
    return { exists: true, owned: meta !== undefined || adopt, meta, values };
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
    await mkdir(dirname(this.locate(target)), { recursive: true, mode: 0o700 });
    const file = this.locate(target);
    const current = await this.inspect(target);
    if (current.exists && !current.owned) {
      throw new FileSinkError(
        spec.path,
        `exists and was not written by vault-gitops (no \`${META_KEY}\` key); refusing to overwrite it`,
        'set credentials.file.adopt: true to take it over, or choose another path',
      );
    }
    const body = { ...values, [META_KEY]: { ...meta, object: target.address } };
    await writeFileAtomic(file, JSON.stringify(body, null, 2) + '\n', { mode });
  }
}
