import { describe, expect, it } from 'vitest';
import { checkPolicyHcl, parseHcl } from '../../../../src/core/check/hcl.js';

describe('policy HCL', () => {
  it('accepts what Vault accepts', () => {
    const text = `
# comment
// another
/* block
   comment */
path "secret/data/*" {
  capabilities = ["create", "read", "update", "patch", "delete", "list"]
}
path "sys/*" { capabilities = ["sudo", "read",] }
path "auth/token/create" {
  capabilities = ["update"]
  allowed_parameters = {
    "policies" = ["web", "db"]
    "ttl"      = []
  }
  denied_parameters {
    "no_parent" = []
  }
  required_parameters = ["policies"]
  min_wrapping_ttl = "1m"
  max_wrapping_ttl = 3600
}
path "old/style" { policy = "write" } path "one/line" { capabilities = ["read"], required_parameters = ["a"] }
path "x/{{identity.entity.id}}/*" { capabilities = ["read"] }
path unquoted { capabilities = ["read"] }
`;
    expect(checkPolicyHcl(text)).toEqual([]);
    const parsed = parseHcl(text);
    expect(parsed.error).toBeUndefined();
    expect(parsed.items.map((i) => i.keys.map((k) => k.name))).toEqual([
      ['path', 'secret/data/*'],
      ['path', 'sys/*'],
      ['path', 'auth/token/create'],
      ['path', 'old/style'],
      ['path', 'one/line'],
      ['path', 'x/{{identity.entity.id}}/*'],
      ['path', 'unquoted'],
    ]);
  });

  it('accepts the same path block twice (Vault merges them)', () => {
    expect(checkPolicyHcl('path "a" { capabilities = ["read"] }\npath "a" { capabilities = ["list"] }\n')).toEqual([]);
  });

  it.each([
    ['path "a" {\n  capabilities = ["read"]\n', 1, 10, 'missing `}`: this block is not closed'],
    ['path "a" {\n  capabilities = ["read"\n}\n', 3, 1, 'unexpected `}`: expected `,` or `]` in list'],
    ['path "a {\n}\n', 1, 6, 'string not terminated: missing closing `"`'],
    ['path "a" {\n  capabilities = [read]\n}', 2, 19, 'unexpected `read`: expected a value'],
    ['path "a" {\n  capabilities = ["read"] extra\n}', 3, 1, 'unexpected `}`: expected `=` or `{` after `extra`'],
    ['path "a" { /* open', 1, 12, 'comment not terminated: missing `*/`'],
    ['path "a" {\n  capabilities = ["reed"]\n}', 2, 19, 'unknown capability "reed", did you mean `read`?'],
    ['path "a" {\n  capabilites = ["read"]\n}', 2, 3, 'invalid key `capabilites` in a path block, did you mean `capabilities`?'],
    ['paths "a" {\n  capabilities = ["read"]\n}', 1, 1, 'invalid key `paths` at the top of a policy, did you mean `path`?'],
    ['path "a" {\n  min_wrapping_ttl = "soon"\n}', 2, 22, '`min_wrapping_ttl` must be a duration such as "1m" or 60'],
    ['path "a" {\n  allowed_parameters = { "x" = "y" }\n}', 2, 32, '`allowed_parameters`: the values of "x" must be a list, e.g. []'],
    ['path "a" {\n  policy = "readonly"\n}', 2, 12, '`policy` must be one of "deny", "read", "write", "sudo"'],
    ['path {\n}', 1, 1, 'a path needs a quoted name: path "secret/*" { ... }'],
    ['path = { "a" = { capabilities = ["read"] } }', 1, 1, 'a path needs a quoted name: path "secret/*" { ... }'],
    ['path "a" {\n min_wrapping_ttl = "1h"\n max_wrapping_ttl = "30m"\n}', 3, 21, '`max_wrapping_ttl` cannot be less than `min_wrapping_ttl`'],
    ['   \n', 1, 1, 'the policy is empty'],
    ['path "a" {\n  capabilities = ["read"]\n  capabilities = ["list"]\n}', 3, 3, '`capabilities` is set twice in this block (first at line 2): Vault refuses the policy'],
    ['path "a" {\n  capabilities = ["read"]\n  allowed_parameters = { "v" = [], "v" = ["1"] }\n}', 3, 36, '`"v"` is set twice in this block (first at line 3): Vault refuses the policy'],
    ['path "secret/+*" {\n  capabilities = ["read"]\n}', 1, 6, 'path "secret/+*": `+*` is not a wildcard Vault accepts'],
  ])('%j → %i:%i %s', (text, line, col, message) => {
    const problems = checkPolicyHcl(text);
    expect(problems[0]).toMatchObject({ line, col, message });
  });
});
