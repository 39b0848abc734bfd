import { describe, expect, it } from 'vitest';
import { buildAcl, capabilitiesAt, evaluate, type Acl } from '../../../../src/core/access/acl.js';
import { defaultPolicy, SHIPPED_DEFAULT_POLICY } from '../../../../src/core/access/default-policy.js';
import { parsePolicy } from '../../../../src/core/access/policy-rules.js';

function acl(policies: Record<string, string>): Acl {
  return buildAcl(
    Object.entries(policies).map(([name, text]) => {
      const { policy, problems } = parsePolicy(name, text);
      expect(problems).toEqual([]);
      return policy;
    }),
  );
}
const caps = (a: Acl, path: string) => capabilitiesAt(a, path).capabilities;
const rule = (path: string, ...c: string[]) => `path "${path}" { capabilities = [${c.map((x) => `"${x}"`).join(', ')}] }\n`;

describe('ACL evaluator: which pattern decides', () => {
  it('an exact path matches only itself', () => {
    const a = acl({ p: rule('secret/data/app', 'read') });
    expect(caps(a, 'secret/data/app')).toEqual(['read']);
    expect(caps(a, 'secret/data/app2')).toEqual(['deny']);
    expect(caps(a, 'secret/data')).toEqual(['deny']);
  });

  it('a glob is a prefix match, and the longest prefix wins alone (no union)', () => {
    const a = acl({ p: rule('secret/*', 'read', 'list') + rule('secret/data/*', 'update') });
    expect(caps(a, 'secret/x')).toEqual(['list', 'read']);
    expect(caps(a, 'secret/data/x')).toEqual(['update']);
    expect(caps(a, 'secret/datax')).toEqual(['list', 'read']);
  });

  it('an exact pattern beats every wildcard', () => {
    const a = acl({ p: rule('secret/+/app', 'read') + rule('secret/data/*', 'update') + rule('secret/data/app', 'delete') });
    expect(caps(a, 'secret/data/app')).toEqual(['delete']);
  });

  it('+ matches exactly one segment (an empty one too)', () => {
    const a = acl({ p: rule('secret/+/app', 'read') });
    expect(caps(a, 'secret/x/app')).toEqual(['read']);
    expect(caps(a, 'secret//app')).toEqual(['read']);
    expect(caps(a, 'secret/x/y/app')).toEqual(['deny']);
    expect(caps(a, 'secret/x/app/more')).toEqual(['deny']);
  });

  it('+ with a trailing glob: the last segment is matched as a prefix', () => {
    const a = acl({ p: rule('secret/+/ap*', 'read') });
    expect(caps(a, 'secret/x/app/more')).toEqual(['read']);
    expect(caps(a, 'secret/x/b')).toEqual(['deny']);
    expect(caps(a, 'secret/x')).toEqual(['deny']);
  });

  it('priority: a later first wildcard wins, then no glob, then fewer +, then the longer pattern', () => {
    expect(caps(acl({ p: rule('foo/a*', 'read') + rule('foo/+', 'update') }), 'foo/ab')).toEqual(['read']);
    expect(caps(acl({ p: rule('foo/bar/+/baz', 'read') + rule('foo/+/bar/baz', 'update') }), 'foo/bar/bar/baz')).toEqual(['read']);
    expect(caps(acl({ p: rule('foo/+/bar', 'read') + rule('foo/+/ba*', 'update') }), 'foo/x/bar')).toEqual(['read']);
    expect(caps(acl({ p: rule('foo/+', 'read') + rule('foo/*', 'update') }), 'foo/x')).toEqual(['read']);
    expect(caps(acl({ p: rule('foo/+/+/*', 'read') + rule('foo/+/bar/*', 'update') }), 'foo/a/bar/c')).toEqual(['update']);
    expect(caps(acl({ p: rule('foo/+/bar/ba*', 'read') + rule('foo/+/bar/b*', 'update') }), 'foo/x/bar/baz')).toEqual(['read']);
  });

  it('a pattern with no capabilities still decides, and denies', () => {
    const a = acl({ p: rule('secret/*', 'read') + 'path "secret/locked" { capabilities = [] }\n' });
    expect(caps(a, 'secret/locked')).toEqual(['deny']);
    expect(capabilitiesAt(a, 'secret/locked').decidedBy?.pattern).toBe('secret/locked');
  });

  it('a leading / is ignored in rules and requests; templated rules need an entity and are left out', () => {
    const a = acl({ p: rule('/secret/a', 'read') + rule('secret/{{identity.entity.id}}', 'update') });
    expect(caps(a, '/secret/a')).toEqual(['read']);
    expect(caps(a, 'secret/{{identity.entity.id}}')).toEqual(['deny']);
  });
});

