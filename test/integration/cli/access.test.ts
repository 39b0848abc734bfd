// `access` answers offline, from the config, who holds what on a path and what one principal holds.
// The answers for a userpass user and an AppRole are then checked against Vault itself: the config
// is applied, both log in, and sys/capabilities for their tokens must say the same.
import { generateKeyPairSync } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { allOutput, cli, configDir, uniq } from '../helpers/cli.js';
import { vaultRequest } from '../helpers/vault-http.js';

const id = uniq('acc');
const [read, ops, ci] = [`app-read-${id}`, `ops-${id}`, `ci-${id}`];
const [up, ar, gh, oidc] = [`up-${id}`, `ar-${id}`, `gh-${id}`, `oidc-${id}`];

const pem = generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({ type: 'spki', format: 'pem' }).toString();

/** The config; without the GitHub mount (and its group) for a real server: OpenBao has no GitHub auth. */
const config = (github = true) => ({
  'policies/ops.hcl': `path "sys/policies/acl/*" {\n  capabilities = ["create", "update", "read"]\n}\npath "secret/data/payments/*" {\n  capabilities = ["read"]\n  allowed_parameters = { "version" = [] }\n}\n`,
  'main.yaml': `
policies:
  ${read}:
    policy: |
      path "secret/data/app/*" { capabilities = ["read", "list"] }
      path "secret/data/app/admin" { capabilities = ["deny"] }
      path "secret/metadata/app" { capabilities = ["list"] }
  ${ops}: { file: policies/ops.hcl }
  ${ci}: { policy: 'path "secret/data/+/ci" { capabilities = ["read", "sudo"] }' }
auth:
  ${up}:
    type: userpass
    users:
      alice: { token_policies: [${read}, ${ci}], credentials: { file: { path: out/alice.json } } }
  ${ar}:
    type: approle
    roles:
      web: { token_policies: [${ops}], token_no_default_policy: true, credentials: { file: { path: out/web.json } } }
${
  github
    ? `  ${gh}:
    type: github
    config: { organization: acme, organization_id: 42, token_policies: [${ci}] }
    teams:
      sre: { policies: [${read}] }
`
    : ''
}  ${oidc}:
    type: jwt
    config: { bound_issuer: https://issuer.example.com, jwt_validation_pubkeys: [${JSON.stringify(pem)}] }
    roles:
      deploy: { role_type: jwt, user_claim: sub, groups_claim: groups, bound_audiences: [vault], token_policies: [${ci}] }
identity:
  groups:
${github ? `    ops-team-${id}: { type: external, policies: [${ops}], alias: { name: sre, mount: ${gh} } }\n` : ''}    admins-${id}: { type: external, policies: [${read}], alias: { name: admins, mount: ${oidc} } }
`,
});
const files = config();

const offline = { VAULT_ADDR: 'http://127.0.0.1:1', VAULT_TOKEN: '' };
async function access(dir: string, args: string[]): Promise<string> {
  const r = await cli(['access', '-c', dir, ...args], { cwd: dir, env: offline });
  expect(r.code, r.stderr).toBe(0);
  return r.stdout;
}
// eslint-disable-next-line @typescript-eslint/no-explicit-any
const accessJson = async (dir: string, args: string[]): Promise<any> => JSON.parse(await access(dir, [...args, '-o', 'json']));

