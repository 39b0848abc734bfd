// Replaces a directory's files as one unit, the way the kubelet updates a Secret volume:
//
//   DIR/..v-XXXXXX/{role_id,secret_id,…}   one directory per version, files written and fsynced
//   DIR/..data -> ..v-XXXXXX               swapped by rename(2) of a new symlink: atomic
//   DIR/role_id -> ..data/role_id          stable names consumers open
//
// A reader that opens DIR/role_id and DIR/secret_id sees one version's file each; a rotation swaps
// every file at the same instant. Killed half-way, the previous version stays in place and the
// next run removes the leftovers.
import { randomBytes } from 'node:crypto';
import { chmod, lstat, mkdir, mkdtemp, readFile, readdir, readlink, rename, rm, symlink } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { syncDir, writeNewFile } from './files.js';

export const DATA_LINK = '..data';
const VERSION_PREFIX = '..v-';
const LINK_TMP_PREFIX = '..tmp-';

/** What a swapped directory holds now. */
export interface SwappedRead {
  exists: boolean;
  /** Something in it (or the path itself) was not written by swapDirectory. */
  foreign: boolean;
  /** The requested files' text; undefined where missing. */
  files: Record<string, string | undefined>;
}

/**
 * Writes `files` (name → text, mode `mode`) as the directory's new version and swaps it in. With
 * `adopt`, regular files under those names that someone else wrote (a hand-made directory for the
 * same consumer) are replaced too; any other entry is still refused.
 */
export async function swapDirectory(dir: string, files: Record<string, string>, mode: number, opts: { adopt?: boolean } = {}): Promise<void> {
  // Whoever may read the files may enter the directories (0600 → 0700, 0640 → 0750).
  const dirMode = (mode & 0o777) | ((mode & 0o444) >> 2);
  await mkdir(dir, { recursive: true, mode: dirMode });
  const names = Object.keys(files);
  const foreign = await foreignEntry(dir, names, opts.adopt === true);
  if (foreign !== undefined) throw new Error(`${dir} holds ${foreign}, which vault-gitops did not write; refusing to replace it (move it away or choose another path)`);
  const version = await mkdtemp(join(dir, VERSION_PREFIX));
  try {
    await chmod(version, dirMode);
    for (const [name, text] of Object.entries(files)) await writeNewFile(join(version, name), text, mode);
    await syncDir(version);
    await replaceLink(dir, DATA_LINK, basename(version));
  } catch (err) {
    await rm(version, { recursive: true, force: true });
    throw err;
  }
  for (const name of names) {
    const want = `${DATA_LINK}/${name}`;
    if ((await linkTarget(join(dir, name))) !== want) await replaceLink(dir, name, want);
  }
  await syncDir(dir);
  for (const entry of await readdir(dir)) {
    const stale = (entry.startsWith(VERSION_PREFIX) && entry !== basename(version)) || entry.startsWith(LINK_TMP_PREFIX);
    if (stale) await rm(join(dir, entry), { recursive: true, force: true });
  }
}

/** Reads `names` through their stable links. */
export async function readSwapped(dir: string, names: string[]): Promise<SwappedRead> {
  const files: Record<string, string | undefined> = {};
  try {
    if (!(await lstat(dir)).isDirectory()) return { exists: true, foreign: true, files };
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { exists: false, foreign: false, files };
    throw err;
  }
  for (const name of names) {
    try {
      files[name] = await readFile(join(dir, name), 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
  }
  return { exists: true, foreign: (await foreignEntry(dir, names)) !== undefined, files };
}

/**
 * The first entry that is neither our bookkeeping (`..*`) nor one of `names` linked into `..data`
 * (nor, when `adopting`, one of `names` as a regular file).
 */
async function foreignEntry(dir: string, names: string[], adopting = false): Promise<string | undefined> {
  for (const entry of await readdir(dir)) {
    if (entry.startsWith('..')) continue;
    if (!names.includes(entry)) return entry;
    if ((await linkTarget(join(dir, entry))) === `${DATA_LINK}/${entry}`) continue;
    if (!adopting || !(await lstat(join(dir, entry))).isFile()) return entry;
  }
  return undefined;
}

async function linkTarget(path: string): Promise<string | undefined> {
  try {
    return await readlink(path);
  } catch {
    return undefined;
  }
}

/** Points `dir/name` at `target` in one rename, whatever was there before. */
async function replaceLink(dir: string, name: string, target: string): Promise<void> {
  const tmp = join(dir, LINK_TMP_PREFIX + randomBytes(6).toString('hex'));
  await symlink(target, tmp);
  try {
    await rename(tmp, join(dir, name));
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
}
