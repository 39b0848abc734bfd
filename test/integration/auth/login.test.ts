// The tool's own login against the real server: --auth token (the user's token, never revoked),
// approle (role_id/secret_id from variables and from files) and jwt (a key pair this test makes,
// the JWT from a variable, a GitLab id_tokens variable, and a GitHub Actions-style endpoint) and
// kubernetes (a service-account token from the real kube-apiserver of test/servers/kube.ts).
// Each runs a real `plan` through the CLI; a login token never outlives the run (revoked on
// success and on failure), and no JWT, secret_id or token appears in anything the CLI printed.
import { spawn } from 'node:child_process';
import { createSign, generateKeyPairSync } from 'node:crypto';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { allOutput, CLI, cli, configDir, uniq, type CliResult } from '../helpers/cli.js';
import { serverEnv, vaultClient } from '../helpers/server.js';
import { vaultRequest } from '../helpers/vault-http.js';
import { KUBERNETES_TOKEN_FILE } from '../../../src/adapters/login.js';
import { startKube, type KubeServer } from '../../servers/kube.js';
import { disableReviewerJwtMounts } from '../helpers/reviewer-jwt-cleanup.js';

// A reviewer JWT cannot be exported: leave none for later files' whole-server export tests.
afterAll(disableReviewerJwtMounts);

const id = uniq('login');
const polName = `declared-${id}`;
const plannerPolicy = `planner-${id}`;
const narrowPolicy = `narrow-${id}`;
const applierPolicy = `applier-${id}`;
const statePath = `vault-gitops/state-${id}`;
const arMount = `ar-${id}`;
const jwtMount = `ci-${id}/jwt`;
const audience = `vault-gitops-test-${id}`;
const vault = vaultClient();
const home = mkdtempSync(join(tmpdir(), 'login-home-'));
const secrets: string[] = [];

/** What `plan` reads for a config of policies: the mount tables, the policies, the state record. */
const PLANNER_HCL = `
path "sys/auth" { capabilities = ["read"] }
path "sys/mounts" { capabilities = ["read"] }
path "sys/policies/acl" { capabilities = ["list"] }
path "sys/policies/acl/*" { capabilities = ["read"] }
path "vault-gitops/data/state-${id}" { capabilities = ["read"] }
path "vault-gitops/metadata/state-${id}" { capabilities = ["read"] }
`;

let dir: string;

/**
 * The environment of a run that must log in by itself: no VAULT_TOKEN, no ~/.vault-token
 * (HOME is an empty directory), no VAULT_GITOPS_AUTH_* from outside.
 */
function loginEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { VAULT_TOKEN: '', HOME: home, VAULT_GITOPS_STATE_PATH: statePath };
  for (const k of Object.keys(process.env)) if (k.startsWith('VAULT_GITOPS_AUTH_') || k.startsWith('ACTIONS_ID_TOKEN_')) env[k] = '';
  return { ...env, ...extra };
}

async function accessors(): Promise<Set<string>> {
  return new Set(await vault.list('auth/token/accessors'));
}

/** Runs the CLI with --debug and checks the run's own login traffic from its request log. */
async function run(args: string[], env: NodeJS.ProcessEnv): Promise<CliResult & { logins: number; revokes: number; creates: number }> {
  const r = await cli([...args, '--debug'], { env, cwd: dir });
  const lines = r.stderr.split('\n');
  const count = (re: RegExp) => lines.filter((l) => re.test(l)).length;
  return {
    ...r,
    logins: count(/^debug: POST auth\/.+\/login → \d+ \(\d+ms\)$/),
    revokes: count(/^debug: POST auth\/token\/revoke-self → \d+ \(\d+ms\)$/),
    creates: count(/^debug: POST auth\/token\/create/),
  };
}

/** A plan run that logged in by itself: exit 0, the declared policy shown, one login, one revoke, no token left behind. */
async function expectLoggedInPlan(args: string[], env: NodeJS.ProcessEnv): Promise<void> {
  const before = await accessors();
  const r = await run(['plan', '-c', dir, ...args], env);
  expect(r.code, r.stderr).toBe(0);
  expect(r.stdout).toContain(polName);
  expect(r.stderr).toMatch(/^debug: logged in with (approle|kubernetes|jwt) at auth\/\S+ \(token TTL \d+s\)$/m);
  expect([r.logins, r.revokes, r.creates]).toEqual([1, 1, 0]);
  expect(r.stderr).not.toContain('warning');
  const after = await accessors();
  expect([...after].filter((a) => !before.has(a))).toEqual([]);
}

