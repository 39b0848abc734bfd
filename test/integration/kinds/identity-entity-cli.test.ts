// Identity entities and their aliases through the real CLI: an entity with a userpass alias and an
// OIDC alias, a member of an internal group; logging in through each alias gives a token of that
// entity with the entity's and the group's policies. Then changes, adoption of an entity Vault made
// at a login, snapshot/export round trips, prune, and refused configs.
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Plan } from '../../../src/core/model.js';
import { cli, configDir, exportThenPlan, uniq } from '../helpers/cli.js';
import { startOidcProvider, type OidcProvider } from '../helpers/oidc-provider.js';
import { serverEnv } from '../helpers/server.js';
import { vaultRequest } from '../helpers/vault-http.js';

const id = uniq('ent');
const [up, sso] = [`up-${id}`, `sso-${id}`];
const [alice, bob, carol] = [`alice-${id}`, `bob-${id}`, `carol-${id}`];
const [entPolicy, groupPolicy] = [`ent-${id}`, `grp-${id}`];
const openbao = serverEnv().server === 'openbao';
const NO_TRACE = /internal error|\n\s+at .+:\d+:\d+/;
let idp: OidcProvider;

function yaml(o: { alicePolicies?: string; ssoName?: string; bob?: boolean; carol?: boolean; prune?: string } = {}): string {
  return `policies:
  ${entPolicy}: { policy: 'path "secret/data/ent/*" { capabilities = ["read"] }' }
  ${groupPolicy}: { policy: 'path "secret/data/grp/*" { capabilities = ["read"] }' }
auth:
  ${up}:
    type: userpass
  ${sso}:
    type: oidc
    config: { oidc_discovery_url: ${idp.issuer}, bound_issuer: ${idp.issuer} }
    roles:
      cli: { role_type: jwt, user_claim: email, bound_audiences: [vault], token_ttl: 5m }
identity:
  entities:
    ${alice}:
      policies: ${o.alicePolicies ?? `[${entPolicy}]`}
      metadata: { team: core, level: "3" }
      aliases:
        - { mount: ${sso}, name: ${o.ssoName ?? `${alice}@example.com`} }
        - { mount: ${up}, name: ${alice} }
${o.bob === false ? '' : `    ${bob}: { disabled: true }\n`}${o.carol ? `    ${carol}:\n      aliases: [{ mount: ${up}, name: ${carol} }]\n` : ''}  groups:
    staff-${id}: { policies: [${groupPolicy}], member_entities: [${alice}] }
${o.prune ? `prune: ${o.prune}\n` : ''}`;
}

const plan = async (dir: string) => {
  const r = await cli(['plan', '-c', dir, '-o', 'json']);
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(r.stdout) as Plan;
};
const changes = (p: Plan) => p.changes.filter((c) => c.action !== 'noop').map((c) => `${c.action} ${c.address}`);
const entity = async (name: string) => (await vaultRequest('GET', `identity/entity/name/${name}`)).json?.data;

async function userpassLogin(user: string): Promise<{ entity_id: string; identity_policies?: string[] }> {
  const r = await vaultRequest('POST', `auth/${up}/login/${user}`, { password: `pw-${id}` }, { token: null });
  expect(r.status, JSON.stringify(r.json)).toBe(200);
  return r.json.auth;
}

beforeAll(async () => {
  idp = await startOidcProvider();
});
afterAll(async () => {
  await idp.close();
});

