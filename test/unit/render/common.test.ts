import { describe, expect, it } from 'vitest';
import { isDurationField } from '../../../src/kinds/shared/normalise.js';
import { KINDS } from '../../../src/kinds/registry.js';
import {
  KIND_TITLES,
  formatDuration,
  formatValue,
  groupChanges,
  orderedChanges,
  sanitize,
  summaryLine,
} from '../../../src/render/common.js';
import { change, emptyPlan, fullPlan, planWith } from './fixtures/plans.js';

describe('formatDuration', () => {
  it.each([
    [0, '0s'],
    [45, '45s'],
    [60, '1m'],
    [3600, '1h'],
    [5400, '1h30m'],
    [172800, '2d'],
    [90061, '1d1h1m1s'],
    [31536000, '365d'],
  ])('%i → %s', (seconds, text) => {
    expect(formatDuration(seconds)).toBe(text);
  });

  it('leaves odd numbers as they are', () => {
    expect(formatDuration(-5)).toBe('-5');
    expect(formatDuration(1.5)).toBe('1.5');
  });
});

describe('isDurationField', () => {
  it('knows Vault TTL-like parameter names', () => {
    for (const n of ['ttl', 'max_ttl', 'token_ttl', 'token_max_ttl', 'secret_id_ttl', 'default_lease_ttl', 'token_period', 'not_before_duration']) {
      expect(isDurationField(n), n).toBe(true);
    }
    for (const n of ['token_policies', 'ttl_note', 'bound_cidr_list', 'token_num_uses']) {
      expect(isDurationField(n), n).toBe(false);
    }
  });
});

describe('formatValue', () => {
  it('shows absent values as (none)', () => {
    expect(formatValue(null)).toBe('(none)');
    expect(formatValue(undefined)).toBe('(none)');
  });
  it('quotes strings so empty and padded strings stay visible', () => {
    expect(formatValue('Engineers')).toBe('"Engineers"');
    expect(formatValue('')).toBe('""');
    expect(formatValue('(none)')).toBe('"(none)"');
  });
  it('shows numbers as given, with a readable duration for TTL fields', () => {
    expect(formatValue(3600)).toBe('3600');
    expect(formatValue(3600, 'token_ttl')).toBe('3600 (1h)');
    expect(formatValue(30, 'token_ttl')).toBe('30');
    expect(formatValue(0, 'token_ttl')).toBe('0');
    expect(formatValue(5, 'token_num_uses')).toBe('5');
  });
  it('shows arrays and objects as compact JSON with sorted keys', () => {
    expect(formatValue(['a', 'b'])).toBe('["a","b"]');
    expect(formatValue({ z: 1, a: [true, null] })).toBe('{"a":[true,null],"z":1}');
    expect(formatValue(false)).toBe('false');
  });
  it('never lets a control character through', () => {
    expect(formatValue('evil\u001b[2Jtext\nmore')).toBe('"evil\\u001b[2Jtext\\nmore"');
  });
});

describe('sanitize', () => {
  it('escapes ANSI and other control characters', () => {
    expect(sanitize('a\u001b[31mb\u0007')).toBe('a\\u001b[31mb\\u0007');
    expect(sanitize('a\nb')).toBe('a\\u000ab');
  });
  it('keeps newlines and tabs when asked', () => {
    expect(sanitize('a\n\tb\u001b', true)).toBe('a\n\tb\\u001b');
  });
});

describe('ordering and grouping', () => {
  it('has a title for every kind', () => {
    expect(KIND_TITLES.get('policy')).toBe('ACL policies');
    expect(KIND_TITLES.get('approle-role')).toBe('AppRole roles');
    expect([...KIND_TITLES.keys()]).toEqual(KINDS.map((k) => k.name));
  });

  it('drops noop changes', () => {
    expect(orderedChanges(fullPlan).map((c) => c.action)).not.toContain('noop');
    expect(groupChanges(emptyPlan)).toEqual([]);
  });

  it('lists deletes first, then security-relevant changes, then the rest, one heading per kind', () => {
    const groups = groupChanges(fullPlan);
    expect(groups.map((g) => g.title)).toEqual([
      'ACL policies',
      'Userpass users',
      'AppRole roles',
      'Auth mounts',
      'PKI roles',
    ]);
    expect(orderedChanges(fullPlan).map((c) => `${c.action} ${c.address}`)).toEqual([
      'delete policies/old-team',
      'update policies/payments-prod',
      'create auth/userpass/users/alice',
      'create auth/approle/roles/payments-prod',
      'update auth/userpass',
      'update secrets/pki/roles/internal-services',
    ]);
  });

  it('puts every group that holds a delete before the others, and deletes first inside a group', () => {
    const plan = planWith([
      change('update', 'policy', 'policies/a', 'r', [], { security: true }),
      change('update', 'approle-role', 'auth/approle/roles/z', 'r'),
      change('delete', 'approle-role', 'auth/approle/roles/old', 'r', [], { security: true }),
      change('create', 'approle-role', 'auth/approle/roles/a', 'r', [], { security: true }),
    ]);
    expect(orderedChanges(plan).map((c) => c.address)).toEqual([
      'auth/approle/roles/old',
      'auth/approle/roles/a',
      'auth/approle/roles/z',
      'policies/a',
    ]);
  });
});

describe('summaryLine', () => {
  it('counts from the plan summary', () => {
    expect(summaryLine(fullPlan)).toBe('Plan: 2 to create, 3 to update, 1 to delete.');
  });
  it('says so when nothing changes', () => {
    expect(summaryLine(emptyPlan)).toBe('No changes. Vault matches the configuration.');
  });
});