describe('ACL evaluator: list on paths ending in /', () => {
  it('sys/capabilities asks as a list: the exact rule without the trailing / applies', () => {
    const a = acl({ p: rule('secret/metadata/app', 'list') });
    expect(caps(a, 'secret/metadata/app/')).toEqual(['list']);
    expect(evaluate(a, 'secret/metadata/app', 'list').allowed).toBe(true);
    expect(evaluate(a, 'secret/metadata/app/', 'read').allowed).toBe(false);
  });

  it('a list request tries the path without its / before the path itself', () => {
    const a = acl({ p: rule('kv/app*', 'list') + rule('kv/app/*', 'read') });
    // `kv/app/` without its slash is `kv/app`: only `kv/app*` matches it, and it decides.
    expect(caps(a, 'kv/app/')).toEqual(['list']);
    expect(evaluate(a, 'kv/app/', 'read').capabilities).toEqual(['read']);
  });
});

describe('ACL evaluator: merging rules of several policies', () => {
  it('the same pattern in several policies is one rule with the union of capabilities, each with its granting rule', () => {
    const a = acl({ a: rule('secret/*', 'read'), b: `\n${rule('secret/*', 'list', 'read')}` });
    const ans = capabilitiesAt(a, 'secret/x');
    expect(ans.capabilities).toEqual(['list', 'read']);
    expect(ans.grants.read).toEqual([
      { policy: 'a', path: 'secret/*', line: 1, col: 6 },
      { policy: 'b', path: 'secret/*', line: 2, col: 6 },
    ]);
    expect(ans.grants.list).toEqual([{ policy: 'b', path: 'secret/*', line: 2, col: 6 }]);
  });

  it('deny in any rule of a merged pattern denies everything there, whatever the order', () => {
    for (const order of [
      ['a', 'b'],
      ['b', 'a'],
    ]) {
      const texts: Record<string, string> = { a: rule('secret/*', 'read', 'sudo'), b: rule('secret/*', 'deny') };
      const a = acl(Object.fromEntries(order.map((n) => [n, texts[n]!])));
      const ans = capabilitiesAt(a, 'secret/x');
      expect(ans.capabilities).toEqual(['deny']);
      expect(ans.deniedBy?.map((r) => r.policy)).toEqual(['b']);
      expect(ans.grants).toEqual({});
    }
  });

  it('deny on a less specific pattern does not reach a more specific one', () => {
    const a = acl({ a: rule('secret/*', 'deny'), b: rule('secret/app/*', 'read') });
    expect(caps(a, 'secret/app/x')).toEqual(['read']);
    expect(caps(a, 'secret/other')).toEqual(['deny']);
  });

  it('deny among other capabilities in one block leaves deny alone; old-style policy = maps to capabilities', () => {
    const a = acl({ p: rule('a', 'read', 'deny') + 'path "b" { policy = "write" }\npath "c" { policy = "sudo" capabilities = ["patch"] }\n' });
    expect(caps(a, 'a')).toEqual(['deny']);
    expect(caps(a, 'b')).toEqual(['create', 'delete', 'list', 'read', 'update']);
    expect(caps(a, 'c')).toEqual(['create', 'delete', 'list', 'patch', 'read', 'sudo', 'update']);
  });

  it('sudo is a capability of its own: an operation needs it explicitly', () => {
    const a = acl({ p: rule('sys/audit/*', 'sudo', 'update') });
    expect(evaluate(a, 'sys/audit/file', 'sudo').allowed).toBe(true);
    expect(evaluate(a, 'sys/audit/file', 'read').allowed).toBe(false);
    expect(evaluate(a, 'sys/audit/file', 'update').grants.sudo).toHaveLength(1);
  });
});

