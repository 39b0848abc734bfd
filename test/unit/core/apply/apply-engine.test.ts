// The apply engine with the real kinds over an in-memory Vault (memory-vault.ts): the order of the
// requests, deletes last, and a run that fails half-way leaving Vault and the state record in a
// shape the next run converges from. The same flows run against real servers in test/integration.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { applyPlan, type ApplyResult } from '../../../../src/core/apply/apply.js';
import { loadDesired, makePlan } from '../../../../src/core/plan/engine.js';
import type { SinksPort } from '../../../../src/core/ports.js';
import { managedInput, parseStatePath, StateStore, withIntent, withResults } from '../../../../src/core/state/state.js';
import { KINDS } from '../../../../src/kinds/registry.js';
import { MemoryVault } from '../memory-vault.js';

const dirs: string[] = [];
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

async function configDir(yaml: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'apply-engine-'));
  dirs.push(dir);
  await writeFile(join(dir, 'vault.yaml'), yaml);
  return dir;
}

const noSinks: SinksPort = { target: () => undefined, for: async () => [] };
const NOW = new Date('2026-12-01T05:00:00Z');

/** plan + apply as `vault-gitops apply` does it, with the ownership state when a store is given. */
async function apply(vault: MemoryVault, dir: string, store?: StateStore): Promise<{ results: ApplyResult[]; planned: string[] }> {
  const loaded = loadDesired([dir], { env: {} }, KINDS);
  const state = store ? await store.read() : undefined;
  const { plan, live, checks } = await makePlan(loaded, vault, noSinks, KINDS, NOW, state ? managedInput(state.record) : {});
  let version = state?.version ?? 0;
  if (store && state) version = await store.write(withIntent(state.record, plan, NOW.toISOString()), version);
  const results = await applyPlan(plan, { vault, sinks: noSinks, generatePassword: () => 'unused', kinds: KINDS, desired: loaded.desired, live, credentialChecks: checks });
  if (store && state) {
    const { record } = await store.read();
    await store.write(withResults(record, plan, results, loaded.desired, NOW.toISOString()), version);
  }
  return { results, planned: plan.changes.filter((c) => c.action !== 'noop').map((c) => `${c.action} ${c.address}`) };
}

const pending = async (vault: MemoryVault, dir: string) => {
  const { plan } = await makePlan(loadDesired([dir], { env: {} }, KINDS), vault, noSinks, KINDS, NOW);
  return plan.changes.filter((c) => c.action !== 'noop').map((c) => `${c.action} ${c.address}`);
};

const CONFIG = `
policies:
  app: { policy: 'path "secret/data/app/*" { capabilities = ["read"] }' }
auth:
  approle:
    type: approle
    description: services
    roles:
      web: { token_policies: [app], token_type: service }
prune: [policies, auth, auth/approle/roles]
`;

/** What was there before: a policy, a mount with a role in it, and a stray role beside ours. */
async function seeded(): Promise<MemoryVault> {
  const vault = new MemoryVault();
  await vault.write('sys/policies/acl/old', { policy: 'path "x" { capabilities = ["read"] }' });
  await vault.write('sys/auth/legacy', { type: 'approle', description: 'old services' });
  await vault.write('auth/legacy/role/batch', { token_policies: ['old'] });
  await vault.write('sys/auth/approle', { type: 'approle', description: 'services' });
  await vault.write('auth/approle/role/stray', { token_policies: ['default'] });
  vault.log.length = 0;
  return vault;
}

const writes = (vault: MemoryVault) => vault.log.filter((l) => !l.startsWith('GET ') && !l.startsWith('LIST '));

