// JWT/OIDC roles driven through the kind module on the real server: a role with every kind of field
// (sets, durations, -1 leeways, glob bound claims, claim mappings, token_*) reads back with no diff;
// updates and deletes land; and a JWT signed with a key this test makes logs in through the role.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Config, Settings } from '../../../src/core/model.js';
import { jwtConfigKind } from '../../../src/kinds/auth/jwt/jwt-config.js';
import { exportJwtRole, jwtRoleKind } from '../../../src/kinds/auth/jwt/jwt-role.js';
import { applyKinds, planKinds, readKinds, testConfig } from '../helpers/kind-plan.js';
import { signingKey } from '../helpers/oidc-provider.js';
import { freshMountPath, vaultClient } from '../helpers/server.js';
import { vaultRequest } from '../helpers/vault-http.js';

const vault = vaultClient();
const mount = freshMountPath('jwt');
const kinds = [jwtConfigKind, jwtRoleKind];
const key = signingKey('ec');
const issuer = 'https://ci.example.test';

const ci: Settings = {
  role_type: 'jwt',
  user_claim: 'sub',
  groups_claim: 'groups',
  bound_audiences: 'vault, ci',
  bound_subject: 'repo:acme/app:ref:refs/heads/main',
  bound_claims_type: 'glob',
  bound_claims: { repository: 'acme/*', environment: ['prod', 'staging'] },
  claim_mappings: { repository: 'repo', actor: 'who' },
  clock_skew_leeway: '1m',
  expiration_leeway: -1,
  not_before_leeway: '30s',
  token_policies: ['deploy', 'default', 'audit-read'],
  token_ttl: '20m',
  token_max_ttl: '1h',
  token_bound_cidrs: ['127.0.0.1/32', '10.0.0.0/8'],
  token_type: 'service',
};
const human: Settings = {
  user_claim: 'email',
  allowed_redirect_uris: ['https://vault.example.test/ui/vault/auth/oidc/oidc/callback', 'http://localhost:8250/oidc/callback'],
  oidc_scopes: 'profile,email',
  verbose_oidc_logging: true,
  max_age: '12h',
  token_policies: 'reader',
};

function config(roles: Record<string, Settings>): Config {
  const declared = { bound_issuer: issuer, jwt_validation_pubkeys: [key.publicPem], jwt_supported_algs: ['ES256'] };
  return testConfig({ [mount]: { type: 'jwt', config: declared, roles } });
}

async function login(role: string, claims: Record<string, unknown>): Promise<{ status: number; json: { auth?: { token_policies?: string[]; policies?: string[] }; errors?: string[] } }> {
  return vaultRequest('POST', `auth/${mount}/login`, { role, jwt: key.sign({ iss: issuer, ...claims }) }, { token: null });
}

beforeAll(async () => {
  await vault.write(`sys/auth/${mount}`, { type: 'jwt' });
});
afterAll(async () => {
  await vault.delete(`sys/auth/${mount}`);
  vault.close();
});

describe('JWT/OIDC roles (kind module)', () => {
  it('applies roles with every field shape, and the next plan shows no changes', async () => {
    const c = config({ ci, human });
    const first = await planKinds(vault, kinds, c);
    expect(first.summary).toEqual({ create: 3, update: 0, delete: 0, noop: 0 });
    await applyKinds(vault, kinds, c, first);

    const again = await planKinds(vault, kinds, c);
    expect(again.changes.filter((ch) => ch.action !== 'noop')).toEqual([]);
    expect(again.summary.noop).toBe(3);

    const live = (await readKinds(vault, [jwtRoleKind], c)).find((l) => l.name === 'ci')!;
    expect(live.settings).toMatchObject({ clock_skew_leeway: 60, expiration_leeway: -1, not_before_leeway: 30, token_ttl: 1200, bound_audiences: ['ci', 'vault'] });
  });

  it('a JWT signed with the key in jwt_validation_pubkeys logs in through the role and gets its policies', async () => {
    const claims = { sub: 'repo:acme/app:ref:refs/heads/main', aud: 'ci', repository: 'acme/app', environment: 'prod', actor: 'octo', groups: ['dev'] };
    const ok = await login('ci', claims);
    expect(ok.status, JSON.stringify(ok.json.errors)).toBe(200);
    expect(ok.json.auth?.token_policies?.slice().sort()).toEqual(['audit-read', 'default', 'deploy']);

    // The glob bound claim refuses another org's repository; the bound subject another branch.
    expect((await login('ci', { ...claims, repository: 'evil/app' })).status).toBe(400);
    expect((await login('ci', { ...claims, sub: 'repo:acme/app:ref:refs/heads/dev' })).status).toBe(400);
  });

  it('a changed field is one update; after it the plan is clean again', async () => {
    const changed = { ...ci, bound_claims: { repository: 'acme/app', environment: ['prod'] }, token_ttl: '30m' };
    const c = config({ ci: changed, human });
    const plan = await planKinds(vault, kinds, c);
    const update = plan.changes.filter((ch) => ch.action === 'update');
    expect(update.map((ch) => [ch.address, ch.fields.map((f) => f.name).sort()])).toEqual([[`auth/${mount}/roles/ci`, ['bound_claims', 'token_ttl']]]);
    expect(update[0]?.security).toBe(true);
    await applyKinds(vault, kinds, c, plan);
    expect((await planKinds(vault, kinds, c)).summary.update).toBe(0);
  });

  it('export keeps what was set and drops Vault defaults; the exported role plans clean', async () => {
    const c = config({ ci, human });
    await applyKinds(vault, kinds, c, await planKinds(vault, kinds, c));
    const live = await readKinds(vault, [jwtRoleKind], c);
    const policies = ['deploy', 'audit-read'].map((name) => ({ kind: 'policy' as const, address: `policies/${name}`, collection: 'policies', name, settings: {} }));
    const out = { files: {}, warnings: [] as string[] };
    const exported = exportJwtRole(live.find((l) => l.name === 'human')!, [...live, ...policies], out);
    // `reader` is not a live policy: a config may not name it, so it is left out, with a warning.
    expect(out.warnings).toEqual([`auth/${mount}/roles/human: token_policies left out: it names reader, which does not exist in Vault`]);
    expect(exported).toEqual({
      role_type: 'oidc',
      user_claim: 'email',
      allowed_redirect_uris: ['http://localhost:8250/oidc/callback', 'https://vault.example.test/ui/vault/auth/oidc/oidc/callback'],
      oidc_scopes: ['email', 'profile'],
      verbose_oidc_logging: true,
      max_age: 43200,
    });
    const roundTrip = Object.fromEntries(live.map((l) => [l.name, exportJwtRole(l, [...live, ...policies], out)]));
    expect((await planKinds(vault, [jwtRoleKind], config(roundTrip))).summary).toMatchObject({ create: 0, update: 0 });
  });

  it('a role removed from a pruned collection is deleted', async () => {
    const c: Config = { ...config({ ci }), prune: [`auth/${mount}/roles`] };
    const plan = await planKinds(vault, kinds, c);
    expect(plan.changes.filter((ch) => ch.action === 'delete').map((ch) => ch.address)).toEqual([`auth/${mount}/roles/human`]);
    await applyKinds(vault, kinds, c, plan);
    expect((await vaultRequest('GET', `auth/${mount}/role/human`)).status).toBe(404);
    expect((await planKinds(vault, kinds, c)).summary).toMatchObject({ create: 0, update: 0, delete: 0 });
  });
});
