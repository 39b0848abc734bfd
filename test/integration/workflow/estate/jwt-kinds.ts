/**
 * The estate's JWT and OIDC parts: a jwt mount for CI (validation keys, a role with glob bound
 * claims) and an oidc mount for humans, configured through a small discovery endpoint this part
 * starts (Vault fetches it when the config is written, on the source and again on apply).
 */
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { mountSettings, wholeData, type EstatePart, type Json } from './part.js';

export const jwtAuth: EstatePart = {
  name: 'jwt mount, config and role',
  async make(api) {
    const { publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    await api('POST', 'sys/auth/jwt', { type: 'jwt', description: 'CI pipelines' });
    await api('POST', 'auth/jwt/config', {
      jwt_validation_pubkeys: [publicKey.export({ type: 'spki', format: 'pem' }).toString()],
      bound_issuer: 'https://ci.example.com',
      default_role: 'deploy',
    });
    await api('POST', 'auth/jwt/role/deploy', {
      role_type: 'jwt',
      user_claim: 'sub',
      bound_audiences: ['vault'],
      bound_subject: 'repo:seeds/app:ref:refs/heads/main',
      bound_claims_type: 'glob',
      bound_claims: { repository: 'seeds/*', environment: ['staging', 'production'] },
      claim_mappings: { repository: 'repo' },
      groups_claim: 'groups',
      token_policies: ['app-read'],
      token_ttl: '10m',
    });
    return {
      objects: [
        { kind: 'auth-mount', label: 'auth/jwt', read: 'sys/auth', compare: (b: Json) => mountSettings(b, 'jwt') },
        { kind: 'jwt-config', label: 'auth/jwt/config', read: 'auth/jwt/config', compare: wholeData },
        { kind: 'jwt-role', label: 'auth/jwt/roles/deploy', read: 'auth/jwt/role/deploy', compare: wholeData },
      ],
    };
  },
};

/** An OIDC discovery document at http://127.0.0.1:PORT (the issuer), with an empty key set. */
async function discoveryEndpoint(): Promise<{ issuer: string; close: () => Promise<void> }> {
  let issuer = '';
  const server = http.createServer((req, res) => {
    const doc =
      req.url === '/.well-known/openid-configuration'
        ? { issuer, authorization_endpoint: `${issuer}/authorize`, token_endpoint: `${issuer}/token`, jwks_uri: `${issuer}/keys`, id_token_signing_alg_values_supported: ['RS256'] }
        : req.url === '/keys'
          ? { keys: [] }
          : undefined;
    res.writeHead(doc ? 200 : 404, { 'Content-Type': 'application/json' });
    res.end(JSON.stringify(doc ?? {}));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { issuer, close: () => new Promise((r) => server.close(() => r())) };
}

export const oidcAuth: EstatePart = {
  name: 'oidc mount, config and role',
  async make(api) {
    const provider = await discoveryEndpoint();
    const clientSecret = `oidc-${randomBytes(12).toString('hex')}`;
    await api('POST', 'sys/auth/oidc', { type: 'oidc', description: 'humans', config: { listing_visibility: 'unauth' } });
    await api('POST', 'auth/oidc/config', { oidc_discovery_url: provider.issuer, oidc_client_id: 'vault', oidc_client_secret: clientSecret, default_role: 'humans' });
    await api('POST', 'auth/oidc/role/humans', {
      role_type: 'oidc',
      user_claim: 'email',
      groups_claim: 'groups',
      oidc_scopes: ['profile', 'email'],
      bound_claims: { hd: 'example.com' },
      allowed_redirect_uris: ['https://vault.example.com/ui/vault/auth/oidc/oidc/callback', 'http://localhost:8250/oidc/callback'],
      verbose_oidc_logging: false,
      token_policies: ['team/ops'],
      token_ttl: '8h',
    });
    return {
      // oidc_client_secret is write-only: Vault never returns it, so it cannot be exported or compared.
      secrets: [clientSecret],
      addToExport: [{ kind: 'jwt-config', path: ['auth', 'oidc', 'config', 'oidc_client_secret'], variable: 'oidc_client_secret', value: clientSecret }],
      cleanup: provider.close,
      objects: [
        { kind: 'auth-mount', label: 'auth/oidc', read: 'sys/auth', compare: (b: Json) => mountSettings(b, 'oidc') },
        { kind: 'jwt-config', label: 'auth/oidc/config', read: 'auth/oidc/config', compare: wholeData },
        { kind: 'jwt-role', label: 'auth/oidc/roles/humans', read: 'auth/oidc/role/humans', compare: wholeData },
      ],
    };
  },
};