describe('identity entities through the CLI', () => {
  it('apply → plan 0; logging in through either alias gives a token of the entity with its and its group’s policies', async () => {
    const dir = await configDir({ 'c.yaml': yaml() });
    const applied = await cli(['apply', '-c', dir, '--auto-approve']);
    expect(applied.code, applied.stderr + applied.stdout).toBe(0);
    const again = await cli(['plan', '-c', dir, '-o', 'json', '--detailed-exitcode']);
    expect(again.code, again.stderr + again.stdout.slice(0, 3000)).toBe(0);

    // Vault holds ids and accessors; the config holds names and paths.
    const a = await entity(alice);
    const accessors = (await vaultRequest('GET', 'sys/auth')).json.data;
    expect(a.aliases.map((x: { name: string; mount_accessor: string }) => [x.name, x.mount_accessor]).sort()).toEqual(
      [
        [alice, accessors[`${up}/`].accessor],
        [`${alice}@example.com`, accessors[`${sso}/`].accessor],
      ].sort(),
    );
    expect(a.metadata).toEqual({ team: 'core', level: '3' });
    expect((await entity(bob)).disabled).toBe(true);
    expect((await vaultRequest('GET', `identity/group/name/staff-${id}`)).json.data.member_entity_ids).toEqual([a.id]);

    expect((await vaultRequest('POST', `auth/${up}/users/${alice}`, { password: `pw-${id}` })).status).toBe(204);
    const viaPassword = await userpassLogin(alice);
    const jwt = idp.sign({ email: `${alice}@example.com`, aud: 'vault' });
    const viaOidc = (await vaultRequest('POST', `auth/${sso}/login`, { role: 'cli', jwt }, { token: null })).json.auth;
    for (const auth of [viaPassword, viaOidc]) {
      expect(auth.entity_id).toBe(a.id);
      expect([...(auth.identity_policies ?? [])].sort()).toEqual([entPolicy, groupPolicy].sort());
    }
  });

  it('changed policies and a renamed alias are one security-relevant update; drift shows a change by hand', async () => {
    const dir = await configDir({ 'c.yaml': yaml({ alicePolicies: `[${entPolicy}, default]`, ssoName: `a.${id}@example.com` }) });
    const p = await plan(dir);
    expect(changes(p)).toEqual([`update identity/entities/${alice}`]);
    const change = p.changes.find((c) => c.address === `identity/entities/${alice}`)!;
    expect(change.security).toBe(true);
    expect(change.fields.map((f) => f.name).sort()).toEqual(['aliases', 'policies']);
    expect((await cli(['apply', '-c', dir, '--auto-approve'])).code).toBe(0);
    expect((await cli(['plan', '-c', dir, '--detailed-exitcode'])).code).toBe(0);
    expect((await entity(alice)).aliases.map((x: { name: string }) => x.name).sort()).toEqual([alice, `a.${id}@example.com`].sort());

    await vaultRequest('POST', `identity/entity/name/${bob}`, { disabled: false });
    const drift = await cli(['drift', '-c', dir]);
    expect(drift.code, drift.stdout + drift.stderr).toBe(2);
    expect(drift.stdout).toContain(`identity/entities/${bob}`);
    expect((await cli(['apply', '-c', dir, '--auto-approve'])).code).toBe(0);
    expect((await entity(bob)).disabled).toBe(true);
  });

  it('an entity Vault made at a login is not unmanaged, survives prune, and is adopted by declaring its alias', async () => {
    expect((await vaultRequest('POST', `auth/${up}/users/${carol}`, { password: `pw-${id}` })).status).toBe(204);
    const first = await userpassLogin(carol);
    const made = (await vaultRequest('GET', `identity/entity/id/${first.entity_id}`)).json.data.name as string;
    expect(made).toMatch(openbao ? /^entity_[0-9a-f]{8}\.root$/ : /^entity_[0-9a-f]{8}$/);

    const pruned = await configDir({ 'c.yaml': yaml({ prune: '[identity/entities]' }) });
    const p = await plan(pruned);
    expect(p.unmanaged.map((u) => u.address)).not.toContain(`identity/entities/${made}`);
    expect(changes(p).filter((c) => c.includes(made))).toEqual([]);

    const adopting = await configDir({ 'c.yaml': yaml({ carol: true }) });
    const adoption = changes(await plan(adopting));
    expect(adoption).toContain(`create identity/entities/${carol}`);
    expect(adoption.filter((c) => c.includes(made))).toEqual([]);
    const applied = await cli(['apply', '-c', adopting, '--auto-approve']);
    expect(applied.code, applied.stderr).toBe(0);
    expect((await cli(['plan', '-c', adopting, '--detailed-exitcode'])).code).toBe(0);
    const adopted = await entity(carol);
    expect(adopted.aliases.map((x: { name: string }) => x.name)).toEqual([carol]);
    // Merged into the declared one: gone under its own name, its id recorded as merged.
    expect((await vaultRequest('GET', `identity/entity/name/${made}`)).status).toBe(404);
    expect(adopted.merged_entity_ids).toContain(first.entity_id);
    expect((await userpassLogin(carol)).entity_id).toBe(adopted.id);
  });

  it("an alias another named entity holds is refused at apply, naming that entity; nothing moves", async () => {
    const other = `dave-${id}`;
    const daveId = (await vaultRequest('POST', `identity/entity`, { name: other })).json.data.id as string;
    const accessor = (await vaultRequest('GET', 'sys/auth')).json.data[`${up}/`].accessor as string;
    expect((await vaultRequest('POST', 'identity/entity-alias', { name: `shared-${id}`, mount_accessor: accessor, canonical_id: daveId })).status).toBe(200);
    const dir = await configDir({ 'c.yaml': `${yaml({ carol: true })}`.replace(`name: ${carol} }]`, `name: shared-${id} }]`) });
    const r = await cli(['apply', '-c', dir, '--auto-approve']);
    expect(r.code).toBe(1);
    expect(r.stdout + r.stderr).toContain(`alias shared-${id} on auth mount ${up} belongs to entity ${other}`);
    expect(r.stdout + r.stderr).not.toMatch(NO_TRACE);
    expect((await entity(other)).aliases.map((x: { name: string }) => x.name)).toEqual([`shared-${id}`]);
    await vaultRequest('DELETE', `identity/entity/name/${other}`);
  });

  it('snapshot → offline plan 0; export → plan 0 with entities, their aliases and group members by name', async () => {
    const dir = await configDir({ 'c.yaml': yaml({ carol: true }) });
    expect((await cli(['apply', '-c', dir, '--auto-approve'])).code).toBe(0);
    const snap = join(await configDir({}), 'live.json');
    expect((await cli(['snapshot', '-c', dir, '--out', snap])).code).toBe(0);
    const offline = await cli(['plan', '-c', dir, '--detailed-exitcode', '--against', snap], { env: { VAULT_ADDR: 'http://127.0.0.1:1', VAULT_TOKEN: '', VAULT_CACERT: '' } });
    expect(offline.code, offline.stderr + offline.stdout.slice(0, 3000)).toBe(0);

    const { exported, plan: replan } = await exportThenPlan(id);
    expect(exported.code, exported.stderr).toBe(0);
    expect(replan.code, replan.stderr + replan.stdout.slice(0, 3000)).toBe(0);
    const addresses = (JSON.parse(replan.stdout) as Plan).changes.map((c) => c.address);
    expect(addresses).toEqual(expect.arrayContaining([`identity/entities/${alice}`, `identity/entities/${bob}`, `identity/entities/${carol}`, `identity/groups/staff-${id}`]));
    expect(addresses.filter((a) => /identity\/entities\/entity_[0-9a-f]{8}(\.root)?$/.test(a))).toEqual([]);
  });

  it('an entity removed from the config is deleted (it is ours), its group membership with it', async () => {
    const dir = await configDir({ 'c.yaml': yaml({ bob: false, carol: true }) });
    expect(changes(await plan(dir))).toEqual([`delete identity/entities/${bob}`]);
    const applied = await cli(['apply', '-c', dir, '--auto-approve']);
    expect(applied.code, applied.stderr).toBe(0);
    expect((await vaultRequest('GET', `identity/entity/name/${bob}`)).status).toBe(404);
    expect((await cli(['plan', '-c', dir, '--detailed-exitcode'])).code).toBe(0);
  });

  it('refuses an alias on two entities, two aliases on one mount, entity members of an external group and `..` names at file:line:col; nothing written', async () => {
    const dir = await configDir({
      'c.yaml': `auth:
  ${up}-x: { type: userpass }
identity:
  entities:
    x-${id}:
      aliases:
        - { mount: ${up}-x, name: one }
        - { mount: ${up}-x, name: two }
    y-${id}:
      aliases: [{ mount: ${up}-x, name: one }]
    "..": { policies: [default] }
  groups:
    ext-${id}:
      type: external
      member_entities: [x-${id}]
`,
    });
    const r = await cli(['apply', '-c', dir, '--auto-approve']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/c\.yaml:8:\d+: error: identity\.entities\.x-\S+\.aliases\.1: entity x-\S+ has two aliases on auth mount/);
    expect(r.stderr).toMatch(/c\.yaml:10:\d+: error: identity\.entities\.y-\S+\.aliases\.0: alias one on auth mount \S+ is declared on entities x-\S+ and y-/);
    expect(r.stderr).toMatch(/c\.yaml:11:\d+: error: identity\.entities/);
    expect(r.stderr).toMatch(/c\.yaml:15:\d+: error: identity\.groups\.ext-\S+\.member_entities: an external group gets its members from its alias/);
    expect(r.stderr).toContain('4 errors in the configuration; nothing was sent to Vault.');
    expect(r.stderr).not.toMatch(NO_TRACE);
    expect((await vaultRequest('GET', `identity/entity/name/x-${id}`)).status).toBe(404);
    expect((await vaultRequest('GET', 'sys/auth')).json.data[`${up}-x/`]).toBeUndefined();
  });
});
