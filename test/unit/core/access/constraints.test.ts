import { describe, expect, it } from 'vitest';
import { refusal } from '../../../../src/core/access/constraints.js';

describe('constraints of a granting rule, per request', () => {
  it('wrapping TTLs apply to every operation: the response must be wrapped within them', () => {
    expect(refusal({ max_wrapping_ttl: 3600 }, 'list', {})).toBe('the response must be wrapped, for at most 3600s');
    expect(refusal({ max_wrapping_ttl: 3600 }, 'delete', { wrapTtl: 60 })).toBeUndefined();
    expect(refusal({ min_wrapping_ttl: 60 }, 'read', { wrapTtl: 30 })).toBe('the response must be wrapped, for at least 60s');
  });

  it('required parameters, looked up lowercased; reads too; not for list or delete', () => {
    expect(refusal({ required_parameters: ['Ttl'] }, 'read', {})).toBe('parameter "Ttl" is required');
    expect(refusal({ required_parameters: ['Ttl'] }, 'update', { data: { ttl: '1h' } })).toBeUndefined();
    expect(refusal({ required_parameters: ['ttl'] }, 'update', { data: { TTL: '1h' } })).toBe('parameter "ttl" is required');
    expect(refusal({ required_parameters: ['ttl'] }, 'list', {})).toBeUndefined();
  });

  it('denied parameters: any value (empty list), a listed value or glob, `*` for all; an item of a comma list', () => {
    expect(refusal({ denied_parameters: { no_parent: [] } }, 'update', { data: { No_Parent: true } })).toBe('parameter "No_Parent" is denied');
    expect(refusal({ denied_parameters: { policies: ['root', 'admin*'] } }, 'update', { data: { policies: 'web,admin-x' } })).toBe('parameter "policies" is denied this value');
    expect(refusal({ denied_parameters: { policies: ['root'] } }, 'update', { data: { policies: ['web'] } })).toBeUndefined();
    expect(refusal({ denied_parameters: { '*': [] } }, 'create', { data: { a: 1 } })).toBe('every parameter is denied');
    expect(refusal({ denied_parameters: { '*': [] } }, 'create', {})).toBeUndefined();
  });

  it('allowed parameters: others refused (unless `*`), values by glob, every item of a list or comma list', () => {
    const c = { allowed_parameters: { policies: ['web', 'db-*'], ttl: [] } };
    expect(refusal(c, 'update', { data: { policies: ['web', 'db-1'], ttl: '1h' } })).toBeUndefined();
    expect(refusal(c, 'update', { data: { policies: 'web, db-2' } })).toBeUndefined();
    expect(refusal(c, 'update', { data: { policies: 'web,admin' } })).toBe('parameter "policies" is not allowed this value');
    expect(refusal(c, 'update', { data: { period: '1h' } })).toBe('parameter "period" is not allowed');
    expect(refusal({ allowed_parameters: { ...c.allowed_parameters, '*': [] } }, 'update', { data: { period: '1h' } })).toBeUndefined();
    expect(refusal({ allowed_parameters: { v: ['*2'] } }, 'update', { data: { v: '12' } })).toBeUndefined();
    expect(refusal({ allowed_parameters: { v: ['*'] } }, 'update', { data: { v: 'x' } })).toBe('parameter "v" is not allowed this value');
  });
});