describe('ACL evaluator: root and default', () => {
  it('the root policy allows everything', () => {
    const a = buildAcl([{ name: 'root', rules: [] }]);
    expect(caps(a, 'anything/at/all')).toEqual(['root']);
    expect(evaluate(a, 'sys/policies/acl/x', 'delete').allowed).toBe(true);
  });

  it('the shipped default policy: token self-service and cubbyhole, templated identity paths left out', () => {
    expect(parsePolicy('default', SHIPPED_DEFAULT_POLICY).problems).toEqual([]);
    const a = buildAcl([defaultPolicy()]);
    expect(caps(a, 'auth/token/lookup-self')).toEqual(['read']);
    expect(caps(a, 'cubbyhole/x')).toEqual(['create', 'delete', 'list', 'read', 'update']);
    expect(caps(a, 'identity/oidc/provider/p/authorize')).toEqual(['read', 'update']);
    expect(caps(a, 'secret/x')).toEqual(['deny']);
  });

  it("the server's own default text replaces the shipped one", () => {
    const a = buildAcl([defaultPolicy(rule('secret/*', 'read'))]);
    expect(caps(a, 'secret/x')).toEqual(['read']);
    expect(caps(a, 'cubbyhole/x')).toEqual(['deny']);
  });
});

describe('ACL evaluator: constraints are carried, marked, merged as Vault merges them', () => {
  const constrained = `path "auth/token/create" {
  capabilities = ["update"]
  allowed_parameters = { "Policies" = ["web"], "ttl" = [] }
  denied_parameters { "no_parent" = [] }
  required_parameters = ["policies"]
  min_wrapping_ttl = "1m"
  max_wrapping_ttl = 3600
}
`;
  it('a single rule', () => {
    const ans = capabilitiesAt(acl({ p: constrained }), 'auth/token/create');
    expect(ans.constraints).toEqual({
      allowed_parameters: { policies: ['web'], ttl: [] },
      denied_parameters: { no_parent: [] },
      required_parameters: ['policies'],
      min_wrapping_ttl: 60,
      max_wrapping_ttl: 3600,
    });
  });

  it('merged: values appended, an empty list absorbs, the shorter wrapping TTLs kept, required unioned', () => {
    const other = `path "auth/token/create" {
  capabilities = ["update"]
  allowed_parameters = { "policies" = ["db"], "ttl" = ["1h"] }
  required_parameters = ["ttl"]
  min_wrapping_ttl = 30
  max_wrapping_ttl = "2h"
}
`;
    const ans = capabilitiesAt(acl({ a: constrained, b: other }), 'auth/token/create');
    expect(ans.constraints).toEqual({
      allowed_parameters: { policies: ['db', 'web'], ttl: [] },
      denied_parameters: { no_parent: [] },
      required_parameters: ['policies', 'ttl'],
      min_wrapping_ttl: 30,
      max_wrapping_ttl: 3600,
    });
  });

  it('an unconstrained rule merged with a constrained one leaves the constraint (Vault narrows on merge)', () => {
    const ans = capabilitiesAt(acl({ a: rule('auth/token/create', 'update'), b: constrained }), 'auth/token/create');
    expect(ans.constraints?.allowed_parameters).toEqual({ policies: ['web'], ttl: [] });
  });

  it('no constraints on a path without them, nor on a denied one', () => {
    expect(capabilitiesAt(acl({ p: rule('a', 'read') }), 'a').constraints).toBeUndefined();
    expect(capabilitiesAt(acl({ a: constrained, b: rule('auth/token/create', 'deny') }), 'auth/token/create').constraints).toBeUndefined();
  });
});

describe('policy rules', () => {
  it('refuses what Vault refuses, at the line and column', () => {
    expect(parsePolicy('p', 'path "a/+*" { capabilities = ["read"] }').problems).toMatchObject([{ line: 1, col: 6 }]);
    expect(parsePolicy('p', 'path "a" { capabilities = ["raed"] }').problems[0]?.message).toMatch(/unknown capability "raed"/);
  });
});
