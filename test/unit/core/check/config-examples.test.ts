import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../../src/core/check/load.js';
import { KINDS } from '../../../../src/kinds/registry.js';
import { objectsOf } from '../load-files.js';

const root = (p: string) => fileURLToPath(new URL(`../../../../config-examples/${p}`, import.meta.url));

describe('config-examples', () => {
  it.each(['staging', 'production'])('base + %s loads with zero errors and zero warnings', (env) => {
    const r = loadConfig([root('base'), root(`environments/${env}`)], KINDS, { env: {} });
    expect(r.errors).toEqual([]);
    expect(r.warnings).toEqual([]);
    const c = r.value!;
    expect(Object.keys(c.policies).sort()).toEqual(
      ['engineer-read-only', 'ops-admin', `orders-${env}`, `payments-${env}`, `search-${env}`].sort(),
    );
    expect(Object.keys(objectsOf(c, 'userpass-user', 'userpass'))).toEqual(['alice', 'bob', 'carol']);
    expect(Object.keys(objectsOf(c, 'approle-role', 'approle')).sort()).toEqual([`orders-${env}`, `payments-${env}`, `search-${env}`]);
    // One object per delivery format (docs/credentials.md: Credential formats).
    const files = Object.fromEntries(Object.entries(objectsOf(c, 'approle-role', 'approle')).map(([name, role]) => [name, role.credentials?.file]));
    expect(files).toEqual({
      [`payments-${env}`]: { path: `out/${env}/payments.json` },
      [`orders-${env}`]: { path: `out/${env}/orders`, format: 'vault-agent' },
      [`search-${env}`]: { path: `out/${env}/search.env`, format: 'env' },
    });
    expect(objectsOf(c, 'userpass-user', 'userpass').bob!.credentials?.file).toEqual({ path: 'out/users/bob-sidekick.json', format: 'vault-sidekick' });
    expect(Object.keys(objectsOf(c, 'pki-role', 'pki'))).toEqual(['internal-services', 'internal-clients']);
    expect(objectsOf(c, 'pki-urls', 'pki').urls!.settings.issuing_certificates).toEqual([`https://vault.${env}.example.com/v1/pki/ca`]);
    expect(c.prune).toEqual(['policies', 'auth/approle/roles']);
    // Every kind turns it into desired objects without complaint.
    const desired = KINDS.flatMap((k) => k.desired(c));
    expect(desired.length).toBeGreaterThan(15);
    for (const d of desired) expect(d.source, d.address).toBeDefined();
  });

  it('base alone is valid too', () => {
    const r = loadConfig([root('base')], KINDS, { env: {} });
    expect(r.errors).toEqual([]);
    expect(objectsOf(r.value!, 'userpass-user', 'userpass').carol!.credentials).toEqual({
      file: { path: 'out/users/carol.json', mode: 0o600 },
      password: { length: 40, symbols: false },
    });
  });

  it('production overrides single fields of base', () => {
    const r = loadConfig([root('base'), root('environments/production')], KINDS, { env: {} });
    const bob = objectsOf(r.value!, 'userpass-user', 'userpass').bob!;
    expect(bob.settings).toEqual({ token_policies: ['engineer-read-only'], token_ttl: '30m', token_max_ttl: '8h' });
    expect(r.value!.auth.approle!.tune).toEqual({ default_lease_ttl: '1h', max_lease_ttl: '12h' });
  });
});
