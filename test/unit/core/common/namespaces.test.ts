import { describe, expect, it } from 'vitest';
import { NAMESPACE_PATH, namespaceBelow, namespacePath } from '../../../../src/core/common/namespaces.js';

describe('namespace paths', () => {
  it('reads VAULT_NAMESPACE as the vault CLI does: slashes around ignored, root is the root', () => {
    expect(namespacePath(undefined)).toBe('');
    expect(namespacePath('root')).toBe('');
    expect(namespacePath('/team-a/apps/')).toBe('team-a/apps');
  });

  it('what a config manages below the login: itself, a child, or nothing outside it', () => {
    expect(namespaceBelow('', 'team-a/apps')).toBe('team-a/apps');
    expect(namespaceBelow('team-a', 'team-a')).toBe('');
    expect(namespaceBelow('team-a', 'team-a/apps')).toBe('apps');
    expect(namespaceBelow('team-a', 'team-ab')).toBeUndefined();
    expect(namespaceBelow('team-a/apps', 'team-a')).toBeUndefined();
  });

  it('accepts nested names and refuses what would address another path', () => {
    for (const ok of ['team-a', 'team_a/apps', 'a.b/c']) expect(NAMESPACE_PATH.test(ok), ok).toBe(true);
    for (const bad of ['', '/team-a', 'team-a/', 'a//b', '..', 'a/../b', 'a b', 'a/./b']) expect(NAMESPACE_PATH.test(bad), bad).toBe(false);
  });
});
