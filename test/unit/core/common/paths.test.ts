import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { formatDiagnostic, loadConfig } from '../../../../src/core/check/load.js';
import { KINDS } from '../../../../src/kinds/registry.js';
import { confinePath, credentialModeProblem } from '../../../../src/core/common/paths.js';

// A config root with an outside neighbour holding a "secret" no output may ever show.
const SECRET = 'OUTSIDE-SECRET-7f3a';
let base: string;
let root: string;
let outside: string;

beforeAll(() => {
  base = mkdtempSync(join(tmpdir(), 'vg-paths-'));
  root = join(base, 'config');
  outside = join(base, 'elsewhere');
  mkdirSync(join(root, 'sub', 'policies'), { recursive: true });
  mkdirSync(outside);
  writeFileSync(join(outside, 'secret.hcl'), `path "x" { capabilities = ["read"] } # ${SECRET}\n`);
  writeFileSync(join(root, 'sub', 'policies', 'ok.hcl'), 'path "ok/*" { capabilities = ["read"] }\n');
  symlinkSync(join(outside, 'secret.hcl'), join(root, 'sub', 'link.hcl'));
  symlinkSync(outside, join(root, 'outdir'));
  symlinkSync(join(outside, 'nothing-here'), join(root, 'dangling'));
  symlinkSync(join(outside, 'secret.hcl'), join(root, 'target-link.json'));
});

const read = (path: string, from = join(root, 'sub')) => confinePath({ path, from, root, rootLabel: 'the config directory', use: 'read' });
const write = (path: string) => confinePath({ path, from: root, root, rootLabel: 'the sink root', use: 'write' });

describe('confinePath', () => {
  it('resolves a relative path against the directory given, including `..` that stays inside', () => {
    expect(read('policies/ok.hcl')).toMatchObject({ ok: true, path: expect.stringMatching(/config\/sub\/policies\/ok\.hcl$/) });
    expect(read('../sub/policies/ok.hcl')).toMatchObject({ ok: true });
  });

  it('refuses absolute paths, `..` escapes and symbolic links that lead outside', () => {
    expect(read('/etc/passwd')).toMatchObject({ ok: false, problem: 'is an absolute path' });
    expect(read('../../elsewhere/secret.hcl')).toMatchObject({ ok: false, problem: 'leaves the config directory' });
    expect(read('link.hcl')).toMatchObject({ ok: false, problem: expect.stringContaining('through a symbolic link') });
    expect(read('../outdir/secret.hcl')).toMatchObject({ ok: false, problem: expect.stringContaining('through a symbolic link') });
    expect(read('missing.hcl')).toMatchObject({ ok: false, missing: true });
    // `~` is not expanded: `~/.vault-token` names a (missing) file inside the root, never the home directory's.
    expect(read('~/.vault-token')).toMatchObject({ ok: false, missing: true });
  });

  it('for writes: realpaths the nearest existing parent and refuses a link at the target', () => {
    expect(write('out/new/a.json')).toMatchObject({ ok: true, path: expect.stringMatching(/config\/out\/new\/a\.json$/) });
    expect(write('outdir/a.json')).toMatchObject({ ok: false, problem: expect.stringContaining('outside') });
    expect(write('outdir/deeper/a.json')).toMatchObject({ ok: false, problem: expect.stringContaining('outside') });
    expect(write('dangling/a.json')).toMatchObject({ ok: false, problem: expect.stringContaining('points nowhere') });
    expect(write('target-link.json')).toMatchObject({ ok: false, problem: 'is a symbolic link' });
    expect(write('../x.json')).toMatchObject({ ok: false, problem: 'leaves the sink root' });
    expect(write('.git/hooks/post-checkout')).toMatchObject({ ok: false, problem: 'points into a .git directory' });
    expect(write('sub')).toMatchObject({ ok: false, problem: 'is a directory' });
  });

  it('credential modes: at most 0640', () => {
    expect(credentialModeProblem(0o600)).toBeUndefined();
    expect(credentialModeProblem(0o640)).toBeUndefined();
    expect(credentialModeProblem(0o400)).toBeUndefined();
    for (const m of [0o666, 0o644, 0o660, 0o700, 0o604]) expect(credentialModeProblem(m)).toMatch(/looser than 0640/);
  });
});

