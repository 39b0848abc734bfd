// DEBUG is a common CI variable: with DEBUG=* (every library's debug channel on) and --debug, a real
// apply that generates passwords and secret_ids prints none of them, nor the token.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli, configDir, uniq } from '../helpers/cli.js';
import { serverEnv } from '../helpers/server.js';

const id = uniq('dbg');

describe('library debug channels', () => {
  it('DEBUG=* and --debug print no generated secret and no token, only method, path, status and time', async () => {
    const dir = await configDir({
      'vault.yaml': `
auth:
  ar${id}:
    type: approle
    roles:
      web: { secret_id_ttl: 24h, credentials: { file: { path: out/web.json } } }
  up${id}:
    type: userpass
    users:
      bot: { token_ttl: 1h, credentials: { file: { path: out/bot.json } } }
`,
    });
    const env = { DEBUG: '*', NODE_DEBUG: '' };
    const first = await cli(['apply', '-c', dir, '--auto-approve', '--debug'], { cwd: dir, env });
    expect(first.code, first.stderr).toBe(0);
    const rotated = await cli(['rotate', '-c', dir, '--debug'], { cwd: dir, env });
    expect(rotated.code, rotated.stderr).toBe(0);
    const web = JSON.parse(await readFile(join(dir, 'out', 'web.json'), 'utf8')) as Record<string, string>;
    const bot = JSON.parse(await readFile(join(dir, 'out', 'bot.json'), 'utf8')) as Record<string, string>;
    const secrets = [web.secret_id, bot.password, serverEnv().VAULT_TOKEN];
    for (const s of secrets) expect(typeof s === 'string' && s.length >= 8, 'the secrets to look for').toBe(true);

    const printed = [first.stdout, first.stderr, rotated.stdout, rotated.stderr].join('\n');
    for (const s of secrets) expect(printed).not.toContain(s as string);
    expect(printed).not.toMatch(/x-vault-token/i);
    // --debug does log each request: method, path, status, time.
    expect(first.stderr).toMatch(new RegExp(`debug: POST auth/up${id}/users/bot(/password)? → 204 \\(\\d+ms\\)`));
    expect(first.stderr).toMatch(new RegExp(`debug: POST auth/ar${id}/role/web/secret-id → 200 \\(\\d+ms\\)`));
  });
});
