import { describe, expect, it } from 'vitest';
import { setFields } from '../../../../src/kinds/shared/fields.js';
import { canonicalCidr, normaliseField, normaliseSettings, sameValue } from '../../../../src/kinds/shared/normalise.js';
import { KINDS } from '../../../../src/kinds/registry.js';
import { normalisePolicyText } from '../../../../src/kinds/sys/policy.js';

describe('normaliseField', () => {
  it('turns durations into seconds, whatever the spelling', () => {
    expect(normaliseField('token_ttl', '1h')).toBe(3600);
    expect(normaliseField('token_ttl', '60m')).toBe(3600);
    expect(normaliseField('token_ttl', 3600)).toBe(3600);
    expect(normaliseField('secret_id_ttl', '8760h')).toBe(31536000);
    expect(normaliseField('tune.max_lease_ttl', '12h')).toBe(43200);
    expect(normaliseField('token_period', '0')).toBe(0);
  });

  it("sorts and de-duplicates the kind's sets, splitting comma strings", () => {
    const sets = new Set(['token_policies', 'allowed_domains']);
    expect(normaliseField('token_policies', ['b', 'a', 'b'], sets)).toEqual(['a', 'b']);
    expect(normaliseField('token_policies', 'b, a', sets)).toEqual(['a', 'b']);
    expect(normaliseField('allowed_domains', ['svc.cluster.local'], sets)).toEqual(['svc.cluster.local']);
    expect(normaliseField('token_policies', ['b', 'a'])).toEqual(['b', 'a']);
  });

  it("takes a kind's sets from its schema (fields.ts stringSet)", () => {
    const role = KINDS.find((k) => k.name === 'pki-role')!;
    expect([...setFields(role.placement!.schema)]).toEqual(expect.arrayContaining(['allowed_domains', 'key_usage', 'ou']));
    expect(role.normalise({ key_usage: ['b', 'a'], allowed_domains: 'y,x', cn_validations: ['hostname', 'email'] })).toEqual({
      key_usage: ['a', 'b'],
      allowed_domains: ['x', 'y'],
      cn_validations: ['hostname', 'email'],
    });
  });

  it('treats a single-address CIDR and the bare address as equal', () => {
    expect(canonicalCidr('10.0.0.1/32')).toBe('10.0.0.1');
    expect(canonicalCidr('::1/128')).toBe('::1');
    expect(canonicalCidr('10.0.0.0/8')).toBe('10.0.0.0/8');
    expect(normaliseField('token_bound_cidrs', ['10.0.0.1/32', '10.0.0.0/8'])).toEqual(['10.0.0.0/8', '10.0.0.1']);
  });

  it('keeps ordered lists in order and leaves other scalars alone', () => {
    expect(normaliseField('allowed_roles', ['b', 'a'])).toEqual(['b', 'a']);
    expect(normaliseField('allow_subdomains', true)).toBe(true);
    expect(normaliseField('description', undefined)).toBeNull();
  });
});

describe('sameValue', () => {
  it('matches a config and a live read after normalising both', () => {
    const sets = new Set(['token_policies']);
    const desired = normaliseSettings({ token_ttl: '1h', token_policies: ['x', 'default'], token_bound_cidrs: ['10.0.0.1/32'] }, sets);
    const live = normaliseSettings({ token_ttl: 3600, token_policies: ['default', 'x'], token_bound_cidrs: ['10.0.0.1'] }, sets);
    expect(sameValue(desired, live)).toBe(true);
  });
});

describe('normalisePolicyText', () => {
  it('ignores CRLF and trailing blanks but not content', () => {
    expect(normalisePolicyText('path "a" {\r\n  capabilities = ["read"]  \r\n}\n\n')).toBe('path "a" {\n  capabilities = ["read"]\n}\n');
    expect(normalisePolicyText('a')).not.toBe(normalisePolicyText('b'));
  });
});
