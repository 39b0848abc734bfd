// JWT/OIDC config and roles through the real CLI: apply → plan clean; a JWT login through the applied
// role; a changed field is an update; snapshot → offline plan clean; export → plan clean. The OIDC
// client secret (from a --var-file) never appears in any output, plan file, snapshot or export.
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { allOutput, cli, configDir, FILE_STATE_PATH, uniq } from '../helpers/cli.js';
import { signingKey, startOidcProvider, type OidcProvider } from '../helpers/oidc-provider.js';
import { vaultRequest } from '../helpers/vault-http.js';

const id = uniq('jw');
const sso = `sso-${id}`;
const ci = `ci-${id}`;
const policy = `jwt-deploy-${id}`;
const secret = `oidc-client-secret-${id}-do-not-print`;
const key = signingKey('rsa');
const work = mkdtempSync(join(tmpdir(), 'jwt-cli-'));
const varFile = join(work, 'vars.yaml');
let idp: OidcProvider;

function yaml(opts: { humanTtl?: string; secret?: string } = {}): string {
  const pem = key.publicPem.trim().split('\n').map((l) => `          ${l}`).join('\n');
  return [
    'policies:',
    `  ${policy}: { policy: 'path "secret/data/deploy/*" { capabilities = ["read"] }' }`,
    'auth:',
    `  ${sso}:`,
    '    type: oidc',
    '    config:',
    `      oidc_discovery_url: ${idp.issuer}`,
    `      bound_issuer: ${idp.issuer}`,
    '      oidc_client_id: vault',
    `      oidc_client_secret: \${var.${opts.secret ?? 'oidc_secret'}}`,
    '      default_role: human',
    '    roles:',
    '      human:',
    '        user_claim: email',
    '        allowed_redirect_uris: [http://localhost:8250/oidc/callback, https://vault.example.test/ui/vault/auth/oidc/oidc/callback]',
    '        oidc_scopes: profile, email',
    `        token_policies: [${policy}]`,
    `        token_ttl: ${opts.humanTtl ?? '1h'}`,
    `  ${ci}:`,
    '    type: jwt',
    '    config:',
    '      bound_issuer: https://ci.example.test',
    '      jwt_supported_algs: [RS256]',
    '      jwt_validation_pubkeys:',
    '        - |',
    pem,
    '    roles:',
    '      deploy:',
    '        role_type: jwt',
    '        user_claim: sub',
    '        bound_audiences: vault',
    '        bound_claims_type: glob',
    '        bound_claims: { repository: "acme/*", environment: [staging, prod] }',
    '        claim_mappings: { repository: repo }',
    '        clock_skew_leeway: 1m',
    '        expiration_leeway: -1',
    `        token_policies: [${policy}, default]`,
    '        token_ttl: 15m',
    '        token_bound_cidrs: [127.0.0.1/32]',
    `prune: [auth/${ci}/roles]`,
    '',
  ].join('\n');
}

/** Every file under a directory, as text. */
function filesUnder(dir: string): string {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .map((f) => join(dir, f))
    .filter((f) => statSync(f).isFile())
    .map((f) => readFileSync(f, 'utf8'))
    .join('\n');
}

const vars = ['--var-file', varFile];

beforeAll(async () => {
  idp = await startOidcProvider();
  writeFileSync(varFile, `oidc_secret: ${secret}\nrotated_secret: ${secret}-2\n`, { mode: 0o600 });
});
afterAll(async () => {
  await idp.close();
});

