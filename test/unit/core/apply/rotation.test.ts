// Credential rotation through the apply engine, over an in-memory Vault (memory-vault.ts) and an
// in-memory sink: the never-lose-one order for both modes, and what a failure leaves behind.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { applyPlan, type ApplyResult } from '../../../../src/core/apply/apply.js';
import { loadDesired, makePlan } from '../../../../src/core/plan/engine.js';
import type { CredentialMeta, CredentialSink, CredentialTarget, CredentialValues, DeliveredState, SinksPort } from '../../../../src/core/ports.js';
import { KINDS } from '../../../../src/kinds/registry.js';
import { MemoryVault } from '../memory-vault.js';

/** A file-like sink in memory: what it holds per address, every write in order, and a switch to fail writes. */
class MemorySink implements CredentialSink, SinksPort {
  readonly type = 'file' as const;
  readonly held = new Map<string, { values: CredentialValues; meta: CredentialMeta }>();
  readonly writes: Array<{ address: string; values: CredentialValues; pending: boolean }> = [];
  failWrites = false;

  target(obj: Parameters<SinksPort['target']>[0]): CredentialTarget | undefined {
    if (!obj.credentials?.file) return undefined;
    return { address: obj.address, kind: obj.kind, mount: obj.mount ?? '', name: obj.name, spec: obj.credentials, vaultAddr: 'http://vault.memory:8200' };
  }
  async for(): Promise<CredentialSink[]> {
    return [this];
  }
  describe(target: CredentialTarget): string {
    return `memory ${target.address}`;
  }
  async inspect(target: CredentialTarget): Promise<DeliveredState> {
    const h = this.held.get(target.address);
    return h ? { exists: true, owned: true, values: { ...h.values }, meta: { ...h.meta } } : { exists: false, owned: false };
  }
  async write(target: CredentialTarget, values: CredentialValues, meta: CredentialMeta): Promise<void> {
    if (this.failWrites) throw new Error('disk full');
    this.held.set(target.address, { values: { ...values }, meta: { ...meta } });
    this.writes.push({ address: target.address, values: { ...values }, pending: meta.pending === true });
  }
}

const CONFIG = `
auth:
  approle:
    type: approle
    description: services
    roles:
      web:
        token_policies: [default]
        credentials: { file: { path: web.json }, rotate: { max_age: 1h } }
  userpass:
    type: userpass
    description: people
    users:
      alice:
        token_policies: [default]
        credentials: { file: { path: alice.json }, rotate: { max_age: 1h } }
`;

const dirs: string[] = [];
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

const T0 = new Date('2026-12-01T03:00:00Z');
const at = (minutes: number) => new Date(T0.getTime() + minutes * 60_000);
let counter = 0;
const passwords = () => `password-${++counter}`;

async function setup() {
  const dir = await mkdtemp(join(tmpdir(), 'rotation-'));
  dirs.push(dir);
  await writeFile(join(dir, 'vault.yaml'), CONFIG);
  const loaded = loadDesired([dir], { env: {}, sinkRoot: dir }, KINDS);
  const vault = new MemoryVault();
  const sink = new MemorySink();
  /** plan + apply at `now`, as `vault-gitops apply` does. */
  const run = async (now: Date): Promise<{ planned: string[]; results: ApplyResult[] }> => {
    const { plan, live, checks } = await makePlan(loaded, vault, sink, KINDS, now);
    const results = await applyPlan(plan, { vault, sinks: sink, generatePassword: passwords, kinds: KINDS, desired: loaded.desired, live, credentialChecks: checks, now: () => now });
    return { planned: plan.changes.filter((c) => c.action !== 'noop').map((c) => `${c.action} ${c.address}`), results };
  };
  const liveSecretIds = () => [...(vault.secretIds.get('auth/approle/role/web')?.keys() ?? [])];
  return { vault, sink, run, liveSecretIds };
}

