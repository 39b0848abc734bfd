import { describe, expect, it } from 'vitest';
import { desired, live, plan } from '../../fixtures/objects.js';
import { isPruned } from '../../../../src/core/plan/prune.js';



describe('planChanges', () => {
  it('creates what is missing, with every declared field as after', () => {
    const p = plan({ desired: [desired('approle-role', 'auth/approle/roles/web', { token_ttl: '1h', token_policies: ['web'] }, { mount: 'approle' })] });
    expect(p.summary).toEqual({ create: 1, update: 0, delete: 0, noop: 0 });
    const c = p.changes[0]!;
    expect(c.action).toBe('create');
    expect(c.fields).toEqual([
      { name: 'token_ttl', before: null, after: 3600, sensitive: false },
      { name: 'token_policies', before: null, after: ['web'], sensitive: false },
    ]);
    expect(c.security).toBe(true);
  });

  it('shows nothing when Vault matches after normalisation, and ignores undeclared live fields', () => {
    const p = plan({
      desired: [desired('userpass-user', 'auth/userpass/users/alice', { token_ttl: '1h', token_policies: ['b', 'a'] })],
      live: [live('userpass-user', 'auth/userpass/users/alice', { token_ttl: 3600, token_policies: ['a', 'b'], token_max_ttl: 0 })],
    });
    expect(p.summary).toEqual({ create: 0, update: 0, delete: 0, noop: 1 });
    expect(p.changes[0]!.reason).toBe('matches config');
  });

  it('reports only the differing fields, with a unified diff for policy text', () => {
    const p = plan({
      desired: [desired('policy', 'policies/web', { policy: 'path "a" {\n  capabilities = ["read"]\n}\n' })],
      live: [live('policy', 'policies/web', { policy: 'path "a" {\n  capabilities = ["list"]\n}\n' })],
    });
    const c = p.changes[0]!;
    expect(c.action).toBe('update');
    expect(c.fields).toHaveLength(1);
    expect(c.fields[0]!.diff).toContain('-  capabilities = ["list"]');
    expect(c.fields[0]!.diff).toContain('+  capabilities = ["read"]');
  });

  it('deletes undeclared objects only in pruned collections, never root/default, else reports them unmanaged', () => {
    const p = plan({
      desired: [desired('policy', 'policies/keep', { policy: 'x' })],
      live: [
        live('policy', 'policies/keep', { policy: 'x' }),
        live('policy', 'policies/old', { policy: 'y' }),
        live('policy', 'policies/default', { policy: 'z' }),
        live('approle-role', 'auth/approle/roles/stray', {}),
      ],
      prune: ['policies'],
    });
    expect(p.changes.map((c) => [c.action, c.address])).toEqual([
      ['delete', 'policies/old'],
      ['noop', 'policies/keep'],
    ]);
    expect(p.changes[0]!.reason).toBe('not in config; collection policies is pruned');
    expect(p.unmanaged).toEqual([{ address: 'auth/approle/roles/stray', kind: 'approle-role' }]);
  });

  it('orders mounts before the objects in them, and deletes first in reverse', () => {
    const p = plan({
      desired: [
        desired('approle-role', 'auth/approle/roles/web', {}, { mount: 'approle' }),
        desired('policy', 'policies/web', { policy: 'x' }),
        desired('auth-mount', 'auth/approle', { type: 'approle' }, { mount: 'approle' }),
      ],
      live: [live('pki-role', 'secrets/pki/roles/gone', {}), live('secrets-mount', 'secrets/old', { type: 'kv' })],
      prune: ['secrets', 'secrets/pki/roles'],
    });
    expect(p.changes.map((c) => c.address)).toEqual([
      'secrets/pki/roles/gone',
      'secrets/old',
      'auth/approle',
      'policies/web',
      'auth/approle/roles/web',
    ]);
  });

  it('masks sensitive fields and turns undelivered credentials into an update', () => {
    const p = plan({
      desired: [desired('userpass-user', 'auth/userpass/users/bob', { token_ttl: 60, password: 'hunter2' }, { credentials: { file: { path: 'bob.json' } } })],
      live: [live('userpass-user', 'auth/userpass/users/bob', { token_ttl: 60 })],
      credentials: { 'auth/userpass/users/bob': { state: 'missing', reason: 'missing → will issue new credentials' } },
      sinkLabels: { 'auth/userpass/users/bob': 'file bob.json' },
    });
    const c = p.changes[0]!;
    expect(c.action).toBe('update');
    expect(c.credentials).toEqual(['password → file bob.json (missing → will issue new credentials)']);
    expect(JSON.stringify(p)).not.toContain('hunter2');
  });

  it('is deterministic: the same input gives the same fingerprint', () => {
    const d = [desired('policy', 'policies/a', { policy: 'x' })];
    expect(plan({ desired: d }).config_fingerprint).toBe(plan({ desired: [...d] }).config_fingerprint);
    expect(plan({ desired: d }).config_fingerprint).not.toBe(plan({ desired: [desired('policy', 'policies/a', { policy: 'y' })] }).config_fingerprint);
  });
});

describe('isPruned', () => {
  it('matches collections exactly or with * segments', () => {
    expect(isPruned('auth/approle/roles', ['auth/*/roles'])).toBe(true);
    expect(isPruned('auth/approle/roles', ['auth/approle/users'])).toBe(false);
    expect(isPruned('policies', ['policies/'])).toBe(true);
    expect(isPruned('auth', ['auth/*/roles'])).toBe(false);
  });
});
