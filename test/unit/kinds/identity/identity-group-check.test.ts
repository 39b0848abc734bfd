import { describe, expect, it } from 'vitest';
import { checkGroups } from '../../../../src/kinds/identity/identity-group-check.js';

function run(groups: Record<string, Record<string, unknown>>, auth: string[] = [], entities: string[] = []) {
  const out: string[] = [];
  const entries = Object.entries(groups).map(([name, value]) => ({ name, value, path: ['identity', 'groups', name] }));
  checkGroups(entries, { authMounts: new Set(auth), entities: new Set(entities) }, {
    broken: () => false,
    error: (p, m) => out.push(`error ${p.join('.')}: ${m}`),
    warn: (p, m) => out.push(`warn ${p.join('.')}: ${m}`),
  });
  return out;
}

describe('identity group checks', () => {
  it('accepts internal groups with declared members and an external group with an alias on a declared mount', () => {
    expect(run({ a: { member_groups: ['b'] }, b: {}, e: { type: 'external', alias: { name: 'x', mount: 'gh' } } }, ['gh'])).toEqual([]);
  });

  it('refuses members on an external group and an alias on an internal one', () => {
    expect(run({ e: { type: 'external', member_groups: ['b'] }, b: { alias: { name: 'x', mount: 'gh' } } }, ['gh'])).toEqual([
      'error identity.groups.e.member_groups: an external group gets its members from its alias (the auth method), not from member_groups',
      'error identity.groups.b.alias: only an external group has an alias',
    ]);
  });

  it('refuses self-membership and cycles, reporting a cycle once', () => {
    expect(run({ a: { member_groups: ['a'] } })).toEqual(['error identity.groups.a.member_groups: group a cannot be a member of itself']);
    expect(run({ a: { member_groups: ['b'] }, b: { member_groups: ['c'] }, c: { member_groups: ['a'] } })).toEqual([
      'error identity.groups.a.member_groups: group membership goes round in a circle: a → b → c → a',
    ]);
  });

  it('warns about members and alias mounts the config does not declare (they must exist in Vault)', () => {
    expect(run({ a: { member_groups: ['elsewhere'] }, e: { type: 'external', alias: { name: 'x', mount: 'auth/oidc/' } } }, [])).toEqual([
      'warn identity.groups.a.member_groups: member group elsewhere is not declared under identity.groups',
      'warn identity.groups.e.alias.mount: auth mount auth/oidc/ is not declared under auth',
    ]);
  });

  it('refuses metadata Vault refuses: more than 64 pairs, a key over 128 bytes or with other characters than letters, digits and = / + _ -, a value over 512 bytes', () => {
    const many = Object.fromEntries(Array.from({ length: 65 }, (_, i) => [`k${i}`, 'v']));
    expect(run({ a: { metadata: many } })).toEqual(['error identity.groups.a.metadata: metadata has 65 pairs: Vault takes at most 64']);
    const long = 'k'.repeat(129);
    expect(run({ a: { metadata: { [long]: 'x', ok: 'é'.repeat(257) } } })).toEqual([
      `error identity.groups.a.metadata.${long}: a metadata key of 129 bytes: Vault takes at most 128`,
      'error identity.groups.a.metadata.ok: the metadata value of a 514-byte string: Vault takes at most 512 bytes',
    ]);
    expect(run({ a: { metadata: { 'team.name': 'x', 'a b': 'y', 'a=b/c+d_e-F9': 'z' } } })).toEqual([
      'error identity.groups.a.metadata.team.name: metadata key `team.name` has characters Vault refuses in a key',
      'error identity.groups.a.metadata.a b: metadata key `a b` has characters Vault refuses in a key',
    ]);
    expect(run({ a: { metadata: { ['k'.repeat(128)]: 'v'.repeat(512), ...Object.fromEntries(Array.from({ length: 63 }, (_, i) => [`k${i}`, 'v'])) } } })).toEqual([]);
  });

  it('takes member entities by name on internal groups only, warning about undeclared ones', () => {
    expect(run({ a: { member_entities: ['alice'] } }, [], ['alice'])).toEqual([]);
    expect(run({ a: { member_entities: ['bob'] }, e: { type: 'external', member_entities: ['alice'], alias: { name: 'x', mount: 'gh' } } }, ['gh'], ['alice'])).toEqual([
      'warn identity.groups.a.member_entities: member entity bob is not declared under identity.entities',
      'error identity.groups.e.member_entities: an external group gets its members from its alias (the auth method), not from member_entities',
    ]);
  });
});
