import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { allOutput, cli, configDir, uniq } from '../helpers/cli.js';
import { vaultRequest } from '../helpers/vault-http.js';

const id = uniq('r');
const files = {
  'vault.yaml': `
auth:
  ar${id}:
    type: approle
    roles:
      web: { secret_id_ttl: 24h, credentials: { file: { path: out/web.json } } }
      api: { secret_id_ttl: 24h, credentials: { file: { path: out/api.json } } }
  up${id}:
    type: userpass
    users:
      bot: { token_ttl: 1h, credentials: { file: { path: out/bot.json } } }
`,
};
const read = async (dir: string, f: string) => JSON.parse(await readFile(join(dir, 'out', f), 'utf8')) as Record<string, string>;

describe('rotate on demand', () => {
  it('re-issues only the selected credentials, destroys the old secret_id, and changes nothing else', async () => {
    const dir = await configDir(files);
    expect((await cli(['apply', '-c', dir, '--auto-approve'], { cwd: dir })).code).toBe(0);
    const [web, api, bot] = [await read(dir, 'web.json'), await read(dir, 'api.json'), await read(dir, 'bot.json')];
    await vaultRequest('POST', `auth/ar${id}/role/api`, { secret_id_ttl: '48h' }); // drift rotate must leave alone

    const one = await cli(['rotate', '-c', dir, '--select', `auth/ar${id}/roles/web`], { cwd: dir });
    expect(one.code, one.stderr).toBe(0);
    const web2 = await read(dir, 'web.json');
    expect(web2.secret_id).not.toBe(web.secret_id);
    expect(web2.role_id).toBe(web.role_id);
    expect((await read(dir, 'api.json')).secret_id).toBe(api.secret_id);
    const old = await vaultRequest('POST', `auth/ar${id}/role/web/secret-id/lookup`, { secret_id: web.secret_id });
    expect(old.json?.data ?? null).toBeNull();
    expect((await vaultRequest('GET', `auth/ar${id}/role/api`)).json.data.secret_id_ttl).toBe(172800);

    const all = await cli(['rotate', '-c', dir], { cwd: dir });
    expect(all.code, all.stderr).toBe(0);
    const bot2 = await read(dir, 'bot.json');
    expect(bot2.password).not.toBe(bot.password);
    expect((await vaultRequest('POST', `auth/up${id}/login/bot`, { password: bot2.password }, { token: null })).status).toBe(200);
    expect((await vaultRequest('POST', `auth/up${id}/login/bot`, { password: bot.password }, { token: null })).status).toBe(400);
    expect((await read(dir, 'api.json')).secret_id).not.toBe(api.secret_id);

    for (const s of [web.secret_id, web2.secret_id, api.secret_id, bot.password, bot2.password]) expect(allOutput()).not.toContain(s);
  });

  it('an unknown --select is a clear usage error before anything happens', async () => {
    const dir = await configDir(files);
    const r = await cli(['rotate', '-c', dir, '--select', 'auth/nope/roles/x'], { cwd: dir, env: { VAULT_ADDR: 'http://127.0.0.1:1' } });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('nothing to rotate at auth/nope/roles/x');
    expect(r.stderr).toContain(`auth/ar${id}/roles/web`);
  });
});
