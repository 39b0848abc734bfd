import { describe, expect, it } from 'vitest';
import { pkiIntermediateCaKind as kind } from '../../../../src/kinds/pki/pki-intermediate-ca.js';
import type { LiveObject } from '../../../../src/core/model.js';

const live = (settings: Record<string, unknown>): LiveObject => ({ kind: 'pki-intermediate-ca', address: 'secrets/int/intermediate', collection: 'secrets/int', name: 'intermediate', mount: 'int', settings });

describe('pki intermediate CA', () => {
  it("compares subject, key (Vault's default bits filled in) and signer; signing parameters are not compared", () => {
    expect(kind.normalise({ signed_by: '/root/', common_name: 'I', ttl: '8760h', max_path_length: 0, organization: ['b', 'a'], alt_names: 'y.test, x.test' })).toEqual({
      common_name: 'I',
      signed_by: 'root',
      key_type: 'rsa',
      key_bits: 2048,
      organization: ['a', 'b'],
      alt_names: ['x.test', 'y.test'],
    });
    expect(kind.normalise({ signed_by: 'r', common_name: 'I', key_type: 'ec' }).key_bits).toBe(256);
    expect(kind.normalise({ signed_by: 'r', common_name: 'I', key_type: 'ed25519' }).key_bits).toBeUndefined();
    expect(kind.normalise({ signed_by: 'r', common_name: 'I', renew_before: '720h' }).renewal).toBe('not due');
  });

  it('exports what the certificate tells with its signer, without defaults; one signed elsewhere is not exported, with a warning', () => {
    const out = { files: {}, warnings: [] as string[] };
    expect(kind.export!(live({ common_name: 'I', signed_by: 'root', key_type: 'rsa', key_bits: 2048, alt_names: ['a.test'], ttl: '8760h' }), [], out)).toEqual({
      common_name: 'I',
      signed_by: 'root',
      alt_names: 'a.test',
      ttl: '8760h',
    });
    expect(kind.export!(live({ common_name: 'I', signed_by: 'root', key_type: 'ec', key_bits: 384 }), [], out)).toEqual({ common_name: 'I', signed_by: 'root', key_type: 'ec', key_bits: 384 });
    expect(kind.export!(live({ common_name: 'I', signed_by: '(a CA outside this config: CN=Corp Root)' }), [], out)).toBeUndefined();
    expect(out.warnings).toEqual(['secrets/int/intermediate: signed a CA outside this config: CN=Corp Root; not exported (declare it with signed_by: external and its certificate_file)']);
  });

  it('signed outside Vault: the certificate (its serial, or awaiting) is compared, the file paths are not', () => {
    const settings = { signed_by: 'external', common_name: 'I', csr_file: 'a.csr', certificate_file: 'a.pem', csr_path: '/x/a.csr', certificate_path: '/x/a.pem', certificate: 'serial 01' };
    expect(kind.normalise(settings)).toEqual({ common_name: 'I', signed_by: 'external', key_type: 'rsa', key_bits: 2048, certificate: 'serial 01' });
  });

  it('every re-sign replaces the issuing CA (destructive), and a CA is never deleted', () => {
    expect(kind.updateDestroyNote!(live({}), [{ name: 'renewal', before: null, after: null, sensitive: false }])).toContain('replaces the issuing CA of int/');
    expect(kind.deletable).toBe(false);
  });
});
