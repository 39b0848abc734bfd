import { describe, expect, it } from 'vitest';
import { sameValue } from '../../../../src/core/common/same-value.js';

describe('sameValue', () => {
  it('compares JSON shapes deeply and numbers with numeric strings', () => {
    expect(sameValue({ a: [1, 2] }, { a: [1, 2] })).toBe(true);
    expect(sameValue({ a: [1, 2] }, { a: [2, 1] })).toBe(false);
    expect(sameValue({ version: '2' }, { version: 2 })).toBe(true);
    expect(sameValue(null, 0)).toBe(false);
  });
});
