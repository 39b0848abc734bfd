// Drives one kind module against the real test server, without the CLI: config → desired → readLive
// → the real planner → the kind's create/update/delete. For kind tests that must not depend on the
// loader (the wiring is tested through the CLI elsewhere).
import type { Vault } from '../../../src/adapters/vault.js';
import type { Kind } from '../../../src/kinds/kind.js';
import type { Change, Config, LiveObject, Settings } from '../../../src/core/model.js';
import { planChanges } from '../../../src/core/plan/plan.js';
import type { ExportOutput } from '../../../src/kinds/kind.js';
import { liveObject } from '../../../src/kinds/shared/support.js';

/** A loaded config with auth mounts only: mount → { type, ...keys the kinds place there (config, roles, teams) }. */
export function authConfig(mounts: Record<string, { type: string } & Record<string, unknown>>, prune: string[] = []): Config {
  const auth = Object.fromEntries(Object.entries(mounts).map(([path, m]) => [path, { settings: {}, ...m }]));
  return { policies: {}, auth, secrets: {}, prune, sources: new Map(), tree: { auth: mounts } } as unknown as Config;
}

/** The kind's plan changes for the config (every mount of the config exists live with its declared type). */
export async function planKind(vault: Vault, kind: Kind, config: Config): Promise<Change[]> {
  const desired = kind.desired(config);
  const mounts = { auth: Object.fromEntries(Object.entries(config.auth).map(([p, m]) => [p, m.type])), secrets: {} };
  const live = await kind.readLive(vault, { config, desired, mounts });
  const plan = planChanges({ desired, live, credentials: {}, sinkLabels: {}, prune: config.prune, kinds: [kind], toolVersion: 'test', createdAt: new Date(0).toISOString() });
  return plan.changes.filter((c) => c.action !== 'noop');
}

/** Applies the kind's changes for the config (create, update, delete) and returns them. */
export async function applyKind(vault: Vault, kind: Kind, config: Config): Promise<Change[]> {
  const changes = await planKind(vault, kind, config);
  const desired = new Map(kind.desired(config).map((d) => [d.address, d]));
  for (const c of changes) {
    const d = desired.get(c.address);
    if (c.action === 'create' && d) await kind.create({ vault }, d);
    else if (c.action === 'update' && d) await kind.update({ vault }, d, c.fields.map((f) => f.name));
    else if (c.action === 'delete') {
      const [, mount] = c.address.split('/');
      await kind.delete({ vault }, { kind: c.kind, address: c.address, collection: c.address.slice(0, c.address.lastIndexOf('/')), name: c.address.slice(c.address.lastIndexOf('/') + 1), mount, settings: {} });
    }
  }
  return changes;
}

/** The changed fields of one change, by name: `{ audience: { before, after } }`. */
export function fieldsOf(change: Change | undefined): Record<string, { before: unknown; after: unknown }> {
  return Object.fromEntries((change?.fields ?? []).map((f) => [f.name, { before: f.before, after: f.after }]));
}

/** The live settings of one object, read through the kind. */
export async function liveSettings(vault: Vault, kind: Kind, config: Config, address: string): Promise<Settings | undefined> {
  const mounts = { auth: Object.fromEntries(Object.entries(config.auth).map(([p, m]) => [p, m.type])), secrets: {} };
  const live = await kind.readLive(vault, { config, desired: kind.desired(config), mounts });
  return live.find((l) => l.address === address)?.settings;
}

/** A kind's export of each live object, as `export` runs it with the named policies live; warnings collected. */
export function exportOf(kind: Kind, live: LiveObject[], policies: string[] = []): { values: Record<string, Settings | undefined>; warnings: string[] } {
  const out: ExportOutput = { files: {}, warnings: [] };
  const all = [...live, ...policies.map((p) => liveObject('policy', `policies/${p}`, {}))];
  return { values: Object.fromEntries(live.map((l) => [l.name, kind.export!(l, all, out)])), warnings: out.warnings };
}