describe('JWT/OIDC through the CLI', () => {
  it('apply → plan shows no changes; a JWT signed with the configured key logs in through the applied role', async () => {
    const dir = await configDir({ 'c.yaml': yaml() });
    const applied = await cli(['apply', '-c', dir, ...vars, '--auto-approve']);
    expect(applied.code, applied.stderr).toBe(0);
    expect(applied.stdout).toContain(`auth/${sso}/config`);
    expect(applied.stdout).toContain('(sensitive)');

    const plan = await cli(['plan', '-c', dir, ...vars, '--detailed-exitcode', '-o', 'json']);
    expect(plan.code, plan.stdout + plan.stderr).toBe(0);
    const summary = (JSON.parse(plan.stdout) as { summary: Record<string, number> }).summary;
    expect(summary).toMatchObject({ create: 0, update: 0, delete: 0, noop: 7 }); // policy, 2 mounts, 2 configs, 2 roles

    const jwt = key.sign({ iss: 'https://ci.example.test', sub: 'pipeline', aud: 'vault', repository: 'acme/app', environment: 'prod' });
    const login = await vaultRequest('POST', `auth/${ci}/login`, { role: 'deploy', jwt }, { token: null });
    expect(login.status, JSON.stringify(login.json.errors)).toBe(200);
    expect(login.json.auth.token_policies).toEqual(['default', policy]);
    expect(login.json.auth.metadata).toMatchObject({ repo: 'acme/app', role: 'deploy' });
  });

  it('a changed field is one update', async () => {
    const changed = await configDir({ 'c.yaml': yaml({ humanTtl: '2h' }) });
    const plan = await cli(['plan', '-c', changed, ...vars, '-o', 'json']);
    expect(plan.code, plan.stderr).toBe(0);
    const changes = (JSON.parse(plan.stdout) as { changes: Array<{ address: string; action: string; fields: Array<{ name: string; before: unknown; after: unknown }> }> }).changes;
    expect(changes.filter((c) => c.action !== 'noop')).toEqual([
      expect.objectContaining({ address: `auth/${sso}/roles/human`, action: 'update', fields: [expect.objectContaining({ name: 'token_ttl', before: 3600, after: 7200 })] }),
    ]);

  });

  it('a changed client secret alone is exactly one masked change (its salted hash in the state record), and apply writes it', async () => {
    const rotated = await configDir({ 'c.yaml': yaml({ secret: 'rotated_secret' }) });
    const plan = await cli(['plan', '-c', rotated, ...vars, '-o', 'json', '--detailed-exitcode']);
    expect(plan.code, plan.stdout + plan.stderr).toBe(2);
    const changes = (JSON.parse(plan.stdout) as { changes: Array<{ address: string; action: string; fields: unknown[] }> }).changes.filter((c) => c.action !== 'noop');
    expect(changes).toEqual([
      expect.objectContaining({ address: `auth/${sso}/config`, action: 'update', fields: [{ name: 'oidc_client_secret', before: '(sensitive)', after: '(sensitive)', sensitive: true }] }),
    ]);
    const applied = await cli(['apply', '-c', rotated, ...vars, '--auto-approve', '--debug']);
    expect(applied.code, applied.stderr).toBe(0);
    expect(applied.stderr).toMatch(new RegExp(`debug: (POST|PUT) auth/${sso}/config → 20`));
    expect((await cli(['plan', '-c', rotated, ...vars, '--detailed-exitcode'])).code).toBe(0);
    // Back to the first secret: a change again, applied, then clean.
    const back = await configDir({ 'c.yaml': yaml() });
    expect((await cli(['plan', '-c', back, ...vars, '--detailed-exitcode'])).code).toBe(2);
    expect((await cli(['apply', '-c', back, ...vars, '--auto-approve'])).code).toBe(0);
    expect((await cli(['plan', '-c', back, ...vars, '--detailed-exitcode'])).code).toBe(0);
  });

  it('adopted by a config with no record of the secret: no change can be seen, and --rewrite-secrets writes it once', async () => {
    const dir = await configDir({ 'c.yaml': yaml() });
    const adopted = { env: { VAULT_GITOPS_STATE_PATH: `vault-gitops/adopt-${id}`, VAULT_GITOPS_STATE_ID: `adopt-${id}` } };
    expect((await cli(['plan', '-c', dir, ...vars, '--detailed-exitcode'], adopted)).code).toBe(0);
    const rewrite = await cli(['plan', '-c', dir, ...vars, '--rewrite-secrets', '-o', 'json'], adopted);
    const changes = (JSON.parse(rewrite.stdout) as { changes: Array<{ address: string; action: string; fields: Array<{ name: string }> }> }).changes.filter((c) => c.action !== 'noop');
    expect(changes.map((c) => [c.address, c.fields.map((f) => f.name)])).toEqual([[`auth/${sso}/config`, ['oidc_client_secret']]]);
    const applied = await cli(['apply', '-c', dir, ...vars, '--rewrite-secrets', '--auto-approve'], adopted);
    expect(applied.code, applied.stderr).toBe(0);
    // Recorded now: the flag changes nothing more.
    expect((await cli(['plan', '-c', dir, ...vars, '--rewrite-secrets', '--detailed-exitcode'], adopted)).code).toBe(0);
  });

  it('a role changed by hand is drift, and apply puts it back', async () => {
    const dir = await configDir({ 'c.yaml': yaml() });
    const role = (await vaultRequest('GET', `auth/${ci}/role/deploy`)).json.data as Record<string, unknown>;
    expect((await vaultRequest('POST', `auth/${ci}/role/deploy`, { ...role, bound_audiences: ['someone-else'] })).status).toBeLessThan(300);
    const drift = await cli(['drift', '-c', dir, ...vars]);
    expect(drift.code, drift.stdout + drift.stderr).toBe(2);
    expect(drift.stdout).toContain(`auth/${ci}/roles/deploy`);
    expect(drift.stdout).toContain('bound_audiences');
    const applied = await cli(['apply', '-c', dir, ...vars, '--auto-approve']);
    expect(applied.code, applied.stderr).toBe(0);
    expect((await cli(['plan', '-c', dir, ...vars, '--detailed-exitcode'])).code).toBe(0);
  });

  it('snapshot → offline plan and a saved plan show no changes, and hold no secret', async () => {
    const dir = await configDir({ 'c.yaml': yaml() });
    const snapshot = join(work, 'live.json');
    const snap = await cli(['snapshot', '-c', dir, ...vars, '--out', snapshot]);
    expect(snap.code, snap.stderr).toBe(0);
    const offline = await cli(['plan', '-c', dir, ...vars, '--against', snapshot, '--detailed-exitcode']);
    expect(offline.code, offline.stdout + offline.stderr).toBe(0);

    const saved = join(work, 'plan.json');
    const plan = await cli(['plan', '-c', dir, ...vars, '--out', saved]);
    expect(plan.code, plan.stderr).toBe(0);
    expect(readFileSync(snapshot, 'utf8')).not.toContain(secret);
    expect(readFileSync(saved, 'utf8')).not.toContain(secret);
  });

  it('export writes the config and roles without the secret; plan on the export shows no changes', async () => {
    const out = join(work, 'exported');
    const exported = await cli(['export', '--out', out]);
    expect(exported.code, exported.stderr).toBe(0);
    const text = filesUnder(out);
    expect(text).toContain(`oidc_discovery_url: ${idp.issuer}`);
    expect(text).toContain('bound_claims_type: glob');
    expect(text).not.toContain('oidc_client_secret');
    const plan = await cli(['plan', '-c', out, '--detailed-exitcode']);
    expect(plan.code, plan.stdout + plan.stderr).toBe(0);
  });

  it('the client secrets appeared in no output of any run, and the state record holds neither them nor a fast hash of them', async () => {
    expect(allOutput()).not.toContain(secret);
    const state = JSON.stringify((await vaultRequest('GET', FILE_STATE_PATH.replace(/^vault-gitops\//, 'vault-gitops/data/'))).json);
    expect(state).toContain('scrypt$');
    for (const s of [secret, `${secret}-2`]) {
      expect(state).not.toContain(s);
      for (const algo of ['sha256', 'sha1', 'md5']) for (const enc of ['hex', 'base64'] as const) expect(state).not.toContain(createHash(algo).update(s).digest(enc));
    }
  });
});
