// The one way vault-gitops writes a file (saved plans, snapshots, exports, credential files):
// a temp file created exclusively with a random name next to the target, mode set on the open file
// (umask does not widen it), fsync'd, renamed over the target, and the directory fsync'd. A reader
// sees the old file or the new one, never half of one. A symbolic link at the target is refused,
// never followed. Temp files are removed on every exit path, including SIGINT and SIGTERM, and
// stale ones a killed run left behind are removed the next time we write into that directory.
import { randomBytes } from 'node:crypto';
import { constants, lstatSync, readdirSync, unlinkSync } from 'node:fs';
import { lstat, open, rename, unlink } from 'node:fs/promises';
import { dirname, join } from 'node:path';

/** Our temp files: `.vault-gitops-tmp-<pid>-<random>` (and `<name>.tmp-<pid>` from older versions). */
const TEMP_PREFIX = '.vault-gitops-tmp-';
const TEMP_NAME = /^\.vault-gitops-tmp-(\d+)-[0-9a-f]+$/;
const OLD_TEMP_NAME = /\.json\.tmp-(\d+)$/;

export class FileWriteError extends Error {
  constructor(
    public readonly file: string,
    detail: string,
  ) {
    super(`cannot write ${file}: ${detail}`);
    this.name = 'FileWriteError';
  }
}

export interface WriteOptions {
  /** Default 0600. */
  mode?: number;
}

const live = new Set<string>();
const swept = new Set<string>();

function removeLiveTemps(): void {
  for (const t of live) {
    try {
      unlinkSync(t);
    } catch {
      // already gone
    }
  }
  live.clear();
}

function onSignal(signal: NodeJS.Signals): void {
  // Another handler (the CLI's graceful stop) lets the writes in flight finish, and 'exit' removes
  // any temp file still left; alone, keep the signal's default meaning (terminate) after cleaning up.
  if (process.listenerCount(signal) > 1) return;
  removeLiveTemps();
  unwatch();
  process.kill(process.pid, signal);
}

function watch(): void {
  if (live.size > 0) return;
  process.on('exit', removeLiveTemps);
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
}

function unwatch(): void {
  process.removeListener('exit', removeLiveTemps);
  process.removeListener('SIGINT', onSignal);
  process.removeListener('SIGTERM', onSignal);
}

function pidAlive(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** True for a temp file of ours whose writer is gone (killed before it could clean up). */
export function isStaleTemp(name: string): boolean {
  const m = TEMP_NAME.exec(name) ?? OLD_TEMP_NAME.exec(name);
  if (!m) return false;
  const pid = Number(m[1]);
  return pid === process.pid ? false : !pidAlive(pid);
}

/** Removes the temp files a killed run of ours left in `dir` (regular files only). Once per directory per run. */
export function removeStaleTemps(dir: string): void {
  if (swept.has(dir)) return;
  swept.add(dir);
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return;
  }
  for (const name of names) {
    if (!isStaleTemp(name)) continue;
    try {
      if (lstatSync(join(dir, name)).isFile()) unlinkSync(join(dir, name));
    } catch {
      // raced with someone else's cleanup
    }
  }
}

async function refuseLink(file: string): Promise<void> {
  try {
    const st = await lstat(file);
    if (st.isSymbolicLink()) throw new FileWriteError(file, 'it is a symbolic link (refusing to follow it)');
    if (!st.isFile()) throw new FileWriteError(file, 'it exists and is not a regular file');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
}

/** Writes `data` to `file` atomically (see the top of this file). The directory must exist. */
export async function writeFileAtomic(file: string, data: string, options: WriteOptions = {}): Promise<void> {
  const mode = options.mode ?? 0o600;
  const dir = dirname(file);
  removeStaleTemps(dir);
  await refuseLink(file);
  const tmp = join(dir, `${TEMP_PREFIX}${process.pid}-${randomBytes(6).toString('hex')}`);
  watch();
  live.add(tmp);
  try {
    await writeNewFile(tmp, data, mode);
    await refuseLink(file);
    await rename(tmp, file);
    live.delete(tmp);
    await syncDir(dir);
  } catch (err) {
    if (live.delete(tmp)) await unlink(tmp).catch(() => undefined);
    if (err instanceof FileWriteError) throw err;
    throw new FileWriteError(file, (err as NodeJS.ErrnoException).code ?? (err as Error).message);
  } finally {
    if (live.size === 0) unwatch();
  }
}

/**
 * Creates `path`, which must not exist (never through a symbolic link), with `data`; the mode is set
 * on the open file (the umask cannot widen or narrow it) and the data synced before it is closed.
 */
export async function writeNewFile(path: string, data: string, mode: number): Promise<void> {
  const fh = await open(path, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, mode);
  try {
    await fh.chmod(mode);
    await fh.writeFile(data, 'utf8');
    await fh.sync();
  } finally {
    await fh.close();
  }
}

/** Makes a rename or a new entry in `dir` durable. */
export async function syncDir(dir: string): Promise<void> {
  const fh = await open(dir, constants.O_RDONLY | constants.O_DIRECTORY);
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}

