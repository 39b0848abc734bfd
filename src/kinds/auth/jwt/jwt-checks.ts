import type { CheckContext, Kind } from '../../kind.js';
import { checkSecretTransport, placedEntries } from '../../shared/support.js';

const KEY_SOURCES = ['oidc_discovery_url', 'jwks_url', 'jwks_pairs', 'jwt_validation_pubkeys'];
const BOUND = ['bound_audiences', 'bound_subject', 'bound_claims', 'token_bound_cidrs'];

function isSet(v: unknown): boolean {
  if (v === undefined || v === null || v === '') return false;
  if (Array.isArray(v)) return v.length > 0;
  return typeof v !== 'object' || Object.keys(v).length > 0;
}

/** What Vault refuses when the config is written, found offline: one key source; an OIDC client needs discovery. */
export function checkJwtConfigs(ctx: CheckContext, kind: Kind): void {
  for (const e of placedEntries(ctx.config, kind)) {
    if (ctx.broken(e.path)) continue;
    const sources = KEY_SOURCES.filter((k) => isSet(e.value[k]));
    if (sources.length !== 1) {
      ctx.error(
        sources.length === 0 ? e.path : [...e.path, sources[1]!],
        sources.length === 0 ? 'a jwt/oidc config needs a key source' : `a jwt/oidc config takes one key source, not ${sources.join(' and ')}`,
        `set exactly one of ${KEY_SOURCES.join(', ')}`,
        'key',
      );
    }
    const keys = 'the keys that verify every login (anyone on the way could put in their own and sign any token)';
    const secret = 'the client secret (sent to the token endpoint the discovery document names)';
    checkSecretTransport(ctx, [...e.path, 'oidc_discovery_url'], e.value.oidc_discovery_url, isSet(e.value.oidc_client_secret) ? secret : keys);
    checkSecretTransport(ctx, [...e.path, 'jwks_url'], e.value.jwks_url, keys);
    const pairs: unknown[] = Array.isArray(e.value.jwks_pairs) ? e.value.jwks_pairs : [];
    pairs.forEach((p, i) => checkSecretTransport(ctx, [...e.path, 'jwks_pairs', String(i), 'jwks_url'], (p as { jwks_url?: unknown } | null)?.jwks_url, keys));
    for (const field of ['oidc_client_id', 'oidc_client_secret']) {
      if (isSet(e.value[field]) && !isSet(e.value.oidc_discovery_url)) {
        ctx.error([...e.path, field], `${field} is for the browser (OIDC) flow, which needs oidc_discovery_url`, 'set oidc_discovery_url, or remove the OIDC client', 'key');
      }
    }
  }
}

/** What Vault refuses when a role is written: oidc roles need redirect URIs, jwt roles a bound constraint. */
export function checkJwtRoles(ctx: CheckContext, kind: Kind): void {
  for (const e of placedEntries(ctx.config, kind)) {
    if (ctx.broken(e.path)) continue;
    const type = e.value.role_type ?? 'oidc';
    if (type === 'oidc' && !isSet(e.value.allowed_redirect_uris)) {
      ctx.error(e.path, 'an oidc role (the default role_type) needs allowed_redirect_uris', 'list the redirect URIs of the Vault UI and CLI, or set role_type: jwt', 'key');
    }
    if (type === 'jwt' && !BOUND.some((k) => isSet(e.value[k]))) {
      ctx.error(e.path, 'a jwt role needs at least one bound constraint', `set one of ${BOUND.join(', ')}: without one, any JWT the keys validate logs in`, 'key');
    }
    checkClaimMappings(ctx, e.path, e.value.claim_mappings);
    if (e.value.bound_claims_type === 'glob') checkGlobClaims(ctx, [...e.path, 'bound_claims'], e.value.bound_claims);
  }
}

/** Vault refuses two claims mapped to one metadata key, and `role` (it names the role on every alias). */
function checkClaimMappings(ctx: CheckContext, path: readonly string[], mappings: unknown): void {
  if (typeof mappings !== 'object' || mappings === null) return;
  const first = new Map<string, string>();
  for (const [claim, key] of Object.entries(mappings)) {
    if (typeof key !== 'string' || ctx.broken([...path, 'claim_mappings', claim])) continue;
    const at = [...path, 'claim_mappings', claim];
    if (key === 'role') ctx.error(at, 'the metadata key `role` is reserved (it names the role the login used)', 'map the claim to another metadata key');
    const earlier = first.get(key);
    if (earlier !== undefined) ctx.error(at, `claims ${earlier} and ${claim} are both mapped to the metadata key ${key}: Vault refuses that`, 'map each claim to its own metadata key');
    else first.set(key, claim);
  }
}

/** Glob matching compares strings: with bound_claims_type glob, Vault refuses any other value. */
function checkGlobClaims(ctx: CheckContext, path: readonly string[], claims: unknown): void {
  if (typeof claims !== 'object' || claims === null) return;
  for (const [claim, value] of Object.entries(claims)) {
    const at = [...path, claim];
    if (ctx.broken(at)) continue;
    const values: unknown[] = Array.isArray(value) ? value : [value];
    if (values.some((v) => typeof v !== 'string')) ctx.error(at, 'with bound_claims_type: glob, a claim takes a string or a list of strings', 'quote the value (`"1"`), or use bound_claims_type: string');
  }
}
