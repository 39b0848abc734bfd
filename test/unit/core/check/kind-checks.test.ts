// A kind's check() runs after the schema, on its placed entries, and reports at file:line:col.
import { describe, expect, it } from 'vitest';
import type { Kind } from '../../../../src/core/kind.js';
import { KINDS } from '../../../../src/kinds/registry.js';
import { placedEntries } from '../../../../src/kinds/shared/support.js';
import { loadFiles } from '../load-files.js';

const pkiRole = KINDS.find((k) => k.name === 'pki-role')!;
/** pki-role with one more rule: a role's name may not start with `tmp`. */
const strict: Kind = {
  ...pkiRole,
  check(ctx) {
    for (const e of placedEntries(ctx.config, strict)) {
      if (e.name.startsWith('tmp')) ctx.error(e.path, `role \`${e.name}\` is temporary`, 'rename it', 'key');
      if (!ctx.broken([...e.path, 'ttl']) && e.value.ttl === '0') ctx.warn([...e.path, 'ttl'], 'a ttl of 0 means the mount default');
    }
  },
};
const kinds = KINDS.map((k) => (k === pkiRole ? strict : k));

describe('Kind.check', () => {
  const yaml = ['secrets:', '  pki:', '    type: pki', '    roles:', '      tmp-web: { ttl: "0" }', '      web: { ttl: 1h, max_ttl: nonsense }'].join('\n');

  it('reports at the key or value of the path it names, after the generic duration checks', () => {
    const r = loadFiles({ 'c.yaml': yaml }, {}, kinds);
    expect(r.errors.map((e) => [e.pos?.line, e.pos?.col, e.path, e.message])).toEqual([
      [5, 7, 'secrets.pki.roles.tmp-web', 'role `tmp-web` is temporary'],
      [6, 32, 'secrets.pki.roles.web.max_ttl', 'invalid duration "nonsense"'],
    ]);
    expect(r.warnings.map((w) => [w.pos?.line, w.path, w.message])).toEqual([[5, 'secrets.pki.roles.tmp-web.ttl', 'a ttl of 0 means the mount default']]);
  });
});

describe('keys placed in a mount', () => {
  it("belong to their kinds, never to the mount's own settings (a write-only secret would show in the mount's plan)", () => {
    const r = loadFiles({ 'c.yaml': 'secrets:\n  pki:\n    type: pki\n    local: true\n    root_ca: { common_name: x }\n    urls: { issuing_certificates: [x] }\n    roles: { web: {} }\n' });
    expect(r.errors).toEqual([]);
    expect(r.value!.secrets.pki!.settings).toEqual({ local: true });
    expect(KINDS.find((k) => k.name === 'secrets-mount')!.desired(r.value!)[0]!.settings).toEqual({ type: 'pki', local: true });
  });
});
