import { describe, expect, it } from 'vitest';
import { accessVariants, holdersOf, principalAccess } from '../../../../src/core/access/access-query.js';
import { effectivePolicies, findPrincipal, principalsOf, templateIdentity } from '../../../../src/core/access/principal-graph.js';
import type { Principal } from '../../../../src/core/principal.js';
import { KINDS } from '../../../../src/kinds/registry.js';
import { loadFiles } from '../load-files.js';

const CONFIG = `
policies:
  app-read:
    policy: |
      path "secret/data/app/*" { capabilities = ["read", "list"] }
      path "secret/data/app/admin" { capabilities = ["deny"] }
  ops: { policy: 'path "sys/policies/acl/*" { capabilities = ["create", "update"] }' }
  ci: { policy: 'path "secret/data/+/ci" { capabilities = ["read"] }' }
auth:
  userpass:
    type: userpass
    users:
      alice: { token_policies: [app-read], token_bound_cidrs: [10.0.0.0/8], credentials: { file: { path: out/alice.json } } }
  approle:
    type: approle
    roles:
      web: { token_policies: [app-read], secret_id_bound_cidrs: [10.1.0.0/16], token_no_default_policy: true, credentials: { file: { path: out/web.json } } }
  k8s:
    type: kubernetes
    config: { kubernetes_host: https://kubernetes.default.svc }
    roles:
      app: { bound_service_account_names: [app], bound_service_account_namespaces: ['*'], token_policies: [ci] }
  github:
    type: github
    config: { organization: acme, organization_id: 42, token_policies: [ci] }
    teams:
      sre: { policies: [app-read] }
    users:
      bob: { policies: [ops] }
  oidc:
    type: jwt
    config: { bound_issuer: https://issuer.example.com, jwks_url: https://issuer.example.com/keys }
    roles:
      deploy: { role_type: jwt, user_claim: sub, groups_claim: groups, bound_audiences: [vault], bound_claims: { repository: acme/app }, token_policies: [ci] }
identity:
  groups:
    ops-team: { type: external, policies: [ops], alias: { name: sre, mount: github } }
    admins: { type: external, policies: [app-read], alias: { name: admins, mount: oidc } }
    all-staff: { member_groups: [ops-team], policies: [ci] }
`;

function graph(yaml = CONFIG): { principals: Principal[]; texts: Record<string, string> } {
  const { value, errors } = loadFiles({ 'main.yaml': yaml });
  expect(errors).toEqual([]);
  const config = value!;
  const principals = principalsOf(
    KINDS,
    KINDS.flatMap((k) => k.desired(config)),
  );
  return { principals, texts: Object.fromEntries(Object.entries(config.policies).map(([n, p]) => [n, p.policy])) };
}
const byAddress = (ps: Principal[], a: string) => ps.find((p) => p.address === a)!;
const summary = (routes: ReturnType<typeof effectivePolicies>) => routes.map((r) => `${r.policy}${r.via.length ? ` via ${r.via.join('>')}` : ''}${r.condition ? ' ?' : ''}`);

describe('principals the kinds declare', () => {
  it('every role, user, map and group that carries policies, with what binds it', () => {
    const { principals } = graph();
    expect(principals.map((p) => p.address).sort()).toEqual([
      'auth/approle/roles/web',
      'auth/github/config',
      'auth/github/teams/sre',
      'auth/github/users/bob',
      'auth/k8s/roles/app',
      'auth/oidc/roles/deploy',
      'auth/userpass/users/alice',
      'identity/groups/admins',
      'identity/groups/all-staff',
      'identity/groups/ops-team',
    ]);
    expect(byAddress(principals, 'auth/userpass/users/alice')).toEqual({
      address: 'auth/userpass/users/alice',
      vaultPath: 'auth/userpass/users/alice',
      policies: ['app-read'],
      defaultPolicy: true,
      bindings: { token_bound_cidrs: ['10.0.0.0/8'] },
      entityAlias: { mount: 'userpass', name: 'alice' },
    });
    expect(byAddress(principals, 'auth/approle/roles/web')).toMatchObject({ policies: ['app-read'], defaultPolicy: false, bindings: { secret_id_bound_cidrs: ['10.1.0.0/16'] } });
    expect(byAddress(principals, 'auth/k8s/roles/app').bindings).toEqual({ bound_service_account_names: ['app'], bound_service_account_namespaces: ['*'] });
    expect(byAddress(principals, 'auth/oidc/roles/deploy')).toMatchObject({ groupAliases: { mount: 'oidc', names: '*' }, bindings: { bound_claims: { repository: 'acme/app' } } });
    expect(byAddress(principals, 'auth/github/teams/sre')).toMatchObject({ includes: ['auth/github/config'], groupAliases: { mount: 'github', names: ['sre'] } });
    expect(byAddress(principals, 'identity/groups/ops-team')).toMatchObject({ defaultPolicy: false, groupAlias: { mount: 'github', name: 'sre' } });
  });
});