beforeAll(async () => {
  dir = await configDir({ 'vault.yaml': `policies:\n  ${polName}:\n    policy: |\n      path "secret/data/${id}/*" { capabilities = ["read"] }\n` });
  await vault.write(`sys/policies/acl/${plannerPolicy}`, { policy: PLANNER_HCL });
  await vault.write(`sys/policies/acl/${narrowPolicy}`, { policy: `path "vault-gitops/data/state-${id}" { capabilities = ["read"] }` });
  await vault.write(`sys/policies/acl/${applierPolicy}`, {
    policy: `${PLANNER_HCL}
path "sys/policies/acl/${polName}" { capabilities = ["create", "read", "update", "delete"] }
path "sys/mounts/vault-gitops" { capabilities = ["create", "read", "update"] }
path "vault-gitops/data/state-${id}" { capabilities = ["create", "read", "update"] }
path "vault-gitops/data/held-${id}" { capabilities = ["read"] }
path "vault-gitops/metadata/held-${id}" { capabilities = ["read"] }
`,
  });
});

afterAll(async () => {
  // Nothing any CLI run printed carries a credential or a token of this file.
  const out = allOutput();
  for (const s of [...secrets, serverEnv().VAULT_TOKEN]) expect(out).not.toContain(s);
  vault.close();
});

describe('--auth token', () => {
  it("uses the user's token as it is and never revokes it", async () => {
    const created = await vaultRequest('POST', 'auth/token/create', { policies: [plannerPolicy], ttl: '10m' });
    const token = created.json.auth.client_token as string;
    secrets.push(token);
    const r = await run(['plan', '-c', dir, '--auth', 'token'], { ...loginEnv({}), VAULT_TOKEN: token });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(polName);
    expect([r.logins, r.revokes, r.creates]).toEqual([0, 0, 0]);
    expect((await vaultRequest('GET', 'auth/token/lookup-self', undefined, { token })).status).toBe(200);
  });

  it('without a token: a usage error that names the login methods, nothing sent', async () => {
    const r = await run(['plan', '-c', dir], loginEnv({}));
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('error: no Vault token');
    expect(r.stderr).toContain('--auth approle|kubernetes|jwt');
  });
});

