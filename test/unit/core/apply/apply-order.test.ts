// The apply engine's order: creates and updates first, deletes last (children before parents), and
// no delete at all once a write failed. The kinds here are in-memory recorders: this is the engine's
// own scheduling logic, which touches Vault only through them.
import { describe, expect, it } from 'vitest';
import { applyPlan } from '../../../../src/core/apply/apply.js';
import type { Change, KindName, LiveObject } from '../../../../src/core/model.js';
import type { Kind } from '../../../../src/kinds/kind.js';
import { engineKind } from './engine-kind.js';
import { desired, live } from '../../fixtures/objects.js';
import { planWith } from '../../render/fixtures/plans.js';
import { MemoryVault } from '../memory-vault.js';

function recorder(failOn: Set<string>) {
  const calls: string[] = [];
  const kind = (name: KindName, phase: number): Kind => engineKind(name, phase, {
    create: async (_ctx, obj) => {
      await Promise.resolve();
      if (failOn.has(obj.address)) throw new Error('HTTP 400: bad');
      calls.push(`create ${obj.address}`);
    },
    update: async (_ctx, obj) => {
      calls.push(`update ${obj.address}`);
    },
    delete: async (_ctx, obj: LiveObject) => {
      await Promise.resolve();
      if (failOn.has(obj.address)) throw new Error('HTTP 500: busy');
      calls.push(`delete ${obj.address}`);
    },
  });
  return { calls, kinds: [kind('auth-mount', 0), kind('policy', 1), kind('approle-role', 2)] };
}

const change = (action: Change['action'], kind: KindName, address: string): Change => ({ address, kind, action, reason: 'r', fields: [], security: false });

const changes = [
  change('delete', 'approle-role', 'auth/old/roles/a'),
  change('delete', 'auth-mount', 'auth/old'),
  change('delete', 'policy', 'policies/gone'),
  change('create', 'auth-mount', 'auth/new'),
  change('create', 'approle-role', 'auth/new/roles/b'),
  change('create', 'policy', 'policies/p'),
];
const desiredObjs = [
  desired('auth-mount', 'auth/new', { type: 'approle' }),
  desired('approle-role', 'auth/new/roles/b', {}, { dependsOn: ['auth/new', 'policies/p'] }),
  desired('policy', 'policies/p', { policy: 'x' }),
];
const liveObjs = [live('approle-role', 'auth/old/roles/a', {}), live('auth-mount', 'auth/old', { type: 'approle' }), live('policy', 'policies/gone', { policy: 'y' })];

async function run(failOn: string[] = []) {
  const { calls, kinds } = recorder(new Set(failOn));
  const results = await applyPlan(planWith(changes), {
    vault: new MemoryVault(),
    sinks: { target: () => undefined, for: async () => [] },
    generatePassword: () => 'not-used',
    kinds,
    desired: desiredObjs,
    live: liveObjs,
    credentialChecks: {},
  });
  return { calls, results };
}

describe('applyPlan order', () => {
  it('runs every create and update first, then the deletes, children before parents', async () => {
    const { calls, results } = await run();
    expect(calls.slice(0, 3).sort()).toEqual(['create auth/new', 'create auth/new/roles/b', 'create policies/p']);
    expect(calls.indexOf('create auth/new/roles/b')).toBeGreaterThan(calls.indexOf('create policies/p'));
    expect(calls.slice(3)).toEqual(['delete auth/old/roles/a', 'delete policies/gone', 'delete auth/old']);
    expect(results.every((r) => r.ok)).toBe(true);
  });

  it('deletes nothing when a write failed, and reports each delete as skipped', async () => {
    const { calls, results } = await run(['policies/p']);
    expect(calls).toEqual(['create auth/new']);
    const failed = results.filter((r) => !r.ok).map((r) => [r.address, r.error]);
    expect(failed).toEqual([
      ['policies/p', 'HTTP 400: bad'],
      ['auth/new/roles/b', 'skipped: policies/p failed'],
      ['auth/old/roles/a', 'skipped: not deleted because 2 create/updates failed; the next apply retries'],
      ['auth/old', 'skipped: not deleted because 2 create/updates failed; the next apply retries'],
      ['policies/gone', 'skipped: not deleted because 2 create/updates failed; the next apply retries'],
    ]);
  });

  it('keeps a mount whose role could not be deleted', async () => {
    const { calls, results } = await run(['auth/old/roles/a']);
    expect(calls.filter((c) => c.startsWith('delete'))).toEqual(['delete policies/gone']);
    expect(results.find((r) => r.address === 'auth/old')?.error).toBe('skipped: auth/old/roles/a inside it was not deleted');
  });
});

