// A changed write-only value is a change: the state record keeps a salted scrypt hash of what was
// last written (never the value, never a fast hash), and a plan compares the declared value with it.
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { desired, live, plan } from '../../fixtures/objects.js';
import { hashSecret, secretMatches } from '../../../../src/core/common/secret-hash.js';
import { parseStateRecord, type StateRecord } from '../../../../src/core/state/state-record.js';
import { secretHashes, withResults } from '../../../../src/core/state/state.js';
import { KINDS } from '../../../../src/kinds/registry.js';
import { SENSITIVE_MASK } from '../../../../src/core/model.js';

const SECRET = 'client-secret-one';
const jwt = (secret: string) => desired('jwt-config', 'auth/oidc/config', { oidc_discovery_url: 'https://issuer', oidc_client_id: 'vault', oidc_client_secret: secret }, { mount: 'oidc' });
const liveJwt = live('jwt-config', 'auth/oidc/config', { oidc_discovery_url: 'https://issuer', oidc_client_id: 'vault' });

describe('secret hashes', () => {
  it('are salted scrypt: two hashes of one value differ, both match it, neither matches another, none holds a fast hash', () => {
    const a = hashSecret(SECRET);
    const b = hashSecret(SECRET);
    expect(a).toMatch(/^scrypt\$16384\$8\$1\$/);
    expect(a).not.toBe(b);
    expect([secretMatches(SECRET, a), secretMatches(SECRET, b), secretMatches('other', a)]).toEqual([true, true, false]);
    for (const fast of ['sha256', 'sha1', 'md5']) expect(a).not.toContain(createHash(fast).update(SECRET).digest('base64'));
    expect(a).not.toContain(SECRET);
    expect(secretMatches(SECRET, 'sha256:abc')).toBeUndefined();
  });
});

describe('a plan with recorded secret hashes', () => {
  const hashes = { 'auth/oidc/config': { oidc_client_secret: hashSecret(SECRET) } };

  it('the same secret plans nothing; a changed one plans exactly that field, masked', () => {
    expect(plan({ desired: [jwt(SECRET)], live: [liveJwt], secretHashes: hashes }).summary.update).toBe(0);
    const changed = plan({ desired: [jwt('client-secret-two')], live: [liveJwt], secretHashes: hashes });
    expect(changed.changes.map((c) => [c.action, c.fields])).toEqual([['update', [{ name: 'oidc_client_secret', before: SENSITIVE_MASK, after: SENSITIVE_MASK, sensitive: true }]]]);
    expect(JSON.stringify(changed)).not.toContain('client-secret-two');
  });

  it('without a recorded hash (an adopted object) nothing can be known: no change, unless --rewrite-secrets writes it once', () => {
    expect(plan({ desired: [jwt('client-secret-two')], live: [liveJwt] }).summary.update).toBe(0);
    const rewrite = plan({ desired: [jwt('client-secret-two')], live: [liveJwt], rewriteSecrets: true });
    expect(rewrite.changes[0]!.fields).toEqual([{ name: 'oidc_client_secret', before: SENSITIVE_MASK, after: SENSITIVE_MASK, sensitive: true }]);
    // A recorded hash that matches is not rewritten.
    expect(plan({ desired: [jwt(SECRET)], live: [liveJwt], secretHashes: hashes, rewriteSecrets: true }).summary.update).toBe(0);
  });

  it("a database connection's bootstrap password is no change once Vault rotated it; with rotate_root: false it is", () => {
    const conn = (extra: Record<string, unknown>) =>
      desired('database-connection', 'secrets/db/connections/pg', { plugin_name: 'p', connection_url: 'u', password: 'new-pw', ...extra }, { mount: 'db' });
    const liveConn = live('database-connection', 'secrets/db/connections/pg', { plugin_name: 'p', connection_url: 'u' });
    const recorded = { 'secrets/db/connections/pg': { password: hashSecret('old-pw') } };
    expect(plan({ desired: [conn({})], live: [liveConn], secretHashes: recorded }).summary.update).toBe(0);
    expect(plan({ desired: [conn({ rotate_root: false })], live: [liveConn], secretHashes: recorded }).changes[0]!.fields.map((f) => f.name)).toEqual(['password']);
  });
});

describe('the state record', () => {
  const empty: StateRecord = { format_version: '2', objects: {} };

  it('keeps a matching hash (no new salt), hashes a new value, records hashes on create/update and keeps them on noop', () => {
    const first = secretHashes([jwt(SECRET)], KINDS, empty);
    const prev: StateRecord = { ...empty, objects: { 'auth/oidc/config': { kind: 'jwt-config', hash: null, applied_at: 'T', created: false, secrets: first['auth/oidc/config'] } } };
    expect(secretHashes([jwt(SECRET)], KINDS, prev)).toEqual(first);
    expect(secretHashes([jwt('other')], KINDS, prev)['auth/oidc/config']!.oidc_client_secret).not.toBe(first['auth/oidc/config']!.oidc_client_secret);

    const noop = plan({ desired: [jwt(SECRET)], live: [liveJwt] });
    const again = withResults(prev, noop, [], [jwt(SECRET)], 'T2', {}, secretHashes([jwt('other')], KINDS, prev));
    expect(again.objects['auth/oidc/config']!.secrets).toEqual(first['auth/oidc/config']);
    const created = plan({ desired: [jwt(SECRET)] });
    const fresh = withResults(empty, created, [{ address: 'auth/oidc/config', kind: 'jwt-config', action: 'create', ok: true }], [jwt(SECRET)], 'T3', {}, first);
    expect(fresh.objects['auth/oidc/config']!.secrets).toEqual(first['auth/oidc/config']);
    expect(JSON.stringify(fresh)).not.toContain(SECRET);
  });

  it('refuses a record whose secrets are not scrypt hashes', () => {
    const record = (secrets: unknown) => ({ format_version: '2', objects: { 'auth/oidc/config': { kind: 'jwt-config', hash: null, applied_at: 'T', created: false, secrets } } });
    expect(() => parseStateRecord(record({ oidc_client_secret: hashSecret(SECRET) }), 'x', 'fix', ['jwt-config'])).not.toThrow();
    expect(() => parseStateRecord(record({ oidc_client_secret: 'sha256:' + 'a'.repeat(64) }), 'x', 'fix', ['jwt-config'])).toThrow(/secrets.oidc_client_secret: must be scrypt/);
  });
});
