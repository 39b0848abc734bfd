// `access` end to end through real logins: a config with userpass users, AppRoles, a JWT role (JWTs
// signed here), a Kubernetes role (a ServiceAccount token of the test kube-apiserver), identity
// entities (member_entities of internal groups) and an external group reached through the JWT
// groups claim is applied; each principal logs in, and for every path below its token's
// sys/capabilities-self must equal what `access --principal` implies and what `access --path` lists
// for it. The login's token and identity policies must be those `access --principal` names.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildAcl, capabilitiesAt } from '../../../src/core/access/acl.js';
import type { ParsedPolicy } from '../../../src/core/access/policy-rules.js';
import type { TemplateIdentity } from '../../../src/core/access/templating.js';
import { startKube, type KubeServer } from '../../servers/kube.js';
import { allOutput, cli, configDir, uniq } from '../helpers/cli.js';
import { signingKey } from '../helpers/oidc-provider.js';
import { disableReviewerJwtMounts } from '../helpers/reviewer-jwt-cleanup.js';
import { vaultRequest } from '../helpers/vault-http.js';

const id = uniq('e2e');
const [up, ar, jwt, k8s] = [`up-${id}`, `ar-${id}`, `jwt-${id}`, `k8s-${id}`];
const p = (name: string) => `${name}-${id}`;
const ISSUER = 'https://issuer.example.com';
const AUDIENCE = 'https://kubernetes.default.svc.cluster.local'; // the test apiserver's --api-audiences
const key = signingKey('ec');
let kube: KubeServer;
/** A token of a ServiceAccount allowed to review others' tokens (system:auth-delegator): Vault's for TokenReview. */
let reviewerJwt = '';

beforeAll(async () => {
  kube = await startKube();
  const reviewer = await kube.serviceAccount('vault-auth', `reviewer-${id}`, []);
  const binding = await kube.request('POST', '/apis/rbac.authorization.k8s.io/v1/clusterrolebindings', {
    metadata: { name: `reviewer-${id}` },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'system:auth-delegator' },
    subjects: [{ kind: 'ServiceAccount', name: `reviewer-${id}`, namespace: 'vault-auth' }],
  });
  expect(binding.status, JSON.stringify(binding.body)).toBe(201);
  reviewerJwt = reviewer.token;
}, 600_000);
// A reviewer JWT cannot be exported: leave none for later files' whole-server export tests.
afterAll(async () => {
  await disableReviewerJwtMounts();
  await kube?.stop();
});

const POLICIES: Record<string, string> = {
  read: `path "secret/data/app/*" { capabilities = ["read", "list"] }
path "secret/data/app/admin" { capabilities = ["deny"] }
path "secret/data/app/empty" { capabilities = [] }
path "secret/metadata/app" { capabilities = ["list"] }`,
  ops: `path "sys/policies/acl/*" { capabilities = ["create", "update", "read"] }
path "sys/audit" { capabilities = ["read", "sudo"] }
path "sys/audit/*" { capabilities = ["sudo", "create", "update"] }
path "sys/mounts/+/tune" { capabilities = ["read", "update"] }
path "auth/token/accessors/" { capabilities = ["list", "sudo"] }`,
  self: 'path "sys/capabilities-self" { capabilities = ["update"] }',
  ci: `path "secret/data/+/ci" { capabilities = ["read", "sudo"] }
path "secret/data/team/+/deploy/*" { capabilities = ["create", "update"] }
path "secret/data/team/a+b/x" { capabilities = ["read"] }
path "secret/data/*" { capabilities = ["list"] }`,
  ent: `path "kv/+/shared/*" { capabilities = ["read"] }
path "secret/data/users/{{identity.entity.name}}/*" { capabilities = ["read", "list"] }
path "secret/data/team/{{ identity.entity.metadata.team }}" { capabilities = ["update"] }
path "secret/data/app/admin" { capabilities = ["read"] }
path "secret/data/app/x" { capabilities = ["update"] }`,
  staff: `path "secret/data/staff" { capabilities = ["create", "read"] }
path "secret/metadata/staff/" { capabilities = ["list"] }
path "secret/data/staff/{{identity.entity.name}}" { capabilities = ["create", "update"] }
path "secret/data/g/{{identity.groups.names.${p('everyone')}.name}}/*" { capabilities = ["read"] }`,
  everyone: `path "secret/data/everyone/*" { capabilities = ["read"] }
path "sys/*" { capabilities = ["read"] }`,
  ext: `path "secret/data/ext/*" { capabilities = ["read", "update"] }
path "identity/*" { capabilities = ["read"] }`,
  parent: `path "secret/+/parent" { capabilities = ["patch"] }
path "secret/data/ext/locked" { capabilities = ["deny"] }`,
  carol: `path "secret/data/carol/*" { capabilities = ["read", "create"] }
path "secret/data/+/ci" { capabilities = ["delete"] }`,
  kube: `path "secret/data/k8s/*" { capabilities = ["read"] }
path "secret/data/k8s/secret" { capabilities = ["deny"] }`,
  app: `path "secret/data/k8s/app" { capabilities = ["update"] }
path "secret/data/k8s/gone" { capabilities = ["deny"] }
path "database/creds/+" { capabilities = ["read"] }
path "secret/data/apps/{{identity.entity.name}}" { capabilities = ["read"] }`,
  robot: `path "secret/data/robot/{{identity.entity.name}}" { capabilities = ["read", "update"] }
path "secret/data/app/*" { capabilities = ["create"] }`,
};

