import { Type, type TSchema } from 'typebox';
import { duration, durationOrNone, object, stringList, stringMap, TOKEN_FIELDS } from '../../shared/fields.js';

const text = (description: string) => Type.String({ description });
const pem = (description: string) => Type.String({ description: `${description} (PEM).` });
const openBao = (d: string) => `OpenBao only: ${d}`;
const vaultOnly = (d: string) => `Vault only: ${d}`;

/** A leeway: seconds or a duration, or -1 for none at all; 0 keeps Vault's default. */
const leeway = (description: string): TSchema => durationOrNone(`${description} Seconds or a duration; -1 = none; 0 = the default.`);

/** `auth/MOUNT/config` of a jwt or oidc mount. */
export const jwtConfigSchema = object(
  {
    oidc_discovery_url: text('OIDC discovery URL (the issuer, without /.well-known/openid-configuration). One key source: this, jwks_url, jwks_pairs or jwt_validation_pubkeys.'),
    oidc_discovery_ca_pem: pem('CA certificate(s) for the discovery URL'),
    oidc_client_id: text('OAuth client id, for the browser (OIDC) flow.'),
    // Any scalar: a type error would print the value (a secret written in the YAML by mistake).
    oidc_client_secret: Type.Unsafe<string | number>({
      type: ['string', 'number'],
      description: 'OAuth client secret: write-only, never read back, shown or exported. Give it with ${var.oidc_client_secret} from a --var-file (a variable named like a secret).',
    }),
    oidc_response_mode: Type.String({ enum: ['query', 'form_post'], description: 'How the provider returns the authorization response.' }),
    oidc_response_types: stringList('Response types to request: code (default) and/or id_token.'),
    jwks_url: text('JWKS URL for validating JWTs.'),
    jwks_ca_pem: pem('CA certificate(s) for jwks_url'),
    jwks_pairs: Type.Array(object({ jwks_url: text('A JWKS URL.'), jwks_ca_pem: pem('Its CA certificate(s)') }, { required: ['jwks_url'] }), {
      description: vaultOnly('several JWKS URLs, each with its CA.'),
    }),
    jwt_validation_pubkeys: stringList('PEM public keys that validate JWTs (offline, no URL).'),
    jwt_supported_algs: stringList('Accepted signing algorithms (default RS256).'),
    bound_issuer: text('The `iss` claim a JWT must carry.'),
    default_role: text('The role used when a login names none.'),
    provider_config: Type.Unsafe<Record<string, unknown>>({ type: 'object', description: 'Provider-specific settings (azure, gsuite, ...).' }),
    namespace_in_state: Type.Boolean({ description: 'Put the namespace in the OIDC state, not the redirect URI (default true).' }),
    unsupported_critical_cert_extensions: stringList(vaultOnly('critical certificate extensions to accept on the JWKS/discovery TLS connection.')),
    override_allowed_server_names: stringList(openBao('server names accepted in the TLS certificate of the key source.')),
    skip_jwks_validation: Type.Boolean({ description: openBao('do not fetch the JWKS when the config is written (never read back, never compared).') }),
  },
  { description: 'jwt/oidc: auth/MOUNT/config.' },
);

const CLAIM_VALUE = ['string', 'number', 'boolean'];

/** `auth/MOUNT/role/NAME` of a jwt or oidc mount. */
export const jwtRoleSchema = object(
  {
    role_type: Type.String({ enum: ['oidc', 'jwt'], description: 'oidc (browser flow, the default) or jwt (a JWT given at login).' }),
    user_claim: text('The claim that names the user (the entity alias): sub, email, ...'),
    user_claim_json_pointer: Type.Boolean({ description: 'user_claim is a JSON pointer (/a/b) into nested claims.' }),
    groups_claim: text('The claim holding the groups (group aliases).'),
    bound_audiences: stringList('Accepted `aud` values (jwt roles need this or another bound constraint).'),
    bound_subject: text('The `sub` a JWT must carry.'),
    bound_claims: Type.Unsafe<Record<string, unknown>>({
      type: 'object',
      additionalProperties: { type: [...CLAIM_VALUE, 'array'], items: { type: CLAIM_VALUE }, 'x-error': 'must be a string or a list of strings per claim' },
      description: 'Claim → required value, or a list of accepted values (any matches). Globs with bound_claims_type: glob.',
    }),
    bound_claims_type: Type.String({ enum: ['string', 'glob'], description: 'How bound_claims values match (default string).' }),
    claim_mappings: stringMap({ type: 'string' }, { description: 'Claim → metadata key on the token and the entity alias.' }),
    allowed_redirect_uris: stringList('Redirect URIs of the browser flow (required for oidc roles).'),
    oidc_scopes: stringList('Extra OIDC scopes to request (openid is always requested).'),
    verbose_oidc_logging: Type.Boolean({ description: 'Log the received claims (debugging only: they reach the server log).' }),
    max_age: duration('Maximum time since the user authenticated at the provider.'),
    clock_skew_leeway: leeway('Leeway for iat/exp/nbf clock skew (default 60s).'),
    expiration_leeway: leeway('Leeway after exp (default 150s).'),
    not_before_leeway: leeway('Leeway before nbf (default 150s).'),
    callback_mode: Type.String({ enum: ['client', 'direct', 'device'], description: openBao('how the browser flow returns (default client).') }),
    poll_interval: Type.Integer({ minimum: 0, description: openBao('device flow poll interval in seconds (never compared).') }),
    oauth2_metadata: stringList(openBao('OAuth2 token fields to put in the alias metadata.')),
    token_policies_template_claims: Type.Boolean({ description: openBao('token_policies may use claim templates.') }),
    ...TOKEN_FIELDS,
  },
  { required: ['user_claim'], description: 'jwt/oidc: auth/MOUNT/role/NAME.' },
);
