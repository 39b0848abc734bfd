import { describe, expect, it } from 'vitest';
import { isTtlFieldName, parseTtl } from '../../../../src/core/common/ttl.js';

describe('parseTtl (Vault parseutil.ParseDurationSecond)', () => {
  it.each([
    [3600, 3600],
    ['3600', 3600],
    ['1h', 3600],
    ['90m', 5400],
    ['1h30m', 5400],
    ['720h', 2592000],
    ['30s', 30],
    ['10d', 864000],
    ['1.5h', 5400],
    ['500ms', 0],
    ['0', 0],
    ['', 0],
  ] as const)('%j → %i', (input, seconds) => {
    expect(parseTtl(input)).toBe(seconds);
  });

  it.each(['1d12h', '1.5d', '-1h', '1hour', 'h', '1', '1 h', '.h', -5])('%j is invalid', (input) => {
    expect(parseTtl(input as string | number)).toBe(input === '1' ? 1 : undefined);
  });

  it('knows which fields hold durations', () => {
    for (const f of ['token_ttl', 'ttl', 'max_ttl', 'token_period', 'period', 'max_lease_ttl', 'default_lease_ttl', 'not_before_duration', 'before_expiry', 'max_age', 'secret_id_ttl']) {
      expect(isTtlFieldName(f), f).toBe(true);
    }
    for (const f of ['token_policies', 'key_bits', 'token_num_uses', 'ttl_seconds']) expect(isTtlFieldName(f), f).toBe(false);
  });
});
