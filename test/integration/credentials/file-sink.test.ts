// Hostile paths in a config, against a real server: nothing outside the config directory is read
// into any output, and credential files stay inside the sink root, are never written over a file
// vault-gitops did not write, and are never readable by others.
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, stat, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { allOutput, cli, configDir, uniq } from '../helpers/cli.js';
import { vaultRequest } from '../helpers/vault-http.js';

// Each test declares its own mount; the file's one state record then deletes the previous test's
// mount ("removed from config"), which the destruction guard lets through only with --allow-destroy.
const id = uniq('fs');
const MARKER = `outside-${id}`;

/** A file outside every config directory whose content must never reach an output. */
async function outsideFile(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'vault-gitops-outside-'));
  const file = join(dir, 'kubeconfig.hcl');
  await writeFile(file, `path "secret/data/${MARKER}" { capabilities = ["read"] }\n`);
  return file;
}

/** A userpass user whose password goes to the file sink `file` (its YAML flow mapping). */
const userConfig = (mount: string, file: string) => `
auth:
  ${mount}:
    type: userpass
    users:
      bot: { token_ttl: 1h, credentials: { file: ${file} } }
`;
const at = (path: string) => `{ path: ${path} }`;

describe('policy file: paths are confined to the config directory', () => {
  it.each(['absolute', 'dot-dot', 'symlink'] as const)('a %s path outside is a config error; its content is in no plan, markdown or error', async (how) => {
    const outside = await outsideFile();
    const dir = await configDir({});
    const ref = how === 'absolute' ? outside : how === 'dot-dot' ? `../../..${outside}` : 'linked.hcl';
    if (how === 'symlink') await symlink(outside, join(dir, 'linked.hcl'));
    await writeFile(join(dir, 'policies.yaml'), `policies:\n  leak-${id}:\n    file: ${ref}\n`);
    for (const output of ['text', 'markdown', 'json']) {
      const r = await cli(['plan', '-c', dir, '-o', output], { cwd: dir });
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(new RegExp(`policies\\.yaml:3:11: error: .*policy file .*(is an absolute path|leaves the config directory|through a symbolic link)`));
      expect(r.stderr).toContain('hint: use a relative path that stays inside the config directory');
    }
    expect((await vaultRequest('GET', `sys/policies/acl/leak-${id}`)).status).toBe(404);
    expect(allOutput()).not.toContain(MARKER);
  });

  it('a policy file inside the config directory still works (relative to the YAML file)', async () => {
    const dir = await configDir({
      'team/policies.yaml': `policies:\n  ok-${id}:\n    file: ../hcl/ok.hcl\n`,
      'hcl/ok.hcl': 'path "secret/data/ok/*" { capabilities = ["read"] }\n',
    });
    const r = await cli(['apply', '-c', dir, '--auto-approve', '--allow-destroy'], { cwd: dir });
    expect(r.code, r.stderr).toBe(0);
    expect((await vaultRequest('GET', `sys/policies/acl/ok-${id}`)).json.data.policy).toContain('secret/data/ok/*');
  });
});

