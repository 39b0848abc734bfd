// What `policy-for` grants a platform config for its namespaces: listing and deleting at each depth
// down to the deepest declared one (a removed namespace and its children), PATCH on each declared one.
import { describe, expect, it } from 'vitest';
import { namespaceKind } from '../../../../src/kinds/sys/namespace.js';
import { loadFiles } from '../../core/load-files.js';

describe('namespace access', () => {
  it('lists and deletes at each depth down to the deepest declared namespace; reads, writes and patches the declared ones', () => {
    const r = loadFiles({ 'vault.yaml': 'namespaces:\n  a: {}\n  a/b: {}\n' });
    expect(r.errors).toEqual([]);
    expect(namespaceKind.access(r.value!)).toEqual({
      plan: ['sys/namespaces', '+/sys/namespaces', '+/+/sys/namespaces'].map((path) => ({ path, capabilities: ['list'] })),
      apply: [
        { path: 'sys/namespaces/a', capabilities: ['create', 'update', 'patch', 'read'] },
        { path: 'a/sys/namespaces/b', capabilities: ['create', 'update', 'patch', 'read'] },
        ...['sys/namespaces/*', '+/sys/namespaces/*', '+/+/sys/namespaces/*'].map((path) => ({ path, capabilities: ['read', 'delete'] })),
      ],
    });
  });

  it('asks nothing of a config without namespaces', () => {
    const r = loadFiles({ 'vault.yaml': 'policies:\n  p: { policy: \'path "a/*" { capabilities = ["read"] }\' }\n' });
    expect(namespaceKind.access(r.value!)).toEqual({ plan: [], apply: [] });
  });
});
