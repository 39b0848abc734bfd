import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../../src/core/check/load.js';
import { KINDS } from '../../../../src/kinds/registry.js';

const root = mkdtempSync(join(tmpdir(), 'vault-gitops-load-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let n = 0;
function loadText(text: string) {
  const dir = join(root, String(n++));
  mkdirSync(dir);
  writeFileSync(join(dir, 'c.yaml'), text);
  return loadConfig([dir], KINDS, { env: {} });
}

// Bad input never throws: every mistake is a diagnostic.
describe('loadConfig never throws on bad input', () => {
  it.each([
    'auth: [1, 2]',
    'auth: { x: [1] }',
    'auth: { x: { type: 5 } }',
    'auth: { x: { type: userpass, users: [a, b] } }',
    'auth: { x: { type: userpass, users: { a: 5 } } }',
    'auth: { x: { type: approle, roles: { a: { credentials: 7, token_policies: [1, {a: b}] } } } }',
    'auth: { x: { type: approle, roles: { a: { credentials: { file: { mode: "abc" } } } } } }',
    'policies: { a: "str" }',
    'policies: { a: { policy: 5 } }',
    'policies: { a: { file: 5 } }',
    'policies: { a: { file: "." } }',
    'policies: [a]',
    'prune: policies',
    'prune: [1, {a: b}, "auth/x/roles", "/policies/"]',
    'secrets: { p: { type: pki, roles: { r: "x" }, root_ca: "x", urls: [1] } }',
    'secrets: { p: { type: pki, root_ca: { ttl: 5h } } }',
    'password: 12',
    '__proto__: { polluted: true }',
    'policies: { __proto__: { policy: x } }',
    '? [a, b]\n: c',
    '"just a string"',
    '- a\n- b',
    'a: &x [*x]',
    'auth:\n  x:\n    type: approle\n    roles:\n      r:\n        token_ttl: !!binary aGVsbG8=',
    'auth: { x: { type: approle, roles: { r: { token_ttl: 2024-01-01 } } } }',
    'a: 1\n---\nb: 2',
    'auth: { x: { type: approle, roles: { r: { bind_secret_id: false } } } }',
    'auth: { x: { type: approle, roles: { r: { token_ttl: 2h, token_max_ttl: 1h } } } }',
    'auth: { x: { type: userpass, users: { a: { password: hunter2 } } } }',
    '\t\tbad: tab',
    'policies:\n  p:\n    policy: "${var.x"',
    'policies:\n  p:\n    policy: "${}"',
  ])('%j', (text) => {
    const r = loadText(text);
    expect(r.errors.length, JSON.stringify(r.errors)).toBeGreaterThan(0);
    expect(r.value).toBeUndefined();
    for (const d of r.errors) expect(typeof d.message).toBe('string');
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});

describe('duplicate keys', () => {
  it('are reported at the second key', () => {
    const r = loadText('policies:\n  a:\n    policy: x\n  b:\n    policy: y\n  a:\n    policy: z\n');
    expect(r.errors.map((d) => [d.pos?.line, d.pos?.col, d.path, d.message])).toEqual([[6, 3, 'policies.a', 'duplicate key `a`: keys must be unique in a mapping']]);
  });
});

describe('config files', () => {
  it('follows symbolic links (a ConfigMap volume), skips hidden entries, visits each directory once', async () => {
    const { configFiles } = await import('../../../../src/core/check/load.js');
    const { symlinkSync } = await import('node:fs');
    const dir = join(root, 'links');
    mkdirSync(join(dir, '..2026_01_01'), { recursive: true });
    writeFileSync(join(dir, '..2026_01_01', 'vault.yaml'), 'policies:\n  p: { policy: \'path "a" { capabilities = ["read"] }\' }\n');
    symlinkSync('..2026_01_01', join(dir, '..data'));
    symlinkSync('..data/vault.yaml', join(dir, 'vault.yaml'));
    symlinkSync('missing.yaml', join(dir, 'dangling.yaml'));
    mkdirSync(join(dir, 'sub'));
    symlinkSync('..', join(dir, 'sub', 'loop'));
    writeFileSync(join(dir, 'sub', 'b.yml'), '');
    expect(configFiles(dir)).toEqual(['sub/b.yml', 'vault.yaml']);
    expect(loadConfig([dir], KINDS, { env: {} }).errors).toEqual([]);
  });
});
