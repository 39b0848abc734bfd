import { describe, expect, it } from 'vitest';
import { safeField } from '../../../../src/core/plan/plan-json.js';

describe('safeField', () => {
  it('masks sensitive values and drops their diff, but keeps absence visible', () => {
    expect(safeField({ name: 'password', before: null, after: 'x', sensitive: true, diff: '+x' })).toEqual({
      name: 'password',
      before: null,
      after: '(sensitive)',
      sensitive: true,
    });
  });
  it('returns non-sensitive fields untouched', () => {
    const field = { name: 'token_ttl', before: 1, after: 2, sensitive: false };
    expect(safeField(field)).toBe(field);
  });
});