describe('access (offline, from the config)', () => {
  it('--path: every principal holding a capability there, with the policy, rule and route that grant it', async () => {
    const dir = await configDir(files);
    const out = await accessJson(dir, ['--path', 'secret/data/payments/q']);
    expect(out).toMatchObject({ version: 1, path: 'secret/data/payments/q', operation: null });
    expect(out.principals).toEqual([
      {
        address: `auth/${ar}/roles/web`,
        capabilities: ['read'],
        pattern: 'secret/data/payments/*',
        grants: [{ capability: 'read', policy: ops, rule: 'secret/data/payments/*', line: 4, at: 'policies/ops.hcl:4', routes: [{ via: [] }] }],
        constraints: { allowed_parameters: { version: [] } },
      },
      {
        address: `auth/${gh}/teams/sre`,
        capabilities: ['read'],
        pattern: 'secret/data/payments/*',
        grants: [{ capability: 'read', policy: ops, rule: 'secret/data/payments/*', line: 4, at: 'policies/ops.hcl:4', routes: [{ via: [`identity/groups/ops-team-${id}`] }] }],
        constraints: { allowed_parameters: { version: [] } },
      },
      expect.objectContaining({ address: `identity/groups/ops-team-${id}`, capabilities: ['read'] }),
    ]);

    // An inline policy's rule is located in the YAML.
    const app = await accessJson(dir, ['--path', 'secret/data/app/x']);
    const alice = app.principals.find((p: { address: string }) => p.address === `auth/${up}/users/alice`);
    expect(alice.grants).toContainEqual({ capability: 'list', policy: read, rule: 'secret/data/app/*', line: 1, at: 'main.yaml:5', routes: [{ via: [] }] });

    const text = await access(dir, ['--path', 'secret/data/payments/q']);
    expect(text).toContain(`auth/${gh}/teams/sre: read (path rule "secret/data/payments/*")`);
    expect(text).toContain(`read ← policy ${ops}, path "secret/data/payments/*" at policies/ops.hcl:4 (via identity/groups/ops-team-${id})`);
  });

  it('--op: only principals allowed that operation; a JWT role joins groups only if its groups claim says so', async () => {
    const dir = await configDir(files);
    const who = async (path: string, op: string) => (await accessJson(dir, ['--path', path, '--op', op])).principals.map((p: { address: string; condition?: string }) => `${p.address}${p.condition ? ` if ${p.condition}` : ''}`).sort();
    expect(await who('secret/data/app/x', 'list')).toEqual([
      `auth/${gh}/teams/sre`,
      `auth/${oidc}/roles/deploy if the login's groups claim holds "admins"`,
      `auth/${up}/users/alice`,
      `identity/groups/admins-${id}`,
    ]);
    // `list` adds the trailing slash: secret/metadata/app/ is decided by the exact rule without it.
    expect(await who('secret/metadata/app', 'list')).toContain(`auth/${up}/users/alice`);
    expect(await who('secret/data/app/admin', 'read')).toEqual([]);
    expect(await who('secret/data/web/ci', 'sudo')).toEqual([`auth/${gh}/config`, `auth/${gh}/teams/sre`, `auth/${oidc}/roles/deploy`, `auth/${up}/users/alice`]);
    expect(await access(dir, ['--path', 'nothing/here'])).toBe('No principal of the config holds any capability on nothing/here.\n');
  });

  it('--principal: its bindings, policies (how each comes) and rules', async () => {
    const dir = await configDir(files);
    const web = await accessJson(dir, ['--principal', `auth/${ar}/roles/web`]);
    expect(web.principal).toEqual({ address: `auth/${ar}/roles/web`, default_policy: false, bindings: {} });
    expect(web.policies).toEqual([{ name: ops, routes: [{ via: [] }] }]);
    expect(web.rules).toEqual([
      { policy: ops, rule: 'sys/policies/acl/*', line: 1, at: 'policies/ops.hcl:1', capabilities: ['create', 'update', 'read'] },
      { policy: ops, rule: 'secret/data/payments/*', line: 4, at: 'policies/ops.hcl:4', capabilities: ['read'], constraints: { allowed_parameters: { version: [] } } },
    ]);
    const deploy = await accessJson(dir, ['--principal', `auth/${oidc}/roles/deploy`]);
    expect(deploy.principal.bindings).toEqual({ role_type: 'jwt', bound_audiences: ['vault'], user_claim: 'sub', groups_claim: 'groups' });
    expect(deploy.policies.map((p: { name: string }) => p.name)).toEqual([ci, 'default', read]);
    expect(deploy.policies[2].routes).toEqual([{ via: [`identity/groups/admins-${id}`], condition: `the login's groups claim holds "admins"` }]);
    const text = await access(dir, ['--principal', `auth/${gh}/teams/sre`]);
    expect(text).toContain(`    ${ops} (via identity/groups/ops-team-${id})`);
    expect(text).toContain(`    ${ci} (via auth/${gh}/config)`);
  });

  it('refuses what it cannot answer: exit 1, a one-line error, no stack trace', async () => {
    const dir = await configDir(files);
    const unknown = await cli(['access', '-c', dir, '--principal', `auth/${ar}/roles/wbe`], { cwd: dir, env: offline });
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain(`no principal "auth/${ar}/roles/wbe" in the config, did you mean \`auth/${ar}/roles/web\`?`);
    for (const args of [[], ['--path', 'a', '--principal', 'b'], ['--principal', 'b', '--op', 'read']]) {
      const r = await cli(['access', '-c', dir, ...args], { cwd: dir, env: offline });
      expect(r.code, args.join(' ')).toBe(1);
      expect(r.stderr).not.toMatch(/\n\s+at /);
    }
    const broken = await configDir({ 'main.yaml': 'policies:\n  p:\n    policy: |\n      path "a/+*" { capabilities = ["read"] }\n' });
    const r = await cli(['access', '-c', broken, '--path', 'a/b'], { cwd: broken, env: offline });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/main\.yaml:4:12.*`\+\*` is not a wildcard Vault accepts/);
  });
});

