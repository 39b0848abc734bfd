import { mkdtemp, readFile, readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { KINDS } from '../../../src/kinds/registry.js';
import { allOutput, cli } from '../helpers/cli.js';
import { vaultRequest } from '../helpers/vault-http.js';
import { serverEnv } from '../helpers/server.js';

const examples = resolve('config-examples');

async function secretsIn(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const text = await readFile(join(entry.parentPath, entry.name), 'utf8');
    if (entry.name === 'secret_id') out.push(text); // a vault-agent directory's file
    if (entry.name.endsWith('.env')) for (const m of text.matchAll(/^VAULT_(?:SECRET_ID|PASSWORD)='?([^'\n]+)'?$/gm)) out.push(m[1]!);
    if (!entry.name.endsWith('.json')) continue;
    const j = JSON.parse(text) as Record<string, unknown>;
    for (const k of ['password', 'secret_id']) if (typeof j[k] === 'string') out.push(j[k]);
  }
  return out;
}

// The showcase config, applied for real: afterwards plan shows zero changes for every field of
// every kind it uses. Staging then production on the same server (production layers over base).
describe.each(['staging', 'production'])('config-examples (base + %s)', (env) => {
  it('applies, then plans zero changes, and never prints a generated secret', async () => {
    const cwd = await mkdtemp(join(tmpdir(), `vault-gitops-examples-${env}-`));
    const args = ['-c', join(examples, 'base'), '-c', join(examples, 'environments', env)];

    // --allow-destroy: the examples' `prune: [policies, …]` claims every policy on this shared test
    // server (other files' leftovers, and staging's when production runs), a bulk delete.
    const applied = await cli(['apply', ...args, '--auto-approve', '--allow-destroy'], { cwd });
    expect(applied.code, applied.stdout + applied.stderr).toBe(0);

    const plan = await cli(['plan', ...args, '-o', 'json', '--detailed-exitcode'], { cwd });
    expect(plan.code, plan.stdout + plan.stderr).toBe(0);
    const parsed = JSON.parse(plan.stdout) as { changes: Array<{ action: string; address: string }> };
    expect(parsed.changes.filter((c) => c.action !== 'noop')).toEqual([]);
    const kinds = new Set(parsed.changes.map((c: { address: string; kind?: string }) => c.kind));
    expect([...kinds].sort()).toEqual(['approle-role', 'auth-mount', 'pki-role', 'pki-root-ca', 'pki-urls', 'policy', 'secrets-mount', 'userpass-user']);

    const secrets = await secretsIn(join(cwd, 'out'));
    expect(secrets.length).toBeGreaterThanOrEqual(6);
    for (const s of secrets) expect(allOutput()).not.toContain(s);

    const approle = JSON.parse(await readFile(join(cwd, 'out', env, 'payments.json'), 'utf8'));
    const login = await vaultRequest('POST', 'auth/approle/login', { role_id: approle.role_id, secret_id: approle.secret_id }, { token: null });
    expect(login.status).toBe(200);
  });
});

// The seeds' estates (config-examples/estates/): each must validate. One whose kinds are not in
// the registry yet is skipped, and says which kinds it waits for.
const ESTATES: Array<{ dir: string; kinds: string[] }> = [
  { dir: 'github-teams', kinds: ['github-auth-config', 'github-team-map', 'github-user-map'] },
  { dir: 'oidc-groups', kinds: ['jwt-config', 'jwt-role', 'identity-group'] },
  { dir: 'kubernetes-injector', kinds: ['kubernetes-auth-config', 'kubernetes-auth-role'] },
  { dir: 'audit', kinds: ['audit-device'] },
  { dir: 'envconsul-kv', kinds: ['kv-config'] },
  { dir: 'dynamic-db', kinds: ['database-connection', 'database-role', 'database-static-role'] },
  { dir: 'multi-tenant/platform', kinds: ['namespace'] },
  ...['team-a', 'team-a-apps', 'team-b'].map((t) => ({ dir: `multi-tenant/tenants/${t}`, kinds: ['namespace'] })),
];

describe.each(ESTATES.map((e) => ({ ...e, missing: e.kinds.filter((k) => !KINDS.some((kind) => kind.name === k)) })))('config-examples/estates/$dir', ({ dir, missing }) => {
  it.skipIf(missing.length > 0)(`validates${missing.length > 0 ? ` (skipped: kinds ${missing.join(', ')} not in the registry yet)` : ''}`, async () => {
    // The OIDC client secret and the database password are never in git: a var file supplies them at apply time.
    const r = await cli(['validate', '-c', join(examples, 'estates', dir), '--var', 'oidc_client_secret=not-a-real-secret', '--var', 'db_password=not-a-real-password']);
    expect(r.code, r.stdout + r.stderr).toBe(0);
  });
});

// The multi-tenant layout applied for real where namespaces exist: the platform's config, then every
// tenant's directory in its namespace; afterwards every one of them plans no change.
describe.skipIf(serverEnv().server !== 'openbao')('config-examples/estates/multi-tenant on OpenBao', () => {
  it('the platform config and each tenant directory apply, then plan zero changes', async () => {
    const cwd = await mkdtemp(join(tmpdir(), 'vault-gitops-examples-tenants-'));
    const base = join(examples, 'estates', 'multi-tenant');
    const dirs = [join(base, 'platform'), ...['team-a', 'team-a-apps', 'team-b'].map((t) => join(base, 'tenants', t))];
    // Its own state record: the root namespace's one of this file belongs to the showcase config above.
    const env = { VAULT_GITOPS_STATE_PATH: 'vault-gitops/multi-tenant-example' };
    for (const dir of dirs) {
      const applied = await cli(['apply', '-c', dir, '--auto-approve'], { cwd, env });
      expect(applied.code, applied.stdout + applied.stderr).toBe(0);
    }
    for (const dir of dirs) {
      const plan = await cli(['plan', '-c', dir, '--detailed-exitcode'], { cwd, env });
      expect(plan.code, plan.stdout + plan.stderr).toBe(0);
    }
    const creds = JSON.parse(await readFile(join(cwd, 'out', 'team-a-apps', 'app.json'), 'utf8'));
    expect((await vaultRequest('POST', 'team-a/apps/auth/approle/login', { role_id: creds.role_id, secret_id: creds.secret_id }, { token: null })).status).toBe(200);
    for (const s of await secretsIn(join(cwd, 'out'))) expect(allOutput()).not.toContain(s);
  });
});
