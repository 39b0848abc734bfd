/**
 * A small OIDC identity provider for tests: a key pair made here, JWTs signed with it, and (once
 * started) a node:http server serving /.well-known/openid-configuration and the JWKS, so Vault can
 * discover the keys. Only what Vault's JWT/OIDC plugin reads; no login pages.
 *
 *   const idp = await startOidcProvider();       // issuer http://127.0.0.1:PORT
 *   idp.sign({ sub: 'alice', aud: 'vault' })     // RS256 JWT, iss/iat/nbf/exp filled in
 *   idp.close()
 *   const keys = signingKey('ec');               // no server: sign + publicPem for jwt_validation_pubkeys
 */
import { createSign, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface SigningKey {
  kid: string;
  alg: 'RS256' | 'ES256';
  publicPem: string;
  publicJwk: Record<string, unknown>;
  /** A JWT over the claims; iat/nbf/exp default to a token valid for five minutes. */
  sign(claims: Record<string, unknown>): string;
}

const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');

export function signingKey(type: 'rsa' | 'ec' = 'rsa', kid = `k-${type}`): SigningKey {
  const { privateKey, publicKey }: { privateKey: KeyObject; publicKey: KeyObject } =
    type === 'rsa' ? generateKeyPairSync('rsa', { modulusLength: 2048 }) : generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const alg = type === 'rsa' ? 'RS256' : 'ES256';
  return {
    kid,
    alg,
    publicPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    publicJwk: { ...publicKey.export({ format: 'jwk' }), kid, alg, use: 'sig' },
    sign(claims) {
      const now = Math.floor(Date.now() / 1000);
      const unsigned = `${b64({ alg, typ: 'JWT', kid })}.${b64({ iat: now, nbf: now - 5, exp: now + 300, ...claims })}`;
      // ES256 in a JWT is the raw r||s pair, not DER.
      const signature = createSign('SHA256').update(unsigned).sign(type === 'rsa' ? privateKey : { key: privateKey, dsaEncoding: 'ieee-p1363' });
      return `${unsigned}.${signature.toString('base64url')}`;
    },
  };
}

export interface OidcProvider {
  issuer: string;
  key: SigningKey;
  /** A JWT from this issuer (`iss` set). */
  sign(claims: Record<string, unknown>): string;
  /** Paths Vault asked for, in order. */
  requests: string[];
  close(): Promise<void>;
}

export async function startOidcProvider(): Promise<OidcProvider> {
  const key = signingKey('rsa');
  const requests: string[] = [];
  let issuer = '';
  const server = createServer((req, res) => {
    const path = (req.url ?? '').split('?')[0] ?? '';
    requests.push(path);
    const body =
      path === '/.well-known/openid-configuration'
        ? {
            issuer,
            authorization_endpoint: `${issuer}/authorize`,
            token_endpoint: `${issuer}/token`,
            jwks_uri: `${issuer}/jwks`,
            userinfo_endpoint: `${issuer}/userinfo`,
            response_types_supported: ['code', 'id_token'],
            subject_types_supported: ['public'],
            id_token_signing_alg_values_supported: ['RS256'],
          }
        : path === '/jwks'
          ? { keys: [key.publicJwk] }
          : undefined;
    res.writeHead(body ? 200 : 404, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body ?? { error: 'not found' }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    issuer,
    key,
    requests,
    sign: (claims) => key.sign({ iss: issuer, ...claims }),
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