describe('access agrees with Vault for real logins', () => {
  it('a userpass user and an AppRole: sys/capabilities of their login tokens = access --path on every path, from the config, --live and --against a snapshot', { timeout: 120_000 }, async () => {
    const dir = await configDir(config(false));
    const applied = await cli(['apply', '-c', dir, '--auto-approve'], { cwd: dir });
    expect(applied.code, applied.stderr).toBe(0);
    const alice = JSON.parse(await readFile(join(dir, 'out/alice.json'), 'utf8')) as { username: string; password: string };
    const web = JSON.parse(await readFile(join(dir, 'out/web.json'), 'utf8')) as { role_id: string; secret_id: string };
    const logins = {
      [`auth/${up}/users/alice`]: await vaultRequest('POST', `auth/${up}/login/${alice.username}`, { password: alice.password }, { token: null }),
      [`auth/${ar}/roles/web`]: await vaultRequest('POST', `auth/${ar}/login`, { role_id: web.role_id, secret_id: web.secret_id }, { token: null }),
    };
    const paths = [
      'secret/data/app/x',
      'secret/data/app/admin',
      'secret/metadata/app/',
      'secret/data/payments/q',
      'secret/data/web/ci',
      'secret/data/web/cd',
      'sys/policies/acl/anything',
      'cubbyhole/note',
      'auth/token/lookup-self',
      'sys/mounts',
    ];
    const holders = new Map<string, Array<{ address: string; capabilities: string[] }>>();
    for (const path of paths) holders.set(path, (await accessJson(dir, ['--path', path])).principals);
    for (const [address, login] of Object.entries(logins)) {
      expect(login.status, address).toBe(200);
      const token = login.json.auth.client_token as string;
      // The AppRole's token may not call capabilities-self (no default policy): ask for it as root.
      const self = await vaultRequest('POST', 'sys/capabilities', { token, paths });
      expect(self.status).toBe(200);
      for (const path of paths) {
        const holder = holders.get(path)!.find((p) => p.address === address);
        expect(holder?.capabilities ?? ['deny'], `${address} on ${path}`).toEqual([...(self.json.data[path] as string[])].sort());
      }
    }
    expect(allOutput()).not.toContain(alice.password);

    // The same answers from the live Vault, and from a snapshot of it (the server's own default policy).
    const snapshot = join(dir, 'live.json');
    const taken = await cli(['snapshot', '--out', snapshot], { cwd: dir });
    expect(taken.code, taken.stderr).toBe(0);
    for (const source of [['--live'], ['--against', snapshot]]) {
      for (const path of paths) {
        const r = await cli(['access', ...source, '--path', path, '-o', 'json'], { cwd: dir, ...(source[0] === '--against' ? { env: offline } : {}) });
        expect(r.code, r.stderr).toBe(0);
        const live = (JSON.parse(r.stdout) as { principals: Array<{ address: string; capabilities: string[] }> }).principals;
        for (const address of Object.keys(logins)) {
          expect(live.find((p) => p.address === address)?.capabilities, `${source[0]} ${address} on ${path}`).toEqual(holders.get(path)!.find((p) => p.address === address)?.capabilities);
        }
      }
    }
    const web2 = await cli(['access', '--against', snapshot, '--principal', `auth/${ar}/roles/web`], { cwd: dir, env: offline });
    expect(web2.stdout).toContain(`path "secret/data/payments/*": read ← policy ${ops} at line 4 of the policy`);
    const both = await cli(['access', '-c', dir, '--live', '--path', 'a'], { cwd: dir });
    expect(both.code).toBe(1);
    expect(both.stderr).toContain('give one source');
  });
});
