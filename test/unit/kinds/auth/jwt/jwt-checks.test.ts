// What Vault refuses when a JWT/OIDC config or role is written, found offline at file:line:col.
import { describe, expect, it } from 'vitest';
import { loadFiles } from '../../../core/load-files.js';

const lines = (...l: string[]) => l.join('\n');
const errors = (yaml: string) => loadFiles({ 'c.yaml': yaml }).errors.map((e) => [e.pos?.line, e.path, e.message]);

describe('JWT/OIDC checks', () => {
  it('a valid config and roles load with no errors', () => {
    const yaml = lines(
      'policies:',
      '  deploy: { policy: \'path "a" { capabilities = ["read"] }\' }',
      'auth:',
      '  ci:',
      '    type: jwt',
      '    config: { jwks_url: "https://issuer/jwks", bound_issuer: "https://issuer" }',
      '    roles:',
      '      deploy: { role_type: jwt, user_claim: sub, bound_claims_type: glob, bound_claims: { repo: [acme/*], n: "1" }, clock_skew_leeway: -1, token_policies: [deploy] }',
      '  sso:',
      '    type: oidc',
      '    config: { oidc_discovery_url: "https://issuer", oidc_client_id: vault, oidc_client_secret: "${var.secret}" }',
      '    roles:',
      '      human: { user_claim: email, allowed_redirect_uris: [http://localhost:8250/oidc/callback], max_age: 12h }',
    );
    const r = loadFiles({ 'c.yaml': yaml }, { vars: { secret: 'x' } });
    expect(r.errors).toEqual([]);
  });

  it('a config needs exactly one key source; an OIDC client needs discovery', () => {
    expect(errors(lines('auth:', '  ci:', '    type: jwt', '    config: { bound_issuer: x }'))).toEqual([
      [4, 'auth.ci.config', 'a jwt/oidc config needs a key source'],
    ]);
    expect(errors(lines('auth:', '  ci:', '    type: jwt', '    config:', '      jwks_url: https://a', '      jwt_validation_pubkeys: [k]', '      oidc_client_id: vault'))).toEqual([
      [6, 'auth.ci.config.jwt_validation_pubkeys', 'a jwt/oidc config takes one key source, not jwks_url and jwt_validation_pubkeys'],
      [7, 'auth.ci.config.oidc_client_id', 'oidc_client_id is for the browser (OIDC) flow, which needs oidc_discovery_url'],
    ]);
  });

  it('oidc roles need redirect URIs, jwt roles a bound constraint, every role a user_claim', () => {
    const yaml = lines('auth:', '  ci:', '    type: jwt', '    roles:', '      web: { user_claim: email }', '      open: { role_type: jwt, user_claim: sub }', '      nouser: { role_type: jwt, bound_subject: x }');
    const found = errors(yaml);
    expect(found).toContainEqual([5, 'auth.ci.roles.web', 'an oidc role (the default role_type) needs allowed_redirect_uris']);
    expect(found).toContainEqual([6, 'auth.ci.roles.open', 'a jwt role needs at least one bound constraint']);
    expect(found.some(([line, path]) => line === 7 && String(path).startsWith('auth.ci.roles.nouser'))).toBe(true);
  });

  it('schema: unknown fields, bad enums and bad leeways are errors at their place', () => {
    const yaml = lines('auth:', '  ci:', '    type: oidc', '    roles:', '      r: { role_type: jwt, user_claim: sub, bound_subject: s, bound_claims_type: regex, expiration_leeway: -5, bound_audience: x }');
    expect(errors(yaml)).toEqual([
      [5, 'auth.ci.roles.r.bound_claims_type', 'must be one of "string", "glob", got the string "regex"'],
      [5, 'auth.ci.roles.r.expiration_leeway', 'invalid duration -5'],
      [5, 'auth.ci.roles.r', '`bound_audience`: unknown field, did you mean `bound_audiences`?'],
    ]);
  });

  it('rules Vault applies across a role\'s entries: one claim per metadata key, `role` reserved, glob claims are strings', () => {
    const yaml = lines(
      'auth:',
      '  ci:',
      '    type: jwt',
      '    roles:',
      '      r:',
      '        role_type: jwt',
      '        user_claim: sub',
      '        bound_claims_type: glob',
      '        bound_claims: { repo: "acme/*", n: [1, "2"] }',
      '        claim_mappings: { email: mail, upn: mail, repository: role }',
    );
    expect(errors(yaml)).toEqual([
      [9, 'auth.ci.roles.r.bound_claims.n', 'with bound_claims_type: glob, a claim takes a string or a list of strings'],
      [10, 'auth.ci.roles.r.claim_mappings.upn', 'claims email and upn are both mapped to the metadata key mail: Vault refuses that'],
      [10, 'auth.ci.roles.r.claim_mappings.repository', 'the metadata key `role` is reserved (it names the role the login used)'],
    ]);
  });

  it('a bound claim given as a mapping says what a claim takes', () => {
    const yaml = lines('auth:', '  ci:', '    type: jwt', '    roles:', '      r: { role_type: jwt, user_claim: sub, bound_claims: { repo: { name: x } } }');
    expect(errors(yaml)).toEqual([[5, 'auth.ci.roles.r.bound_claims.repo', 'must be a string or a list of strings per claim, got a mapping']]);
  });

  it('token_policies must name declared policies', () => {
    const yaml = lines('auth:', '  ci:', '    type: jwt', '    roles:', '      r: { role_type: jwt, user_claim: sub, bound_subject: s, token_policies: [nope] }');
    expect(errors(yaml).map(([, path]) => path)).toContain('auth.ci.roles.r.token_policies');
  });
});