describe('--auth approle', () => {
  let roleId = '';
  const secretId = async (role = 'planner') => {
    const s = (await vault.write(`auth/${arMount}/role/${role}/secret-id`)) as { data: { secret_id: string } };
    secrets.push(s.data.secret_id);
    return s.data.secret_id;
  };

  beforeAll(async () => {
    await vault.write(`sys/auth/${arMount}`, { type: 'approle' });
    for (const [role, policy] of [['planner', plannerPolicy], ['narrow', narrowPolicy], ['applier', applierPolicy]] as const) {
      await vault.write(`auth/${arMount}/role/${role}`, { token_policies: [policy], token_ttl: '5m', secret_id_ttl: '10m' });
    }
    roleId = ((await vault.read(`auth/${arMount}/role/planner/role-id`)) as { data: { role_id: string } }).data.role_id;
    secrets.push(roleId);
  });

  it('logs in with role_id and secret_id from VAULT_GITOPS_AUTH_* variables, and revokes the token at exit', async () => {
    await expectLoggedInPlan([], loginEnv({
      VAULT_GITOPS_AUTH_METHOD: 'approle',
      VAULT_GITOPS_AUTH_MOUNT: arMount,
      VAULT_GITOPS_AUTH_ROLE_ID: roleId,
      VAULT_GITOPS_AUTH_SECRET_ID: await secretId(),
    }));
  });

  it('reads role_id and secret_id from files (--auth, --auth-mount flags), ignoring a VAULT_TOKEN that is set', async () => {
    const files = mkdtempSync(join(tmpdir(), 'approle-'));
    writeFileSync(join(files, 'role_id'), `${roleId}\n`, { mode: 0o600 });
    writeFileSync(join(files, 'secret_id'), `${await secretId()}\n`, { mode: 0o600 });
    await expectLoggedInPlan(['--auth', 'approle', '--auth-mount', arMount], {
      ...loginEnv({ VAULT_GITOPS_AUTH_ROLE_ID_FILE: join(files, 'role_id'), VAULT_GITOPS_AUTH_SECRET_ID_FILE: join(files, 'secret_id') }),
      VAULT_TOKEN: 'hvs.not-a-valid-token',
    });
  });

  it('revokes the token also when the command fails after the login', async () => {
    const narrowRoleId = ((await vault.read(`auth/${arMount}/role/narrow/role-id`)) as { data: { role_id: string } }).data.role_id;
    const before = await accessors();
    const r = await run(['plan', '-c', dir, '--auth', 'approle', '--auth-mount', arMount], loginEnv({
      VAULT_GITOPS_AUTH_ROLE_ID: narrowRoleId,
      VAULT_GITOPS_AUTH_SECRET_ID: await secretId('narrow'),
    }));
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/error: Vault answered 403 to GET sys\//);
    expect([r.logins, r.revokes]).toEqual([1, 1]);
    expect([...(await accessors())].filter((a) => !before.has(a))).toEqual([]);
  });

  it('apply logs in once, releases its lock, then revokes the token', async () => {
    const applierRoleId = ((await vault.read(`auth/${arMount}/role/applier/role-id`)) as { data: { role_id: string } }).data.role_id;
    const env = loginEnv({ VAULT_GITOPS_AUTH_METHOD: 'approle', VAULT_GITOPS_AUTH_MOUNT: arMount, VAULT_GITOPS_AUTH_ROLE_ID: applierRoleId });
    const before = await accessors();
    const r = await run(['apply', '-c', dir, '--auto-approve'], { ...env, VAULT_GITOPS_AUTH_SECRET_ID: await secretId('applier') });
    expect(r.code, r.stderr).toBe(0);
    expect([r.logins, r.revokes, r.creates]).toEqual([1, 1, 0]);
    const lines = r.stderr.split('\n');
    const lockRelease = lines.map((l) => /^debug: (POST|PUT|DELETE) vault-gitops\/data\/state-/.test(l)).lastIndexOf(true);
    expect(lockRelease).toBeLessThan(lines.findIndex((l) => l.startsWith('debug: POST auth/token/revoke-self → ')));
    expect(await vault.read(`sys/policies/acl/${polName}`)).toBeDefined();
    expect([...(await accessors())].filter((a) => !before.has(a))).toEqual([]);
    await vault.delete(`sys/policies/acl/${polName}`);
  });

  it('apply stopped by SIGTERM while it waits for a lock still revokes its token', async () => {
    await vault.write('sys/mounts/vault-gitops', { type: 'kv', options: { version: '2' } }).catch(() => undefined);
    const now = Date.now();
    await vault.write(`vault-gitops/data/held-${id}`, {
      data: { format_version: '1', objects: {}, lock: { id: 'a0e1d2c3-0000-4000-8000-000000000000', owner: 'ci@elsewhere pid 1', acquired_at: new Date(now).toISOString(), expires_at: new Date(now + 300_000).toISOString() } },
    });
    const applierRoleId = ((await vault.read(`auth/${arMount}/role/applier/role-id`)) as { data: { role_id: string } }).data.role_id;
    const env = loginEnv({
      VAULT_GITOPS_AUTH_METHOD: 'approle',
      VAULT_GITOPS_AUTH_MOUNT: arMount,
      VAULT_GITOPS_AUTH_ROLE_ID: applierRoleId,
      VAULT_GITOPS_AUTH_SECRET_ID: await secretId('applier'),
      VAULT_GITOPS_STATE_PATH: `vault-gitops/held-${id}`,
    });
    const before = await accessors();
    const child = spawn(process.execPath, [CLI, 'apply', '-c', dir, '--auto-approve', '--lock-timeout', '60s', '--debug'], {
      cwd: dir,
      env: { ...process.env, NO_COLOR: '1', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<number | null>((res) => child.on('close', (code) => res(code)));
    const deadline = Date.now() + 20_000;
    while (!stderr.includes('Waiting up to') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    expect(stderr).toContain('Waiting up to');
    expect([...(await accessors())].filter((a) => !before.has(a))).toHaveLength(1);
    child.kill('SIGTERM');
    expect(await exited).toBe(143);
    expect(stderr).toContain('debug: POST auth/token/revoke-self → ');
    expect([...(await accessors())].filter((a) => !before.has(a))).toEqual([]);
    for (const s of secrets) expect(stderr).not.toContain(s);
  });

  it('a failed login names the method, the mount and Vault\'s message, never the secret_id', async () => {
    const wrong = `${(await secretId()).slice(0, -4)}ffff`;
    secrets.push(wrong);
    const r = await run(['plan', '-c', dir, '--auth', 'approle', '--auth-mount', arMount], loginEnv({ VAULT_GITOPS_AUTH_ROLE_ID: roleId, VAULT_GITOPS_AUTH_SECRET_ID: wrong }));
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(new RegExp(`error: cannot log in to Vault with approle at auth/${arMount}: Vault answered \\d{3}: \\S`));
    expect(r.stderr).toContain('hint: check the role_id and secret_id');
    expect(r.stdout).toBe('');
    expect([r.logins, r.revokes]).toEqual([1, 0]);
    // Without --debug: the message alone, no stack trace.
    const plain = await cli(['plan', '-c', dir, '--auth', 'approle', '--auth-mount', arMount], { env: loginEnv({ VAULT_GITOPS_AUTH_ROLE_ID: roleId, VAULT_GITOPS_AUTH_SECRET_ID: wrong }) });
    expect(plain.code).toBe(1);
    expect(plain.stderr).toMatch(new RegExp(`^error: cannot log in to Vault with approle at auth/${arMount}: Vault answered \\d{3}: .+\n  hint: .+\n$`));
  });

  it('a missing credential file is a usage error before anything is sent', async () => {
    const r = await run(['plan', '-c', dir, '--auth', 'approle', '--auth-mount', arMount], loginEnv({
      VAULT_GITOPS_AUTH_ROLE_ID: roleId,
      VAULT_GITOPS_AUTH_SECRET_ID_FILE: join(home, 'no-such-file'),
    }));
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`error: cannot read the secret_id from ${join(home, 'no-such-file')} (VAULT_GITOPS_AUTH_SECRET_ID_FILE): ENOENT`);
    expect(r.logins).toBe(0);
  });
});

describe('--auth jwt', () => {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const other = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');

  /** An RS256 JWT signed with the test's key (or another one). */
  function jwt(claims: Record<string, unknown> = {}, key = privateKey): string {
    const now = Math.floor(Date.now() / 1000);
    const unsigned = `${b64({ alg: 'RS256', typ: 'JWT' })}.${b64({ sub: 'ci-job', aud: audience, iat: now, nbf: now - 5, exp: now + 300, ...claims })}`;
    const token = `${unsigned}.${createSign('RSA-SHA256').update(unsigned).sign(key).toString('base64url')}`;
    secrets.push(token, unsigned.split('.')[1] ?? '', token.split('.')[2] ?? '');
    return token;
  }

  let github: Server;
  let githubUrl = '';
  const githubBearer = `gh-request-${id}`;
  let githubJwt = '';
  const githubSeen: string[] = [];

  beforeAll(async () => {
    await vault.write(`sys/auth/${jwtMount}`, { type: 'jwt' });
    await vault.write(`auth/${jwtMount}/config`, { jwt_validation_pubkeys: [publicKey.export({ type: 'spki', format: 'pem' }).toString()] });
    await vault.write(`auth/${jwtMount}/role/plan`, {
      role_type: 'jwt',
      bound_audiences: [audience],
      user_claim: 'sub',
      token_policies: [plannerPolicy],
      token_ttl: '5m',
    });
    // A stand-in for GitHub's OIDC token endpoint (ACTIONS_ID_TOKEN_REQUEST_URL): the real one
    // needs a GitHub Actions job; Vault is still the real server.
    secrets.push(githubBearer);
    github = createServer((req, res) => {
      githubSeen.push(req.url ?? '');
      const url = new URL(req.url ?? '/', 'http://x');
      if (req.headers.authorization !== `bearer ${githubBearer}`) return void res.writeHead(401).end();
      githubJwt = jwt({ aud: url.searchParams.get('audience') ?? 'https://github.com/example' });
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ count: 1, value: githubJwt }));
    });
    await new Promise<void>((r) => github.listen(0, '127.0.0.1', () => r()));
    const a = github.address();
    githubUrl = `http://127.0.0.1:${typeof a === 'object' && a ? a.port : 0}/_apis/token?api-version=2.0`;
  });
  afterAll(() => new Promise<void>((r) => github.close(() => r())));

  it('logs in with a JWT from VAULT_GITOPS_AUTH_JWT and --auth-role, and revokes the token at exit', async () => {
    await expectLoggedInPlan(['--auth', 'jwt', '--auth-mount', jwtMount, '--auth-role', 'plan'], loginEnv({ VAULT_GITOPS_AUTH_JWT: jwt() }));
  });

  it('reads the JWT from a file', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'jwt-')), 'token');
    writeFileSync(file, jwt(), { mode: 0o600 });
    await expectLoggedInPlan([], loginEnv({ VAULT_GITOPS_AUTH_METHOD: 'jwt', VAULT_GITOPS_AUTH_MOUNT: jwtMount, VAULT_GITOPS_AUTH_ROLE: 'plan', VAULT_GITOPS_AUTH_JWT_FILE: file }));
  });

  it('GitLab CI: reads the id_tokens variable named by VAULT_GITOPS_AUTH_JWT_ENV', async () => {
    await expectLoggedInPlan(['--auth', 'jwt', '--auth-mount', jwtMount, '--auth-role', 'plan'], loginEnv({ VAULT_GITOPS_AUTH_JWT_ENV: 'VAULT_ID_TOKEN', VAULT_ID_TOKEN: jwt() }));
  });

  it('GitHub Actions: fetches the OIDC token for the configured audience', async () => {
    await expectLoggedInPlan(['--auth', 'jwt', '--auth-mount', jwtMount, '--auth-role', 'plan', '--auth-audience', audience], loginEnv({
      ACTIONS_ID_TOKEN_REQUEST_URL: githubUrl,
      ACTIONS_ID_TOKEN_REQUEST_TOKEN: githubBearer,
    }));
    expect(githubSeen.at(-1)).toBe(`/_apis/token?api-version=2.0&audience=${encodeURIComponent(audience)}`);
    expect(githubJwt).not.toBe('');
  });

  it.each([
    ['a wrong audience', () => jwt({ aud: 'someone-else' })],
    ['an expired token', () => jwt({ exp: Math.floor(Date.now() / 1000) - 600, iat: Math.floor(Date.now() / 1000) - 900, nbf: Math.floor(Date.now() / 1000) - 900 })],
    ['a token signed with another key', () => jwt({}, other.privateKey)],
  ])('refuses %s: the error names jwt, the mount and Vault\'s message, never the JWT', async (_what, make) => {
    const r = await run(['plan', '-c', dir, '--auth', 'jwt', '--auth-mount', jwtMount, '--auth-role', 'plan'], loginEnv({ VAULT_GITOPS_AUTH_JWT: make() }));
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(new RegExp(`error: cannot log in to Vault with jwt at auth/${jwtMount}: Vault answered \\d{3}: \\S`));
    expect(r.stdout).toBe('');
    expect([r.logins, r.revokes]).toEqual([1, 0]);
  });
});

