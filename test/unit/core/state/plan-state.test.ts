// The planner with ownership state: objects vault-gitops created earlier and the config no longer
// declares are deleted ("removed from config"); everything else undeclared stays unmanaged.
import { describe, expect, it } from 'vitest';
import { desired, live, plan } from '../../fixtures/objects.js';
import type { ApplyResult } from '../../../../src/core/apply/apply.js';
import { createdAddresses, desiredHash, objectsDiffer, parseStatePath, withIntent, withResults, type StateRecord } from '../../../../src/core/state/state.js';



const liveSet = [
  live('policy', 'policies/a', { policy: 'x' }),
  live('policy', 'policies/b', { policy: 'y' }),
  live('policy', 'policies/by-hand', { policy: 'z' }),
  live('approle-role', 'auth/approle/roles/b', { token_ttl: 60 }, { identity: 'role-id-b' }),
];

describe('planChanges with managed (state) input', () => {
  it('deletes a managed object the config no longer declares, with the reason "removed from config"', () => {
    const p = plan({
      desired: [desired('policy', 'policies/a', { policy: 'x' })],
      live: liveSet,
      managed: ['policies/a', 'policies/b', 'auth/approle/roles/b'],
      identities: { 'auth/approle/roles/b': 'role-id-b' },
    });
    expect(p.changes.map((c) => [c.action, c.address, c.reason])).toEqual([
      ['delete', 'auth/approle/roles/b', 'removed from config'],
      ['delete', 'policies/b', 'removed from config'],
      ['noop', 'policies/a', 'matches config'],
    ]);
    expect(p.changes[0]!.security).toBe(true);
    expect(p.summary).toEqual({ create: 0, update: 0, delete: 2, noop: 1 });
  });

  it('leaves objects it never managed unmanaged', () => {
    const p = plan({ desired: [desired('policy', 'policies/a', { policy: 'x' })], live: liveSet, managed: ['policies/b'] });
    expect(p.unmanaged).toEqual([
      { address: 'auth/approle/roles/b', kind: 'approle-role' },
      { address: 'policies/by-hand', kind: 'policy' },
    ]);
  });

  it('without managed input behaves exactly as before (nothing deleted outside prune)', () => {
    const withEmpty = plan({ live: liveSet, managed: [] });
    const without = plan({ live: liveSet });
    expect(withEmpty).toEqual(without);
    expect(without.changes).toEqual([]);
    expect(without.unmanaged).toHaveLength(4);
  });

  it('never deletes a managed object that is still declared, and ignores managed addresses no longer live', () => {
    const p = plan({
      desired: [desired('policy', 'policies/a', { policy: 'changed' })],
      live: liveSet.slice(0, 1),
      managed: ['policies/a', 'policies/gone-already'],
    });
    expect(p.changes.map((c) => [c.action, c.address])).toEqual([['update', 'policies/a']]);
  });

  it('never deletes root/default or non-deletable kinds even when listed as managed', () => {
    const p = plan({
      live: [live('policy', 'policies/default', { policy: 'd' }), live('pki-root-ca', 'secrets/pki/root_ca', { common_name: 'x' })],
      managed: ['policies/default', 'secrets/pki/root_ca'],
    });
    expect(p.changes).toEqual([]);
    expect(p.unmanaged.map((u) => u.address)).toEqual(['secrets/pki/root_ca']);
  });

  it('prefers "removed from config" over the prune reason when both apply; prune still claims the rest', () => {
    const p = plan({ live: liveSet, managed: ['policies/a'], prune: ['policies'] });
    expect(p.changes.map((c) => [c.address, c.reason])).toEqual([
      ['policies/a', 'removed from config'],
      ['policies/b', 'not in config; collection policies is pruned'],
      ['policies/by-hand', 'not in config; collection policies is pruned'],
    ]);
  });

  it('deletes removed managed objects children-first (reverse phase order)', () => {
    const p = plan({
      live: [
        live('auth-mount', 'auth/approle', { type: 'approle' }, { identity: 'auth_approle_1' }),
        live('approle-role', 'auth/approle/roles/b', {}, { identity: 'rid' }),
        live('policy', 'policies/b', { policy: 'y' }),
      ],
      managed: ['auth/approle', 'auth/approle/roles/b', 'policies/b'],
      identities: { 'auth/approle': 'auth_approle_1', 'auth/approle/roles/b': 'rid' },
    });
    expect(p.changes.map((c) => c.address)).toEqual(['auth/approle/roles/b', 'policies/b', 'auth/approle']);
  });

  it('deletes a removed mount or role only while Vault shows the identity the record holds; else leaves it alone, saying why', () => {
    const objs = [
      live('secrets-mount', 'secrets/kv', { type: 'kv' }, { identity: 'kv_new' }),
      live('auth-mount', 'auth/approle', { type: 'approle' }, { identity: 'auth_approle_1' }),
      live('approle-role', 'auth/approle/roles/b', {}),
    ];
    const p = plan({
      live: objs,
      managed: ['secrets/kv', 'auth/approle', 'auth/approle/roles/b'],
      identities: { 'secrets/kv': 'kv_old', 'auth/approle/roles/b': 'rid' },
    });
    expect(p.changes).toEqual([]);
    expect(p.destroys).toEqual([]);
    expect(p.unmanaged.map((u) => [u.address, u.note])).toEqual([
      ['auth/approle', expect.stringMatching(/^the state record holds no identity for it .*left alone/)],
      ['auth/approle/roles/b', 'its identity could not be read from Vault; left alone'],
      ['secrets/kv', expect.stringMatching(/^not the object vault-gitops created/)],
    ]);
  });

  it('a pruned collection still deletes an object whose identity differs (prune claims every undeclared object)', () => {
    const p = plan({
      live: [live('approle-role', 'auth/approle/roles/b', {}, { identity: 'other' })],
      managed: ['auth/approle/roles/b'],
      identities: { 'auth/approle/roles/b': 'rid' },
      prune: ['auth/approle/roles'],
    });
    expect(p.changes.map((c) => [c.action, c.reason])).toEqual([['delete', 'not in config; collection auth/approle/roles is pruned']]);
  });
});

