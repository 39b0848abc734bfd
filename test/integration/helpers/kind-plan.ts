/**
 * Drives kind modules directly against the test server, the way the engine does (desired → readLive
 * → the real planner), for tests of a kind's Vault logic without the CLI:
 *
 *   const plan = await planKinds(vault, [jwtRoleKind], testConfig({ jwt: { type: 'jwt', roles: { ci: {...} } } }));
 *   expect(plan.summary).toEqual({ create: 0, update: 0, delete: 0, noop: 1 });
 */
import type { Vault } from '../../../src/adapters/vault.js';
import type { Config, LiveObject, Plan } from '../../../src/core/model.js';
import { planChanges } from '../../../src/core/plan/plan.js';
import type { Kind } from '../../../src/kinds/kind.js';

/**
 * A loaded config as the loader makes it, from the YAML tree of auth mounts only (`{ jwt: { type:
 * 'jwt', config: {...}, roles: {...} } }`): kinds find their objects in the tree by placement.
 */
export function testConfig(auth: Record<string, { type: string } & Record<string, unknown>>, prune: string[] = []): Config {
  const mounts = Object.fromEntries(Object.entries(auth).map(([path, m]) => [path, { type: m.type, settings: {} }]));
  return { policies: {}, auth: mounts, secrets: {}, prune, tree: { auth }, sources: new Map() };
}

async function liveMounts(vault: Vault): Promise<{ auth: Record<string, string>; secrets: Record<string, string> }> {
  const types = async (path: string) => {
    const data = ((await vault.read(path))?.data ?? {}) as Record<string, { type: string }>;
    return Object.fromEntries(Object.entries(data).map(([p, m]) => [p.replace(/\/+$/, ''), m.type]));
  };
  return { auth: await types('sys/auth'), secrets: await types('sys/mounts') };
}

/** The kinds' live objects in the config's mounts. */
export async function readKinds(vault: Vault, kinds: readonly Kind[], config: Config): Promise<LiveObject[]> {
  const mounts = await liveMounts(vault);
  const all = await Promise.all(kinds.map((k) => k.readLive(vault, { config, desired: k.desired(config), mounts })));
  return all.flat();
}

export async function planKinds(vault: Vault, kinds: readonly Kind[], config: Config): Promise<Plan> {
  return planChanges({
    desired: kinds.flatMap((k) => k.desired(config)),
    live: await readKinds(vault, kinds, config),
    credentials: {},
    sinkLabels: {},
    prune: config.prune,
    kinds,
    toolVersion: 'test',
    createdAt: new Date(0).toISOString(),
  });
}

/** Carries out a plan's creates, updates and deletes through the kinds (no state record, no lock). */
export async function applyKinds(vault: Vault, kinds: readonly Kind[], config: Config, plan: Plan): Promise<void> {
  const desired = new Map(kinds.flatMap((k) => k.desired(config)).map((d) => [d.address, d]));
  const live = new Map((await readKinds(vault, kinds, config)).map((l) => [l.address, l]));
  for (const c of plan.changes) {
    const kind = kinds.find((k) => k.name === c.kind)!;
    const d = desired.get(c.address);
    if (c.action === 'create' && d) await kind.create({ vault }, d);
    if (c.action === 'update' && d) await kind.update({ vault }, d, c.fields.map((f) => f.name));
    const l = live.get(c.address);
    if (c.action === 'delete' && l) await kind.delete({ vault }, l);
  }
}
