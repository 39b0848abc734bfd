import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { LoadOptions } from '../../../../src/core/check/load.js';
import { loadFiles, objectsOf } from '../load-files.js';

function load(text: string, opts: LoadOptions = {}) {
  const r = loadFiles({ 'c.yaml': text }, opts);
  return { ...r, file: join(r.dir, 'c.yaml') };
}
const brief = (d: { pos?: { file: string; line: number; col: number }; message: string }) => ({ pos: d.pos, message: d.message });

/** The billion-laughs shape: 9 levels of 9 aliases each expand to 9^9 (387 million) strings. */
export function aliasBomb(levels = 9): string {
  const names = 'abcdefghijklmnop'.slice(0, levels + 1).split('');
  const lines = ['auth:', '  up:', '    type: userpass', `    l0: &${names[0]} ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]`];
  for (let i = 1; i <= levels; i++) lines.push(`    l${i}: &${names[i]} [${Array(9).fill(`*${names[i - 1]}`).join(',')}]`);
  return lines.join('\n') + '\n';
}

describe('YAML limits: a hostile config fails fast with a position', () => {
  it('stops an alias bomb at the alias that crosses the expansion limit', () => {
    const r = load(aliasBomb());
    expect(r.value).toBeUndefined();
    expect(r.errors.map(brief)).toEqual([{ pos: { file: r.file, line: 8, col: 13 }, message: 'YAML limit: aliases expand to more than 10000 values in one file' }]);
    expect(r.errors[0]!.hint).toContain('write the values out');
  });

  it('limits the number of aliases in one file', () => {
    const text = `auth:\n  up:\n    type: userpass\n    x: &x 1\n    y: [${Array(101).fill('*x').join(', ')}]\n`;
    const r = load(text);
    expect(r.errors.map(brief)).toEqual([{ pos: { file: r.file, line: 5, col: 409 }, message: 'YAML limit: more than 100 aliases in one file' }]);
  });

  it('limits nesting depth', () => {
    const deep = `${'['.repeat(40)}1${']'.repeat(40)}`;
    const r = load(`auth:\n  up:\n    type: userpass\n    description: ${deep}\n`);
    expect(r.errors.map((d) => d.message)).toEqual(['YAML limit: nested more than 32 levels deep']);
    expect(r.errors[0]!.pos?.line).toBe(4);
  });

  it('limits the size of a file and of all files together', () => {
    const big = load(`policies:\n  p:\n    policy: "${'x'.repeat(2000)}"\n`, { limits: { maxFileBytes: 1024 } });
    expect(big.errors.map(brief)).toEqual([{ pos: { file: big.file, line: 1, col: 1 }, message: 'YAML limit: the file is 2030 bytes, more than 1 KiB' }]);
    const total = load(`policies:\n  p:\n    policy: "${'x'.repeat(2000)}"\n`, { limits: { maxTotalBytes: 1024 } });
    expect(total.errors.map((d) => d.message)).toEqual(['YAML limit: the config files together are more than 1 KiB']);
  });

  it('still allows ordinary anchors', () => {
    const text = 'policies:\n  p: { policy: \'path "a" { capabilities = ["read"] }\' }\nauth:\n  ar:\n    type: approle\n    roles:\n      a: &role { token_policies: [p], token_ttl: 1h }\n      b: *role\n';
    const r = load(text);
    expect(r.errors).toEqual([]);
    expect(objectsOf(r.value!, 'approle-role', 'ar').b!.settings).toEqual({ token_policies: ['p'], token_ttl: '1h' });
  });
});
