// Which plans are destructive: mounts and CAs always, many deletes at once (and above a minimum).
import { describe, expect, it } from 'vitest';
import { BULK_MIN_DELETES, findDestroys } from '../../../../src/core/plan/destroys.js';
import type { Change, LiveObject } from '../../../../src/core/model.js';
import { KINDS } from '../../../../src/kinds/registry.js';
import { desired, live, plan } from '../../fixtures/objects.js';

const del = (kind: Change['kind'], address: string): Change => ({ address, kind, action: 'delete', reason: 'removed from config', fields: [], security: true });
const noop = (address: string): Change => ({ address, kind: 'policy', action: 'noop', reason: 'matches config', fields: [], security: false });
const noops = (n: number) => Array.from({ length: n }, (_, i) => noop(`policies/keep-${i}`));
const kinds = new Map(KINDS.map((k) => [k.name, k]));
const liveMap = (objs: LiveObject[]) => new Map(objs.map((o) => [o.address, o]));

describe('findDestroys', () => {
  it('flags every secrets mount with what its type loses, and auth mounts', () => {
    const objs = [
      live('secrets-mount', 'secrets/kv', { type: 'kv' }, { mount: 'kv' }),
      live('secrets-mount', 'secrets/team/pki', { type: 'pki' }, { mount: 'team/pki' }),
      live('secrets-mount', 'secrets/transit', { type: 'transit' }, { mount: 'transit' }),
      live('secrets-mount', 'secrets/db', { type: 'database' }, { mount: 'db' }),
      live('auth-mount', 'auth/approle', { type: 'approle' }, { mount: 'approle' }),
    ];
    const d = findDestroys([...objs.map((o) => del(o.kind, o.address)), ...noops(100)], liveMap(objs), kinds);
    expect(d.map((x) => [x.address, x.code, x.what])).toEqual([
      ['secrets/kv', 'secrets-mount', 'destroys all data stored under kv/ (every secret and all its versions)'],
      ['secrets/team/pki', 'secrets-mount', 'destroys the CA private key under team/pki/ and every certificate it issued'],
      ['secrets/transit', 'secrets-mount', 'destroys the encryption keys under transit/ (data they encrypted can no longer be decrypted)'],
      ['secrets/db', 'secrets-mount', 'destroys all data stored under db/ and revokes every lease it issued'],
      ['auth/approle', 'auth-mount', 'disables auth/approle/: deletes every role and user in it and revokes every token it issued'],
    ]);
  });

  it('flags a PKI CA delete', () => {
    expect(findDestroys([del('pki-root-ca', 'secrets/pki/root_ca'), ...noops(50)], new Map(), kinds).map((x) => x.code)).toEqual(['pki-ca']);
  });

  it('flags an update that replaces what cannot be had back (a re-signed intermediate CA), not an ordinary update', () => {
    const ca = live('pki-intermediate-ca', 'secrets/int/intermediate', { common_name: 'a' }, { mount: 'int' });
    const field = { name: 'common_name', before: 'a', after: 'b', sensitive: false };
    const update = (kind: Change['kind'], address: string): Change => ({ address, kind, action: 'update', reason: 'differs from config', fields: [field], security: true });
    const policy = live('policy', 'policies/p', {});
    const d = findDestroys([update('pki-intermediate-ca', ca.address), update('policy', policy.address), ...noops(5)], liveMap([ca, policy]), kinds);
    expect(d.map((x) => [x.address, x.code, x.what])).toEqual([
      ['secrets/int/intermediate', 'pki-ca', 'replaces the issuing CA of int/: a new key and certificate become its default issuer (certificates issued before keep the old chain)'],
    ]);
  });

  it('one policy out of three is an ordinary change; so are two out of five (below the minimum)', () => {
    expect(findDestroys([del('policy', 'policies/a'), ...noops(2)], new Map(), kinds)).toEqual([]);
    expect(findDestroys([del('policy', 'policies/a'), del('policy', 'policies/b'), ...noops(3)], new Map(), kinds)).toEqual([]);
  });

  it(`${BULK_MIN_DELETES} or more deletes above 10% of the managed objects are a bulk destroy; below 10% they are not`, () => {
    const three = [del('policy', 'policies/a'), del('approle-role', 'auth/x/roles/b'), del('userpass-user', 'auth/u/users/c')];
    expect(findDestroys([...three, ...noops(17)], new Map(), kinds)).toEqual([
      { address: '*', code: 'bulk', what: 'deletes 3 of the 20 objects vault-gitops manages here (15%)' },
    ]);
    expect(findDestroys([...three, ...noops(37)], new Map(), kinds)).toEqual([]);
  });

  it('deleting every managed object is destructive however few they are (a config that lost its files)', () => {
    expect(findDestroys([del('policy', 'policies/a')], new Map(), kinds)).toEqual([
      { address: '*', code: 'bulk', what: 'deletes every object vault-gitops manages here (1); the configuration declares none of them' },
    ]);
    expect(findDestroys([], new Map(), kinds)).toEqual([]);
  });

  it('the planner puts them in the plan', () => {
    const p = plan({
      desired: [desired('policy', 'policies/a', { policy: 'x' })],
      live: [live('policy', 'policies/a', { policy: 'x' }), live('secrets-mount', 'secrets/kv', { type: 'kv' }, { mount: 'kv', identity: 'kv_1' })],
      managed: ['secrets/kv'],
      identities: { 'secrets/kv': 'kv_1' },
    });
    expect(p.destroys).toEqual([{ address: 'secrets/kv', code: 'secrets-mount', what: 'destroys all data stored under kv/ (every secret and all its versions)' }]);
  });
});
