import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { pkiRootCaKind } from '../../../../src/kinds/pki/pki-root-ca.js';
import { rootCaSettings } from '../../../../src/kinds/pki/pki-root-ca-settings.js';
import { liveObject } from '../../../../src/kinds/shared/support.js';

// Made once by Vault 1.21.2 (root/generate/internal); public certificates, their keys were never kept.
const fixture = (name: string) => new X509Certificate(readFileSync(new URL(`../fixtures/${name}`, import.meta.url)));

describe('rootCaSettings: a CA certificate → the root/generate parameters that made it', () => {
  it('recovers subject, SANs, EC key size and ttl', () => {
    // common_name="Fixture Root CA" organization="Fixture Org" ou="Platform,Security" country=DE locality=Berlin
    // province=Berlin street_address="Main Street 1" postal_code=10115 alt_names="ca.example.com,pki@example.com"
    // ip_sans=10.0.0.1 uri_sans=spiffe://example.com/ca ttl=43800h key_type=ec key_bits=384
    expect(rootCaSettings(fixture('root-ca-ec384-subject-sans.pem'))).toEqual({
      common_name: 'Fixture Root CA',
      organization: ['Fixture Org'],
      ou: ['Platform', 'Security'],
      country: ['DE'],
      locality: ['Berlin'],
      province: ['Berlin'],
      street_address: ['Main Street 1'],
      postal_code: ['10115'],
      alt_names: 'ca.example.com,pki@example.com',
      ip_sans: ['10.0.0.1'],
      uri_sans: ['spiffe://example.com/ca'],
      key_type: 'ec',
      key_bits: 384,
      ttl: '43800h',
    });
  });

  it("leaves out Vault's defaults: RSA 2048, and the CN Vault adds to the SANs itself", () => {
    // common_name=plain.example.com, nothing else: RSA 2048 for the system max TTL (768h).
    expect(rootCaSettings(fixture('root-ca-vault-defaults.pem'))).toEqual({ common_name: 'plain.example.com', ttl: '768h' });
  });

  it('the kind exports all of it, and compares only common_name (no diff when re-planned on the source)', () => {
    const settings = rootCaSettings(fixture('root-ca-ec384-subject-sans.pem'));
    const live = liveObject('pki-root-ca', 'secrets/pki/root_ca', settings, 'pki');
    const exported = pkiRootCaKind.export?.(live, [live], { files: {}, warnings: [] });
    expect(exported).toEqual(settings);
    expect(pkiRootCaKind.normalise(exported ?? {})).toEqual({ common_name: 'Fixture Root CA' });
  });
});
