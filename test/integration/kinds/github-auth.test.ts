// The GitHub auth kinds (config, team and user maps) against the real server, driven through the
// kind modules. GitHub itself cannot be reached from the tests: configuration round-trips only,
// always with organization_id (without it Vault asks api.github.com during the write).
// OpenBao 2.4 has no github auth method; there the mount is refused (the plan's mount-type check
// says so before any write).
import { afterAll, describe, expect, it } from 'vitest';
import { githubAuthConfigKind } from '../../../src/kinds/auth/github/github-auth-config.js';
import { githubTeamMapKind, githubUserMapKind } from '../../../src/kinds/auth/github/github-map.js';
import { freshMountPath, serverEnv, vaultClient } from '../helpers/server.js';
import { vaultRequest } from '../helpers/vault-http.js';
import { applyKind, authConfig, exportOf, fieldsOf, planKind } from './kind-harness.js';

const vault = vaultClient();
const openbao = serverEnv().server === 'openbao';
afterAll(() => vault.close());

async function mount(): Promise<string> {
  const path = freshMountPath('gh');
  expect((await vaultRequest('POST', `sys/auth/${path}`, { type: 'github' })).status).toBe(204);
  return path;
}

describe.skipIf(!openbao)('github auth on OpenBao', () => {
  it('does not exist: the server refuses the mount', async () => {
    const r = await vaultRequest('POST', `sys/auth/${freshMountPath('gh')}`, { type: 'github' });
    expect(r.status).toBe(400);
  });
});

describe.skipIf(openbao)('github auth config', () => {
  it('is created, reads back equal, updates one field, keeps undeclared ones, and exports to 0 changes', async () => {
    const path = await mount();
    const declared = { organization: 'kickstarter', organization_id: 1234567, base_url: 'https://ghe.example.com/api/v3', token_policies: ['eng', 'default'], token_ttl: '8h' };
    const config = authConfig({ [path]: { type: 'github', config: declared } });
    expect((await applyKind(vault, githubAuthConfigKind, config)).map((c) => c.action)).toEqual(['create']);
    expect(await planKind(vault, githubAuthConfigKind, config)).toEqual([]);
    const stored = (await vaultRequest('GET', `auth/${path}/config`)).json.data;
    expect(stored).toMatchObject({ organization: 'kickstarter', organization_id: 1234567, base_url: 'https://ghe.example.com/api/v3/', token_ttl: 28800 });

    // token_max_ttl set by hand stays: Vault's config write merges, and the config does not declare it.
    await vaultRequest('POST', `auth/${path}/config`, { token_max_ttl: '24h' });
    const changed = authConfig({ [path]: { type: 'github', config: { ...declared, token_ttl: '2h' } } });
    const update = await planKind(vault, githubAuthConfigKind, changed);
    expect(fieldsOf(update[0])).toEqual({ token_ttl: { before: 28800, after: 7200 } });
    await applyKind(vault, githubAuthConfigKind, changed);
    expect(await planKind(vault, githubAuthConfigKind, changed)).toEqual([]);
    expect((await vaultRequest('GET', `auth/${path}/config`)).json.data.token_max_ttl).toBe(86400);

    const live = await githubAuthConfigKind.readLive(vault, { config: changed, desired: [], mounts: { auth: { [path]: 'github' }, secrets: {} } });
    const exported = exportOf(githubAuthConfigKind, live, ['eng']).values.config!;
    expect(exported).toEqual({ organization: 'kickstarter', organization_id: 1234567, base_url: 'https://ghe.example.com/api/v3/', token_policies: ['default', 'eng'], token_ttl: 7200, token_max_ttl: 86400 });
    expect(await planKind(vault, githubAuthConfigKind, authConfig({ [path]: { type: 'github', config: exported } }))).toEqual([]);
  });

  it('without organization_id the write needs api.github.com, which the tests cannot reach: Vault refuses it', async () => {
    const path = await mount();
    const config = authConfig({ [path]: { type: 'github', config: { organization: 'kickstarter', base_url: 'http://127.0.0.1:9/' } } });
    const failed = await applyKind(vault, githubAuthConfigKind, config).catch((e: unknown) => e);
    expect(String(failed)).toContain('unable to fetch the organization_id, you must manually set it in the config');
  });
});

