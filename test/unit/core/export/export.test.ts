// exportConfig: each kind's export value, placed where the kind's placement says, one file per section.
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { exportConfig } from '../../../../src/core/export/export.js';
import { KINDS } from '../../../../src/kinds/registry.js';
import { live } from '../../fixtures/objects.js';

const objs = [
  live('policy', 'policies/team/app', { policy: 'path "x" { capabilities = ["read"] }\n' }, { name: 'team/app', collection: 'policies' }),
  live('policy', 'policies/default', { policy: '# vault' }),
  live('auth-mount', 'auth/approle', { type: 'approle', description: '', local: false, 'tune.listing_visibility': 'hidden', 'tune.max_lease_ttl': 3600 }, { mount: 'approle' }),
  live('approle-role', 'auth/approle/roles/web', { token_policies: ['team/app', 'gone'], bind_secret_id: true, role_id: 'r-1', token_ttl: 60, token_type: 'default' }, { mount: 'approle' }),
  live('pki-role', 'secrets/team/pki/roles/web', { allowed_domains: ['example.com'], key_bits: 2048, ttl: 0 }, { mount: 'team/pki' }),
  live('pki-urls', 'secrets/team/pki/urls', { issuing_certificates: [], enable_templating: false }, { mount: 'team/pki' }),
];

describe('exportConfig', () => {
  it('writes each value at its placement, leaving defaults, generated ids and unknown policies out', () => {
    const warnings: string[] = [];
    const files = exportConfig(objs, KINDS, warnings);
    expect(Object.keys(files).sort()).toEqual(['auth.yaml', 'policies.yaml', 'policies/team/app.hcl', 'secrets.yaml']);
    expect(files['policies/team/app.hcl']).toBe('path "x" { capabilities = ["read"] }\n');
    expect(parse(files['policies.yaml']!)).toEqual({ policies: { 'team/app': { file: 'policies/team/app.hcl' } } });
    expect(parse(files['auth.yaml']!)).toEqual({ auth: { approle: { type: 'approle', tune: { max_lease_ttl: 3600 }, roles: { web: { token_ttl: 60 } } } } });
    // The pki mount was not exported: the roles' mount gets the placement's type; empty URLs are left out.
    expect(parse(files['secrets.yaml']!)).toEqual({ secrets: { 'team/pki': { type: 'pki', roles: { web: { allowed_domains: ['example.com'] } } } } });
    expect(warnings).toEqual(['auth/approle/roles/web: token_policies left out: it names gone, which does not exist in Vault']);
  });
});