const indent = (text: string, by: string) => text.split('\n').map((l) => `${by}${l}`).join('\n');

function yaml(ca: string): string {
  return `policies:
${Object.entries(POLICIES).map(([name, text]) => `  ${p(name)}:\n    policy: |\n${indent(text, '      ')}`).join('\n')}
auth:
  ${up}:
    type: userpass
    users:
      alice: { token_policies: [${p('read')}, ${p('ci')}], credentials: { file: { path: out/alice.json } } }
      bob: { token_policies: [${p('ops')}, ${p('self')}], token_no_default_policy: true, credentials: { file: { path: out/bob.json } } }
  ${ar}:
    type: approle
    roles:
      web: { token_policies: [${p('ops')}, ${p('self')}], token_no_default_policy: true, credentials: { file: { path: out/web.json } } }
      batch: { role_id: batch-${id}, token_policies: [${p('ci')}, ${p('read')}], credentials: { file: { path: out/batch.json } } }
  ${jwt}:
    type: jwt
    config: { bound_issuer: ${ISSUER}, jwt_validation_pubkeys: [${JSON.stringify(key.publicPem)}] }
    roles:
      deploy: { role_type: jwt, user_claim: sub, groups_claim: groups, bound_audiences: [vault], token_policies: [${p('ci')}] }
  ${k8s}:
    type: kubernetes
    config:
      kubernetes_host: ${kube.server}
      kubernetes_ca_cert: |
${indent(ca.trim(), '        ')}
      disable_local_ca_jwt: true
      token_reviewer_jwt: \${var.reviewer_jwt}
    roles:
      app:
        bound_service_account_names: [app]
        bound_service_account_namespaces: [apps]
        audience: ${AUDIENCE}
        alias_name_source: serviceaccount_name
        token_policies: [${p('kube')}]
identity:
  entities:
    ${p('alice')}: { policies: [${p('ent')}], metadata: { team: core }, aliases: [{ mount: ${up}, name: alice }] }
    ${p('carol')}: { policies: [${p('carol')}], aliases: [{ mount: ${jwt}, name: carol }] }
    ${p('app')}: { policies: [${p('app')}], aliases: [{ mount: ${k8s}, name: apps/app }] }
    ${p('robot')}: { policies: [${p('robot')}], aliases: [{ mount: ${ar}, name: batch-${id} }] }
  groups:
    ${p('staff')}: { policies: [${p('staff')}], member_entities: [${p('alice')}, ${p('carol')}] }
    ${p('everyone')}: { policies: [${p('everyone')}], member_groups: [${p('staff')}] }
    ${p('admins')}: { type: external, policies: [${p('ext')}], alias: { name: admins, mount: ${jwt} } }
    ${p('parent')}: { policies: [${p('parent')}], member_groups: [${p('admins')}] }
`;
}