describe('a principal named by its address or its Vault path', () => {
  it('roles, maps, groups and entities by either; a config by its address', () => {
    const { principals } = graph(ENTITIES.replace('identity:\n', `  github:
    type: github
    config: { organization: acme, organization_id: 42 }
    teams:
      sre: { policies: [p-user] }
identity:\n`));
    const found = (a: string) => findPrincipal(principals, a)?.address;
    expect(found('auth/approle/role/pinned')).toBe('auth/approle/roles/pinned');
    expect(found('auth/approle/roles/pinned/')).toBe('auth/approle/roles/pinned');
    expect(found('auth/oidc/role/cli')).toBe('auth/oidc/roles/cli');
    expect(found('auth/k8s/role/app')).toBe('auth/k8s/roles/app');
    expect(found('auth/github/map/teams/sre')).toBe('auth/github/teams/sre');
    expect(found('/auth/github/config')).toBe('auth/github/config');
    expect(found('auth/userpass/users/carol')).toBe('auth/userpass/users/carol');
    expect(found('identity/group/name/staff')).toBe('identity/groups/staff');
    expect(found('identity/entity/name/carol')).toBe('identity/entities/carol');
    expect(found('auth/approle/role/nope')).toBeUndefined();
  });
});

describe('effective policies', () => {
  it('a GitHub team: its own, the mount config, default, its external group and that group\'s parents', () => {
    const { principals } = graph();
    expect(summary(effectivePolicies(principals, byAddress(principals, 'auth/github/teams/sre')))).toEqual([
      'app-read',
      'ci via auth/github/config',
      'default',
      'ops via identity/groups/ops-team',
      'ci via identity/groups/ops-team>identity/groups/all-staff',
    ]);
  });

  it('token_no_default_policy leaves default out; a JWT groups claim joins external groups only on a condition', () => {
    const { principals } = graph();
    expect(summary(effectivePolicies(principals, byAddress(principals, 'auth/approle/roles/web')))).toEqual(['app-read']);
    expect(summary(effectivePolicies(principals, byAddress(principals, 'auth/oidc/roles/deploy')))).toEqual(['ci', 'default', 'app-read via identity/groups/admins ?']);
  });

  it("a group gets its parents' policies; a membership cycle (live state only: validate refuses one) ends", () => {
    const { principals } = graph();
    expect(summary(effectivePolicies(principals, byAddress(principals, 'identity/groups/ops-team')))).toEqual(['ops', 'ci via identity/groups/all-staff']);
    const group = (name: string, policies: string[], members: string[]): Principal => ({ address: `identity/groups/${name}`, policies, defaultPolicy: false, bindings: {}, memberGroups: members.map((m) => `identity/groups/${m}`) });
    const cycle = [group('a', ['pa'], ['b']), group('b', ['pb'], ['a'])];
    expect(summary(effectivePolicies(cycle, cycle[0]!))).toEqual(['pa', 'pb via identity/groups/b']);
  });

  it('a policy named but not defined is reported missing (Vault ignores it); root and default need no text', () => {
    const p: Principal = { address: 'auth/x/roles/r', policies: ['ghost', 'root'], defaultPolicy: true, bindings: {} };
    const access = principalAccess([p], p, {});
    expect(access.missing).toEqual(['ghost']);
    expect(access.policies.map((x) => x.name)).toEqual(['root', 'default']);
    expect(access.acl.root).toBe(true);
  });
});

