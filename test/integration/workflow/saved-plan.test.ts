// Saved plans against the real server: `plan --out` then `apply PLAN` applies exactly that plan, and
// refuses (exit 1, nothing changed) when the config or anything the plan read changed since.
import { readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { allOutput, cli, configDir, uniq } from '../helpers/cli.js';
import { serverEnv, vaultClient } from '../helpers/server.js';

const id = uniq('sp');
const ar = `ar-${id}`;
const pol = (n: string) => `${n}-${id}`;
const statePath = `vault-gitops/saved-plan-${id}`;
const vault = vaultClient();
afterAll(() => vault.close());

function config(policies: string[], roles: Record<string, string> = { web: '1h' }): Record<string, string> {
  return {
    'vault.yaml': `
policies:
${policies.map((p) => `  ${pol(p)}:\n    policy: |\n      path "secret/data/${p}/*" { capabilities = ["read"] }\n`).join('')}
auth:
  ${ar}:
    type: approle
    roles:
${Object.entries(roles)
  .map(([n, ttl]) => `      ${n}: { token_ttl: ${ttl}, token_policies: [${pol(policies[0]!)}] }\n`)
  .join('')}`,
  };
}

const exists = async (path: string) => (await vault.read(path)) !== undefined;

async function savePlan(dir: string): Promise<string> {
  const file = join(dir, 'plan.json');
  const r = await cli(['plan', '-c', dir, '--out', file, '--state-path', statePath], { cwd: dir });
  expect(r.code, r.stderr).toBe(0);
  return file;
}
const applyPlan = (file: string, dir: string) => cli(['apply', file, '-c', dir, '--state-path', statePath], { cwd: dir });

describe('saved plans', () => {
  it('plan --out writes a 0600 plan without secrets; apply PLAN applies exactly it', async () => {
    const dir = await configDir(config(['a']));
    const file = await savePlan(dir);
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    const text = await readFile(file, 'utf8');
    expect(text).not.toContain(serverEnv().VAULT_TOKEN);
    const saved = JSON.parse(text) as { format_version: string; live_fingerprints: { objects: Record<string, string>; collections: Record<string, string[]> }; changes: Array<{ address: string; action: string }> };
    expect(saved.format_version).toBe('3');
    expect(saved.live_fingerprints.collections).toHaveProperty('policies');
    expect(saved.changes.filter((c) => c.action === 'create').map((c) => c.address).sort()).toEqual([`auth/${ar}`, `auth/${ar}/roles/web`, `policies/${pol('a')}`]);

    const r = await applyPlan(file, dir);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(await exists(`sys/policies/acl/${pol('a')}`)).toBe(true);
    expect(await exists(`auth/${ar}/role/web`)).toBe(true);

    const again = await cli(['plan', '-c', dir, '--detailed-exitcode', '--state-path', statePath], { cwd: dir });
    expect(again.code).toBe(0);
  });

  it('refuses a plan whose config changed since, changing nothing', async () => {
    const dir = await configDir(config(['a', 'b']));
    const file = await savePlan(dir);
    await writeFile(join(dir, 'vault.yaml'), config(['a', 'b', 'c'])['vault.yaml']!);
    const r = await applyPlan(file, dir);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('plan is stale: the configuration changed since the plan was made');
    expect(await exists(`sys/policies/acl/${pol('b')}`)).toBe(false);
    expect(await exists(`sys/policies/acl/${pol('c')}`)).toBe(false);
  });

  it('refuses a plan when a live object it read was changed by hand, changing nothing', async () => {
    const dir = await configDir(config(['a', 'b']));
    const file = await savePlan(dir);
    await vault.write(`auth/${ar}/role/web`, { token_ttl: '2h' });
    const r = await applyPlan(file, dir);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`plan is stale: auth/${ar}/roles/web changed since the plan was made`);
    expect(await exists(`sys/policies/acl/${pol('b')}`)).toBe(false);
    expect(((await vault.read(`auth/${ar}/role/web`))?.data as { token_ttl: number }).token_ttl).toBe(7200);
  });

  it('refuses a plan when an object appeared in a collection it listed', async () => {
    const dir = await configDir(config(['a', 'b']));
    const file = await savePlan(dir);
    await vault.write(`auth/${ar}/role/sneaky`, { token_ttl: '1h' });
    const r = await applyPlan(file, dir);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`plan is stale: auth/${ar}/roles/sneaky changed since the plan was made`);
    expect(await exists(`sys/policies/acl/${pol('b')}`)).toBe(false);

    // A fresh plan of the same config applies.
    const fresh = await savePlan(dir);
    const ok = await applyPlan(fresh, dir);
    expect(ok.code, ok.stderr).toBe(0);
    expect(await exists(`sys/policies/acl/${pol('b')}`)).toBe(true);
    expect(await exists(`auth/${ar}/role/web`)).toBe(true);
  });

  it('refuses an unknown format_version and a file that is not a saved plan', async () => {
    const dir = await configDir(config(['a', 'b']));
    const file = await savePlan(dir);
    const json = JSON.parse(await readFile(file, 'utf8')) as Record<string, unknown>;
    await writeFile(file, JSON.stringify({ ...json, format_version: '7' }));
    const r = await applyPlan(file, dir);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/format_version "7" is not supported/);
    const plain = await cli(['plan', '-c', dir, '-o', 'json', '--state-path', statePath], { cwd: dir });
    await writeFile(file, plain.stdout);
    const r2 = await applyPlan(file, dir);
    expect(r2.code).toBe(1);
    expect(r2.stderr).toMatch(/not a saved plan/);
    expect(allOutput()).not.toContain(serverEnv().VAULT_TOKEN);
  });
});
