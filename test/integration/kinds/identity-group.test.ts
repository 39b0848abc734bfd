import { generateKeyPairSync, sign } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { identityGroupKind as kind } from '../../../src/kinds/identity/identity-group.js';
import { uniq } from '../helpers/cli.js';
import { vaultClient } from '../helpers/server.js';
import { vaultRequest } from '../helpers/vault-http.js';
import { config, converge, pending, readLive } from './drive-kind.js';

const id = uniq('ig');
const vault = vaultClient();
const jwtMount = `jwt-${id}`;
const otherMount = `up-${id}`;
const [inner, outer, ext] = [`inner-${id}`, `outer-${id}`, `ext-${id}`];
const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });

/** An ES256 JWT the jwt mount trusts (its key is the one this test generated). */
function jwt(claims: Record<string, unknown>): string {
  const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
  const input = `${b64({ alg: 'ES256', typ: 'JWT' })}.${b64({ iat: Math.floor(Date.now() / 1000) - 5, exp: Math.floor(Date.now() / 1000) + 300, ...claims })}`;
  return `${input}.${sign('sha256', Buffer.from(input), { key: privateKey, dsaEncoding: 'ieee-p1363' }).toString('base64url')}`;
}

const groups = (ext_alias: unknown, extra: Record<string, unknown> = {}) =>
  config({
    identity: {
      groups: {
        [inner]: { policies: ['b-pol', 'a-pol'], metadata: { team: 'core', size: 3 } },
        [outer]: { member_groups: [inner], policies: [`outer-pol-${id}`], ...extra },
        [ext]: { type: 'external', policies: [`ext-pol-${id}`], alias: ext_alias },
      },
    },
  });

beforeAll(async () => {
  await vaultRequest('POST', `sys/auth/${jwtMount}`, { type: 'jwt' });
  await vaultRequest('POST', `sys/auth/${otherMount}`, { type: 'userpass' });
  const pem = publicKey.export({ type: 'spki', format: 'pem' }).toString();
  expect((await vaultRequest('POST', `auth/${jwtMount}/config`, { jwt_validation_pubkeys: [pem] })).status).toBe(204);
  const role = { role_type: 'jwt', user_claim: 'sub', groups_claim: 'groups', bound_audiences: ['vault-gitops-test'], token_ttl: '5m' };
  expect((await vaultRequest('POST', `auth/${jwtMount}/role/dev`, role)).status).toBe(204);
});

afterAll(() => vault.close());

describe('identity groups, driven through the kind module', () => {
  it('creates internal and external groups with member groups by name and the alias by mount path; they read back equal', async () => {
    const cfg = groups({ name: `devs-${id}`, mount: jwtMount });
    expect(await converge(vault, kind, cfg)).toEqual([`create identity/groups/${inner}`, `create identity/groups/${outer}`, `create identity/groups/${ext}`]);
    expect(await pending(vault, kind, cfg)).toEqual([]);

    const live = await readLive(vault, kind, cfg);
    expect(live.get(`identity/groups/${outer}`)?.settings).toEqual({ type: 'internal', policies: [`outer-pol-${id}`], metadata: {}, member_groups: [inner], member_entities: [] });
    expect(live.get(`identity/groups/${ext}`)?.settings.alias).toEqual({ name: `devs-${id}`, mount: jwtMount });
    expect(live.get(`identity/groups/${inner}`)?.settings.metadata).toEqual({ size: '3', team: 'core' });
    // Vault holds ids; the kind keeps the group's id as its identity and never shows one in settings.
    const raw = (await vaultRequest('GET', `identity/group/name/${outer}`)).json.data;
    expect(raw.member_group_ids).toEqual([live.get(`identity/groups/${inner}`)?.identity]);
    expect(JSON.stringify([...live.values()].map((l) => l.settings))).not.toContain(raw.id);
  });

  it('a user logging in through the mapped jwt mount gets the external group policies', async () => {
    const r = await vaultRequest('POST', `auth/${jwtMount}/login`, { role: 'dev', jwt: jwt({ sub: `alice-${id}`, aud: 'vault-gitops-test', groups: [`devs-${id}`] }) }, { token: null });
    expect(r.status, JSON.stringify(r.json.errors)).toBe(200);
    expect(r.json.auth.identity_policies).toContain(`ext-pol-${id}`);
    const other = await vaultRequest('POST', `auth/${jwtMount}/login`, { role: 'dev', jwt: jwt({ sub: `bob-${id}`, aud: 'vault-gitops-test', groups: ['someone-else'] }) }, { token: null });
    expect(other.json.auth.identity_policies ?? []).not.toContain(`ext-pol-${id}`);
  });

  it('updates what changed: members, policies, the alias (renamed, moved to another mount, removed)', async () => {
    await vaultRequest('POST', `identity/group/name/${outer}`, { metadata: { by: 'hand' } });
    const changed = { member_groups: [], policies: [`outer-pol-${id}`, 'extra'] };
    const moved = groups({ name: `ops-${id}`, mount: otherMount }, changed);
    expect(await converge(vault, kind, moved)).toEqual([`update identity/groups/${outer} policies,member_groups`, `update identity/groups/${ext} alias`]);
    expect(await pending(vault, kind, moved)).toEqual([]);
    // Fields the config does not declare are left as they are.
    expect((await vaultRequest('GET', `identity/group/name/${outer}`)).json.data.metadata).toEqual({ by: 'hand' });
    const aliases = (await vaultRequest('LIST', 'identity/group-alias/id')).json.data.key_info as Record<string, { name: string; mount_path: string }>;
    expect(Object.values(aliases).filter((a) => a.name.endsWith(id))).toEqual([expect.objectContaining({ name: `ops-${id}`, mount_path: `auth/${otherMount}/` })]);

    const none = groups(undefined, changed);
    expect(await converge(vault, kind, none)).toEqual([`update identity/groups/${ext} alias`]);
    expect((await vaultRequest('GET', `identity/group/name/${ext}`)).json.data.alias).toEqual({});
    expect(await pending(vault, kind, none)).toEqual([]);
  });

  it('refuses to change a live group type, and deletes by name (the alias goes with the group)', async () => {
    const cfg = groups({ name: `devs-${id}`, mount: jwtMount });
    await converge(vault, kind, cfg);
    const flipped = config({ identity: { groups: { [inner]: { type: 'external' } } } });
    await expect(converge(vault, kind, flipped)).rejects.toThrow(`the type of identity group ${inner} cannot change in Vault`);

    const live = await readLive(vault, kind, cfg);
    const obj = live.get(`identity/groups/${ext}`)!;
    expect(await kind.identify!(vault, obj)).toBe(obj.identity);
    await kind.delete({ vault }, obj);
    expect((await vaultRequest('GET', `identity/group/name/${ext}`)).status).toBe(404);
    expect(await kind.identify!(vault, obj)).toBeUndefined();
    const aliases = (await vaultRequest('LIST', 'identity/group-alias/id')).json.data?.key_info ?? {};
    expect(Object.values(aliases as Record<string, { name: string }>).filter((a) => a.name.endsWith(id))).toEqual([]);
  });
});
