import { describe, expect, it } from 'vitest';
import { accessChanges, privilegedReasons, reachesUnder } from '../../../../src/core/access/access-diff.js';
import { buildAcl } from '../../../../src/core/access/acl.js';
import { principalAccess } from '../../../../src/core/access/access-query.js';
import { defaultPolicy } from '../../../../src/core/access/default-policy.js';
import type { Principal } from '../../../../src/core/principal.js';

const role = (name: string, policies: string[], defaultPolicy = false): Principal => ({ address: `auth/approle/roles/${name}`, policies, defaultPolicy, bindings: {} });
const accesses = (principals: Principal[], texts: Record<string, string>) => principals.map((p) => principalAccess(principals, p, texts));
const rule = (path: string, ...caps: string[]) => `path "${path}" { capabilities = [${caps.map((c) => `"${c}"`).join(', ')}] }\n`;

describe('access changes', () => {
  it('sudo added to one line of a shared policy: every principal holding it gains sudo there, flagged', () => {
    const before = { shared: rule('secret/*', 'read') + rule('sys/audit/*', 'read') };
    const after = { shared: rule('secret/*', 'read') + rule('sys/audit/*', 'read', 'sudo') };
    const principals = [role('a', ['shared']), role('b', ['shared']), role('c', ['other'])];
    const changes = accessChanges(accesses(principals, before), accesses(principals, after));
    expect(changes).toEqual(
      ['a', 'b'].map((n) => ({
        address: `auth/approle/roles/${n}`,
        status: 'changed',
        privileged: ['sudo', 'sys/'],
        capabilities: [{ pattern: 'sys/audit/*', before: ['read'], after: ['read', 'sudo'], gained: ['sudo'], lost: [], privileged: ['sudo', 'sys/'] }],
      })),
    );
  });

  it('rules that only moved between policies, or were split in two, are no change', () => {
    const principals = [role('a', ['p', 'q'])];
    const before = { p: rule('secret/a/*', 'read', 'list') + rule('secret/b', 'update'), q: rule('x', 'read') };
    const after = { p: rule('secret/a/*', 'read'), q: rule('x', 'read') + rule('secret/a/*', 'list') + rule('secret/b', 'update') };
    expect(accessChanges(accesses(principals, before), accesses(principals, after))).toEqual([]);
  });

  it('a deny added takes every capability of that pattern; a new principal shows its whole access; a removed one all it loses', () => {
    const texts = { p: rule('secret/a/*', 'read', 'list'), d: rule('secret/a/*', 'deny') };
    const changes = accessChanges(accesses([role('a', ['p']), role('gone', ['p'])], texts), accesses([role('a', ['p', 'd']), role('new', ['p'])], texts));
    expect(changes).toEqual([
      { address: 'auth/approle/roles/a', status: 'changed', privileged: [], capabilities: [{ pattern: 'secret/a/*', before: ['list', 'read'], after: ['deny'], gained: [], lost: ['list', 'read'], privileged: [] }] },
      { address: 'auth/approle/roles/gone', status: 'removed', privileged: [], default_policy: false, capabilities: [{ pattern: 'secret/a/*', before: ['list', 'read'], after: [], gained: [], lost: ['list', 'read'], privileged: [] }] },
      { address: 'auth/approle/roles/new', status: 'added', privileged: [], default_policy: false, capabilities: [{ pattern: 'secret/a/*', before: [], after: ['list', 'read'], gained: ['list', 'read'], lost: [], privileged: [] }] },
    ]);
  });

  it('a widened bound_claims: the binding change, with no capability change', () => {
    const jwt = (claims: unknown): Principal => ({ address: 'auth/jwt/roles/deploy', policies: ['p'], defaultPolicy: false, bindings: { bound_claims: claims, user_claim: 'sub' } });
    const texts = { p: rule('secret/deploy/*', 'read') };
    const before = [jwt({ sub: 'repo:org/app:ref:refs/heads/main' })];
    const after = [jwt({ sub: 'repo:org/*' })];
    expect(accessChanges(accesses(before, texts), accesses(after, texts))).toEqual([
      {
        address: 'auth/jwt/roles/deploy',
        status: 'changed',
        privileged: [],
        capabilities: [],
        bindings: [{ field: 'bound_claims', before: { sub: 'repo:org/app:ref:refs/heads/main' }, after: { sub: 'repo:org/*' }, widened: 'claim "sub" admits "repo:org/*"' }],
      },
    ]);
  });

  it('a principal gaining write on sys/policies/acl/*: privilege escalation', () => {
    const principals = [role('a', ['p'])];
    const changes = accessChanges(accesses(principals, { p: rule('secret/*', 'read') }), accesses(principals, { p: rule('secret/*', 'read') + rule('sys/policies/acl/*', 'update') }));
    expect(changes[0]!.capabilities[0]!.privileged).toEqual(['write access to ACL policies (privilege escalation)', 'sys/']);
  });

  it("the root policy; the default policy's own sys/ paths are not privileged when a baseline is given", () => {
    const principals = [role('a', ['root'])];
    expect(accessChanges([], accesses(principals, {}))[0]!.capabilities).toEqual([{ pattern: '*', before: [], after: ['root'], gained: ['root'], lost: [], privileged: ['the root policy: every capability on every path'] }]);
    const withDefault = [role('d', [], true)];
    const flagged = (baseline?: ReturnType<typeof buildAcl>) => accessChanges([], accesses(withDefault, {}), baseline)[0]!.capabilities.filter((c) => c.privileged.length > 0).map((c) => c.pattern);
    expect(flagged()).toContain('sys/capabilities-self');
    expect(flagged(buildAcl([defaultPolicy()]))).toEqual([]);
  });
});

describe('privileged patterns', () => {
  it.each([
    ['sys/policies/acl/*', 'sys/policies/acl/', true],
    ['sys/*', 'sys/policies/acl/', true],
    ['s*', 'sys/policies/acl/', true],
    ['*', 'sys/', true],
    ['+/policies/acl/x', 'sys/policies/acl/', true],
    ['sys/policies/acl', 'sys/policies/acl/', false],
    ['sys/mounts', 'sys/policies/acl/', false],
    ['secret/*', 'sys/', false],
    ['auth/+/role/*', 'auth/', true],
  ])('%s reaches under %s: %s', (pattern, area, expected) => {
    expect(reachesUnder(pattern, area)).toBe(expected);
  });

  it('writes under auth/ and identity/, reads there are not flagged', () => {
    expect(privilegedReasons('auth/approle/role/*', ['read', 'list'])).toEqual([]);
    expect(privilegedReasons('auth/approle/role/*', ['update'])).toEqual(['writes under auth/']);
    expect(privilegedReasons('identity/group/*', ['create'])).toEqual(['writes under identity/']);
  });
});
