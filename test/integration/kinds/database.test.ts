// Dynamic database credentials end to end, against a real PostgreSQL (test/servers/postgres.ts):
// apply an estate (a service's AppRole delivered to a file and a Kubernetes Secret, its policy on MOUNT/creds/ROLE, a
// connection, a dynamic role, a static role); the delivered AppRole logs in, its token reads
// credentials, psql with them can do exactly what the creation statements granted, revoking the
// lease drops the user; the static role's password rotates and the new one connects; the bootstrap
// password stops working; the next plan is empty. No password appears in anything the CLI printed,
// wrote or exported, nor in the state record.
import { mkdtemp, readFile, readdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { allOutput, cli, configDir, uniq } from '../helpers/cli.js';
import { vaultRequest } from '../helpers/vault-http.js';
import { startPostgres, type PostgresServer } from '../../servers/postgres.js';
import { startKube, type KubeServer } from '../../servers/kube.js';

const id = uniq('db');
const mount = `db-${id}`;
const arMount = `ar-${id}`;
const policy = `app-db-${id}`;
const statePath = `vault-gitops/state-${id}`;
const bootstrap = `bootstrap-${uniq('pw')}`;
const reportingInitial = `reporting-${uniq('pw')}`;
const env = { env: { VAULT_GITOPS_STATE_PATH: statePath } };
/** Every password seen in this test: none may appear in any output, file or record. */
const secrets: string[] = [bootstrap, reportingInitial];

let pg: PostgresServer;
let kube: KubeServer;
let sinkRoot: string;
let varFile: string;
let exportDir: string;

const connection = (host: string, extra = '') => `      pg:
        plugin_name: postgresql-database-plugin
        connection_url: "postgresql://{{username}}:{{password}}@${host}:PORT/app?sslmode=disable"
        username: vaultroot
        password: \${var.db_password}
        allowed_roles: [app, reporting]
        password_policy: db-${id}${extra}
`;

const estate = (conn: string) => ({
  'estate.yaml': `password_policies:
  db-${id}:
    policy: |
      length = 30
      rule "charset" {
        charset = "abcdefghijklmnopqrstuvwxyz"
        min-chars = 2
      }
      rule "charset" {
        charset = "0123456789"
        min-chars = 2
      }
policies:
  ${policy}:
    policy: |
      path "${mount}/creds/app" { capabilities = ["read"] }
auth:
  ${arMount}:
    type: approle
    roles:
      app:
        token_policies: [${policy}]
        token_ttl: 10m
        credentials:
          file: { path: app.json }
          kubernetes: { namespace: app, name: app-vault-approle }
secrets:
  ${mount}:
    type: database
    connections:
${conn.replace('PORT', String(pg.port))}    roles:
      app:
        db_name: pg
        creation_statements:
          - CREATE ROLE "{{name}}" WITH LOGIN PASSWORD '{{password}}' VALID UNTIL '{{expiration}}';
          - GRANT SELECT ON orders TO "{{name}}";
        revocation_statements:
          - REVOKE ALL ON orders FROM "{{name}}";
          - DROP ROLE IF EXISTS "{{name}}";
        default_ttl: 10m
        max_ttl: 1h
    static_roles:
      reporting:
        db_name: pg
        username: reporting
        rotation_period: 24h
`,
});

const run = (args: string[], dir: string, token?: string) =>
  cli([...args, '-c', dir, '--var-file', varFile, '--sink-root', sinkRoot], { env: { ...env.env, KUBECONFIG: kube.kubeconfigPath, ...(token ? { VAULT_TOKEN: token } : {}) } });

/** A token whose only policy is the HCL `policy-for` printed for the config. */
async function policyForToken(dir: string, mode: 'plan' | 'apply'): Promise<string> {
  const r = await cli(['policy-for', '-c', dir, '--var-file', varFile, '--mode', mode], { env: { ...env.env, VAULT_ADDR: 'http://127.0.0.1:1' } });
  expect(r.code, r.stderr).toBe(0);
  expect((await vaultRequest('PUT', `sys/policies/acl/vg-${mode}-${id}`, { policy: r.stdout })).status).toBe(204);
  const created = await vaultRequest('POST', 'auth/token/create', { policies: [`vg-${mode}-${id}`], ttl: '1h' });
  secrets.push(created.json.auth.client_token as string);
  return created.json.auth.client_token as string;
}
const asUser = (user: string, password: string, sql: string) => pg.psql(sql, { user, password, database: 'app' });

beforeAll(async () => {
  [pg, kube] = await Promise.all([startPostgres(), startKube()]);
  await kube.createNamespace('app');
  for (const sql of ['CREATE DATABASE app', `CREATE ROLE vaultroot WITH LOGIN CREATEROLE PASSWORD '${bootstrap}'`, `CREATE ROLE reporting WITH LOGIN PASSWORD '${reportingInitial}'`]) {
    expect(pg.psql(sql).stderr).toBe('');
  }
  const tables = pg.psql('CREATE TABLE orders (id int); INSERT INTO orders VALUES (1), (2); CREATE TABLE payroll (salary int); GRANT SELECT ON orders TO vaultroot WITH GRANT OPTION', {
    user: 'postgres',
    password: pg.password,
    database: 'app',
  });
  expect(tables.status, tables.stderr).toBe(0);
  sinkRoot = await mkdtemp(join(tmpdir(), 'vault-gitops-db-sinks-'));
  const varDir = await mkdtemp(join(tmpdir(), 'vault-gitops-db-vars-'));
  varFile = join(varDir, 'vars.yaml');
  await writeFile(varFile, `db_password: ${bootstrap}\n`, { mode: 0o600 });
  exportDir = await mkdtemp(join(tmpdir(), 'vault-gitops-db-export-'));
});

afterAll(async () => {
  await vaultRequest('DELETE', `sys/mounts/${mount}`);
  await vaultRequest('DELETE', `sys/auth/${arMount}`);
  for (const p of [policy, `vg-plan-${id}`, `vg-apply-${id}`]) await vaultRequest('DELETE', `sys/policies/acl/${p}`);
  await vaultRequest('DELETE', `sys/policies/password/db-${id}`);
  await Promise.all([pg?.stop(), kube?.stop()]);
}, 60_000);

describe('dynamic database credentials against a real PostgreSQL', () => {
  let dir: string;

  it('apply creates the estate and rotates the root credential: the bootstrap password stops working', async () => {
    dir = await configDir(estate(connection('127.0.0.1')));
    const plan = await run(['plan', '--detailed-exitcode'], dir, await policyForToken(dir, 'plan'));
    expect(plan.code, plan.stderr).toBe(2);
    expect(plan.stdout).toMatch(/password: +\(sensitive\)/);
    // policy-for covers every path apply touches: the mount, the connection, rotate-root, the roles.
    const applied = await run(['apply', '--auto-approve'], dir, await policyForToken(dir, 'apply'));
    expect(applied.code, applied.stdout + applied.stderr).toBe(0);
    const r = asUser('vaultroot', bootstrap, 'SELECT 1');
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(/password authentication failed for user "vaultroot"/);
    const read = await vaultRequest('GET', `${mount}/config/pg`);
    expect(read.json.data.connection_details.username).toBe('vaultroot');
  });

  it("the delivered AppRole logs in; its token's credentials connect and can do exactly what was granted", async () => {
    const delivered = JSON.parse(await readFile(join(sinkRoot, 'app.json'), 'utf8')) as { role_id: string; secret_id: string };
    secrets.push(delivered.secret_id);
    // The Kubernetes Secret holds the same credentials as the file.
    const secret = await kube.request('GET', '/api/v1/namespaces/app/secrets/app-vault-approle');
    expect(secret.status).toBe(200);
    const data = (secret.body as { data: Record<string, string> }).data;
    const fromSecret = { role_id: Buffer.from(data.role_id!, 'base64').toString(), secret_id: Buffer.from(data.secret_id!, 'base64').toString() };
    expect(fromSecret).toEqual({ role_id: delivered.role_id, secret_id: delivered.secret_id });
    const login = await vaultRequest('POST', `auth/${arMount}/login`, { role_id: delivered.role_id, secret_id: delivered.secret_id }, { token: null });
    expect(login.status).toBe(200);
    const token = login.json.auth.client_token as string;
    secrets.push(token);
    expect(login.json.auth.policies).toContain(policy);

    const creds = await vaultRequest('GET', `${mount}/creds/app`, undefined, { token });
    expect(creds.status, JSON.stringify(creds.json)).toBe(200);
    const { username, password } = creds.json.data as { username: string; password: string };
    secrets.push(password);
    expect(password).toMatch(/^[a-z0-9]{30}$/); // generated by the declared password policy
    expect(asUser(username, password, 'SELECT count(*) FROM orders')).toMatchObject({ status: 0, stdout: '2\n' });
    expect(asUser(username, password, 'INSERT INTO orders VALUES (3)').stderr).toMatch(/permission denied for table orders/);
    expect(asUser(username, password, 'SELECT * FROM payroll').stderr).toMatch(/permission denied for table payroll/);
    expect(asUser(username, password, 'CREATE ROLE sneaky').stderr).toMatch(/permission denied to create role/);
    // The token may read credentials and nothing else of the mount.
    expect((await vaultRequest('GET', `${mount}/config/pg`, undefined, { token })).status).toBe(403);
    expect((await vaultRequest('GET', `${mount}/static-creds/reporting`, undefined, { token })).status).toBe(403);

    const revoked = await vaultRequest('PUT', 'sys/leases/revoke', { lease_id: creds.json.lease_id });
    expect(revoked.status).toBe(204);
    expect(pg.psql(`SELECT count(*) FROM pg_roles WHERE rolname = '${username}'`).stdout).toBe('0\n');
    expect(asUser(username, password, 'SELECT 1').status).not.toBe(0);
  });

  it("the static role's password rotates, and only the newest one connects", async () => {
    expect(asUser('reporting', reportingInitial, 'SELECT 1').status).not.toBe(0); // rotated when the role was created
    const first = (await vaultRequest('GET', `${mount}/static-creds/reporting`)).json.data.password as string;
    secrets.push(first);
    expect(asUser('reporting', first, 'SELECT current_user').stdout).toBe('reporting\n');
    expect((await vaultRequest('POST', `${mount}/rotate-role/reporting`)).status).toBe(204);
    const second = (await vaultRequest('GET', `${mount}/static-creds/reporting`)).json.data.password as string;
    secrets.push(second);
    expect(second).not.toBe(first);
    expect(asUser('reporting', second, 'SELECT current_user').stdout).toBe('reporting\n');
    expect(asUser('reporting', first, 'SELECT 1').status).not.toBe(0);
  });

  it('the next plan is empty; a changed pool setting is written without the dead bootstrap password', async () => {
    const again = await run(['plan', '--detailed-exitcode'], dir);
    expect(again.code, again.stdout + again.stderr).toBe(0);
    expect(again.stdout).toMatch(/No changes/i);

    dir = await configDir(estate(connection('127.0.0.1', '\n        max_open_connections: 3')));
    const applied = await run(['apply', '--auto-approve'], dir);
    expect(applied.code, applied.stdout + applied.stderr).toBe(0);
    expect(applied.stdout).toContain('max_open_connections');
    const creds = await vaultRequest('GET', `${mount}/creds/app`);
    expect(creds.status, JSON.stringify(creds.json)).toBe(200); // Vault still logs in with the rotated root credential
    secrets.push(creds.json.data.password as string);
    await vaultRequest('PUT', 'sys/leases/revoke', { lease_id: creds.json.lease_id });
    expect((await run(['plan', '--detailed-exitcode'], dir)).code).toBe(0);
  });

  it('a new bootstrap password is not a change once Vault rotated the root credential, and the state record holds no hash of it', async () => {
    const connectionHash = async () => {
      const text = JSON.stringify((await vaultRequest('GET', `vault-gitops/data/state-${id}`)).json);
      return new RegExp(`secrets/${mount}/connections/pg[^}]*?hash[^s]*(sha256:[0-9a-f]{64})`).exec(text)?.[1];
    };
    const before = await connectionHash();
    expect(before).toMatch(/^sha256:/);
    const otherVars = join(await mkdtemp(join(tmpdir(), 'vault-gitops-db-vars-')), 'vars.yaml');
    const other = `other-bootstrap-${uniq('pw')}`;
    secrets.push(other);
    await writeFile(otherVars, `db_password: ${other}\n`, { mode: 0o600 });
    const r = await cli(['apply', '--auto-approve', '-c', dir, '--var-file', otherVars, '--sink-root', sinkRoot], { env: { ...env.env, KUBECONFIG: kube.kubeconfigPath } });
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(await connectionHash()).toBe(before);
    expect((await vaultRequest('GET', `${mount}/creds/app`)).status).toBe(200);
  });

  it('a root rotation that fails undoes the create: the next run creates and rotates again', async () => {
    const failMount = `fail-${id}`;
    const pw = `fail-pw-${uniq('pw')}`;
    secrets.push(pw);
    expect(pg.psql(`CREATE ROLE failroot WITH LOGIN CREATEROLE PASSWORD '${pw}'`).stderr).toBe('');
    const config = (statements: string) =>
      configDir({
        'fail.yaml': `secrets:
  ${failMount}:
    type: database
    connections:
      pg:
        plugin_name: postgresql-database-plugin
        connection_url: "postgresql://{{username}}:{{password}}@127.0.0.1:${pg.port}/app?sslmode=disable"
        username: failroot
        password: \${var.fail_db_password}
${statements}`,
      });
    const varsFile = join(await mkdtemp(join(tmpdir(), 'vault-gitops-db-vars-')), 'vars.yaml');
    await writeFile(varsFile, `fail_db_password: ${pw}\n`, { mode: 0o600 });
    const failEnv = { env: { VAULT_GITOPS_STATE_PATH: `vault-gitops/fail-${id}` } };
    try {
      const broken = await cli(['apply', '--auto-approve', '-c', await config('        root_rotation_statements: ["ALTER ROLE no_such_role PASSWORD \'{{password}}\'"]\n'), '--var-file', varsFile], failEnv);
      expect(broken.code).toBe(1);
      expect((await vaultRequest('GET', `${failMount}/config/pg`)).status).toBe(404);
      expect(asUser('failroot', pw, 'SELECT 1').status).toBe(0); // not rotated, and Vault holds no connection with it
      const fixed = await cli(['apply', '--auto-approve', '-c', await config(''), '--var-file', varsFile], failEnv);
      expect(fixed.code, fixed.stdout + fixed.stderr).toBe(0);
      expect(asUser('failroot', pw, 'SELECT 1').status).not.toBe(0);
    } finally {
      await vaultRequest('DELETE', `sys/mounts/${failMount}`);
    }
  });

  it('with rotate_root: false, a changed password variable plans exactly that change, masked, and apply makes it', async () => {
    const legacyMount = `legacy-${id}`;
    const pw1 = `legacy-one-${uniq('pw')}`;
    const pw2 = `legacy-two-${uniq('pw')}`;
    secrets.push(pw1, pw2);
    expect(pg.psql(`CREATE ROLE legacyroot WITH LOGIN CREATEROLE PASSWORD '${pw1}'`).stderr).toBe('');
    const legacy = await configDir({
      'legacy.yaml': `secrets:
  ${legacyMount}:
    type: database
    connections:
      legacy:
        plugin_name: postgresql-database-plugin
        connection_url: "postgresql://{{username}}:{{password}}@127.0.0.1:${pg.port}/app?sslmode=disable"
        username: legacyroot
        password: \${var.legacy_db_password}
        rotate_root: false
        allowed_roles: [probe]
    roles:
      probe:
        db_name: legacy
        creation_statements:
          - CREATE ROLE "{{name}}" WITH LOGIN PASSWORD '{{password}}' VALID UNTIL '{{expiration}}';
`,
    });
    const vars = async (pw: string) => {
      const f = join(await mkdtemp(join(tmpdir(), 'vault-gitops-db-vars-')), 'vars.yaml');
      await writeFile(f, `legacy_db_password: ${pw}\n`, { mode: 0o600 });
      return f;
    };
    const legacyEnv = { env: { VAULT_GITOPS_STATE_PATH: `vault-gitops/legacy-${id}` } };
    const legacyRun = async (args: string[], pw: string) => cli([...args, '-c', legacy, '--var-file', await vars(pw)], legacyEnv);
    try {
      const first = await legacyRun(['apply', '--auto-approve'], pw1);
      expect(first.code, first.stdout + first.stderr).toBe(0);
      expect(asUser('legacyroot', pw1, 'SELECT 1').status).toBe(0); // not rotated
      expect((await legacyRun(['plan', '--detailed-exitcode'], pw1)).code).toBe(0);

      // The DBA changes the account's password, and the var file follows.
      expect(pg.psql(`ALTER ROLE legacyroot PASSWORD '${pw2}'`).stderr).toBe('');
      const planned = await legacyRun(['plan', '-o', 'json', '--detailed-exitcode'], pw2);
      expect(planned.code, planned.stderr).toBe(2);
      const changes = (JSON.parse(planned.stdout) as { changes: Array<{ action: string; address: string; fields: unknown[] }> }).changes.filter((c) => c.action !== 'noop');
      expect(changes).toEqual([{ address: `secrets/${legacyMount}/connections/legacy`, action: 'update', fields: [{ name: 'password', before: '(sensitive)', after: '(sensitive)', sensitive: true }], kind: 'database-connection', reason: 'differs from config', security: false }]);
      const text = await legacyRun(['plan'], pw2);
      expect(text.stdout).toMatch(/password: \(sensitive\) changed\n/);
      // verify_connection: Vault connects with the new password when it is written, or the write fails.
      const applied = await legacyRun(['apply', '--auto-approve'], pw2);
      expect(applied.code, applied.stdout + applied.stderr).toBe(0);
      expect((await vaultRequest('GET', `${legacyMount}/creds/probe`)).status).toBe(200);
      expect((await legacyRun(['plan', '--detailed-exitcode'], pw2)).code).toBe(0);
    } finally {
      await vaultRequest('DELETE', `sys/mounts/${legacyMount}`);
    }
  });

  it('moving the connection to another host is destructive: apply refuses it without --allow-destroy', async () => {
    const moved = await configDir(estate(connection('localhost', '\n        max_open_connections: 3')));
    const plan = await run(['plan'], moved);
    expect(plan.stdout).toContain('moves');
    expect(plan.stdout).toContain('live root credential');
    const refused = await run(['apply', '--auto-approve'], moved);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('--allow-destroy');
    const read = await vaultRequest('GET', `${mount}/config/pg`);
    expect(read.json.data.connection_details.connection_url).toContain('@127.0.0.1:');
  });

  it('drift sees a role changed by hand; a snapshot plans offline to the same answer', async () => {
    expect((await vaultRequest('POST', `${mount}/roles/app`, { db_name: 'pg', creation_statements: ['SELECT 1'], default_ttl: '10m', max_ttl: '1h' })).status).toBe(204);
    const drift = await run(['drift'], dir);
    expect(drift.code, drift.stdout + drift.stderr).toBe(2);
    expect(drift.stdout).toContain(`secrets/${mount}/roles/app`);
    expect(drift.stdout).toContain('creation_statements');
    const snapshotFile = join(exportDir, '..', `snapshot-${id}.json`);
    expect((await cli(['snapshot', '--out', snapshotFile], env)).code).toBe(0);
    const offline = await run(['plan', '--against', snapshotFile, '--detailed-exitcode'], dir);
    expect(offline.code, offline.stderr).toBe(2);
    expect(offline.stdout).toContain('creation_statements');
    const snapshot = await readFile(snapshotFile, 'utf8');
    for (const s of secrets) expect(snapshot.includes(s)).toBe(false);
    const fixed = await run(['apply', '--auto-approve'], dir);
    expect(fixed.code, fixed.stdout + fixed.stderr).toBe(0);
    expect((await run(['plan', '--detailed-exitcode'], dir)).code).toBe(0);
  });

  it('an undeclared role is pruned; removing the static role needs --allow-destroy', async () => {
    expect((await vaultRequest('POST', `${mount}/roles/stray`, { db_name: 'pg', creation_statements: ['SELECT 1'] })).status).toBe(204);
    const withPrune = (files: Record<string, string>) => ({ ...files, 'prune.yaml': `prune: [secrets/${mount}/roles]\n` });
    const pruned = await run(['apply', '--auto-approve'], await configDir(withPrune(estate(connection('127.0.0.1', '\n        max_open_connections: 3')))));
    expect(pruned.code, pruned.stdout + pruned.stderr).toBe(0);
    expect((await vaultRequest('GET', `${mount}/roles/stray`)).status).toBe(404);

    const files = estate(connection('127.0.0.1', '\n        max_open_connections: 3'));
    const noStatic = { 'estate.yaml': files['estate.yaml']!.replace(/ {4}static_roles:\n[\s\S]*$/, '').replace('[app, reporting]', '[app]') };
    const refused = await run(['apply', '--auto-approve'], await configDir(noStatic));
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('--allow-destroy');
    expect(refused.stdout + refused.stderr).toContain('Vault stops rotating the password');
    expect((await vaultRequest('GET', `${mount}/static-roles/reporting`)).status).toBe(200);
  });

  it('export writes the estate without the password; nothing printed, written or recorded holds a password', async () => {
    const exported = await cli(['export', '--out', exportDir], env);
    expect(exported.code, exported.stderr).toBe(0);
    const files = await readdir(exportDir, { recursive: true });
    const text = (await Promise.all(files.map((f) => readFile(join(exportDir, f), 'utf8').catch(() => '')))).join('\n');
    expect(text).toContain('postgresql-database-plugin');
    expect(text).toMatch(/username: vaultroot/);
    expect(text).not.toMatch(/^\s+password:/m);
    const state = JSON.stringify((await vaultRequest('GET', `vault-gitops/data/state-${id}`)).json);
    expect(state).toContain(`secrets/${mount}/connections/pg`);
    const everything = [allOutput(), text, state].join('\n');
    expect(secrets.length).toBeGreaterThanOrEqual(7);
    for (const s of secrets) expect(everything.includes(s), 'a password or token in an output, the export or the state record').toBe(false);
  });
});