describe('apply engine over an in-memory Vault', () => {
  it('writes what others depend on first, deletes last, and then plans no change', async () => {
    const vault = await seeded();
    const dir = await configDir(CONFIG);
    const { results, planned } = await apply(vault, dir);
    // The roles of a mount no longer declared are not read: disabling the mount removes them.
    expect(planned.sort()).toEqual(['create auth/approle/roles/web', 'create policies/app', 'delete auth/approle/roles/stray', 'delete auth/legacy', 'delete policies/old']);
    expect(results.filter((r) => !r.ok)).toEqual([]);

    const order = writes(vault);
    expect(order.indexOf('POST sys/policies/acl/app')).toBeLessThan(order.indexOf('POST auth/approle/role/web'));
    const lastWrite = Math.max(order.indexOf('POST sys/policies/acl/app'), order.indexOf('POST auth/approle/role/web'));
    const deletes = order.filter((l) => l.startsWith('DELETE '));
    expect(deletes.map((d) => order.indexOf(d)).every((i) => i > lastWrite)).toBe(true);
    expect(deletes.sort()).toEqual(['DELETE auth/approle/role/stray', 'DELETE sys/auth/legacy', 'DELETE sys/policies/acl/old']);

    expect([...vault.policies.keys()].sort()).toEqual(['app', 'default', 'root']);
    expect([...vault.auth.keys()].sort()).toEqual(['approle', 'token']);
    expect([...vault.objects.keys()]).toEqual(['auth/approle/role/web']);
    expect(vault.objects.get('auth/approle/role/web')).toEqual({ token_policies: ['app'], token_type: 'service' });
    expect(await pending(vault, dir)).toEqual([]);
  });

  it('a created role gets its role_id in the create request: one write, no read-back, the identity in the result', async () => {
    const vault = await seeded();
    const pinned = '6f0c1b8e-0000-4000-8000-00000000beef';
    const dir = await configDir(CONFIG.replace('      web:', `      api: { token_policies: [app], role_id: ${pinned} }\n      web:`));
    const { results } = await apply(vault, dir);
    expect(results.filter((r) => !r.ok)).toEqual([]);
    const roleRequests = vault.log.filter((l) => /auth\/approle\/role\/(web|api)/.test(l));
    expect(roleRequests.sort()).toEqual(['POST auth/approle/role/api', 'POST auth/approle/role/web']);
    const identity = (address: string) => results.find((r) => r.address === address)?.identity;
    expect(identity('auth/approle/roles/web')).toBe(vault.roleIds.get('auth/approle/role/web'));
    expect(identity('auth/approle/roles/web')).toMatch(/^[0-9a-f-]{36}$/);
    expect(identity('auth/approle/roles/api')).toBe(pinned);
    expect(vault.roleIds.get('auth/approle/role/api')).toBe(pinned);
    expect(await pending(vault, dir)).toEqual([]);

    // An update never sends a role_id the config does not pin: the live one stays.
    const before = vault.roleIds.get('auth/approle/role/web');
    await apply(vault, await configDir(CONFIG.replace('token_type: service', 'token_type: batch')));
    expect(vault.roleIds.get('auth/approle/role/web')).toBe(before);
  });

  it('never touches root or default, even when policies are pruned', async () => {
    const vault = await seeded();
    const dir = await configDir(CONFIG);
    await apply(vault, dir);
    expect(writes(vault).filter((l) => /acl\/(root|default)$/.test(l))).toEqual([]);
    expect(vault.policies.has('default')).toBe(true);
  });

  it('a failed write: its dependents are skipped, nothing is deleted, and the next run converges from what is there', async () => {
    const vault = await seeded();
    const dir = await configDir(CONFIG);
    const store = new StateStore(vault, parseStatePath('vault-gitops/state'), KINDS.map((k) => k.name));
    await store.ensureMount();
    vault.fail('POST', 'sys/policies/acl/app', 500, 'storage unavailable');

    const first = await apply(vault, dir, store);
    const outcome = Object.fromEntries(first.results.map((r) => [r.address, r.ok ? 'ok' : r.error]));
    expect(outcome).toEqual({
      'policies/app': 'POST sys/policies/acl/app: HTTP 500: storage unavailable',
      'auth/approle/roles/web': 'skipped: policies/app failed',
      'policies/old': 'skipped: not deleted because 2 create/updates failed; the next apply retries',
      'auth/legacy': 'skipped: not deleted because 2 create/updates failed; the next apply retries',
      'auth/approle/roles/stray': 'skipped: not deleted because 2 create/updates failed; the next apply retries',
    });
    // Vault as it was: nothing half-written, nothing removed.
    expect([...vault.policies.keys()].sort()).toEqual(['default', 'old', 'root']);
    expect([...vault.objects.keys()].sort()).toEqual(['auth/approle/role/stray', 'auth/legacy/role/batch']);
    // The state keeps the intent (created, no hash yet) for both, so the run is known to have begun them.
    const after = (await store.read()).record.objects;
    expect(after['policies/app']).toMatchObject({ created: true, hash: null });
    expect(after['auth/approle/roles/web']).toMatchObject({ created: true, hash: null });

    vault.heal();
    const second = await apply(vault, dir, store);
    expect(second.planned.sort()).toEqual(first.planned.sort());
    expect(second.results.filter((r) => !r.ok)).toEqual([]);
    expect([...vault.policies.keys()].sort()).toEqual(['app', 'default', 'root']);
    expect([...vault.objects.keys()]).toEqual(['auth/approle/role/web']);
    const recorded = (await store.read()).record.objects;
    expect(recorded['policies/app']).toMatchObject({ created: true, hash: expect.stringMatching(/^sha256:/) });
    expect(recorded['auth/approle/roles/web']).toMatchObject({ created: true, hash: expect.stringMatching(/^sha256:/) });
    expect(await pending(vault, dir)).toEqual([]);
  });

  it('a failed delete fails alone (the other deletes go ahead); the next run finishes it', async () => {
    const vault = await seeded();
    const dir = await configDir(CONFIG);
    vault.fail('DELETE', 'auth/approle/role/stray', 503, 'Vault is sealed', 1);
    const { results } = await apply(vault, dir);
    expect(results.filter((r) => !r.ok).map((r) => [r.address, r.error])).toEqual([['auth/approle/roles/stray', 'DELETE auth/approle/role/stray: HTTP 503: Vault is sealed']]);
    expect(vault.objects.has('auth/approle/role/stray')).toBe(true);
    expect(vault.auth.has('legacy')).toBe(false);
    expect(vault.policies.has('old')).toBe(false);
    expect(await pending(vault, dir)).toEqual(['delete auth/approle/roles/stray']);
    await apply(vault, dir);
    expect([...vault.objects.keys()]).toEqual(['auth/approle/role/web']);
    expect(await pending(vault, dir)).toEqual([]);
  });
});
