// JWT/OIDC auth configuration driven through the kind module on the real server: pinned keys read back
// with no diff; an OIDC mount discovers a local provider this test starts (its auth_url points there,
// and a JWT it signs logs in through the discovered JWKS); the client secret is never read back,
// shown or exported.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Config, Settings } from '../../../src/core/model.js';
import { exportJwtConfig, jwtConfigKind } from '../../../src/kinds/auth/jwt/jwt-config.js';
import { jwtRoleKind } from '../../../src/kinds/auth/jwt/jwt-role.js';
import { applyKinds, planKinds, readKinds, testConfig } from '../helpers/kind-plan.js';
import { signingKey, startOidcProvider, type OidcProvider } from '../helpers/oidc-provider.js';
import { freshMountPath, serverEnv, vaultClient } from '../helpers/server.js';
import { vaultRequest } from '../helpers/vault-http.js';

const vault = vaultClient();
const kinds = [jwtConfigKind, jwtRoleKind];
const clientSecret = `client-secret-${freshMountPath('s')}`;
const redirect = 'http://localhost:8250/oidc/callback';
let idp: OidcProvider;

function mountConfig(mount: string, type: 'jwt' | 'oidc', config: Settings, roles: Record<string, Settings> = {}): Config {
  return testConfig({ [mount]: { type, config, roles } });
}

beforeAll(async () => {
  idp = await startOidcProvider();
});
afterAll(async () => {
  await idp.close();
  vault.close();
});

