import { describe, expect, it } from 'vitest';
import { checkEntities } from '../../../../src/kinds/identity/identity-entity-check.js';
import { AUTO_NAMED, exportEntity, liveEntitySettings, normaliseEntity } from '../../../../src/kinds/identity/identity-entity-shape.js';
import { identityEntityKind as kind } from '../../../../src/kinds/identity/identity-entity.js';
import { identityGroupKind } from '../../../../src/kinds/identity/identity-group.js';
import type { LiveObject } from '../../../../src/core/model.js';
import { dependOnReferences } from '../../../../src/core/plan/preflight.js';

function run(entities: Record<string, Record<string, unknown>>, auth: string[] = []) {
  const out: string[] = [];
  const entries = Object.entries(entities).map(([name, value]) => ({ name, value, path: ['identity', 'entities', name] }));
  checkEntities(entries, new Set(auth), {
    broken: () => false,
    error: (p, m) => out.push(`error ${p.join('.')}: ${m}`),
    warn: (p, m) => out.push(`warn ${p.join('.')}: ${m}`),
  });
  return out;
}

const live = (name: string, settings: Record<string, unknown>): LiveObject => ({ kind: 'identity-entity', address: `identity/entities/${name}`, collection: 'identity/entities', name, settings });

describe('identity entity shape', () => {
  it('sorts policies and aliases, stringifies metadata, trims alias mount paths; undeclared fields stay out', () => {
    expect(normaliseEntity({ policies: ['b', 'a', 'b'], metadata: { n: 3 }, aliases: [{ mount: 'oidc', name: 'a@x' }, { mount: 'auth/userpass/', name: 'alice' }] })).toEqual({
      policies: ['a', 'b'],
      metadata: { n: '3' },
      aliases: [
        { name: 'a@x', mount: 'oidc' },
        { name: 'alice', mount: 'userpass' },
      ],
    });
    expect(normaliseEntity({})).toEqual({});
    expect(normaliseEntity({ disabled: false, aliases: [] })).toEqual({ disabled: false, aliases: [] });
  });

  it("reads Vault's answer with accessors as mount paths, nulls as empties", () => {
    const data = { id: 'e1', policies: null, metadata: null, disabled: false, aliases: [{ id: 'a1', name: 'alice', mount_accessor: 'auth_userpass_1' }, { id: 'a2', name: 'x', mount_accessor: 'gone' }] };
    expect(liveEntitySettings(data, new Map([['auth_userpass_1', 'people']]))).toEqual({
      policies: [],
      metadata: {},
      disabled: false,
      aliases: [
        { name: 'x', mount: '(unknown mount accessor gone)' },
        { name: 'alice', mount: 'people' },
      ],
    });
  });

  it('exports without defaults; an alias on an unknown mount drops the aliases (then unmanaged); Vault-named entities are not exported', () => {
    expect(exportEntity({ policies: [], metadata: {}, disabled: false, aliases: [] })).toEqual({});
    expect(kind.export!(live('alice', { policies: ['default'], disabled: true, aliases: [{ name: 'a', mount: '(unknown mount accessor z)' }] }), [], { files: {}, warnings: [] })).toEqual({
      policies: ['default'],
      disabled: true,
    });
    expect(kind.export!(live('entity_9f3a01bc', { aliases: [{ name: 'a', mount: 'userpass' }] }), [], { files: {}, warnings: [] })).toBeUndefined();
  });

  it("knows the names Vault gives entities at a first login: never unmanaged nor pruned", () => {
    expect(AUTO_NAMED.test('entity_949e1068')).toBe(true);
    expect(AUTO_NAMED.test('entity_40b84657.root')).toBe(true);
    expect(kind.builtIn!(live('entity_949e1068', {}))).toBe(true);
    for (const name of ['alice', 'entity_alice', 'entity_949e10681', 'my_entity_949e1068']) expect(kind.builtIn!(live(name, {})), name).toBe(false);
  });

  it('a group naming a Vault-named entity exports its members unmanaged', () => {
    const group = { kind: 'identity-group', address: 'identity/groups/g', collection: 'identity/groups', name: 'g', settings: { type: 'internal', member_entities: ['alice', 'entity_949e1068'] } };
    expect(identityGroupKind.export!(group, [], { files: {}, warnings: [] })).toEqual({});
  });
});

describe('identity entity checks', () => {
  it('accepts one alias per auth mount on declared mounts', () => {
    expect(run({ alice: { aliases: [{ mount: 'userpass', name: 'alice' }, { mount: 'oidc', name: 'alice@example.com' }] }, bob: { aliases: [{ mount: 'userpass', name: 'bob' }] } }, ['userpass', 'oidc'])).toEqual([]);
  });

  it('refuses two aliases on one mount, and one login on two entities; warns about undeclared mounts', () => {
    expect(
      run({ alice: { aliases: [{ mount: 'userpass', name: 'alice' }, { mount: 'userpass/', name: 'al' }] }, bob: { aliases: [{ mount: 'auth/userpass', name: 'alice' }, { mount: 'oidc', name: 'b' }] } }, ['userpass']),
    ).toEqual([
      'error identity.entities.alice.aliases.1: entity alice has two aliases on auth mount userpass (alice and al)',
      'error identity.entities.bob.aliases.0: alias alice on auth mount userpass is declared on entities alice and bob',
      'warn identity.entities.bob.aliases.1.mount: auth mount oidc is not declared under auth',
    ]);
  });
});

describe('identity entity kind', () => {
  it('depends on the policies it names and, through its references, on the auth mounts of its aliases, when declared', () => {
    const tree = { identity: { entities: { alice: { policies: ['p', 'default'], aliases: [{ mount: 'userpass', name: 'alice' }, { mount: 'auth/elsewhere/', name: 'a' }] } } } };
    const config = { policies: { p: {} }, auth: { userpass: { type: 'userpass' } }, secrets: {}, prune: [], sources: new Map(), tree, ...tree } as never;
    const desired = kind.desired(config);
    expect(desired[0]?.dependsOn).toEqual(['policies/p']);
    const refs = kind.references!(config);
    expect(refs.map((r) => [r.to, r.path.join('.')])).toEqual([
      ['auth/userpass', 'identity.entities.alice.aliases.0.mount'],
      ['auth/elsewhere', 'identity.entities.alice.aliases.1.mount'],
    ]);
    dependOnReferences(desired, refs);
    expect(desired[0]?.dependsOn).toEqual(['policies/p']); // auth/userpass is not among the desired objects here
    const withMount = [...desired, { address: 'auth/userpass', dependsOn: [] } as never];
    dependOnReferences(withMount, refs);
    expect(desired[0]?.dependsOn).toEqual(['policies/p', 'auth/userpass']);
  });
});
