/**
 * Drives one kind module directly against the test server, the way the engine does: the config's
 * desired objects, the live read, and create/update/delete. For module tests; config-level tests
 * go through the real CLI (helpers/cli.ts).
 */
import type { Vault } from '../../../src/adapters/vault.js';
import type { Config, DesiredObject, LiveObject } from '../../../src/core/model.js';
import type { Kind } from '../../../src/kinds/kind.js';
import { readMountTable } from '../../../src/kinds/mounts/mount.js';
import { sameValue } from '../../../src/kinds/shared/normalise.js';

/** A config as loaded from a file, holding `tree` (mount sections are also where the loader puts them). */
export function config(tree: Record<string, unknown>): Config {
  return { policies: {}, auth: {}, secrets: {}, prune: [], sources: new Map([['', { file: 'test.yaml', line: 1, col: 1 }]]), ...tree, tree } as Config;
}

async function mounts(vault: Vault): Promise<{ auth: Record<string, string>; secrets: Record<string, string> }> {
  const types = (t: Record<string, Record<string, unknown>>) => Object.fromEntries(Object.entries(t).map(([p, i]) => [p, String(i.type)]));
  return { auth: types(await readMountTable(vault, 'sys/auth')), secrets: types(await readMountTable(vault, 'sys/mounts')) };
}

export async function readLive(vault: Vault, kind: Kind, cfg: Config): Promise<Map<string, LiveObject>> {
  const live = await kind.readLive(vault, { config: cfg, desired: kind.desired(cfg), mounts: await mounts(vault) });
  return new Map(live.map((l) => [l.address, l]));
}

/** The declared fields that differ from Vault's, as the planner compares them. */
export function differences(kind: Kind, d: DesiredObject, live: LiveObject | undefined): string[] {
  if (!live) return ['(not in Vault)'];
  const want = kind.normalise(d.settings);
  return Object.entries(want)
    .filter(([k, v]) => v !== undefined && !sameValue(v, live.settings[k] ?? null))
    .map(([k]) => k);
}

/** Creates what is missing and updates what differs, in the order given; returns what it changed. */
export async function converge(vault: Vault, kind: Kind, cfg: Config): Promise<string[]> {
  const live = await readLive(vault, kind, cfg);
  const done: string[] = [];
  for (const d of kind.desired(cfg)) {
    const l = live.get(d.address);
    if (!l) {
      await kind.create({ vault }, d);
      done.push(`create ${d.address}`);
      continue;
    }
    const fields = differences(kind, d, l);
    if (fields.length > 0) {
      await kind.update({ vault }, d, fields);
      done.push(`update ${d.address} ${fields.join(',')}`);
    }
  }
  return done;
}

/** Every declared object of the kind reads back equal to the config. */
export async function pending(vault: Vault, kind: Kind, cfg: Config): Promise<string[]> {
  const live = await readLive(vault, kind, cfg);
  return kind.desired(cfg).flatMap((d) => differences(kind, d, live.get(d.address)).map((f) => `${d.address}: ${f}`));
}