describe('who holds a capability on a path', () => {
  it('every principal whose decided rule grants it; a conditional variant only where it changes the answer', () => {
    const { principals, texts } = graph();
    const all = principals.flatMap((p) => accessVariants(principals, p, texts));
    const who = (path: string, op?: string) => holdersOf(all, path, op).map((h) => `${h.access.principal.address}${h.access.condition ? ' ?' : ''}: ${h.answer.capabilities.join(',')}`).sort();
    expect(who('secret/data/app/x', 'read')).toEqual([
      'auth/approle/roles/web: list,read',
      'auth/github/teams/sre: list,read',
      'auth/oidc/roles/deploy ?: list,read',
      'auth/userpass/users/alice: list,read',
      'identity/groups/admins: list,read',
    ]);
    expect(who('secret/data/app/admin')).toEqual([]);
    expect(who('sys/policies/acl/x', 'update')).toEqual(['auth/github/teams/sre: create,update', 'auth/github/users/bob: create,update', 'identity/groups/ops-team: create,update']);
    expect(who('secret/data/x/ci', 'read').map((w) => w.split(':')[0])).toEqual([
      'auth/github/config',
      'auth/github/teams/sre',
      'auth/github/users/bob',
      'auth/k8s/roles/app',
      'auth/oidc/roles/deploy',
      'identity/groups/all-staff',
      'identity/groups/ops-team',
    ]);
  });
});

// Entities: a login whose alias an entity holds is that entity, and gets its policies and those of
// the groups listing it in member_entities (and their parents).
const ENTITIES = `
policies:
  p-user: { policy: 'path "u/*" { capabilities = ["read"] }' }
  p-carol: { policy: 'path "c/*" { capabilities = ["read"] }' }
  p-staff: { policy: 'path "s/*" { capabilities = ["read"] }' }
  p-all: { policy: 'path "a/*" { capabilities = ["read"] }' }
  p-ext: { policy: 'path "e/*" { capabilities = ["read"] }' }
auth:
  userpass:
    type: userpass
    users:
      carol: { token_policies: [p-user], credentials: { file: { path: out/carol.json } } }
      dave: { token_policies: [p-user], credentials: { file: { path: out/dave.json } } }
  approle:
    type: approle
    roles:
      pinned: { role_id: pinned-id, token_policies: [p-user], credentials: { file: { path: out/pinned.json } } }
      free: { token_policies: [p-user], credentials: { file: { path: out/free.json } } }
  oidc:
    type: jwt
    config: { bound_issuer: https://issuer.example.com, jwks_url: https://issuer.example.com/keys }
    roles:
      cli: { role_type: jwt, user_claim: email, groups_claim: groups, bound_audiences: [vault], token_policies: [p-user] }
  k8s:
    type: kubernetes
    config: { kubernetes_host: https://kubernetes.default.svc }
    roles:
      app: { bound_service_account_names: [app], bound_service_account_namespaces: [apps], alias_name_source: serviceaccount_name }
identity:
  entities:
    carol:
      policies: [p-carol]
      aliases: [{ mount: userpass, name: carol }, { mount: oidc, name: carol@example.com }, { mount: k8s, name: apps/app }]
    robot:
      aliases: [{ mount: approle, name: pinned-id }]
  groups:
    staff: { policies: [p-staff], member_entities: [carol, robot] }
    everyone: { policies: [p-all], member_groups: [staff] }
    ext: { type: external, policies: [p-ext], alias: { name: admins, mount: oidc } }
    ext-parent: { policies: [p-all], member_groups: [ext] }
`;

