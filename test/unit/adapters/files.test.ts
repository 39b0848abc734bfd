import { lstatSync, mkdtempSync, readdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FileWriteError, isStaleTemp, writeFileAtomic } from '../../../src/adapters/files.js';

const fresh = () => mkdtempSync(join(tmpdir(), 'vg-files-'));
/** A pid that is certainly not running (above the kernel's pid_max). */
const DEAD_PID = 2 ** 22 + 17;

describe('writeFileAtomic', () => {
  it('writes the content with mode 0600 whatever the umask, and leaves no temp file', async () => {
    const dir = fresh();
    const old = process.umask(0);
    try {
      await writeFileAtomic(join(dir, 'a.json'), '{"a":1}\n');
      await writeFileAtomic(join(dir, 'g.json'), 'x', { mode: 0o640 });
    } finally {
      process.umask(old);
    }
    expect(readFileSync(join(dir, 'a.json'), 'utf8')).toBe('{"a":1}\n');
    expect(statSync(join(dir, 'a.json')).mode & 0o777).toBe(0o600);
    expect(statSync(join(dir, 'g.json')).mode & 0o777).toBe(0o640);
    expect(readdirSync(dir).sort()).toEqual(['a.json', 'g.json']);
  });

  it('replaces an existing file, and takes the new mode', async () => {
    const dir = fresh();
    writeFileSync(join(dir, 'a.json'), 'old', { mode: 0o644 });
    await writeFileAtomic(join(dir, 'a.json'), 'new');
    expect(readFileSync(join(dir, 'a.json'), 'utf8')).toBe('new');
    expect(statSync(join(dir, 'a.json')).mode & 0o777).toBe(0o600);
  });

  it('refuses a symbolic link at the target: neither the link nor what it points to changes', async () => {
    const dir = fresh();
    writeFileSync(join(dir, 'victim'), 'precious');
    symlinkSync(join(dir, 'victim'), join(dir, 'a.json'));
    await expect(writeFileAtomic(join(dir, 'a.json'), 'evil')).rejects.toThrow(FileWriteError);
    await expect(writeFileAtomic(join(dir, 'a.json'), 'evil')).rejects.toThrow(/symbolic link/);
    expect(readFileSync(join(dir, 'victim'), 'utf8')).toBe('precious');
    expect(lstatSync(join(dir, 'a.json')).isSymbolicLink()).toBe(true);
    expect(readdirSync(dir).sort()).toEqual(['a.json', 'victim']);
  });

  it('removes temp files a killed run left (ours, old and new names), not a live run\'s nor other files', async () => {
    const dir = fresh();
    const stale = [`.vault-gitops-tmp-${DEAD_PID}-0a1b2c`, `alice.json.tmp-${DEAD_PID}`];
    const alive = [`.vault-gitops-tmp-${process.ppid}-0a1b2c`, `bob.json.tmp-${process.ppid}`];
    for (const f of [...stale, ...alive, 'notes.tmp-1', 'keep.json']) writeFileSync(join(dir, f), 'x');
    await writeFileAtomic(join(dir, 'new.json'), 'y');
    expect(readdirSync(dir).sort()).toEqual([...alive, 'keep.json', 'new.json', 'notes.tmp-1'].sort());
  });

  it('recognises only our own temp names as stale', () => {
    expect(isStaleTemp(`.vault-gitops-tmp-${DEAD_PID}-ff00`)).toBe(true);
    expect(isStaleTemp(`x.json.tmp-${DEAD_PID}`)).toBe(true);
    expect(isStaleTemp(`.vault-gitops-tmp-${process.pid}-ff00`)).toBe(false);
    expect(isStaleTemp('x.json')).toBe(false);
    expect(isStaleTemp(`.vault-gitops-tmp-${DEAD_PID}-zz`)).toBe(false);
  });

  it('fails with a FileWriteError when the directory is missing, leaving nothing behind', async () => {
    const dir = fresh();
    await expect(writeFileAtomic(join(dir, 'no', 'a.json'), 'x')).rejects.toThrow(/cannot write .*a\.json: ENOENT/);
    expect(readdirSync(dir)).toEqual([]);
  });
});
