import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Plan } from '../../../src/core/model.js';
import { cli, configDir, exportThenPlan, uniq } from '../helpers/cli.js';
import { serverEnv } from '../helpers/server.js';
import { vaultRequest } from '../helpers/vault-http.js';

// Config-level: the real CLI over identity groups, audit devices (Vault only) and KV v2 settings.
const id = uniq('iak');
const openbao = serverEnv().server === 'openbao';
const logs = mkdtempSync(join(tmpdir(), 'vg-audit-cli-'));
const NO_TRACE = /internal error|\n\s+at .+:\d+:\d+/;

function yaml(o: { groupPolicies?: string; maxVersions?: number; auditDescription?: string; audit?: boolean; prune?: string }): string {
  const audit = o.audit
    ? `audit:\n  f-${id}:\n    type: file\n    description: ${o.auditDescription ?? 'every request'}\n    options: { file_path: ${logs}/audit.log, mode: 0640, hmac_accessor: true }\n`
    : '';
  return `policies:
  eng-${id}:
    policy: |
      path "secret/data/eng/*" { capabilities = ["read"] }
auth:
  gh-${id}:
    type: userpass
secrets:
  kv-${id}:
    type: kv
    options: { version: 2 }
    config: { max_versions: ${o.maxVersions ?? 7}, cas_required: true, delete_version_after: 72h }
identity:
  groups:
    sre-${id}: { policies: ${o.groupPolicies ?? `[eng-${id}]`} }
    platform-${id}:
      member_groups: [sre-${id}]
      metadata: { team: platform }
    eng-${id}:
      type: external
      policies: [eng-${id}]
      alias: { name: org-eng-${id}, mount: gh-${id} }
${audit}${o.prune ? `prune: ${o.prune}\n` : ''}`;
}

const changes = (stdout: string) => (JSON.parse(stdout) as Plan).changes.filter((c) => c.action !== 'noop').map((c) => `${c.action} ${c.address}`);

