// The state record read from Vault is untrusted: checked field by field, never silently reset.
import { describe, expect, it } from 'vitest';
import { parseStateRecord, STATE_FORMAT_VERSION } from '../../../../src/core/state/state-record.js';
import { checkOwner, managedInput, objectsDiffer, withResults, type StateRecord } from '../../../../src/core/state/state.js';
import { desired, live, plan } from '../../fixtures/objects.js';

const HASH = 'sha256:' + 'a'.repeat(64);
const good = {
  format_version: '2',
  owner: 'github.com/acme/vault-config//prod',
  objects: {
    'secrets/kv': { kind: 'secrets-mount', hash: HASH, applied_at: '2026-01-01T00:00:00Z', created: true, identity: 'kv_1234' },
    'policies/a': { kind: 'policy', hash: null, applied_at: '2026-01-01T00:00:00Z', created: false },
  },
  last_apply: { at: 'T', run_id: 'r', by: 'ci@h pid 1', tool_version: '0.1.0', result: 'ok' },
  lock: { id: 'x', owner: 'ci@h pid 1', acquired_at: 'T', expires_at: 'T' },
};
const KNOWN_KINDS = ['policy', 'auth-mount', 'secrets-mount'];
const parse = (data: unknown) => parseStateRecord(data, 'vault-gitops/state', 'REPAIR', KNOWN_KINDS);

describe('parseStateRecord', () => {
  it('accepts a valid record, and a version 1 record (no owner, no identities)', () => {
    expect(parse(good)).toEqual(good);
    const v1 = { format_version: '1', objects: { 'policies/a': { kind: 'policy', hash: HASH, applied_at: 'T', created: true } } };
    expect(parse(v1)).toEqual(v1);
    expect(STATE_FORMAT_VERSION).toBe('2');
  });

  it("accepts the lock holder's heartbeat, and refuses a heartbeat that is not text", () => {
    const beating = { ...good, lock: { ...good.lock, heartbeat_at: 'T' } };
    expect(parse(beating)).toEqual(beating);
    expect(() => parse({ ...good, lock: { ...good.lock, heartbeat_at: 5 } })).toThrow('lock.heartbeat_at');
  });

  it('refuses a record without objects instead of reading it as "manages nothing"', () => {
    expect(() => parse({ format_version: '2' })).toThrow('the state record vault-gitops/state is not valid (1 problem): objects: must be an object of address → entry');
  });

  it('names each bad field with its path, and carries the repair hint', () => {
    const bad = { ...good, objects: { 'policies/x': { kind: 'No Kind', hash: 'abc', created: 'yes', extra: 1 }, 'not-an-address': good.objects['policies/a'] } };
    let err: (Error & { hint?: string }) | undefined;
    try {
      parse(bad);
    } catch (e) {
      err = e as Error & { hint?: string };
    }
    expect(err?.message).toContain('objects["policies/x"].extra: unknown key');
    expect(err?.message).toContain('objects["policies/x"].kind: must be one of policy, auth-mount, secrets-mount');
    expect(err?.message).toContain('objects["policies/x"].hash: must be sha256:<64 hex digits> or null');
    expect(err?.message).toContain('objects["policies/x"].applied_at: must be a non-empty string');
    expect(err?.message).toContain('objects["policies/x"].created: must be true or false');
    expect(err?.message).toContain('objects["not-an-address"]: is not an address');
    expect(err?.hint).toBe('REPAIR');
  });

  it('refuses non-objects, unknown top-level keys, a bad lock or last_apply, and an empty identity', () => {
    expect(() => parse('x')).toThrow('is not an object');
    expect(() => parse(['x'])).toThrow('is not an object');
    expect(() => parse({ ...good, extra: 1 })).toThrow('(record).extra: unknown key');
    expect(() => parse({ ...good, lock: 'held' })).toThrow('lock: must be an object');
    expect(() => parse({ ...good, last_apply: { ...good.last_apply, result: 'maybe' } })).toThrow('last_apply.result: must be running, ok or failed');
    expect(() => parse({ ...good, objects: { 'secrets/kv': { ...good.objects['secrets/kv'], identity: '' } } })).toThrow('identity: must be a non-empty string');
    expect(() => parse({ ...good, owner: 7 })).toThrow('(record).owner: must be a non-empty string');
  });

  it('asks for an upgrade on an unknown format_version', () => {
    expect(() => parse({ ...good, format_version: '9' })).toThrow('has format_version "9", which this vault-gitops does not know');
  });
});

describe('owner and identities in the record', () => {
  const rec = parse(good);

  it('refuses a record another config owns, naming both; takes an unowned one', () => {
    expect(() => checkOwner(rec, 'github.com/acme/vault-config//prod', 'l')).not.toThrow();
    expect(() => checkOwner(rec, 'payments-prod', 'vault-gitops/state')).toThrow(
      'the state record vault-gitops/state belongs to the config "github.com/acme/vault-config//prod", not to this one ("payments-prod"); nothing was changed',
    );
    expect(() => checkOwner({ ...rec, owner: undefined }, 'anyone', 'l')).not.toThrow();
  });

  it('hands planning the created objects and their identities', () => {
    expect(managedInput(rec)).toEqual({ managed: ['secrets/kv'], identities: { 'secrets/kv': 'kv_1234' }, secrets: {} });
  });

  it('records identities after an apply: new ones replace, a create never keeps an old one, others are kept', () => {
    const d = [desired('secrets-mount', 'secrets/kv', { type: 'kv' }), desired('auth-mount', 'auth/approle', { type: 'approle' })];
    const previous: StateRecord = {
      format_version: '1',
      objects: { 'secrets/kv': { kind: 'secrets-mount', hash: null, applied_at: 'T', created: true, identity: 'kv_1234' } },
    };
    const p = plan({ desired: d, live: [live('secrets-mount', 'secrets/kv', { type: 'kv' })] });
    const kept = withResults(previous, p, [], d, 'T2');
    expect(kept.objects['secrets/kv']?.identity).toBe('kv_1234');
    expect(kept.objects['auth/approle']?.identity).toBeUndefined();
    expect(kept.format_version).toBe('2');
    const found = withResults(previous, p, [], d, 'T2', { 'auth/approle': 'auth_approle_9' });
    expect(found.objects['auth/approle']).toMatchObject({ created: true, identity: 'auth_approle_9' });
    expect(objectsDiffer(kept, found)).toBe(true);
    expect(objectsDiffer(kept, { ...kept, owner: 'x' })).toBe(true);
  });
});
