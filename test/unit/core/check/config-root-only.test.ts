// A kind whose objects exist only in the root namespace (Kind.rootOnly) is refused in a tenant's
// config at the object's file:line:col, offline; in the root namespace's config it stays valid.
import { describe, expect, it } from 'vitest';
import type { Kind } from '../../../../src/core/kind.js';
import { KINDS } from '../../../../src/kinds/registry.js';
import { loadFiles } from '../load-files.js';

const audit = ['audit:', '  file:', '    type: file', '    options: { file_path: /var/log/audit.log }'].join('\n');
const policy = ['policies:', '  app:', '    policy: |', '      path "kv/*" { capabilities = ["read"] }'].join('\n');

describe('root-namespace-only kinds in a config with namespace:', () => {
  it("are an error at each object's key, naming the namespace and where the config says it", () => {
    const r = loadFiles({ 'vault.yaml': `namespace: team-a\n${audit}\n  syslog:\n    type: syslog\n${policy}\n` });
    expect(r.errors.map((e) => [e.pos?.file.endsWith('vault.yaml'), e.pos?.line, e.pos?.col, e.path, e.message, e.hint])).toEqual([
      [
        true,
        3,
        3,
        'audit.file',
        `audit devices are root-namespace-only: \`file\` cannot be in namespace team-a, which this config manages (\`namespace:\` at ${r.dir}/vault.yaml:1:1)`,
        'move it to the platform config (the root namespace: a config without `namespace:`), or remove it',
      ],
      [true, 6, 3, 'audit.syslog', expect.stringContaining('`syslog` cannot be in namespace team-a'), expect.any(String)],
    ]);
  });

  it('refuse a prune: of their collection', () => {
    const r = loadFiles({ 'vault.yaml': `namespace: team-a/apps\n${policy}\nprune: [policies, audit]\n` });
    expect(r.errors.map((e) => [e.pos?.line, e.path, e.message])).toEqual([
      [6, 'prune.1', expect.stringMatching(/^audit devices are root-namespace-only: namespace team-a\/apps, which this config manages \(`namespace:` at .*vault\.yaml:1:1\), has none to prune$/)],
    ]);
  });

  it('are valid in the root namespace: without namespace:, or with namespace: root', () => {
    for (const head of ['', 'namespace: root\n']) {
      const r = loadFiles({ 'vault.yaml': `${head}${audit}\nprune: [audit]\n` });
      expect(r.errors, head).toEqual([]);
    }
  });

  it('are found by the property alone: any kind that declares it, in a mount too', () => {
    const kinds = KINDS.map((k): Kind => (k.name === 'pki-role' ? { ...k, rootOnly: true } : k));
    const r = loadFiles({ 'vault.yaml': 'namespace: t1\nsecrets:\n  pki:\n    type: pki\n    roles:\n      web: {}\nprune: [secrets/*/roles]\n' }, {}, kinds);
    expect(r.errors.map((e) => [e.pos?.line, e.path])).toEqual([
      [6, 'secrets.pki.roles.web'],
      [7, 'prune.0'],
    ]);
  });

  it('audit devices are the only such kind today (OpenBao 2.4.0, measured: docs/namespaces.md)', () => {
    expect(KINDS.filter((k) => k.rootOnly).map((k) => k.name)).toEqual(['audit-device']);
  });
});