describe('--auth kubernetes', () => {
  const k8sMount = `k8s-${id}`;
  let kube: KubeServer;
  let saToken = '';

  beforeAll(async () => {
    kube = await startKube();
    await kube.createNamespace('gitops');
    saToken = (await kube.serviceAccount('gitops', 'vault-gitops', [])).token;
    secrets.push(saToken, kube.adminToken);
    await vault.write(`sys/auth/${k8sMount}`, { type: 'kubernetes' });
    // Vault checks each login's token with the apiserver's TokenReview API, as the admin here.
    await vault.write(`auth/${k8sMount}/config`, {
      kubernetes_host: kube.server,
      kubernetes_ca_cert: Buffer.from(kube.caData, 'base64').toString('utf8'),
      token_reviewer_jwt: kube.adminToken,
    });
    await vault.write(`auth/${k8sMount}/role/drift`, {
      bound_service_account_names: ['vault-gitops'],
      bound_service_account_namespaces: ['gitops'],
      token_policies: [plannerPolicy],
      token_ttl: '5m',
    });
  }, 120_000);
  afterAll(() => kube?.stop());

  it('logs in with the service-account token (file overridable), and revokes the token at exit', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'sa-')), 'token');
    writeFileSync(file, saToken, { mode: 0o600 });
    await expectLoggedInPlan(['--auth', 'kubernetes', '--auth-mount', k8sMount, '--auth-role', 'drift'], loginEnv({ VAULT_GITOPS_AUTH_JWT_FILE: file }));
  });

  it('a service account the role does not bind is refused, naming kubernetes and the mount', async () => {
    const stranger = (await kube.serviceAccount('gitops', 'stranger', [])).token;
    secrets.push(stranger);
    const r = await run(['plan', '-c', dir, '--auth', 'kubernetes', '--auth-mount', k8sMount, '--auth-role', 'drift'], loginEnv({ VAULT_GITOPS_AUTH_JWT: stranger }));
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(new RegExp(`error: cannot log in to Vault with kubernetes at auth/${k8sMount}: Vault answered \\d{3}: \\S`));
    expect([r.logins, r.revokes]).toEqual([1, 0]);
  });

  it.skipIf(existsSync(KUBERNETES_TOKEN_FILE))('outside a pod, says which file it looked for', async () => {
    const r = await run(['plan', '-c', dir, '--auth', 'kubernetes', '--auth-role', 'drift'], loginEnv({}));
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`error: cannot read the service-account token from ${KUBERNETES_TOKEN_FILE} (the Kubernetes service account): ENOENT`);
    expect(r.logins).toBe(0);
  });
});
