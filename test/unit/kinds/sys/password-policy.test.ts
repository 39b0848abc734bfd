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

  describe('a userpass user whose credentials name one (Vault generates its password)', () => {
    const user = (creds: string) => `auth:\n  up:\n    type: userpass\n    users:\n      bot: { credentials: { file: { path: bot.json }, ${creds} } }\n`;
    const declared = 'password_policies:\n  strong:\n    policy: |\n      length = 24\n      rule "charset" {\n        charset = "abc"\n        min-chars = 1\n      }\n';

    it('a declared one: no diagnostic; the spec carries it, and the user refers to it (so depends on it)', () => {
      const r = loadFiles({ 'c.yaml': declared + user('password_policy: strong') });
      expect(r.errors).toEqual([]);
      expect(r.warnings).toEqual([]);
      const kind = KINDS.find((k) => k.name === 'userpass-user')!;
      expect(kind.desired(r.value!)[0]!.credentials?.password_policy).toBe('strong');
      expect(kind.references!(r.value!)).toEqual([
        { from: 'auth/up/users/bot', to: 'password_policies/strong', kind: 'sys-password-policy', path: ['auth', 'up', 'users', 'bot', 'credentials', 'password_policy'], what: 'password policy strong' },
      ]);
      const access = kind.access!(r.value!).apply.map((a) => a.path);
      expect(access).toContain('sys/policies/password/strong/generate');
    });

    it('an undeclared one is warned about offline (Vault may have it; the plan decides), at the name', () => {
      const r = loadFiles({ 'c.yaml': user('password_policy: nope') });
      expect(r.errors).toEqual([]);
      expect(r.warnings.map((w) => [w.pos?.line, w.message])).toEqual([[5, expect.stringContaining('password policy `nope` is not declared under password_policies')]]);
    });

    it('with `password` (local rules) too it is an error; on an AppRole it is an unknown field', () => {
      expect(errors(declared + user('password: { length: 40 }, password_policy: strong'))).toEqual([[13, expect.any(Number), expect.stringContaining('either `password`')]]);
      const approle = 'auth:\n  ar:\n    type: approle\n    roles:\n      web: { credentials: { file: { path: w.json }, password_policy: strong } }\n';
      expect(errors(declared + approle).map((e) => e[2])).toEqual([expect.stringContaining('`password_policy`: unknown field')]);
    });
  });
  it('a plan reads (and policy-for grants) password policies only when the config declares, prunes or names one', () => {
    const kind = KINDS.find((k) => k.name === 'sys-password-policy')!;
    const planRules = (yaml: string) => {
      const r = loadFiles({ 'c.yaml': yaml });
      expect(r.errors).toEqual([]);
      return kind.access(r.value!).plan.map((rule) => rule.path);
    };
    expect(planRules('policies:\n  p: { policy: \'path "a" { capabilities = ["read"] }\' }\n')).toEqual([]);
    expect(planRules('password_policies:\n  s:\n    policy: |\n      length = 20\n      rule "charset" {\n        charset = "abc"\n      }\n')).toContain('sys/policies/password');
    expect(planRules('secrets:\n  db:\n    type: database\n    connections:\n      pg: { plugin_name: postgresql-database-plugin, connection_url: "postgresql://db/app", password_policy: s }\n')).toContain('sys/policies/password');
  });
});