describe('config paths are confined (load)', () => {
  const configWith = (yaml: string): string => {
    const dir = mkdtempSync(join(root, 'case-'));
    writeFileSync(join(dir, 'main.yaml'), yaml);
    return dir;
  };

  it.each([
    ['an absolute path', '/etc/passwd', 'is an absolute path'],
    ['a `..` escape', '../../elsewhere/secret.hcl', 'leaves the config directory'],
    ['a symbolic link', 'link.hcl', 'through a symbolic link'],
  ])('a policy `file:` with %s is a config error at its position, and nothing of the file is shown', (_, path, problem) => {
    const dir = configWith(`policies:\n  p:\n    file: ${path}\n`);
    if (path === 'link.hcl') symlinkSync(join(outside, 'secret.hcl'), join(dir, 'link.hcl'));
    const r = loadConfig([dir], KINDS, { env: {}, sinkRoot: root });
    expect(r.value).toBeUndefined();
    expect(r.errors).toHaveLength(1);
    expect(r.errors[0]).toMatchObject({ path: 'policies.p.file', pos: { file: join(dir, 'main.yaml'), line: 3, col: 11 } });
    expect(r.errors[0]!.message).toContain(problem);
    expect(r.errors[0]!.hint).toMatch(/relative path that stays inside the config directory/);
    expect(JSON.stringify(r)).not.toContain(SECRET);
    expect(JSON.stringify(r)).not.toContain('root:x:0');
  });

  it('each -c directory is its own root: a later layer cannot reach into an earlier one', () => {
    const baseLayer = configWith('policies:\n  p:\n    file: p.hcl\n');
    writeFileSync(join(baseLayer, 'p.hcl'), 'path "a" { capabilities = ["read"] }\n');
    const prod = configWith(`policies:\n  p:\n    file: ../${baseLayer.split('/').pop()}/p.hcl\n`);
    expect(loadConfig([baseLayer], KINDS, { env: {} }).errors).toEqual([]);
    expect(loadConfig([baseLayer, prod], KINDS, { env: {} }).errors.map((d) => d.message)).toEqual([expect.stringContaining('leaves the config directory')]);
  });

  it('a credential file is relative to the sink root, confined in it, and at most mode 0640', () => {
    const dir = configWith(
      [
        'auth:',
        '  userpass:',
        '    type: userpass',
        '    users:',
        '      a: { credentials: { file: { path: /home/x/.vault-token } } }',
        '      b: { credentials: { file: { path: ../b.json } } }',
        '      c: { credentials: { file: { path: outdir/c.json } } }',
        '      d: { credentials: { file: { path: out/d.json, mode: 0666 } } }',
        '      e: { credentials: { file: { path: out/e.json, mode: 0640, adopt: true } } }',
        '',
      ].join('\n'),
    );
    const r = loadConfig([dir], KINDS, { env: {}, sinkRoot: root });
    const shown = r.errors.map((d) => formatDiagnostic(d));
    expect(shown).toEqual([
      expect.stringMatching(/main\.yaml:5:41: error: .*credential file \/home\/x\/\.vault-token is an absolute path/),
      expect.stringMatching(/main\.yaml:6:41: error: .*credential file \.\.\/b\.json leaves the sink root/),
      expect.stringMatching(/main\.yaml:7:41: error: .*credential file outdir\/c\.json resolves \(through a symbolic link\)/),
      expect.stringMatching(/main\.yaml:8:59: error: .*mode 0666 is looser than 0640/),
    ]);
  });
});
