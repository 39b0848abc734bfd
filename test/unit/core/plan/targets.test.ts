import { describe, expect, it } from 'vitest';
import { Targets } from '../../../../src/core/plan/targets.js';
import { UsageError } from '../../../../src/core/errors.js';

const KINDS = ['auth-mount', 'policy', 'approle-role', 'userpass-user', 'pki-role'];
const obj = (kind: string, address: string) => ({ kind, address, name: address.split('/').at(-1)!, collection: address.split('/').slice(0, -1).join('/') });
const declared = [
  obj('policy', 'policies/pay-a'),
  obj('policy', 'policies/pay-b'),
  obj('policy', 'policies/web'),
  obj('approle-role', 'auth/approle/roles/pay-a'),
  obj('approle-role', 'auth/other/roles/pay-a'),
  obj('userpass-user', 'auth/userpass/users/alice'),
];
const hits = (t: Targets) => declared.filter((d) => t.matches(d)).map((d) => d.address);

describe('Targets', () => {
  it('KIND/NAME with wildcards matches by kind and name, in every mount', () => {
    const t = new Targets(['policy/pay-*', 'approle-role/pay-?'], KINDS, declared);
    expect(hits(t)).toEqual(['policies/pay-a', 'policies/pay-b', 'auth/approle/roles/pay-a', 'auth/other/roles/pay-a']);
    expect(KINDS.filter((k) => t.reads(k))).toEqual(['policy', 'approle-role']);
    expect(['pay-a', 'web', 'xpay-a', 'pay-'].filter(t.names('policy')!)).toEqual(['pay-a', 'pay-']);
  });

  it('an address matches that object only, and reads only its kind, by the name in it', () => {
    const t = new Targets(['auth/approle/roles/pay-a'], KINDS, declared);
    expect(hits(t)).toEqual(['auth/approle/roles/pay-a']);
    expect(KINDS.filter((k) => t.reads(k))).toEqual(['approle-role']);
    expect(['pay-a', 'pay-b'].filter(t.names('approle-role')!)).toEqual(['pay-a']);
  });

  it('an address of a collection the config does not declare reads every kind whole', () => {
    const t = new Targets(['secrets/kv/thing'], KINDS, declared);
    expect(KINDS.every((k) => t.reads(k))).toBe(true);
    expect(t.names('policy')).toBeUndefined();
    expect(t.unmatched(declared)).toEqual(['secrets/kv/thing']);
  });

  it('a kind with no target is not read; regex characters in a target are literal', () => {
    const t = new Targets(['policy/web.(1)'], KINDS, declared);
    expect(t.reads('approle-role')).toBe(false);
    expect(t.matches(obj('policy', 'policies/web.(1)'))).toBe(true);
    expect(t.matches(obj('policy', 'policies/webx(1)'))).toBe(false);
  });

  it('refuses a target without KIND/ or NAME', () => {
    for (const bad of ['policy', '/x', 'policy/']) expect(() => new Targets([bad], KINDS)).toThrow(UsageError);
  });
});
