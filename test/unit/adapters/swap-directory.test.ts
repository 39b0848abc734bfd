import { lstat, mkdir, mkdtemp, readdir, readlink, readFile, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readSwapped, swapDirectory } from '../../../src/adapters/swap-directory.js';

const fresh = async () => join(await mkdtemp(join(tmpdir(), 'vault-gitops-swap-')), 'creds');

describe('swapDirectory', () => {
  it('writes every file 0600 behind stable links, and a second version replaces all of them through one ..data link', async () => {
    const dir = await fresh();
    await swapDirectory(dir, { role_id: 'r1', secret_id: 's1' }, 0o600);
    expect((await readlink(join(dir, 'secret_id')))).toBe('..data/secret_id');
    const first = await readlink(join(dir, '..data'));
    expect((await stat(join(dir, 'secret_id'))).mode & 0o777).toBe(0o600);
    expect((await stat(dir)).mode & 0o777).toBe(0o700);

    await swapDirectory(dir, { role_id: 'r1', secret_id: 's2' }, 0o600);
    expect(await readlink(join(dir, '..data'))).not.toBe(first);
    expect(await readFile(join(dir, 'secret_id'), 'utf8')).toBe('s2');
    // The old version is gone; only the live one, the links and ..data remain.
    expect((await readdir(dir)).filter((e) => e.startsWith('..v-'))).toHaveLength(1);
    expect((await readdir(dir)).sort()).toEqual(['..data', await readlink(join(dir, '..data')), 'role_id', 'secret_id'].sort());
  });

  it('lets whoever may read the files enter the directories (0640 → 0750)', async () => {
    const dir = await fresh();
    await swapDirectory(dir, { secret_id: 's1' }, 0o640);
    expect((await stat(join(dir, 'secret_id'))).mode & 0o777).toBe(0o640);
    expect((await stat(join(dir, '..data'))).mode & 0o777).toBe(0o750);
  });

  it('reads back through the links, marks a removed file missing and foreign content as foreign', async () => {
    const dir = await fresh();
    expect(await readSwapped(dir, ['role_id'])).toEqual({ exists: false, foreign: false, files: {} });
    await swapDirectory(dir, { role_id: 'r1', secret_id: 's1' }, 0o600);
    expect(await readSwapped(dir, ['role_id', 'secret_id'])).toEqual({ exists: true, foreign: false, files: { role_id: 'r1', secret_id: 's1' } });
    await writeFile(join(dir, 'notes.txt'), 'mine');
    expect((await readSwapped(dir, ['role_id', 'secret_id'])).foreign).toBe(true);
  });

  it('refuses a directory holding files it did not write, and leaves it untouched', async () => {
    const dir = await fresh();
    await mkdir(dir);
    await writeFile(join(dir, 'secret_id'), 'someone-elses');
    await expect(swapDirectory(dir, { role_id: 'r', secret_id: 's' }, 0o600)).rejects.toThrow(/holds secret_id, which vault-gitops did not write/);
    expect(await readFile(join(dir, 'secret_id'), 'utf8')).toBe('someone-elses');
    expect((await lstat(join(dir, 'secret_id'))).isSymbolicLink()).toBe(false);
    expect(await readdir(dir)).toEqual(['secret_id']);
  });

  it('with adopt, replaces hand-written files of the same names (never anything else), and the directory is then ours', async () => {
    const dir = await fresh();
    await mkdir(dir);
    await writeFile(join(dir, 'role_id'), 'hand-made-role');
    await writeFile(join(dir, 'secret_id'), 'hand-made-secret');
    await swapDirectory(dir, { role_id: 'r', secret_id: 's' }, 0o600, { adopt: true });
    expect(await readSwapped(dir, ['role_id', 'secret_id'])).toEqual({ exists: true, foreign: false, files: { role_id: 'r', secret_id: 's' } });
    expect((await lstat(join(dir, 'secret_id'))).isSymbolicLink()).toBe(true);

    const other = await fresh();
    await mkdir(other);
    await writeFile(join(other, 'secret_id'), 'hand-made-secret');
    await writeFile(join(other, 'notes.txt'), 'mine');
    await expect(swapDirectory(other, { role_id: 'r', secret_id: 's' }, 0o600, { adopt: true })).rejects.toThrow(/holds notes\.txt, which vault-gitops did not write/);
    expect(await readFile(join(other, 'secret_id'), 'utf8')).toBe('hand-made-secret');
  });

  it('cleans up what a killed run left (an unswapped version, a temporary link)', async () => {
    const dir = await fresh();
    await swapDirectory(dir, { secret_id: 's1' }, 0o600);
    await mkdir(join(dir, '..v-deadbeef'));
    await writeFile(join(dir, '..v-deadbeef', 'secret_id'), 'half');
    await swapDirectory(dir, { secret_id: 's2' }, 0o600);
    expect(await readdir(dir)).not.toContain('..v-deadbeef');
    expect(await readFile(join(dir, 'secret_id'), 'utf8')).toBe('s2');
  });
});
