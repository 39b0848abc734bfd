// placedEntries: a kind's objects found where its placement says, with addresses and config paths.
import { describe, expect, it } from 'vitest';
import { loadFiles } from '../../core/load-files.js';
import { KINDS } from '../../../../src/kinds/registry.js';
import { placedEntries } from '../../../../src/kinds/shared/support.js';

const kind = (name: string) => KINDS.find((k) => k.name === name)!;

describe('placedEntries', () => {
  const { value: config } = loadFiles({
    'c.yaml': [
      'policies:',
      '  team/app: { policy: "path \\"x\\" { capabilities = [\\"read\\"] }" }',
      'secrets:',
      '  team/pki:',
      '    type: pki',
      '    urls: { issuing_certificates: [http://x] }',
      '    roles:',
      '      web: { ttl: 1h }',
      '      bare:',
      '  kv: { type: kv }',
    ].join('\n'),
  });

  it('root maps: a name may hold `/`, the collection is the key', () => {
    expect(placedEntries(config!, kind('policy'))).toEqual([
      expect.objectContaining({ name: 'team/app', address: 'policies/team/app', collection: 'policies', path: ['policies', 'team/app'] }),
    ]);
  });

  it('maps in mounts of the placement types only; a bare name is an empty object', () => {
    expect(placedEntries(config!, kind('pki-role'))).toEqual([
      { mount: 'team/pki', name: 'web', value: { ttl: '1h' }, path: ['secrets', 'team/pki', 'roles', 'web'], address: 'secrets/team/pki/roles/web', collection: 'secrets/team/pki/roles' },
      { mount: 'team/pki', name: 'bare', value: {}, path: ['secrets', 'team/pki', 'roles', 'bare'], address: 'secrets/team/pki/roles/bare', collection: 'secrets/team/pki/roles' },
    ]);
  });

  it('single objects in a mount are named by their key', () => {
    expect(placedEntries(config!, kind('pki-urls'))).toEqual([
      expect.objectContaining({ mount: 'team/pki', name: 'urls', address: 'secrets/team/pki/urls', collection: 'secrets/team/pki' }),
    ]);
    expect(placedEntries(config!, kind('pki-root-ca'))).toEqual([]);
  });

  it('desired objects carry the source position of their key', () => {
    const [role] = kind('pki-role').desired(config!);
    expect(role?.source).toMatchObject({ line: 8, col: 7 });
  });
});

describe('secrets never sent over plain http', () => {
  it('a reviewer JWT, an OIDC client secret, GitHub logins or JWT keys aimed at http:// fail at the URL; the same host passes', () => {
    const yaml = [
      'policies:',
      '  p: { policy: \'path "a/*" { capabilities = ["read"] }\' }',
      'auth:',
      '  k8s:',
      '    type: kubernetes',
      '    config: { kubernetes_host: "http://k8s.example.com:6443", kubernetes_ca_cert: x, token_reviewer_jwt: "${var.reviewer_jwt}" }',
      '  k8s-local:',
      '    type: kubernetes',
      '    config: { kubernetes_host: "http://127.0.0.1:6443", kubernetes_ca_cert: x, token_reviewer_jwt: "${var.reviewer_jwt}" }',
      '  gh:',
      '    type: github',
      '    config: { organization: acme, organization_id: 1, base_url: "HTTP://ghe.example.com/api/v3/" }',
      '  oidc:',
      '    type: oidc',
      '    config: { oidc_discovery_url: "http://idp.example.com", oidc_client_id: v, oidc_client_secret: "${var.oidc_client_secret}" }',
      '  jwt:',
      '    type: jwt',
      '    config: { oidc_discovery_url: "http://idp.example.com" }',
      '  jwks:',
      '    type: jwt',
      '    config: { jwks_url: "http://keys.example.com/jwks.json" }',
      '  pairs:',
      '    type: jwt',
      '    config: { jwks_pairs: [{ jwks_url: "https://a.example.com/k" }, { jwks_url: "http://b.example.com/k" }] }',
      '  jwt-local:',
      '    type: jwt',
      '    config: { jwks_url: "http://localhost:8080/jwks.json" }',
    ].join('\n');
    const r = loadFiles({ 'c.yaml': yaml }, { vars: { reviewer_jwt: 'eyJ-reviewer-secret', oidc_client_secret: 'client-secret-value' } });
    expect(r.errors.map((e) => `${e.pos?.line}:${e.pos?.col} ${e.path}: ${e.message}`)).toEqual([
      '6:32 auth.k8s.config.kubernetes_host: "http://k8s.example.com:6443" is plain http: the reviewer JWT Vault sends with every TokenReview would cross the network unencrypted',
      '12:65 auth.gh.config.base_url: "HTTP://ghe.example.com/api/v3/" is plain http: the GitHub token of every user who logs in would cross the network unencrypted',
      '15:35 auth.oidc.config.oidc_discovery_url: "http://idp.example.com" is plain http: the client secret (sent to the token endpoint the discovery document names) would cross the network unencrypted',
      '18:35 auth.jwt.config.oidc_discovery_url: "http://idp.example.com" is plain http: the keys that verify every login (anyone on the way could put in their own and sign any token) would cross the network unencrypted',
      '21:25 auth.jwks.config.jwks_url: "http://keys.example.com/jwks.json" is plain http: the keys that verify every login (anyone on the way could put in their own and sign any token) would cross the network unencrypted',
      '24:81 auth.pairs.config.jwks_pairs.1.jwks_url: "http://b.example.com/k" is plain http: the keys that verify every login (anyone on the way could put in their own and sign any token) would cross the network unencrypted',
    ]);
    expect(JSON.stringify(r.errors)).not.toMatch(/eyJ-reviewer-secret|client-secret-value/);
  });
});

describe('a key URL from a variable', () => {
  it('is refused over http by its reference; the value is never shown', () => {
    const yaml = ['auth:', '  jwt:', '    type: jwt', '    config: { jwks_url: "${var.jwks_url}" }'].join('\n');
    const r = loadFiles({ 'c.yaml': yaml }, { vars: { jwks_url: 'http://attacker-chosen.example.net/keys' } });
    expect(r.errors.map((e) => e.message)).toEqual([expect.stringMatching(/^the value of \$\{var\.jwks_url\} is plain http: the keys that verify every login/)]);
    expect(JSON.stringify(r.errors)).not.toContain('attacker-chosen');
  });
});