describe('the state record after an apply (withIntent / withResults)', () => {
  const d = [desired('policy', 'policies/a', { policy: 'x' }), desired('policy', 'policies/new', { policy: 'n' }), desired('policy', 'policies/bad', { policy: 'b' })];
  const previous: StateRecord = {
    format_version: '1',
    objects: {
      'policies/a': { kind: 'policy', hash: desiredHash(d[0]!), applied_at: 'T0', created: false },
      'policies/old': { kind: 'policy', hash: 'sha256:1', applied_at: 'T0', created: true },
      'policies/stuck': { kind: 'policy', hash: 'sha256:2', applied_at: 'T0', created: true },
      'policies/adopted-then-dropped': { kind: 'policy', hash: 'sha256:3', applied_at: 'T0', created: false },
    },
  };
  const p = plan({
    desired: d,
    live: [live('policy', 'policies/a', { policy: 'x' }), live('policy', 'policies/old', { policy: 'o' }), live('policy', 'policies/stuck', { policy: 's' }), live('policy', 'policies/adopted-then-dropped', { policy: 'z' })],
    managed: createdAddresses(previous),
  });

  it('plans deletes only for the created entries', () => {
    expect(createdAddresses(previous)).toEqual(['policies/old', 'policies/stuck']);
    expect(p.changes.filter((c) => c.action === 'delete').map((c) => c.address)).toEqual(['policies/old', 'policies/stuck']);
  });

  it('records planned creates as created before applying, so a run that dies still knows them', () => {
    const intent = withIntent(previous, p, 'T1');
    expect(intent.objects['policies/new']).toEqual({ kind: 'policy', hash: null, applied_at: 'T1', created: true });
    expect(createdAddresses(intent)).toContain('policies/bad');
  });

  it('after applying: applied objects are recorded, deleted ones forgotten, failed ones keep their entry', () => {
    const results: ApplyResult[] = [
      { address: 'policies/new', kind: 'policy', action: 'create', ok: true },
      { address: 'policies/bad', kind: 'policy', action: 'create', ok: false, error: 'HTTP 400' },
      { address: 'policies/old', kind: 'policy', action: 'delete', ok: true },
      { address: 'policies/stuck', kind: 'policy', action: 'delete', ok: false, error: 'HTTP 500' },
    ];
    const after = withResults(withIntent(previous, p, 'T1'), p, results, d, 'T2');
    expect(Object.keys(after.objects).sort()).toEqual(['policies/a', 'policies/bad', 'policies/new', 'policies/stuck']);
    expect(after.objects['policies/new']).toEqual({ kind: 'policy', hash: desiredHash(d[1]!), applied_at: 'T2', created: true });
    expect(after.objects['policies/bad']).toMatchObject({ hash: null, created: true });
    expect(after.objects['policies/a']).toEqual(previous.objects['policies/a']);
    expect(after.objects['policies/stuck']).toEqual(previous.objects['policies/stuck']);
    expect(objectsDiffer(previous, after)).toBe(true);
    expect(objectsDiffer(after, withResults(after, p, results, d, 'T3'))).toBe(false);
  });

  it('parses --state-path as MOUNT/PATH (MOUNT/data/PATH accepted) and refuses a bare mount', () => {
    expect(parseStatePath('vault-gitops/state')).toEqual({ mount: 'vault-gitops', path: 'state', label: 'vault-gitops/state' });
    expect(parseStatePath('secret/data/vault-gitops/state')).toEqual({ mount: 'secret', path: 'vault-gitops/state', label: 'secret/vault-gitops/state' });
    expect(() => parseStatePath('vault-gitops')).toThrow(/not MOUNT\/PATH/);
  });
});
