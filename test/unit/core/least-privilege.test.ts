import { describe, expect, it } from 'vitest';
import { accessRules, mergeRules, renderPolicy, stateAccess } from '../../../src/core/least-privilege.js';
import { parseStatePath } from '../../../src/core/state/state.js';
import { KINDS } from '../../../src/kinds/registry.js';
import { loadConfig } from '../../../src/core/check/load.js';
import { fileURLToPath } from 'node:url';

const examples = fileURLToPath(new URL('../../../config-examples/', import.meta.url));

describe('least-privilege rules', () => {
  it('merges rules per path and gives each rule what every broader glob matching it grants (Vault applies only the most specific)', () => {
    const merged = mergeRules([
      { path: 'auth/a/role/*', capabilities: ['read', 'list'] },
      { path: 'auth/a/role/web', capabilities: ['update'] },
      { path: 'auth/a/role/web', capabilities: ['create'] },
      { path: 'auth/a/role/*', capabilities: ['delete'] },
      { path: 'sys/auth', capabilities: ['read'] },
      { path: 'sys/auth/*', capabilities: ['sudo'] },
    ]);
    expect(merged).toEqual([
      { path: 'auth/a/role/*', capabilities: ['read', 'delete', 'list'] },
      { path: 'auth/a/role/web', capabilities: ['create', 'read', 'update', 'delete', 'list'] },
      { path: 'sys/auth', capabilities: ['read'] },
      { path: 'sys/auth/*', capabilities: ['sudo'] },
    ]);
  });

  it('plan mode has no write capability except the secret_id lookups; apply adds exactly the declared objects', () => {
    const { value: config, errors } = loadConfig([`${examples}base`, `${examples}environments/production`], KINDS, { env: {} });
    expect(errors).toEqual([]);
    const parts = [...KINDS.map((k) => k.access(config!)), stateAccess(parseStatePath('vault-gitops/state'))];
    const plan = accessRules(parts, 'plan');
    for (const r of plan) {
      const writes = r.capabilities.filter((c) => !['read', 'list'].includes(c));
      expect(writes, r.path).toEqual(/\/secret-id(-accessor)?\/lookup$/.test(r.path) ? ['update'] : []);
    }
    const apply = accessRules(parts, 'apply');
    const writable = apply.filter((r) => r.capabilities.includes('create')).map((r) => r.path);
    expect(writable).toContain('sys/policies/acl/ops-admin');
    expect(writable).toContain('auth/userpass/users/alice');
    expect(writable).toContain('vault-gitops/data/state');
    // The only glob: the state record's own parts (src/core/state/state-parts.ts), named by a random generation.
    expect(writable.filter((p) => p.endsWith('*'))).toEqual(['vault-gitops/data/state.parts/*']);
    expect(apply.find((r) => r.path === 'sys/auth/userpass')?.capabilities).toContain('sudo');
    expect(renderPolicy([{ path: 'a/"b"', capabilities: ['read'] }], ['hello'])).toBe('# hello\npath "a/\\"b\\"" {\n  capabilities = ["read"]\n}\n');
  });
});
