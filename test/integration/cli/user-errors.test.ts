import { createServer, type Server } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli, configDir } from '../helpers/cli.js';

// A tripwire in place of Vault: any connection at all means a request was attempted.
let tripwire: Server;
let connections = 0;
let addr = '';

beforeAll(async () => {
  tripwire = createServer((s) => {
    connections++;
    s.destroy();
  });
  await new Promise<void>((r) => tripwire.listen(0, '127.0.0.1', () => r()));
  const a = tripwire.address();
  addr = `http://127.0.0.1:${typeof a === 'object' && a ? a.port : 0}`;
});
afterAll(() => new Promise<void>((r) => tripwire.close(() => r())));

const env = () => ({ VAULT_ADDR: addr, VAULT_TOKEN: 'not-a-real-token' });
const noStack = (text: string) => expect(text).not.toMatch(/\n\s+at .+:\d+:\d+/);

describe('user mistakes: a clear error, exit 1, nothing sent to Vault', () => {
  it.each(['plan', 'apply'])('%s stops at a misspelled field with file:line:col and a suggestion', async (cmd) => {
    const dir = await configDir({
      'roles.yaml': 'auth:\n  approle:\n    type: approle\n    roles:\n      web:\n        token_polices: [default]\n',
    });
    const r = await cli(cmd === 'apply' ? [cmd, '-c', dir, '--auto-approve'] : [cmd, '-c', dir], { env: env() });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`${dir}/roles.yaml:6:9`);
    expect(r.stderr).toContain('did you mean `token_policies`?');
    expect(r.stderr).toContain('nothing was sent to Vault');
    expect(r.stdout).toBe('');
    noStack(r.stderr);
    expect(connections).toBe(0);
  });

  it('points inside a policy for an HCL syntax error', async () => {
    const dir = await configDir({
      'p.yaml': 'policies:\n  web:\n    policy: |\n      path "secret/*" {\n        capabilities = ["read"\n      }\n',
    });
    const r = await cli(['plan', '-c', dir], { env: env() });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(new RegExp(`${dir}/p.yaml:(5|6):\\d+`));
    noStack(r.stderr);
    expect(connections).toBe(0);
  });

  it('validate never contacts Vault and exits 0 on a good config', async () => {
    const dir = await configDir({ 'p.yaml': 'policies:\n  web:\n    policy: |\n      path "secret/*" { capabilities = ["read"] }\n' });
    const r = await cli(['validate', '-c', dir], { env: env() });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('Configuration is valid');
    expect(connections).toBe(0);
  });

  it('a missing config directory and a bad flag are usage errors, not stack traces', async () => {
    const missing = await cli(['plan', '-c', '/nonexistent/vault-gitops'], { env: env() });
    expect(missing.code).toBe(1);
    noStack(missing.stderr);
    const badFlag = await cli(['plan', '-c', '.', '--output', 'yaml'], { env: env() });
    expect(badFlag.code).toBe(1);
    expect(badFlag.stderr).toContain('yaml');
    noStack(badFlag.stderr);
    expect(connections).toBe(0);
  });

  it.each(['validate', 'plan', 'apply'])('%s refuses ${env.VAULT_TOKEN} in the config and never prints the token', async (cmd) => {
    const dir = await configDir({
      'p.yaml': 'policies:\n  web:\n    policy: |\n      path "a" { capabilities = ["read"] }\n',
      'auth.yaml': 'variables:\n  env: [VAULT_TOKEN]\nauth:\n  userpass:\n    type: userpass\n    description: "leak ${env.VAULT_TOKEN}"\n',
    });
    const args = cmd === 'apply' ? [cmd, '-c', dir, '--auto-approve'] : cmd === 'plan' ? [cmd, '-c', dir, '-o', 'markdown'] : [cmd, '-c', dir];
    const r = await cli(args, { env: env() });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`${dir}/auth.yaml:2:9`);
    expect(r.stderr).toContain(`${dir}/auth.yaml:6:24`);
    expect(r.stderr).toContain('`env.VAULT_TOKEN` looks like a credential');
    expect(r.stdout + r.stderr).not.toContain('not-a-real-token');
    noStack(r.stderr);
    expect(connections).toBe(0);
  });

  it('never prints a --var value in an error, nor lets --allow-env open a credential', async () => {
    const dir = await configDir({
      'roles.yaml': 'auth:\n  approle:\n    type: approle\n    roles:\n      web:\n        token_num_uses: ${var.uses}\n        token_policies: ["${var.pol}"]\n',
    });
    const r = await cli(['plan', '-c', dir, '--var', 'uses=s3cr3t-uses', '--var', 'pol=s3cr3t-pol'], { env: env() });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('got the value of ${var.uses}');
    expect(r.stdout + r.stderr).not.toContain('s3cr3t');
    const noName = await cli(['validate', '-c', dir, '--var', 's3cr3t-value'], { env: env() });
    expect(noName.code).toBe(1);
    expect(noName.stderr).toContain('is not NAME=value');
    expect(noName.stdout + noName.stderr).not.toContain('s3cr3t');
    const allow = await cli(['validate', '-c', dir, '--allow-env', 'VAULT_TOKEN'], { env: env() });
    expect(allow.code).toBe(1);
    expect(allow.stderr).toContain('looks like a credential');
    noStack(r.stderr + noName.stderr + allow.stderr);
    expect(connections).toBe(0);
  });

  it('reads a declared environment variable, unless --no-config-env', async () => {
    const dir = await configDir({
      'auth.yaml': 'variables:\n  env: [TEAM]\nauth:\n  userpass:\n    type: userpass\n    description: "${env.TEAM}"\n',
    });
    const ok = await cli(['validate', '-c', dir], { env: { ...env(), TEAM: 'payments' } });
    expect(ok.code, ok.stderr).toBe(0);
    const off = await cli(['validate', '-c', dir, '--no-config-env'], { env: { ...env(), TEAM: 'payments' } });
    expect(off.code).toBe(1);
    expect(off.stderr).toContain(`${dir}/auth.yaml:6:19: error: auth.userpass.description: environment variable \`env.TEAM\` is not allowed`);
    const flag = await cli(['validate', '-c', dir, '--no-config-env', '--allow-env', 'TEAM'], { env: { ...env(), TEAM: 'payments' } });
    expect(flag.code, flag.stderr).toBe(0);
    expect(connections).toBe(0);
  });

  it('a YAML alias bomb ends quickly with exit 1 and the position of the alias', async () => {
    const levels = ['    l0: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
    for (let i = 1; i <= 9; i++) levels.push(`    l${i}: &${'abcdefghij'[i]} [${Array(9).fill(`*${'abcdefghij'[i - 1]}`).join(',')}]`);
    const dir = await configDir({ 'bomb.yaml': `auth:\n  up:\n    type: userpass\n${levels.join('\n')}\n` });
    const r = await cli(['plan', '-c', dir], { env: env() });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`${dir}/bomb.yaml:8:13: error: auth.up.l4.0: YAML limit: aliases expand to more than 10000 values in one file`);
    expect(r.stderr).not.toContain('internal error');
    noStack(r.stderr);
    expect(connections).toBe(0);
  });

  it.each(['validate', 'plan', 'apply'])('%s refuses a config that declares no objects', async (cmd) => {
    const dir = await configDir({ 'README.md': 'the YAML files moved elsewhere\n', 'only-prune.yaml': 'prune: [policies]\n' });
    const r = await cli(cmd === 'apply' ? [cmd, '-c', dir, '--auto-approve'] : [cmd, '-c', dir], { env: env() });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`the config declares no objects (1 YAML file in ${dir})`);
    expect(r.stderr).toContain('would delete every object vault-gitops manages');
    noStack(r.stderr);
    expect(connections).toBe(0);
  });

  it('an unreachable Vault is a clear error naming the address', async () => {
    const dir = await configDir({ 'p.yaml': 'policies:\n  web:\n    policy: |\n      path "a" { capabilities = ["read"] }\n' });
    const r = await cli(['plan', '-c', dir], { env: { VAULT_ADDR: 'http://127.0.0.1:1', VAULT_TOKEN: 't', VAULT_MAX_RETRIES: '0' } });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/cannot reach Vault.*ECONNREFUSED/);
    expect(r.stderr).toContain('hint: check VAULT_ADDR');
    noStack(r.stderr);
  });
});