describe('identity entities in the graph', () => {
  it('an entity is a principal; its groups are those listing it in member_entities', () => {
    const { principals } = graph(ENTITIES);
    expect(byAddress(principals, 'identity/entities/carol')).toMatchObject({
      policies: ['p-carol'],
      defaultPolicy: false,
      entityAliases: [
        { mount: 'k8s', name: 'apps/app' },
        { mount: 'oidc', name: 'carol@example.com' },
        { mount: 'userpass', name: 'carol' },
      ],
    });
    expect(byAddress(principals, 'identity/groups/staff').memberEntities).toEqual(['identity/entities/carol', 'identity/entities/robot']);
    expect(summary(effectivePolicies(principals, byAddress(principals, 'identity/entities/carol')))).toEqual([
      'p-carol',
      'p-staff via identity/groups/staff',
      'p-all via identity/groups/staff>identity/groups/everyone',
    ]);
  });

  it('a login whose alias name the config fixes (userpass user, pinned role_id) is its entity', () => {
    const { principals } = graph(ENTITIES);
    const carol = ['p-user', 'default', 'p-carol via identity/entities/carol', 'p-staff via identity/entities/carol>identity/groups/staff', 'p-all via identity/entities/carol>identity/groups/staff>identity/groups/everyone'];
    expect(summary(effectivePolicies(principals, byAddress(principals, 'auth/userpass/users/carol')))).toEqual(carol);
    expect(summary(effectivePolicies(principals, byAddress(principals, 'auth/userpass/users/dave')))).toEqual(['p-user', 'default']);
    expect(summary(effectivePolicies(principals, byAddress(principals, 'auth/approle/roles/pinned')))).toEqual(['p-user', 'default', 'p-staff via identity/entities/robot>identity/groups/staff', 'p-all via identity/entities/robot>identity/groups/staff>identity/groups/everyone']);
    // A generated role_id could be any entity's alias: only on a condition.
    expect(summary(effectivePolicies(principals, byAddress(principals, 'auth/approle/roles/free')))).toEqual(['p-user', 'default', 'p-staff via identity/entities/robot>identity/groups/staff ?', 'p-all via identity/entities/robot>identity/groups/staff>identity/groups/everyone ?']);
  });

  it('a login whose alias the login names (JWT user claim, ServiceAccount) is the entity only on that condition, each condition on its own', () => {
    const { principals, texts } = graph(ENTITIES);
    const routes = effectivePolicies(principals, byAddress(principals, 'auth/oidc/roles/cli'));
    expect(routes.map((r) => [r.policy, r.via.join('>'), r.condition ?? ''])).toEqual([
      ['p-user', '', ''],
      ['default', '', ''],
      ['p-carol', 'identity/entities/carol', 'the login\'s user claim "email" is "carol@example.com"'],
      ['p-staff', 'identity/entities/carol>identity/groups/staff', 'the login\'s user claim "email" is "carol@example.com"'],
      ['p-all', 'identity/entities/carol>identity/groups/staff>identity/groups/everyone', 'the login\'s user claim "email" is "carol@example.com"'],
      ['p-ext', 'identity/groups/ext', 'the login\'s groups claim holds "admins"'],
      // Reached again under the other condition: conditions are never combined.
      ['p-all', 'identity/groups/ext>identity/groups/ext-parent', 'the login\'s groups claim holds "admins"'],
    ]);
    expect(accessVariants(principals, byAddress(principals, 'auth/oidc/roles/cli'), texts).map((v) => v.condition ?? '')).toEqual([
      '',
      'the login\'s user claim "email" is "carol@example.com"',
      'the login\'s groups claim holds "admins"',
    ]);
    expect(effectivePolicies(principals, byAddress(principals, 'auth/k8s/roles/app')).filter((r) => r.condition).map((r) => r.condition)).toEqual([
      'the login\'s ServiceAccount (namespace/name) is "apps/app"',
      'the login\'s ServiceAccount (namespace/name) is "apps/app"',
      'the login\'s ServiceAccount (namespace/name) is "apps/app"',
    ]);
  });

  it('a conditional variant that loses what the principal holds is listed too, with what it holds', () => {
    const yaml = ENTITIES.replace("p-ext: { policy: 'path \"e/*\" { capabilities = [\"read\"] }' }", "p-ext: { policy: 'path \"u/locked\" { capabilities = [\"deny\"] }' }");
    const { principals, texts } = graph(yaml);
    const all = principals.flatMap((p) => accessVariants(principals, p, texts));
    const who = (path: string, op?: string) =>
      holdersOf(all, path, op)
        .filter((h) => h.access.principal.address === 'auth/oidc/roles/cli')
        .map((h) => `${h.access.condition ?? ''}: ${h.answer.capabilities.join(',')}`);
    expect(who('u/locked')).toEqual([': read', 'the login\'s groups claim holds "admins": deny']);
    expect(who('u/locked', 'read')).toEqual([': read', 'the login\'s groups claim holds "admins": deny']);
    expect(who('u/other')).toEqual([': read']);
  });

  it('templated paths name the entity a login is and its groups: always for a userpass user, only on the condition for a JWT role', () => {
    const yaml = ENTITIES.replace("p-carol: { policy: 'path \"c/*\" { capabilities = [\"read\"] }' }", "p-carol: { policy: 'path \"c/{{identity.entity.name}}/{{identity.groups.names.everyone.name}}\" { capabilities = [\"read\"] }' }");
    const { principals, texts } = graph(yaml);
    expect(templateIdentity(principals, byAddress(principals, 'auth/userpass/users/carol'))).toEqual({ entity: { name: 'carol', metadata: {} }, groups: [{ name: 'staff', metadata: {} }, { name: 'everyone', metadata: {} }] });
    expect(templateIdentity(principals, byAddress(principals, 'auth/userpass/users/dave'))).toEqual({ groups: [] });
    expect(holdersOf(principals.flatMap((p) => accessVariants(principals, p, texts)), 'c/carol/everyone').map((h) => `${h.access.principal.address}${h.access.condition ? ` if ${h.access.condition}` : ''}`)).toEqual([
      'auth/userpass/users/carol',
      'auth/oidc/roles/cli if the login\'s user claim "email" is "carol@example.com"',
      'auth/k8s/roles/app if the login\'s ServiceAccount (namespace/name) is "apps/app"',
      'identity/entities/carol',
    ]);
  });

  it('a group reached by every login is not repeated under a condition', () => {
    const node = (address: string, extra: Partial<Principal>): Principal => ({ address, policies: [`p-${address.split('/').pop()}`], defaultPolicy: false, bindings: {}, ...extra });
    const login = node('auth/j/roles/r', { groupAliases: { mount: 'j', names: '*' }, entityAlias: { mount: 'j', from: 'user claim "sub"' } });
    const graphOf = [
      login,
      node('identity/entities/e', { entityAliases: [{ mount: 'j', name: 'e' }] }),
      node('identity/groups/g', { groupAlias: { mount: 'j', name: 'g' } }),
      node('identity/groups/top', { memberGroups: ['identity/groups/g'], memberEntities: ['identity/entities/e'] }),
    ];
    expect(summary(effectivePolicies(graphOf, login))).toEqual(['p-r', 'p-e via identity/entities/e ?', 'p-top via identity/entities/e>identity/groups/top ?', 'p-g via identity/groups/g ?', 'p-top via identity/groups/g>identity/groups/top ?']);
    const userpass = node('auth/u/users/e', { entityAlias: { mount: 'u', name: 'e' }, groupAliases: { mount: 'u', names: '*' } });
    const both = [userpass, node('identity/entities/e', { entityAliases: [{ mount: 'u', name: 'e' }] }), node('identity/groups/g', { groupAlias: { mount: 'u', name: 'g' } }), node('identity/groups/top', { memberGroups: ['identity/groups/g'], memberEntities: ['identity/entities/e'] })];
    expect(summary(effectivePolicies(both, userpass))).toEqual(['p-e', 'p-e via identity/entities/e', 'p-top via identity/entities/e>identity/groups/top', 'p-g via identity/groups/g ?']);
  });
});