describe('identity groups, audit devices and KV v2 settings through the CLI', () => {
  it('apply → plan 0; a changed field of each → one update each → plan 0; export → re-plan 0', async () => {
    const dir = await configDir({ 'c.yaml': yaml({ audit: !openbao }) });
    const applied = await cli(['apply', '-c', dir, '--auto-approve']);
    expect(applied.code, applied.stderr + applied.stdout).toBe(0);
    const again = await cli(['plan', '-c', dir, '-o', 'json', '--detailed-exitcode']);
    expect(again.code, again.stderr + again.stdout.slice(0, 3000)).toBe(0);
    expect(changes(again.stdout)).toEqual([]);
    // Vault holds ids and accessors; the config holds names and paths.
    const platform = (await vaultRequest('GET', `identity/group/name/platform-${id}`)).json.data;
    const sre = (await vaultRequest('GET', `identity/group/name/sre-${id}`)).json.data;
    expect(platform.member_group_ids).toEqual([sre.id]);

    const changed = await configDir({ 'c.yaml': yaml({ audit: !openbao, groupPolicies: `[eng-${id}, default]`, maxVersions: 9, auditDescription: 'changed' }) });
    const plan = await cli(['plan', '-c', changed, '-o', 'json']);
    expect(plan.code, plan.stderr).toBe(0);
    expect(changes(plan.stdout).sort()).toEqual([`update identity/groups/sre-${id}`, `update secrets/kv-${id}/config`, ...(openbao ? [] : [`update audit/f-${id}`])].sort());
    const security = (JSON.parse(plan.stdout) as Plan).changes.filter((c) => c.security).map((c) => c.address);
    expect(security).toContain(`identity/groups/sre-${id}`);
    if (!openbao) expect(security).toContain(`audit/f-${id}`);
    expect((await cli(['apply', '-c', changed, '--auto-approve'])).code).toBe(0);
    expect((await vaultRequest('GET', `kv-${id}/config`)).json.data.max_versions).toBe(9);
    const settled = await cli(['plan', '-c', changed, '-o', 'json', '--detailed-exitcode']);
    expect(settled.code, settled.stdout.slice(0, 3000)).toBe(0);

    // Offline: a snapshot answers every read these kinds make.
    const snap = join(await configDir({}), 'live.json');
    expect((await cli(['snapshot', '--out', snap])).code).toBe(0);
    const offlineEnv = { env: { VAULT_ADDR: 'http://127.0.0.1:1', VAULT_TOKEN: '', VAULT_CACERT: '' } };
    const offline = await cli(['plan', '-c', changed, '-o', 'json', '--detailed-exitcode', '--against', snap], offlineEnv);
    expect(offline.code, offline.stderr + offline.stdout.slice(0, 3000)).toBe(0);
    // And with changes to make (the first config): the same changes as online.
    const back = await cli(['plan', '-c', dir, '-o', 'json', '--against', snap], offlineEnv);
    expect(back.code, back.stderr).toBe(0);
    expect(changes(back.stdout)).toEqual(changes((await cli(['plan', '-c', dir, '-o', 'json'])).stdout));
    expect(changes(back.stdout)).toContain(`update secrets/kv-${id}/config`);

    const { exported, plan: replan } = await exportThenPlan(id);
    expect(exported.code, exported.stderr).toBe(0);
    expect(replan.code, replan.stderr + replan.stdout.slice(0, 3000)).toBe(0);
    const addresses = (JSON.parse(replan.stdout) as Plan).changes.map((c) => c.address);
    expect(addresses).toEqual(expect.arrayContaining([`identity/groups/eng-${id}`, `identity/groups/platform-${id}`, `secrets/kv-${id}/config`, ...(openbao ? [] : [`audit/f-${id}`])]));
  });

  it.skipIf(openbao)('disabling an audit device is destructive: refused without --allow-destroy', async () => {
    const dir = await configDir({ 'c.yaml': yaml({ audit: false, prune: '[audit]' }) });
    const refused = await cli(['apply', '-c', dir, '--auto-approve']);
    expect(refused.code).toBe(1);
    expect(refused.stdout + refused.stderr).toContain(`disables audit device f-${id}`);
    expect((await vaultRequest('GET', 'sys/audit')).json.data[`f-${id}/`]).toBeDefined();
    const done = await cli(['apply', '-c', dir, '--auto-approve', '--allow-destroy']);
    expect(done.code, done.stderr).toBe(0);
    expect((await vaultRequest('GET', 'sys/audit')).json.data[`f-${id}/`]).toBeUndefined();
  });

  it('refuses log_raw, hmac_accessor: false, members of an external group and kv v1 settings at file:line:col; nothing written', async () => {
    const dir = await configDir({
      'c.yaml': `audit:
  raw-${id}:
    type: file
    options: { file_path: ${logs}/raw.log, log_raw: true, hmac_accessor: false }
identity:
  groups:
    ext-${id}:
      type: external
      member_groups: [x]
secrets:
  v1-${id}:
    type: kv
    config: { max_versions: 2 }
`,
    });
    const r = await cli(['plan', '-c', dir]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`${dir}/c.yaml:4:`);
    expect(r.stderr).toMatch(/c\.yaml:4:\d+: error: audit\.raw-[^.]+\.options\.log_raw: refused: log_raw: true writes every request and response unhashed/);
    expect(r.stderr).toMatch(/c\.yaml:4:\d+: error: audit\.raw-[^.]+\.options\.hmac_accessor: refused: hmac_accessor: false/);
    expect(r.stderr).toMatch(/c\.yaml:9:\d+: error: identity\.groups\.ext-[^.]+\.member_groups: an external group gets its members from its alias/);
    expect(r.stderr).toMatch(/c\.yaml:13:5: error: secrets\.v1-[^.]+\.config: secrets\.v1-\S+ is KV version 1/);
    expect(r.stderr).toContain('4 errors in the configuration; nothing was sent to Vault.');
    expect(r.stderr).not.toMatch(NO_TRACE);
    expect((await vaultRequest('GET', 'sys/audit')).json.data[`raw-${id}/`]).toBeUndefined();
    expect((await vaultRequest('GET', `identity/group/name/ext-${id}`)).status).toBe(404);
  });

  it.skipIf(!openbao)('OpenBao: an audit device in the config fails the plan, naming OpenBao and its config file; nothing written', async () => {
    const dir = await configDir({ 'c.yaml': `${yaml({ audit: true })}` });
    const r = await cli(['apply', '-c', dir, '--auto-approve'], { env: { VAULT_GITOPS_STATE_PATH: `vault-gitops/bao-audit-${id}` } });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`OpenBao does not allow enabling or disabling audit devices through its API, so audit device f-${id} cannot be applied`);
    expect(r.stderr).toContain('server configuration file');
    expect(r.stderr).not.toMatch(NO_TRACE);
    expect((await vaultRequest('GET', 'sys/audit')).json.data).toEqual({});
  });
});