/** Exact, glob, `+` (and a literal `+`), deny, empty capabilities, list on `/`, sudo paths, paths outside every rule, the default policy's. */
const PATHS = [
  ...['secret/data/app/x', 'secret/data/app/y', 'secret/data/app/admin', 'secret/data/app/empty', 'secret/data/app/', 'secret/data/app'],
  ...['secret/metadata/app', 'secret/metadata/app/', 'secret/metadata/app/x', 'secret/data/other', 'secret/data/', 'secret/data/a/b/c'],
  ...['secret/data/web/ci', 'secret/data/ci', 'secret/data//ci', 'secret/data/web/ci/more', 'secret/data/team/a/deploy/x', 'secret/data/team/a/deploy/'],
  ...['secret/data/team/a/deploy', 'secret/data/team/a+b/x', 'secret/data/team/ab/x', 'kv/data/shared/x', 'kv/a/shared/b/c', 'kv/shared/x'],
  ...['secret/data/staff', 'secret/data/staff/x', 'secret/metadata/staff/', 'secret/metadata/staff', 'secret/data/everyone/a', 'secret/data/everyone'],
  ...['sys/mounts', 'sys/health', 'sys/policies/acl/x', 'sys/policies/acl/', 'sys/policies/acl', 'sys/audit', 'sys/audit/file', 'sys/audit/'],
  ...['sys/mounts/secret/tune', 'sys/mounts/a/b/tune', 'sys/capabilities-self', 'sys/raw/x', 'sys/seal', 'sys/rotate', 'sys/tools/hash', 'sys/leases/lookup'],
  ...['auth/token/accessors/', 'auth/token/accessors', 'auth/token/lookup-self', 'auth/token/renew-self', 'auth/token/create', 'cubbyhole/note', 'cubbyhole/'],
  ...['secret/data/ext/a', 'secret/data/ext/locked', 'identity/group/name/x', 'identity/entity/id/zzz', 'secret/data/parent', 'secret/metadata/parent'],
  ...['secret/data/carol/a', 'secret/data/k8s/a', 'secret/data/k8s/secret', 'secret/data/k8s/app', 'secret/data/k8s/gone', 'database/creds/ro'],
  ...['database/creds/ro/x', 'nothing/here', 'sys/wrapping/wrap', 'identity/oidc/provider/p/authorize'],
  // Templated rules: the entity's name and metadata, a group's name (the default policy's own too).
  ...[`identity/entity/name/${p('alice')}`, `identity/entity/name/${p('carol')}`, `identity/entity/name/${p('app')}`, `secret/data/users/${p('alice')}/x`, `secret/data/users/${p('alice')}/`],
  ...['secret/data/team/core', `secret/data/staff/${p('alice')}`, `secret/data/staff/${p('carol')}`, `secret/data/g/${p('everyone')}/x`, `secret/data/apps/${p('app')}`],
  `secret/data/robot/${p('robot')}`,
];

interface Login {
  /** The principal's address, and the condition of the `access` variant that this login is. */
  address: string;
  condition?: string;
  path: string;
  body: Record<string, unknown>;
  /** The entity it is and that entity's groups, when the config declares them (what templated paths name). */
  identity?: TemplateIdentity;
  /** A few answers known by reading the config: the comparison is not between two empty answers. */
  known?: Record<string, string[]>;
}

interface PathHolder {
  address: string;
  condition?: string;
  capabilities: string[];
}
interface PrincipalJson {
  policies: Array<{ name: string; routes: Array<{ via: string[]; condition?: string }> }>;
  rules: Array<{ policy: string; rule: string; capabilities: string[]; templated?: boolean }>;
}

const offline = { VAULT_ADDR: 'http://127.0.0.1:1', VAULT_TOKEN: '' };
// eslint-disable-next-line @typescript-eslint/no-explicit-any
async function accessJson(dir: string, args: string[]): Promise<any> {
  // Offline: the reviewer JWT is not needed, any value does.
  const r = await cli(['access', '-c', dir, '--var', 'reviewer_jwt=unused', ...args, '-o', 'json'], { cwd: dir, env: offline });
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(r.stdout);
}