describe('credential files', () => {
  it.each([
    ['../escape', 'leaves the sink root'],
    ['/tmp/absolute', 'is an absolute path'],
  ])('a sink path %s… is a config error before anything is written', async (prefix, problem) => {
    const mount = `up${uniq('')}`;
    const sink = `${prefix}-${mount}.json`;
    const dir = await configDir({ 'auth.yaml': userConfig(mount, at(sink)) });
    const r = await cli(['apply', '-c', dir, '--auto-approve', '--allow-destroy'], { cwd: dir });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(new RegExp(`auth\\.yaml:6:\\d+: error: .*credential file .* ${problem}`));
    expect((await vaultRequest('GET', `sys/auth`)).json.data[`${mount}/`]).toBeUndefined();
    expect(existsSync(resolve(dir, sink))).toBe(false);
  });

  it('a sink path that leaves through a symbolic link is refused, and nothing lands outside', async () => {
    const mount = `up${uniq('')}`;
    const outsideDir = await mkdtemp(join(tmpdir(), 'vault-gitops-outside-'));
    const dir = await configDir({ 'auth.yaml': userConfig(mount, at('out/bot.json')) });
    await symlink(outsideDir, join(dir, 'out'));
    const r = await cli(['apply', '-c', dir, '--auto-approve', '--allow-destroy'], { cwd: dir });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/through a symbolic link/);
    expect(await readdir(outsideDir)).toEqual([]);
  });

  it('mode 0666 for a file holding a secret is a config error at the mode', async () => {
    const mount = `up${uniq('')}`;
    const dir = await configDir({ 'auth.yaml': userConfig(mount, '{ path: out/bot.json, mode: 0666 }') });
    const r = await cli(['validate', '-c', dir], { cwd: dir });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/auth\.yaml:6:\d+: error: .*credentials\.file\.mode: mode 0666 is looser than 0640/);
  });

  it('paths are relative to --sink-root (not the working directory) and the file is 0600', async () => {
    const mount = `up${uniq('')}`;
    const dir = await configDir({ 'auth.yaml': userConfig(mount, at('out/bot.json')) });
    const sinkRoot = await mkdtemp(join(tmpdir(), 'vault-gitops-sinks-'));
    const elsewhere = await mkdtemp(join(tmpdir(), 'vault-gitops-cwd-'));
    const r = await cli(['apply', '-c', dir, '--auto-approve', '--allow-destroy', '--sink-root', sinkRoot], { cwd: elsewhere });
    expect(r.code, r.stderr).toBe(0);
    const file = join(sinkRoot, 'out/bot.json');
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect(existsSync(join(elsewhere, 'out'))).toBe(false);
    const creds = JSON.parse(await readFile(file, 'utf8')) as { password: string };
    expect((await vaultRequest('POST', `auth/${mount}/login/bot`, { password: creds.password }, { token: null })).status).toBe(200);
    expect(allOutput()).not.toContain(creds.password);
  });

  it('an existing file vault-gitops did not write is never overwritten; adopt: true takes it over', async () => {
    const mount = `up${uniq('')}`;
    const dir = await configDir({ 'auth.yaml': userConfig(mount, at('out/bot.json')), 'out/bot.json': '{"password":"the-owners-own"}\n' });
    const r = await cli(['apply', '-c', dir, '--auto-approve', '--allow-destroy'], { cwd: dir });
    expect(r.code).toBe(1);
    expect(r.stdout + r.stderr).toMatch(/out\/bot\.json: exists and was not written by vault-gitops/);
    expect(await readFile(join(dir, 'out/bot.json'), 'utf8')).toBe('{"password":"the-owners-own"}\n');
    // The password is delivered before Vault gets it: refused delivery means no user in Vault.
    expect((await vaultRequest('GET', `auth/${mount}/users/bot`)).status).toBe(404);

    await writeFile(join(dir, 'auth.yaml'), userConfig(mount, '{ path: out/bot.json, adopt: true }'));
    const adopted = await cli(['apply', '-c', dir, '--auto-approve', '--allow-destroy'], { cwd: dir });
    expect(adopted.code, adopted.stdout + adopted.stderr).toBe(0);
    const creds = JSON.parse(await readFile(join(dir, 'out/bot.json'), 'utf8')) as { password: string; vault_gitops?: unknown };
    expect(creds.vault_gitops).toBeDefined();
    expect((await vaultRequest('POST', `auth/${mount}/login/bot`, { password: creds.password }, { token: null })).status).toBe(200);
    expect(allOutput()).not.toContain(creds.password);
  });

  it('a symbolic link at the sink target is refused, and what it points to is untouched', async () => {
    const mount = `up${uniq('')}`;
    const dir = await configDir({ 'auth.yaml': userConfig(mount, at('out/bot.json')), 'victim.txt': 'precious\n' });
    await mkdir(join(dir, 'out'), { recursive: true });
    await symlink(join(dir, 'victim.txt'), join(dir, 'out/bot.json'));
    const r = await cli(['apply', '-c', dir, '--auto-approve', '--allow-destroy'], { cwd: dir });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/credential file out\/bot\.json is a symbolic link/);
    expect(await readFile(join(dir, 'victim.txt'), 'utf8')).toBe('precious\n');
  });

  it('temp files a killed run left in the sink directory are removed by the next run', async () => {
    const mount = `up${uniq('')}`;
    const dir = await configDir({
      'auth.yaml': userConfig(mount, at('out/bot.json')),
      'out/.vault-gitops-tmp-4194321-abcdef': '{"password":"half"}',
      'out/bot.json.tmp-4194321': '{"password":"half"}',
    });
    const r = await cli(['apply', '-c', dir, '--auto-approve', '--allow-destroy'], { cwd: dir });
    expect(r.code, r.stderr).toBe(0);
    expect(await readdir(join(dir, 'out'))).toEqual(['bot.json']);
  });
});
