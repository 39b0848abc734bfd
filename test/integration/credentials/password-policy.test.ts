// A userpass user whose credentials name a password policy: Vault generates the password by it
// (sys/policies/password/NAME/generate), and vault-gitops delivers it like one it generated itself:
// to the sink first, never in any output. An unknown policy fails the plan at its place.
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { allOutput, cli, configDir, uniq } from '../helpers/cli.js';
import { vaultRequest } from '../helpers/vault-http.js';

const id = uniq('pp');
const POLICY = `pp-${id}`;
// No upper case, no 0/1/i/l/o: nothing vault-gitops would generate by itself (32 mixed-case characters).
const LETTERS = 'abcdefghjkmnpqrstuvwxyz';
const DIGITS = '23456789';
const policies = `password_policies:
  ${POLICY}:
    policy: |
      length = 24
      rule "charset" {
        charset = "${LETTERS}"
        min-chars = 1
      }
      rule "charset" {
        charset = "${DIGITS}"
        min-chars = 4
      }
`;
const users = (mount: string, policy: string) => `auth:
  ${mount}:
    type: userpass
    users:
      bot:
        token_ttl: 1h
        credentials: { file: { path: out/bot.json }, password_policy: ${policy} }
`;

/** The policy's rules: 24 characters, all from its charsets, at least 4 digits. */
function expectByPolicy(password: string): void {
  expect(password).toMatch(new RegExp(`^[${LETTERS}${DIGITS}]{24}$`));
  expect([...password].filter((c) => DIGITS.includes(c)).length).toBeGreaterThanOrEqual(4);
}

async function delivered(dir: string): Promise<string> {
  return (JSON.parse(await readFile(join(dir, 'out/bot.json'), 'utf8')) as { password: string }).password;
}

const logsIn = async (mount: string, password: string) => (await vaultRequest('POST', `auth/${mount}/login/bot`, { password }, { token: null })).status;

describe('credentials: { password_policy } (Vault generates the password)', () => {
  it('apply delivers a password by the policy (created first, in the same run) that logs in; rotate gives a new one by the policy; neither is in any output', async () => {
    const mount = `up${uniq('')}`;
    const dir = await configDir({ 'policies.yaml': policies, 'auth.yaml': users(mount, POLICY) });
    const applied = await cli(['apply', '-c', dir, '--auto-approve', '--allow-destroy'], { cwd: dir });
    expect(applied.code, applied.stdout + applied.stderr).toBe(0);
    const first = await delivered(dir);
    expectByPolicy(first);
    expect(await logsIn(mount, first)).toBe(200);

    const plan = await cli(['plan', '-c', dir, '--detailed-exitcode'], { cwd: dir });
    expect(plan.code, plan.stdout + plan.stderr).toBe(0);

    const rotated = await cli(['rotate', '-c', dir], { cwd: dir });
    expect(rotated.code, rotated.stdout + rotated.stderr).toBe(0);
    const second = await delivered(dir);
    expectByPolicy(second);
    expect(second).not.toBe(first);
    expect(await logsIn(mount, second)).toBe(200);
    expect(await logsIn(mount, first)).not.toBe(200);

    const out = allOutput();
    expect(out).not.toContain(first);
    expect(out).not.toContain(second);
  });

  it('an unknown password policy fails the plan at file:line:col, and nothing is written', async () => {
    const mount = `up${uniq('')}`;
    const dir = await configDir({ 'auth.yaml': users(mount, `nope-${id}`) });
    const r = await cli(['apply', '-c', dir, '--auto-approve', '--allow-destroy'], { cwd: dir });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(new RegExp(`auth\\.yaml:7:\\d+: error: .*password policy nope-${id} is neither declared in the config nor in Vault`));
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect((await vaultRequest('GET', 'sys/auth')).json.data[`${mount}/`]).toBeUndefined();
    expect(existsSync(join(dir, 'out/bot.json'))).toBe(false);
    // Offline, validate can only warn: Vault may have it.
    const v = await cli(['validate', '-c', dir], { cwd: dir });
    expect(v.stderr).toMatch(new RegExp(`auth\\.yaml:7:\\d+: warning: .*password policy \`nope-${id}\` is not declared`));
  });
});
