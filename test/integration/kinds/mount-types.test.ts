import { describe, expect, it } from 'vitest';
import { cli, configDir, uniq } from '../helpers/cli.js';
import { serverEnv } from '../helpers/server.js';
import { vaultRequest } from '../helpers/vault-http.js';

const id = uniq('mt');
const policy = `  keep-${id}:\n    policy: |\n      path "secret/data/x" { capabilities = ["read"] }\n`;

describe('mount types are checked against the server before any write', () => {
  it('an unknown type fails the plan at its `type:` and nothing is deleted or created', async () => {
    const first = await configDir({ 'c.yaml': `policies:\n${policy}  gone-${id}:\n    policy: |\n      path "a" { capabilities = ["read"] }\n` });
    const applied = await cli(['apply', '-c', first, '--auto-approve']);
    expect(applied.code, applied.stderr).toBe(0);

    // The state-owned policy gone-… is removed from the config: apply would delete it, if it got that far.
    const dir = await configDir({ 'c.yaml': `policies:\n${policy}secrets:\n  custom-${id}:\n    type: no-such-plugin-${id}\n` });
    const valid = await cli(['validate', '-c', dir]);
    expect(valid.code, valid.stderr).toBe(0); // offline it could be a custom plugin: a warning
    expect(valid.stderr).toContain(`\`no-such-plugin-${id}\` is not a built-in secrets engine type of Vault or OpenBao`);

    const r = await cli(['apply', '-c', dir, '--auto-approve']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`${dir}/c.yaml:7:5: error: secrets.custom-${id}.type: secrets engine type \`no-such-plugin-${id}\` is not in the plugin catalog of`);
    expect(r.stderr).not.toMatch(/internal error|\n\s+at .+:\d+:\d+/);
    expect(r.stderr).toContain('1 error in the configuration; nothing was written to Vault.');
    expect((await vaultRequest('GET', `sys/policies/acl/gone-${id}`)).status).toBe(200);
    expect((await vaultRequest('GET', 'sys/mounts')).json.data[`custom-${id}/`]).toBeUndefined();
  });

  it('types the server mounts without a catalog entry (database, kv-v2) and existing mounts pass', async () => {
    const dir = await configDir({ 'c.yaml': `secrets:\n  db-${id}:\n    type: database\n  kv-${id}:\n    type: kv-v2\n` });
    const r = await cli(['apply', '-c', dir, '--auto-approve'], { env: { VAULT_GITOPS_STATE_PATH: `vault-gitops/types-${id}` } });
    expect(r.code, r.stderr).toBe(0);
    const mounts = (await vaultRequest('GET', 'sys/mounts')).json.data;
    expect(mounts[`db-${id}/`].type).toBe('database');
  });

  it('kv-v2, kv-v1 and a numeric options.version read back as kv with a string version: plan 0, export re-plans 0', async () => {
    const yaml = `secrets:\n  v2-${id}:\n    type: kv-v2\n    config: { max_versions: 4 }\n  v1-${id}:\n    type: kv-v1\n  n2-${id}:\n    type: kv\n    options: { version: 2 }\n`;
    const dir = await configDir({ 'c.yaml': yaml });
    const env = { VAULT_GITOPS_STATE_PATH: `vault-gitops/kvtype-${id}` };
    const applied = await cli(['apply', '-c', dir, '--auto-approve'], { env });
    expect(applied.code, applied.stderr + applied.stdout).toBe(0);
    const mounts = (await vaultRequest('GET', 'sys/mounts')).json.data;
    expect([mounts[`v2-${id}/`].type, mounts[`v2-${id}/`].options]).toEqual(['kv', { version: '2' }]);
    expect([mounts[`v1-${id}/`].type, mounts[`v1-${id}/`].options]).toEqual(['kv', { version: '1' }]);
    expect((await vaultRequest('GET', `v2-${id}/config`)).json.data.max_versions).toBe(4);
    const again = await cli(['plan', '-c', dir, '--detailed-exitcode'], { env });
    expect(again.code, again.stdout + again.stderr).toBe(0);

    const out = await configDir({});
    const exp = await cli(['export', '--out', out]);
    expect(exp.code, exp.stderr).toBe(0);
    const replan = await cli(['plan', '-c', out, '--detailed-exitcode'], { env: { VAULT_GITOPS_STATE_PATH: `vault-gitops/kvexport-${id}` } });
    expect(replan.code, replan.stdout + replan.stderr).toBe(0);
  });

  it('without sudo on the catalog, built-in types pass and others cannot be checked (an error, not a guess)', async () => {
    await vaultRequest('PUT', `sys/policies/acl/nosudo-${id}`, { policy: 'path "*" { capabilities = ["create", "read", "update", "delete", "list"] }' });
    const token = (await vaultRequest('POST', 'auth/token/create', { policies: [`nosudo-${id}`], ttl: '10m' })).json.auth.client_token as string;
    const env = { VAULT_TOKEN: token, VAULT_GITOPS_STATE_PATH: `vault-gitops/nosudo-${id}` };
    const builtin = await configDir({ 'c.yaml': `secrets:\n  t-${id}:\n    type: transit\n` });
    const ok = await cli(['plan', '-c', builtin], { env });
    expect(ok.code, ok.stderr).toBe(0);
    const custom = await configDir({ 'c.yaml': `secrets:\n  t-${id}:\n    type: my-plugin-${id}\n` });
    const bad = await cli(['plan', '-c', custom], { env });
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain(`cannot check secrets engine type \`my-plugin-${id}\` (not built into Vault or OpenBao): reading sys/plugins/catalog/secret failed: permission denied`);
  });

  it('a built-in of the other server is refused by this one\'s catalog', async () => {
    const other = serverEnv().server === 'openbao' ? 'okta' : undefined; // Vault has every type OpenBao has
    if (other === undefined) return;
    const dir = await configDir({ 'c.yaml': `auth:\n  o-${id}:\n    type: ${other}\n` });
    const r = await cli(['plan', '-c', dir], { env: { VAULT_GITOPS_STATE_PATH: `vault-gitops/other-${id}` } });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`auth method type \`${other}\` is not in the plugin catalog`);
  });
});