describe.skipIf(openbao)('github team and user maps', () => {
  it('map names to policy sets, read back equal, update, export to 0 changes and prune', async () => {
    const path = await mount();
    const config = authConfig({
      [path]: { type: 'github', teams: { engineering: { policies: ['eng', 'base'] }, 'site-reliability': { policies: 'sre, base' } }, users: { octocat: { policies: ['admin'] } } },
    });
    expect((await applyKind(vault, githubTeamMapKind, config)).map((c) => c.address)).toEqual([`auth/${path}/teams/engineering`, `auth/${path}/teams/site-reliability`]);
    expect((await applyKind(vault, githubUserMapKind, config)).map((c) => c.address)).toEqual([`auth/${path}/users/octocat`]);
    expect(await planKind(vault, githubTeamMapKind, config)).toEqual([]);
    expect(await planKind(vault, githubUserMapKind, config)).toEqual([]);
    // What the login reads: one comma-separated value.
    expect((await vaultRequest('GET', `auth/${path}/map/teams/engineering`)).json.data).toMatchObject({ value: 'base,eng' });

    const changed = authConfig({ [path]: { type: 'github', teams: { engineering: { policies: ['eng', 'base', 'deploy'] }, 'site-reliability': { policies: 'sre, base' } }, users: { octocat: { policies: ['admin'] } } } });
    const update = await planKind(vault, githubTeamMapKind, changed);
    expect(update.map((c) => c.action)).toEqual(['update']);
    expect(fieldsOf(update[0])).toEqual({ policies: { before: ['base', 'eng'], after: ['base', 'deploy', 'eng'] } });
    await applyKind(vault, githubTeamMapKind, changed);

    const live = await githubTeamMapKind.readLive(vault, { config: changed, desired: [], mounts: { auth: { [path]: 'github' }, secrets: {} } });
    const exported = exportOf(githubTeamMapKind, live, ['base', 'deploy', 'eng', 'sre']).values;
    expect(exported).toEqual({ engineering: { policies: ['base', 'deploy', 'eng'] }, 'site-reliability': { policies: ['base', 'sre'] } });
    expect(await planKind(vault, githubTeamMapKind, authConfig({ [path]: { type: 'github', teams: exported } }))).toEqual([]);

    // A team map made by hand in a pruned collection goes; the user maps are another collection.
    await vaultRequest('POST', `auth/${path}/map/teams/contractors`, { value: 'base' });
    const pruned = authConfig({ [path]: { type: 'github', teams: { engineering: { policies: ['eng', 'base', 'deploy'] } } } }, [`auth/${path}/teams`]);
    const gone = await applyKind(vault, githubTeamMapKind, pruned);
    expect(gone.map((c) => `${c.action} ${c.address}`).sort()).toEqual([`delete auth/${path}/teams/contractors`, `delete auth/${path}/teams/site-reliability`]);
    expect((await vaultRequest('LIST', `auth/${path}/map/teams`)).json.data.keys).toEqual(['engineering']);
    expect(await planKind(vault, githubUserMapKind, pruned)).toEqual([]);
    expect((await vaultRequest('LIST', `auth/${path}/map/users`)).json.data.keys).toEqual(['octocat']);
  });

  it('Vault lower-cases map keys: a key written with capitals lists lower-cased', async () => {
    const path = await mount();
    await vaultRequest('POST', `auth/${path}/map/users/OctoCat`, { value: 'admin' });
    expect((await vaultRequest('LIST', `auth/${path}/map/users`)).json.data.keys).toEqual(['octocat']);
  });
});