describe('rotation over an in-memory Vault and sink', () => {
  it('issues on create, rotates once max_age has passed (new secret_id delivered before the old one is destroyed), then is quiet', async () => {
    const { vault, sink, run, liveSecretIds } = await setup();
    await run(T0);
    const web1 = sink.held.get('auth/approle/roles/web')!;
    expect(web1.values.role_id).toBe(vault.roleIds.get('auth/approle/role/web'));
    expect(liveSecretIds()).toEqual([web1.meta.accessor]);
    const alice1 = sink.held.get('auth/userpass/users/alice')!;
    expect(vault.passwords.get('auth/userpass/users/alice')).toBe(alice1.values.password);

    expect((await run(at(30))).planned).toEqual([]);
    const rotated = await run(at(61));
    expect(rotated.planned.sort()).toEqual(['update auth/approle/roles/web', 'update auth/userpass/users/alice']);
    expect(rotated.results.filter((r) => !r.ok)).toEqual([]);

    const web2 = sink.held.get('auth/approle/roles/web')!;
    expect(web2.values.secret_id).not.toBe(web1.values.secret_id);
    expect(web2.values.role_id).toBe(web1.values.role_id);
    expect(liveSecretIds()).toEqual([web2.meta.accessor]);
    const order = vault.log.filter((l) => /secret-id(-accessor\/destroy)?$/.test(l) && l.startsWith('POST'));
    expect(order).toEqual(['POST auth/approle/role/web/secret-id', 'POST auth/approle/role/web/secret-id', 'POST auth/approle/role/web/secret-id-accessor/destroy']);

    // A password goes to the sink first, marked pending, then to Vault, then the mark is cleared.
    const aliceWrites = sink.writes.filter((w) => w.address === 'auth/userpass/users/alice').slice(-2);
    expect(aliceWrites.map((w) => w.pending)).toEqual([true, false]);
    expect(aliceWrites[0]!.values.password).toBe(aliceWrites[1]!.values.password);
    expect(vault.passwords.get('auth/userpass/users/alice')).toBe(aliceWrites[1]!.values.password);
    expect(aliceWrites[1]!.values.password).not.toBe(alice1.values.password);

    expect((await run(at(62))).planned).toEqual([]);
  });

  it('a secret_id that cannot be delivered is destroyed at once; the delivered one stays valid, and the next run rotates', async () => {
    const { sink, run, liveSecretIds } = await setup();
    await run(T0);
    const before = sink.held.get('auth/approle/roles/web')!;
    sink.failWrites = true;
    const { results } = await run(at(61));
    expect(results.find((r) => r.address === 'auth/approle/roles/web')?.error).toBe('disk full');
    expect(sink.held.get('auth/approle/roles/web')).toEqual(before);
    expect(liveSecretIds()).toEqual([before.meta.accessor]);

    sink.failWrites = false;
    expect((await run(at(62))).results.every((r) => r.ok)).toBe(true);
    expect(liveSecretIds()).toEqual([sink.held.get('auth/approle/roles/web')!.meta.accessor]);
    expect(liveSecretIds()).not.toEqual([before.meta.accessor]);
  });

  it('a password Vault refuses: the sink gets the old password back, marked pending, and the next run re-issues', async () => {
    const { vault, sink, run } = await setup();
    await run(T0);
    const old = sink.held.get('auth/userpass/users/alice')!.values.password;
    vault.fail('POST', 'auth/userpass/users/alice/password', 500, 'storage unavailable', 1);
    const { results } = await run(at(61));
    expect(results.find((r) => r.address === 'auth/userpass/users/alice')?.error).toBe('POST auth/userpass/users/alice/password: HTTP 500: storage unavailable');
    const held = sink.held.get('auth/userpass/users/alice')!;
    expect(held.values.password).toBe(old);
    expect(held.meta.pending).toBe(true);
    expect(vault.passwords.get('auth/userpass/users/alice')).toBe(old);

    const next = await run(at(62));
    expect(next.planned).toEqual(['update auth/userpass/users/alice']);
    const now = sink.held.get('auth/userpass/users/alice')!;
    expect(now.meta.pending).toBeUndefined();
    expect(vault.passwords.get('auth/userpass/users/alice')).toBe(now.values.password);
    expect(now.values.password).not.toBe(old);
    expect((await run(at(63))).planned).toEqual([]);
  });
});