describe('JWT/OIDC auth configuration (kind module)', () => {
  it('pinned RSA and EC keys, algorithms and issuer apply, then plan clean; export gives back what was declared', async () => {
    const mount = freshMountPath('jwt');
    await vault.write(`sys/auth/${mount}`, { type: 'jwt' });
    const declared = {
      jwt_validation_pubkeys: [signingKey('rsa').publicPem, signingKey('ec').publicPem],
      jwt_supported_algs: 'RS256,ES256',
      bound_issuer: 'https://issuer.example.test',
      default_role: 'ci',
      namespace_in_state: false,
    };
    const c = mountConfig(mount, 'jwt', declared);
    const first = await planKinds(vault, kinds, c);
    expect(first.changes.map((ch) => [ch.address, ch.action])).toEqual([[`auth/${mount}/config`, 'create']]);
    await applyKinds(vault, kinds, c, first);
    expect((await planKinds(vault, kinds, c)).summary).toEqual({ create: 0, update: 0, delete: 0, noop: 1 });

    const [live] = await readKinds(vault, [jwtConfigKind], c);
    expect(exportJwtConfig(live!.settings)).toEqual(jwtConfigKind.normalise(declared));

    const changed = mountConfig(mount, 'jwt', { ...declared, bound_issuer: 'https://other.example.test' });
    const plan = await planKinds(vault, kinds, changed);
    expect(plan.changes.map((ch) => [ch.action, ch.fields.map((f) => f.name), ch.security])).toEqual([['update', ['bound_issuer'], true]]);
    await applyKinds(vault, kinds, changed, plan);
    expect((await planKinds(vault, kinds, changed)).summary.update).toBe(0);

    // A field only the other server has fails the plan, naming it, before anything is written.
    const foreign = serverEnv().server === 'vault' ? ['override_allowed_server_names', 'OpenBao'] : ['unsupported_critical_cert_extensions', 'Vault'];
    const bad = mountConfig(mount, 'jwt', { ...declared, [foreign[0]!]: ['x'] });
    await expect(planKinds(vault, kinds, bad)).rejects.toThrow(`auth/${mount}/config: this server's jwt auth method has no \`${foreign[0]}\` (only ${foreign[1]} has it)`);

    // The config is part of the mount: gone from the config, it stays (and is never a delete).
    const removed = await planKinds(vault, kinds, testConfig({ [mount]: { type: 'jwt' } }, [`auth/${mount}`]));
    expect(removed.changes.filter((ch) => ch.action === 'delete')).toEqual([]);
  });

  it('an OIDC mount discovers the local provider and its auth_url points there; the client secret is masked and never comes back', async () => {
    const mount = freshMountPath('oidc');
    await vault.write(`sys/auth/${mount}`, { type: 'oidc' });
    await vault.write('sys/policies/acl/jwt-reader', { policy: 'path "secret/data/app/*" { capabilities = ["read"] }' });
    const declared = { oidc_discovery_url: idp.issuer, oidc_client_id: 'vault', oidc_client_secret: clientSecret, default_role: 'web', bound_issuer: idp.issuer };
    const roles = {
      web: { user_claim: 'email', allowed_redirect_uris: [redirect], oidc_scopes: ['email'], token_policies: ['jwt-reader'] },
      ci: { role_type: 'jwt', user_claim: 'sub', bound_audiences: ['vault'], token_policies: 'jwt-reader', token_ttl: '10m' },
    };
    const c = mountConfig(mount, 'oidc', declared, roles);
    const plan = await planKinds(vault, kinds, c);
    expect(plan.summary.create).toBe(3);
    const secretField = plan.changes.find((ch) => ch.address === `auth/${mount}/config`)?.fields.find((f) => f.name === 'oidc_client_secret');
    expect(secretField).toMatchObject({ after: '(sensitive)', sensitive: true });
    expect(JSON.stringify(plan)).not.toContain(clientSecret);
    await applyKinds(vault, kinds, c, plan);
    expect(idp.requests).toContain('/.well-known/openid-configuration');

    const again = await planKinds(vault, kinds, c);
    expect(again.summary).toEqual({ create: 0, update: 0, delete: 0, noop: 3 });
    const live = await readKinds(vault, kinds, c);
    expect(JSON.stringify(live)).not.toContain(clientSecret);
    const config = live.find((l) => l.address === `auth/${mount}/config`)!;
    expect(exportJwtConfig(config.settings)).toEqual({ oidc_discovery_url: idp.issuer, oidc_client_id: 'vault', default_role: 'web', bound_issuer: idp.issuer });

    const url = await vaultRequest('POST', `auth/${mount}/oidc/auth_url`, { role: 'web', redirect_uri: redirect }, { token: null });
    expect(url.status, JSON.stringify(url.json)).toBe(200);
    const authUrl = new URL(String(url.json.data.auth_url));
    expect(`${authUrl.origin}${authUrl.pathname}`).toBe(`${idp.issuer}/authorize`);
    expect(authUrl.searchParams.get('client_id')).toBe('vault');
    expect(authUrl.searchParams.get('redirect_uri')).toBe(redirect);
    expect(authUrl.searchParams.get('scope')?.split(' ')).toEqual(expect.arrayContaining(['openid', 'email']));

    // Only the secret changed: never compared (Vault cannot say what it holds), so no update.
    expect((await planKinds(vault, kinds, mountConfig(mount, 'oidc', { ...declared, oidc_client_secret: 'another' }, roles))).summary.update).toBe(0);
    await vault.delete(`sys/auth/${mount}`);
  });

  // With a client id and secret the plugin serves the browser flow only; a JWT mount discovers keys alone.
  it('a JWT mount with only a discovery URL validates a JWT the provider signs through the discovered JWKS', async () => {
    const mount = freshMountPath('jwt');
    await vault.write(`sys/auth/${mount}`, { type: 'jwt' });
    const c = mountConfig(mount, 'jwt', { oidc_discovery_url: idp.issuer, bound_issuer: idp.issuer }, {
      ci: { role_type: 'jwt', user_claim: 'sub', bound_audiences: ['vault'], token_policies: 'default,jwt-reader', token_ttl: '10m' },
    });
    await applyKinds(vault, kinds, c, await planKinds(vault, kinds, c));
    expect((await planKinds(vault, kinds, c)).summary).toEqual({ create: 0, update: 0, delete: 0, noop: 2 });

    const login = await vaultRequest('POST', `auth/${mount}/login`, { role: 'ci', jwt: idp.sign({ sub: 'pipeline', aud: 'vault' }) }, { token: null });
    expect(login.status, JSON.stringify(login.json.errors)).toBe(200);
    expect(login.json.auth.token_policies).toEqual(['default', 'jwt-reader']);
    expect(idp.requests).toContain('/jwks');
    const forged = signingKey('rsa', idp.key.kid).sign({ iss: idp.issuer, sub: 'pipeline', aud: 'vault' });
    expect((await vaultRequest('POST', `auth/${mount}/login`, { role: 'ci', jwt: forged }, { token: null })).status).toBe(400);
    await vault.delete(`sys/auth/${mount}`);
  });
});
