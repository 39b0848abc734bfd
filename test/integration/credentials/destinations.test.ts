// One destination, one object, through the CLI against the real server: two AppRoles delivering to
// one credential file (written differently) are refused by validate and by apply at the second
// declaration, naming the first; apply sends nothing to Vault and writes no file.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli, configDir, uniq } from '../helpers/cli.js';
import { vaultRequest } from '../helpers/vault-http.js';

const id = uniq('dst');
const ar = `ar${id}`;
const pol = `pol-${id}`;

const config = (first: string, second: string, secondFormat = '') => `policies:
  ${pol}: { policy: 'path "secret/data/${id}/*" { capabilities = ["read"] }' }
auth:
  ${ar}:
    type: approle
    roles:
      web: { token_policies: [${pol}], credentials: { file: { path: ${first} } } }
      batch: { token_policies: [${pol}], credentials: { file: { path: "${second}"${secondFormat} } } }
`;

async function nothingWritten(dir: string): Promise<void> {
  expect((await vaultRequest('GET', `sys/policies/acl/${pol}`)).status).toBe(404);
  expect((await vaultRequest('GET', 'sys/auth')).json.data[`${ar}/`]).toBeUndefined();
  expect(existsSync(join(dir, 'out'))).toBe(false);
}

/** `LINE:COL` of where `needle` starts in the config text. */
function positionOf(text: string, needle: string): string {
  const lines = text.split('\n');
  const line = lines.findIndex((l) => l.includes(needle));
  return `${line + 1}:${lines[line]!.indexOf(needle) + 1}`;
}

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');

describe('two objects delivering to one destination', () => {
  it.each([
    ['the same file written another way', 'out/app.json', './out//x/../app.json', '', 'credential file ./out//x/../app.json (out/app.json) is already the credentials path of'],
    ['a file inside a vault-agent directory', 'out/web/secret_id', 'out/web', ', format: vault-agent', 'credential file out/web is a parent directory of out/web/secret_id, the credentials path of'],
  ])('%s: validate, plan and apply exit 1 at the second declaration; nothing is sent to Vault, no file written', async (_what, first, second, format, message) => {
    const text = config(first, second, format);
    const dir = await configDir({ 'vault.yaml': text });
    const at = positionOf(text, `"${second}"`);
    const firstAt = positionOf(text, `${first} }`);
    for (const command of [['validate'], ['plan'], ['apply', '--auto-approve']]) {
      const r = await cli([...command, '-c', dir], { cwd: dir });
      expect(r.code, `${command[0]}: ${r.stdout}${r.stderr}`).toBe(1);
      expect(r.stderr).toMatch(new RegExp(`vault\\.yaml:${at}: error: auth\\.${ar}\\.roles\\.batch\\.credentials\\.file\\.path: ${escape(message)} auth/${ar}/roles/web \\(\\S*vault\\.yaml:${firstAt}\\)`));
      expect(r.stderr).toContain("hint: give each object its own path: two objects delivering to one place replace each other's credentials at every apply");
      expect(r.stderr).not.toMatch(/\n\s+at .+:\d+:\d+/);
    }
    await nothingWritten(dir);
  });
});
