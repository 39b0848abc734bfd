// Checks follow a field's type in the schema (its `x-type`, or that of the definition it refers to), not its name.
import { Type } from 'typebox';
import { describe, expect, it } from 'vitest';
import { fieldsOfType } from '../../../../src/core/check/config-schema.js';
import { cidrList, duration, object } from '../../../../src/kinds/shared/fields.js';
import { KINDS } from '../../../../src/kinds/registry.js';

describe('fieldsOfType', () => {
  it('finds the CIDR and duration fields by type, whatever they are called', () => {
    const schema = object({ allowed_from: cidrList(), cidr_note: Type.String(), token_bound_cidrs: cidrList(), keep_for: duration(), max_ttl: Type.Integer() });
    expect([...fieldsOfType(schema, 'cidrs')]).toEqual(['allowed_from', 'token_bound_cidrs']);
    expect([...fieldsOfType(schema, 'duration')]).toEqual(['keep_for']);
  });

  it('a kind\'s bound CIDRs (the deprecated alias too) are typed, so the check reaches them', () => {
    const approle = KINDS.find((k) => k.name === 'approle-role')!;
    expect([...fieldsOfType(approle.placement!.schema, 'cidrs')].sort()).toEqual(['bound_cidr_list', 'secret_id_bound_cidrs', 'token_bound_cidrs']);
  });
});
