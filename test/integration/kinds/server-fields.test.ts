// token_strictly_bind_ip is OpenBao's: Vault ignores it, so on Vault it would be a perpetual diff.
// Every kind with the shared token fields refuses it at plan time on Vault (by what the server reads
// back, or, on a new mount, by which server it is), and OpenBao applies it with no diff after.
import { describe, expect, it } from 'vitest';
import type { Plan } from '../../../src/core/model.js';
import { cli, configDir, uniq } from '../helpers/cli.js';
import { serverEnv } from '../helpers/server.js';
import { vaultRequest } from '../helpers/vault-http.js';

const openbao = serverEnv().server === 'openbao';
const id = uniq('sf');
const policy = `policies:\n  p-${id}: { policy: 'path "a/*" { capabilities = ["read"] }' }\n`;
const OBJECTS = {
  userpass: ['users', 'alice', '', 'users/alice'],
  approle: ['roles', 'web', '', 'role/web'],
  kubernetes: ['roles', 'web', 'bound_service_account_names: [a], bound_service_account_namespaces: [b], ', 'role/web'],
  jwt: ['roles', 'web', 'user_claim: sub, role_type: jwt, bound_audiences: [x], ', 'role/web'],
} as const;
const yaml = (type: keyof typeof OBJECTS, mount: string) => {
  const [section, name, extra] = OBJECTS[type];
  return `${policy}auth:\n  ${mount}:\n    type: ${type}\n    ${section}:\n      ${name}: { ${extra}token_policies: [p-${id}], token_strictly_bind_ip: true }\n`;
};
const changes = (stdout: string) => (JSON.parse(stdout) as Plan).changes.filter((c) => c.action !== 'noop').map((c) => `${c.action} ${c.address}`);

describe.runIf(!openbao)('on Vault, token_strictly_bind_ip fails the plan at its place', () => {
  it.each(Object.keys(OBJECTS) as Array<keyof typeof OBJECTS>)('%s: on a new mount (by the server) and beside a live object (by what it reads back); nothing written', async (type) => {
    const mount = `${type}-${id}`;
    const [section, name] = OBJECTS[type];
    const dir = await configDir({ 'c.yaml': yaml(type, mount) });
    const env = { env: { VAULT_GITOPS_STATE_PATH: `vault-gitops/sf-${type}-${id}` } };
    const expected = (d: string) => `${d}/c.yaml:7:${yaml(type, mount).split('\n')[6]!.indexOf('token_strictly_bind_ip') + 1}: error: auth.${mount}.${section}.${name}.token_strictly_bind_ip: auth/${mount}/${section}/${name}: this server's ${type} auth method has no \`token_strictly_bind_ip\` (only OpenBao has it)`;
    const fresh = await cli(['apply', '-c', dir, '--auto-approve'], env);
    expect(fresh.code, fresh.stdout + fresh.stderr).toBe(1);
    expect(fresh.stderr).toContain(expected(dir));
    expect((await vaultRequest('GET', 'sys/auth')).json.data[`${mount}/`]).toBeUndefined();

    // The mount and a sibling made by hand: the sibling's read-back shows the field is not there.
    expect((await vaultRequest('POST', `sys/auth/${mount}`, { type })).status).toBe(204);
    const sibling = type === 'userpass' ? 'users/bob' : 'role/other';
    const body = { userpass: { password: 'x-long-enough-1' }, approle: {}, kubernetes: { bound_service_account_names: ['a'], bound_service_account_namespaces: ['b'] }, jwt: { user_claim: 'sub', role_type: 'jwt', bound_audiences: ['x'] } }[type];
    expect((await vaultRequest('POST', `auth/${mount}/${sibling}`, body)).status).toBeLessThan(300);
    const beside = await cli(['plan', '-c', dir], env);
    expect(beside.code, beside.stdout + beside.stderr).toBe(1);
    expect(beside.stderr).toContain(expected(dir));
    expect((await vaultRequest('GET', `auth/${mount}/${OBJECTS[type][3]}`)).status).toBe(404);
    await vaultRequest('DELETE', `sys/auth/${mount}`);
  });

  it('one plan shows the field in every kind at once, not only the first kind read', async () => {
    const types = Object.keys(OBJECTS) as Array<keyof typeof OBJECTS>;
    const mounts = types.map((type) => yaml(type, `all-${type}-${id}`).slice(policy.length).replace(/^auth:\n/, ''));
    const dir = await configDir({ 'c.yaml': `${policy}auth:\n${mounts.join('')}` });
    const r = await cli(['plan', '-c', dir], { env: { VAULT_GITOPS_STATE_PATH: `vault-gitops/sf-all-${id}` } });
    expect(r.code, r.stdout + r.stderr).toBe(1);
    for (const type of types) expect(r.stderr).toMatch(new RegExp(`error: auth\\.all-${type}-${id}\\.\\w+\\.\\w+\\.token_strictly_bind_ip: `));
    expect(r.stderr).toContain(`${types.length} errors`);
  });
});

describe.runIf(openbao)('on OpenBao, token_strictly_bind_ip is applied and reads back equal', () => {
  it.each(Object.keys(OBJECTS) as Array<keyof typeof OBJECTS>)('%s: apply, then plan 0', async (type) => {
    const mount = `${type}-${id}`;
    const dir = await configDir({ 'c.yaml': yaml(type, mount) });
    const env = { env: { VAULT_GITOPS_STATE_PATH: `vault-gitops/sf-${type}-${id}` } };
    const applied = await cli(['apply', '-c', dir, '--auto-approve'], env);
    expect(applied.code, applied.stdout + applied.stderr).toBe(0);
    expect((await vaultRequest('GET', `auth/${mount}/${OBJECTS[type][3]}`)).json.data.token_strictly_bind_ip).toBe(true);
    const again = await cli(['plan', '-c', dir, '-o', 'json', '--detailed-exitcode'], env);
    expect(again.code, again.stdout.slice(0, 2000) + again.stderr).toBe(0);
    expect(changes(again.stdout)).toEqual([]);
    await vaultRequest('DELETE', `sys/auth/${mount}`);
  });
});
