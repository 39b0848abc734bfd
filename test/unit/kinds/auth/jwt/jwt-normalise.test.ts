import { describe, expect, it } from 'vitest';
import { exportJwtConfig, normaliseJwtConfig } from '../../../../../src/kinds/auth/jwt/jwt-config.js';
import { normaliseJwtRole } from '../../../../../src/kinds/auth/jwt/jwt-role.js';
import { normaliseClaims, normaliseLeeway, normaliseSet } from '../../../../../src/kinds/auth/jwt/jwt-normalise.js';

describe('JWT/OIDC normalisation', () => {
  it('sets: comma strings split, members trimmed, de-duplicated and sorted; absent is empty', () => {
    expect(normaliseSet('vault, ci,vault')).toEqual(['ci', 'vault']);
    expect(normaliseSet(null)).toEqual([]);
    expect(normaliseSet([{ jwks_url: 'b', jwks_ca_pem: ' x\n' }, { jwks_url: 'a' }])).toEqual([{ jwks_ca_pem: 'x', jwks_url: 'b' }, { jwks_url: 'a' }]);
  });

  it('leeways: -1 stays -1, durations become seconds', () => {
    expect([normaliseLeeway(-1), normaliseLeeway('-1'), normaliseLeeway('2m'), normaliseLeeway(30)]).toEqual([-1, -1, 120, 30]);
  });

  it('bound_claims: lists are sets, single values stay as given; null is {}', () => {
    expect(normaliseClaims({ groups: ['b', 'a'], email: '*@x' })).toEqual({ email: '*@x', groups: ['a', 'b'] });
    expect(normaliseClaims(null)).toEqual({});
  });

  it('a role as declared and as Vault reads it back compare equal', () => {
    const declared = { bound_audiences: 'b,a', clock_skew_leeway: '1m', max_age: '1h', token_ttl: '20m', token_bound_cidrs: ['10.0.0.1/32'], claim_mappings: { b: 'y', a: 'x' } };
    const live = { bound_audiences: ['a', 'b'], clock_skew_leeway: 60, max_age: 3600, token_ttl: 1200, token_bound_cidrs: ['10.0.0.1'], claim_mappings: { a: 'x', b: 'y' } };
    expect(normaliseJwtRole(declared)).toEqual(normaliseJwtRole(live));
  });

  it('a config: PEMs trimmed, key order free, OpenBao status dropped; export leaves out secret and defaults', () => {
    const pem = '-----BEGIN PUBLIC KEY-----\nAAA\n-----END PUBLIC KEY-----';
    expect(normaliseJwtConfig({ jwt_validation_pubkeys: [`${pem}\n`], oidc_discovery_ca_pem: `${pem}\n`, status: 'valid' })).toEqual({
      jwt_validation_pubkeys: [pem],
      oidc_discovery_ca_pem: pem,
    });
    expect(exportJwtConfig({ oidc_client_secret: 's', namespace_in_state: true, jwks_url: '', provider_config: {}, bound_issuer: 'i' })).toEqual({ bound_issuer: 'i' });
    expect(exportJwtConfig({ namespace_in_state: false })).toEqual({ namespace_in_state: false });
  });
});
