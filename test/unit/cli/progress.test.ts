import { afterEach, describe, expect, it, vi } from 'vitest';
import { progressLine, startProgress } from '../../../src/cli/progress.js';

const sink = (isTTY: boolean) => {
  const lines: string[] = [];
  return { isTTY, write: (t: string) => void lines.push(t), lines };
};

afterEach(() => vi.useRealTimers());

describe('progress', () => {
  it('a line: done/total, the rate, a bar on a terminal', () => {
    expect(progressLine('reading Vault', 'objects', 2500, 10000, 2000, false)).toBe('reading Vault 2,500/10,000 objects, 1,250/s');
    expect(progressLine('applying', 'changes', 500, 1000, 1000, true)).toBe(`applying [${'#'.repeat(12)}${'.'.repeat(12)}] 500/1,000 changes, 500/s`);
    // Requests can outnumber the objects: never more than the total.
    expect(progressLine('reading Vault', 'objects', 1010, 1000, 1000, false)).toBe('reading Vault 1,000/1,000 objects, 1,000/s');
  });

  it('in CI: a line every 5 seconds and a final one', () => {
    vi.useFakeTimers();
    let clock = 0;
    let done = 0;
    const out = sink(false);
    const p = startProgress('reading Vault', 'objects', 1000, () => done, out, () => clock);
    clock = 5000;
    done = 400;
    vi.advanceTimersByTime(5000);
    clock = 8000;
    p.finish();
    expect(out.lines).toEqual(['reading Vault 400/1,000 objects, 80/s\n', 'reading Vault 1,000/1,000 objects, 125/s\n']);
  });

  it('on a terminal: one line redrawn in place, ended by the final one', () => {
    vi.useFakeTimers();
    const out = sink(true);
    let done = 0;
    const p = startProgress('applying', 'changes', 400, () => done, out, () => 1000);
    done = 100;
    vi.advanceTimersByTime(100);
    p.finish();
    expect(out.lines.every((l) => l.startsWith('\r') && l.includes('\x1b[K'))).toBe(true);
    expect(out.lines.at(-1)).toMatch(/400\/400 changes.*\n$/);
  });

  it('small runs show nothing; a failed run leaves no final line', () => {
    vi.useFakeTimers();
    const small = sink(false);
    startProgress('reading Vault', 'objects', 299, () => 0, small).finish();
    expect(small.lines).toEqual([]);
    const failed = sink(false);
    startProgress('reading Vault', 'objects', 500, () => 0, failed).stop();
    expect(failed.lines).toEqual([]);
  });
});
