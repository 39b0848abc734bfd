import { describe, expect, it } from 'vitest';
import { holdersOf, principalAccess } from '../../../src/core/access/access-query.js';
import type { Principal } from '../../../src/core/principal.js';
import { pathText } from '../../../src/render/access.js';

const texts = {
  reader: 'path "app/*" { capabilities = ["read", "list"] }',
  locked: 'path "app/secret" { capabilities = ["deny"] }',
};
const role: Principal = { address: 'auth/jwt/roles/ci', policies: ['reader'], defaultPolicy: false, bindings: {} };
const group: Principal = { address: 'identity/groups/locked', policies: ['locked'], defaultPolicy: false, bindings: {} };
// The role itself, and the same role when a login's claim makes it a member of the locked group.
const accesses = [principalAccess([role, group], role, texts), { ...principalAccess([role, group], { ...role, policies: ['reader', 'locked'] }, texts), condition: 'the login\'s groups claim holds "locked"' }];

describe('access --path as text', () => {
  it('counts as holders only the principals that hold it; a variant that loses it is named apart', () => {
    for (const op of [undefined, 'read']) {
      const text = pathText('app/secret', op, holdersOf(accesses, 'app/secret', op), {});
      const what = op ? 'read on app/secret' : 'any capability on app/secret';
      expect(text.split('\n')[0]).toBe(`1 principal of the config holds ${what}; 1 conditional variant of a principal loses it:`);
      expect(text).toContain('auth/jwt/roles/ci (if the login\'s groups claim holds "locked"): deny');
    }
  });

  it('says when no principal holds it', () => {
    expect(pathText('other/x', undefined, holdersOf(accesses, 'other/x'), {})).toBe('No principal of the config holds any capability on other/x.\n');
  });
});
