import { describe, expect, it } from 'vitest';
import { DURATION_PATTERN, parseTtl } from '../../../../src/core/common/ttl.js';

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

  it('the schema pattern of duration strings accepts exactly what parseTtl parses', () => {
    const pattern = new RegExp(DURATION_PATTERN, 'u');
    const samples = ['', '0', '+0', '3600', '+5', '10d', '+10d', '1h', '90m', '1h30m', '1.5h', '.5h', '5.h', '500ms', '3us', '3µs', '3μs', '2ns', '1h0m0s'];
    const refused = ['1d12h', '1.5d', '-1h', '-1', '1hour', 'h', '1 h', '.h', '90 days', '1H', ' 1h', '1h ', 'd', '10dd', '1e3', '0x10', '1_000', '١٢'];
    for (const v of [...samples, ...refused]) expect(pattern.test(v), JSON.stringify(v)).toBe(parseTtl(v) !== undefined);
    for (const v of samples) expect(parseTtl(v), v).toBeDefined();
    for (const v of refused) expect(parseTtl(v), v).toBeUndefined();
  });
});