describe('a kind that writes alone (audit devices)', () => {
  // Each change logs when it starts and ends; a change of the alone kind must see nothing else running.
  function tracing(kinds: { name: KindName; phase: number; alone?: boolean }[]) {
    const log: string[] = [];
    let running = 0;
    const step = async (what: string) => {
      running++;
      log.push(`start ${what} (${running} running)`);
      await new Promise((r) => setTimeout(r, 1));
      running--;
      log.push(`end ${what}`);
    };
    return {
      log,
      kinds: kinds.map((k) =>
        engineKind(
          k.name,
          k.phase,
          { create: (_ctx, obj) => step(`create ${obj.address}`), update: (_ctx, obj) => step(`update ${obj.address}`), delete: (_ctx, obj) => step(`delete ${obj.address}`) },
          k.alone,
        ),
      ),
    };
  }

  it('creates and updates it first, one at a time, and deletes it last, with no other change in flight', async () => {
    const { log, kinds } = tracing([
      { name: 'audit-device', phase: 0, alone: true },
      { name: 'secrets-mount', phase: 0 },
      { name: 'policy', phase: 1 },
    ]);
    const plan = planWith([
      change('create', 'secrets-mount', 'secrets/kv'),
      change('create', 'policy', 'policies/p'),
      change('create', 'audit-device', 'audit/a'),
      { ...change('update', 'audit-device', 'audit/b'), fields: [{ name: 'description', before: 'x', after: 'y' }] } as Change,
      change('delete', 'audit-device', 'audit/old'),
      change('delete', 'secrets-mount', 'secrets/old'),
      change('delete', 'policy', 'policies/old'),
    ]);
    const results = await applyPlan(plan, {
      vault: new MemoryVault(),
      sinks: { target: () => undefined, for: async () => [] },
      generatePassword: () => 'not-used',
      kinds,
      desired: [desired('secrets-mount', 'secrets/kv', { type: 'kv' }), desired('policy', 'policies/p', { policy: 'x' }), desired('audit-device', 'audit/a', { type: 'file' }), desired('audit-device', 'audit/b', { type: 'file' })],
      live: [live('audit-device', 'audit/old', { type: 'file' }), live('secrets-mount', 'secrets/old', { type: 'kv' }), live('policy', 'policies/old', { policy: 'y' })],
      credentialChecks: {},
    });
    expect(results.filter((r) => !r.ok)).toEqual([]);
    const starts = log.filter((l) => l.startsWith('start'));
    expect(starts.slice(0, 2)).toEqual(['start create audit/a (1 running)', 'start update audit/b (1 running)']);
    expect(starts.at(-1)).toBe('start delete audit/old (1 running)');
    // Each alone change ends before anything else starts.
    for (const a of ['create audit/a', 'update audit/b']) expect(log[log.indexOf(`start ${a} (1 running)`) + 1]).toBe(`end ${a}`);
    expect(log.at(-1)).toBe('end delete audit/old');
    expect(log.at(-2)).toBe('start delete audit/old (1 running)');
  });
});

describe('nested objects of one phase (namespaces)', () => {
  // A deeper namespace's delete takes more turns of the event loop: run together, the parent would go first.
  async function run(failOn: string[] = []) {
    const calls: string[] = [];
    const kinds = [
      engineKind('namespace', 0, {
        create: async () => {},
        update: async () => {},
        delete: async (_ctx, obj: LiveObject) => {
          for (let i = 0; i < obj.address.split('/').length * 3; i++) await Promise.resolve();
          if (failOn.includes(obj.address)) throw new Error('HTTP 400: cannot delete namespace');
          calls.push(obj.address);
        },
      }),
    ];
    const addresses = ['namespaces/a', 'namespaces/a/b', 'namespaces/a/b/c', 'namespaces/a-b', 'namespaces/z'];
    const results = await applyPlan(planWith(addresses.map((a) => change('delete', 'namespace', a))), {
      vault: new MemoryVault(),
      sinks: { target: () => undefined, for: async () => [] },
      generatePassword: () => 'not-used',
      kinds,
      desired: [],
      live: addresses.map((a) => live('namespace', a, {})),
      credentialChecks: {},
    });
    return { calls, results };
  }

  it('deletes the deepest first, each parent once its children are gone, in one apply', async () => {
    const { calls, results } = await run();
    expect(results.every((r) => r.ok)).toBe(true);
    expect(calls.indexOf('namespaces/a/b/c')).toBeLessThan(calls.indexOf('namespaces/a/b'));
    expect(calls.indexOf('namespaces/a/b')).toBeLessThan(calls.indexOf('namespaces/a'));
    // Unrelated ones (a name that only starts like another) do not wait.
    expect(calls.indexOf('namespaces/a-b')).toBeLessThan(calls.indexOf('namespaces/a/b/c'));
    expect(calls.indexOf('namespaces/z')).toBeLessThan(calls.indexOf('namespaces/a/b/c'));
  });

  it('keeps every parent of a child that could not be deleted', async () => {
    const { calls, results } = await run(['namespaces/a/b/c']);
    expect(calls.sort()).toEqual(['namespaces/a-b', 'namespaces/z']);
    expect(results.filter((r) => !r.ok).map((r) => [r.address, r.error])).toEqual([
      ['namespaces/a/b/c', 'HTTP 400: cannot delete namespace'],
      ['namespaces/a/b', 'skipped: namespaces/a/b/c inside it was not deleted'],
      ['namespaces/a', 'skipped: namespaces/a/b/c inside it was not deleted'],
    ]);
  });
});
