// Ownership state against the real server: apply records what it manages in a KV v2 secret; an
// object it created that the config drops is deleted ("removed from config"); objects it never
// created (by hand, or adopted by declaring them) stay unmanaged.
import { afterAll, describe, expect, it } from 'vitest';
import { allOutput, cli, configDir, uniq } from '../helpers/cli.js';
import { serverEnv, vaultClient } from '../helpers/server.js';
import type { StateRecord } from '../../../src/core/state/state.js';

const id = uniq('st');
const ar = `ar-${id}`;
const pol = (n: string) => `${n}-${id}`;
const statePath = `vault-gitops/state-${id}`;
const vault = vaultClient();
afterAll(() => vault.close());

function config(policies: string[], roles: string[]): Record<string, string> {
  return {
    'vault.yaml': `
policies:
${policies.map((p) => `  ${pol(p)}:\n    policy: |\n      path "secret/data/${p}/*" { capabilities = ["read"] }\n`).join('')}
auth:
  ${ar}:
    type: approle
    roles:
${roles.map((n) => `      ${n}: { token_ttl: 1h }\n`).join('')}`,
  };
}

interface PlanJson {
  changes: Array<{ address: string; action: string; reason: string }>;
  unmanaged: Array<{ address: string }>;
}
async function plan(dir: string): Promise<PlanJson> {
  const r = await cli(['plan', '-c', dir, '-o', 'json', '--state-path', statePath], { cwd: dir });
  expect(r.code, r.stderr).toBe(0);
  expect(r.stderr).toBe('');
  return JSON.parse(r.stdout) as PlanJson;
}
async function apply(dir: string) {
  const r = await cli(['apply', '-c', dir, '--auto-approve', '--state-path', statePath], { cwd: dir });
  expect(r.code, r.stdout + r.stderr).toBe(0);
  return r;
}
const exists = async (path: string) => (await vault.read(path)) !== undefined;
const changed = (p: PlanJson) => p.changes.filter((c) => c.action !== 'noop').map((c) => [c.action, c.address, c.reason]);

describe('ownership state', () => {
  it('records what apply manages in the KV v2 state record (created on first apply), never a secret', async () => {
    const dir = await configDir(config(['a', 'b'], ['a', 'b']));
    await apply(dir);
    const body = await vault.read(`vault-gitops/data/state-${id}`);
    const record = (body?.data as { data: StateRecord }).data;
    expect(record.format_version).toBe('2');
    expect(Object.keys(record.objects).sort()).toEqual([`auth/${ar}`, `auth/${ar}/roles/a`, `auth/${ar}/roles/b`, `policies/${pol('a')}`, `policies/${pol('b')}`]);
    const entry = record.objects[`policies/${pol('a')}`];
    expect(entry).toMatchObject({ kind: 'policy', created: true });
    expect(entry?.hash).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(record.last_apply).toMatchObject({ result: 'ok', tool_version: expect.any(String), run_id: expect.any(String) });
    expect(record.lock).toBeUndefined();
    expect(JSON.stringify(record)).not.toContain(serverEnv().VAULT_TOKEN);

    // The state record's own mount never shows in a plan.
    const p = await plan(dir);
    expect(changed(p)).toEqual([]);
    expect(p.unmanaged.map((u) => u.address)).not.toContain('secrets/vault-gitops');
  });

  it('deletes what it created and the config dropped; objects made by hand stay unmanaged', async () => {
    await vault.write(`sys/policies/acl/${pol('hand')}`, { policy: 'path "x" { capabilities = ["read"] }' });
    await vault.write(`auth/${ar}/role/hand`, { token_ttl: '1h' });

    const dir = await configDir(config(['a'], ['a']));
    const p = await plan(dir);
    expect(changed(p)).toEqual([
      ['delete', `auth/${ar}/roles/b`, 'removed from config'],
      ['delete', `policies/${pol('b')}`, 'removed from config'],
    ]);
    const unmanaged = p.unmanaged.map((u) => u.address);
    expect(unmanaged).toContain(`policies/${pol('hand')}`);
    expect(unmanaged).toContain(`auth/${ar}/roles/hand`);

    await apply(dir);
    expect(await exists(`sys/policies/acl/${pol('b')}`)).toBe(false);
    expect(await exists(`auth/${ar}/role/b`)).toBe(false);
    expect(await exists(`sys/policies/acl/${pol('hand')}`)).toBe(true);
    expect(await exists(`auth/${ar}/role/hand`)).toBe(true);
    expect(changed(await plan(dir))).toEqual([]);
  });

  it('an object it adopted (declared while it already existed) is not deleted when dropped, only unmanaged', async () => {
    const withHand = await configDir(config(['a', 'hand'], ['a']));
    await apply(withHand);
    const dir = await configDir(config(['a'], ['a']));
    const p = await plan(dir);
    expect(changed(p)).toEqual([]);
    expect(p.unmanaged.map((u) => u.address)).toContain(`policies/${pol('hand')}`);
    await apply(dir);
    expect(await exists(`sys/policies/acl/${pol('hand')}`)).toBe(true);
  });

  it('another state path knows nothing of these objects: nothing is deleted through it', async () => {
    // One unrelated object: a config that declares nothing is refused.
    const dir = await configDir({ 'vault.yaml': `policies:\n  unrelated-${id}:\n    policy: |\n      path "a" { capabilities = ["read"] }\n` });
    const r = await cli(['plan', '-c', dir, '-o', 'json', '--state-path', `vault-gitops/other-${id}`], { cwd: dir });
    expect(r.code, r.stderr).toBe(0);
    const p = JSON.parse(r.stdout) as PlanJson;
    expect(p.changes.filter((c) => c.action === 'delete')).toEqual([]);
    expect(allOutput()).not.toContain(serverEnv().VAULT_TOKEN);
  });
});