/** The policies `access --principal` gives a login with `condition`: its own and those of every route that holds for it. */
function policiesFor(principal: PrincipalJson, condition: string | undefined): { token: string[]; identity: string[] } {
  const holds = (r: { condition?: string }) => r.condition === undefined || r.condition === condition;
  const names = (identity: boolean) =>
    principal.policies
      .filter((pol) => pol.routes.some((r) => holds(r) && (r.via[0]?.startsWith('identity/') ?? false) === identity))
      .map((pol) => pol.name)
      .sort();
  return { token: names(false), identity: names(true) };
}

/** What the rules `access --principal` lists (of the policies that hold for the login, templated ones rendered for its identity) allow on `path`. */
function impliedCapabilities(principal: PrincipalJson, policies: string[], identity: TemplateIdentity | undefined, path: string): string[] {
  const parsed: ParsedPolicy[] = policies.map((name) => ({
    name,
    rules: principal.rules
      .filter((r) => r.policy === name)
      .map((r) => ({ policy: name, path: r.rule, line: 0, col: 0, capabilities: r.capabilities, constraints: {}, templated: r.templated === true })),
  }));
  return capabilitiesAt(buildAcl(parsed, identity), path).capabilities;
}

describe('access agrees with Vault for real logins of every principal kind', () => {
  it('userpass, AppRole, JWT (groups claim, entity by user claim), Kubernetes (entity by ServiceAccount): sys/capabilities-self = access --principal = access --path', { timeout: 600_000 }, async () => {
    const dir = await configDir({ 'main.yaml': yaml(Buffer.from(kube.caData, 'base64').toString('utf8')) });
    const applied = await cli(['apply', '-c', dir, '--auto-approve', '--var', `reviewer_jwt=${reviewerJwt}`], { cwd: dir });
    expect(applied.code, applied.stderr + applied.stdout).toBe(0);

    const creds = async <T>(name: string) => JSON.parse(await readFile(join(dir, `out/${name}.json`), 'utf8')) as T;
    const user = async (name: string) => ({ path: `auth/${up}/login/${name}`, body: { password: (await creds<{ password: string }>(name)).password } });
    const role = async (name: string) => {
      const c = await creds<{ role_id: string; secret_id: string }>(name);
      return { path: `auth/${ar}/login`, body: { role_id: c.role_id, secret_id: c.secret_id } };
    };
    const signed = (sub: string, groups: string[]) => ({ path: `auth/${jwt}/login`, body: { role: 'deploy', jwt: key.sign({ iss: ISSUER, aud: 'vault', sub, groups }) } });
    const sa = await kube.serviceAccount('apps', 'app', []);
    const deploy = `auth/${jwt}/roles/deploy`;
    const staff = [{ name: p('staff'), metadata: {} }, { name: p('everyone'), metadata: {} }];
    const logins: Login[] = [
      {
        address: `auth/${up}/users/alice`,
        identity: { entity: { name: p('alice'), metadata: { team: 'core' } }, groups: staff },
        known: { 'secret/data/app/x': ['update'], 'secret/data/app/y': ['list', 'read'], 'secret/data/app/admin': ['deny'], [`secret/data/users/${p('alice')}/x`]: ['list', 'read'], 'secret/data/team/core': ['update'] },
        ...(await user('alice')),
      },
      { address: `auth/${up}/users/bob`, ...(await user('bob')) },
      { address: `auth/${ar}/roles/web`, known: { 'sys/audit': ['read', 'sudo'], 'auth/token/lookup-self': ['deny'] }, ...(await role('web')) },
      {
        address: `auth/${ar}/roles/batch`,
        identity: { entity: { name: p('robot'), metadata: {} }, groups: [] },
        known: { [`secret/data/robot/${p('robot')}`]: ['read', 'update'], 'secret/data/app/y': ['create', 'list', 'read'] },
        ...(await role('batch')),
      },
      { address: deploy, condition: `the login's groups claim holds "admins"`, identity: { groups: [{ name: p('admins'), metadata: {} }, { name: p('parent'), metadata: {} }] }, known: { 'secret/data/ext/a': ['read', 'update'], 'secret/data/ext/locked': ['deny'] }, ...signed(`dev1-${id}`, ['admins', 'unrelated']) },
      { address: deploy, condition: `the login's user claim "sub" is "carol"`, identity: { entity: { name: p('carol'), metadata: {} }, groups: staff }, known: { [`secret/data/staff/${p('carol')}`]: ['create', 'update'], 'secret/data/web/ci': ['delete', 'read', 'sudo'] }, ...signed('carol', []) },
      { address: deploy, known: { 'secret/data/ext/locked': ['list'] }, ...signed(`dev2-${id}`, ['unrelated']) },
      { address: `auth/${k8s}/roles/app`, condition: `the login's ServiceAccount (namespace/name) is "apps/app"`, identity: { entity: { name: p('app'), metadata: {} }, groups: [] }, known: { 'secret/data/k8s/a': ['read'], 'secret/data/k8s/gone': ['deny'], [`secret/data/apps/${p('app')}`]: ['read'] }, path: `auth/${k8s}/login`, body: { role: 'app', jwt: sa.token } },
    ];

    const holders = new Map<string, PathHolder[]>();
    for (const path of PATHS) holders.set(path, (await accessJson(dir, ['--path', path])).principals);
    const principals = new Map<string, PrincipalJson>();
    for (const address of new Set(logins.map((l) => l.address))) principals.set(address, await accessJson(dir, ['--principal', address]));
    // A principal is also named by its object's Vault path.
    expect(await accessJson(dir, ['--principal', `auth/${jwt}/role/deploy`])).toEqual(principals.get(deploy));

    const secrets: string[] = [reviewerJwt, sa.token];
    let compared = 0;
    for (const login of logins) {
      const what = `${login.address}${login.condition ? ` (${login.condition})` : ''}`;
      const answer = await vaultRequest('POST', login.path, login.body, { token: null });
      expect(answer.status, `${what}: ${JSON.stringify(answer.json)}`).toBe(200);
      const auth = answer.json.auth as { client_token: string; token_policies: string[]; identity_policies?: string[] };
      secrets.push(auth.client_token, ...['password', 'secret_id', 'jwt'].flatMap((k) => (typeof login.body[k] === 'string' ? [login.body[k] as string] : [])));

      const principal = principals.get(login.address)!;
      const expected = policiesFor(principal, login.condition);
      expect({ token: [...auth.token_policies].sort(), identity: [...(auth.identity_policies ?? [])].sort() }, `${what}: policies`).toEqual(expected);

      const self = await vaultRequest('POST', 'sys/capabilities-self', { paths: PATHS }, { token: auth.client_token });
      expect(self.status, `${what}: ${JSON.stringify(self.json)}`).toBe(200);
      const policies = [...expected.token, ...expected.identity];
      for (const path of PATHS) {
        const vault = [...(self.json.data[path] as string[])].sort();
        if (login.known?.[path]) expect(vault, `${what} on ${path}: Vault`).toEqual(login.known[path]);
        expect(impliedCapabilities(principal, policies, login.identity, path), `${what} on ${path}: access --principal`).toEqual(vault);
        const listed = holders.get(path)!.filter((h) => h.address === login.address);
        const entry = listed.find((h) => h.condition === login.condition) ?? listed.find((h) => h.condition === undefined);
        expect(entry?.capabilities ?? ['deny'], `${what} on ${path}: access --path`).toEqual(vault);
        compared++;
      }
    }
    expect(compared).toBe(logins.length * PATHS.length);

    // The live Vault gives the same principals the same policies by the same routes (entities and
    // groups read back by name, aliases by mount path). A role_id is not read back (it is read only
    // for a config that pins it): from Vault, the entity of a pinned one is reached on that condition.
    for (const [address, fromConfig] of principals) {
      const r = await cli(['access', '--live', '--principal', address, '-o', 'json'], { cwd: dir });
      expect(r.code, r.stderr).toBe(0);
      const roleIdUnread = (pol: PrincipalJson['policies'][number]) =>
        address === `auth/${ar}/roles/batch` && pol.name === p('robot') ? { ...pol, routes: pol.routes.map((r) => ({ ...r, condition: `the login's role_id is "batch-${id}"` })) } : pol;
      expect((JSON.parse(r.stdout) as PrincipalJson).policies, `${address} --live`).toEqual(fromConfig.policies.map(roleIdUnread));
    }
    expect(PATHS.length).toBeGreaterThanOrEqual(50);
    const printed = allOutput();
    for (const secret of secrets) expect(printed).not.toContain(secret);
  });
});
