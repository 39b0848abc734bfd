// Password policies: what Vault refuses in their HCL is found offline, at the YAML line:col.
import { describe, expect, it } from 'vitest';
import { loadFiles } from '../../core/load-files.js';
import { KINDS } from '../../../../src/kinds/registry.js';

const errors = (yaml: string) => loadFiles({ 'c.yaml': yaml }).errors.map((e) => [e.pos?.line, e.pos?.col, e.message]);

describe('password policies', () => {
  it('a valid policy loads; a connection that names it depends on it', () => {
    const yaml = [
      'password_policies:',
      '  strong:',
      '    policy: |',
      '      length = 24',
      '      rule "charset" {',
      '        charset = "abc"',
      '        min-chars = 1',
      '      }',
      'secrets:',
      '  db:',
      '    type: database',
      '    connections:',
      '      pg: { plugin_name: postgresql-database-plugin, connection_url: "postgresql://db/app", password_policy: strong }',
    ].join('\n');
    const r = loadFiles({ 'c.yaml': yaml });
    expect(r.errors).toEqual([]);
    expect(r.warnings).toEqual([]);
    const conn = KINDS.find((k) => k.name === 'database-connection')!.desired(r.value!);
    expect(conn[0]!.dependsOn).toContain('password_policies/strong');
  });

  it('bad HCL is reported where it is written', () => {
    const yaml = ['password_policies:', '  weak:', '    policy: |', '      length = 3', '      rule "charset" {', '        charst = "abc"', '        min-chars = 5', '      }', ''].join('\n');
    expect(errors(yaml)).toEqual([
      [4, 7, 'password policy HCL: the charset rules ask for 5 characters, more than length (3)'],
      [4, 16, 'password policy HCL: length must be a whole number from 4 to 100'],
      [5, 7, 'password policy HCL: a charset rule needs a non-empty `charset` string'],
      [6, 9, 'password policy HCL: unknown key `charst` in a charset rule, did you mean `charset`?'],
    ]);
    expect(errors('password_policies:\n  p: { policy: "length = 8" }\n').map((e) => e[2])).toEqual(['password policy HCL: a password policy needs at least one `rule "charset"`']);
  });

  it('a connection naming an undeclared policy is warned about', () => {
    const r = loadFiles({ 'c.yaml': 'secrets:\n  db:\n    type: database\n    connections:\n      pg: { plugin_name: p, connection_url: "postgresql://db/app", password_policy: nope }\n' });
    expect(r.warnings.map((w) => w.message)).toEqual([expect.stringContaining('password policy `nope` is not declared under password_policies')]);
  });
});
