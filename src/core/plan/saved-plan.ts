// Saved plans (`plan --out plan.json`, `apply plan.json`): the plan plus fingerprints of the config
// and of every live object it read, so apply can refuse a plan the world has moved away from.
// Comparison is pure; reading the file is the only I/O here (the CLI writes it with the atomic writer).

import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { sortKeysDeep } from '../common/canonical-json.js';
import { UsageError } from '../errors.js';
import { PLAN_FORMAT_VERSION, type Address, type Change, type DesiredObject, type LiveObject, type Plan } from '../model.js';
import { planToJson } from './plan-json.js';

/** What the plan saw in Vault: a hash per live object and the addresses of each collection listed. */
export interface LiveFingerprints {
  /** address → `sha256:…` of the normalised live object. */
  objects: Record<Address, string>;
  /** collection → the addresses it held (sorted), so an object appearing later is noticed too. */
  collections: Record<string, Address[]>;
}

export interface SavedPlan extends Plan {
  live_fingerprints: LiveFingerprints;
}

const sha256 = (value: unknown) => 'sha256:' + createHash('sha256').update(JSON.stringify(sortKeysDeep(value))).digest('hex');

export function liveObjectHash(obj: LiveObject): string {
  return sha256({ kind: obj.kind, settings: obj.settings });
}

/**
 * The fingerprints of what a plan read. Collections are those holding a live object or a declared
 * one (the planner read both), so an empty collection that later gains an object is noticed.
 */
export function liveFingerprints(live: readonly LiveObject[], desired: readonly DesiredObject[]): LiveFingerprints {
  const objects: Record<Address, string> = {};
  const collections: Record<string, Address[]> = {};
  for (const d of desired) collections[d.collection] ??= [];
  for (const l of live) {
    objects[l.address] = liveObjectHash(l);
    (collections[l.collection] ??= []).push(l.address);
  }
  for (const addrs of Object.values(collections)) addrs.sort();
  return { objects, collections };
}

/** The saved plan as a file's text: the JSON plan (schemas/plan.schema.json) with its fingerprints. */
export function savedPlanText(plan: Plan, fingerprints: LiveFingerprints): string {
  return JSON.stringify(planToJson({ ...plan, live_fingerprints: fingerprints } as SavedPlan), null, 2) + '\n';
}

export interface FreshState {
  configFingerprint: string;
  /** What the fresh read fingerprints to. */
  fingerprints: LiveFingerprints;
  /** The plan made now, from the same config and the fresh read. */
  plan: Plan;
}

/**
 * Why a saved plan no longer applies, or undefined when it still does: the config changed, a live
 * object changed / appeared / disappeared, or planning now gives other changes (a credential sink
 * changed, the state record changed).
 */
export function staleObject(saved: SavedPlan, fresh: FreshState): string | undefined {
  if (saved.config_fingerprint !== fresh.configFingerprint) return 'the configuration';
  const before = saved.live_fingerprints.objects;
  const now = fresh.fingerprints.objects;
  for (const address of [...new Set([...Object.keys(before), ...Object.keys(now)])].sort()) {
    if (before[address] !== now[address]) return address;
  }
  const was = saved.live_fingerprints.collections;
  const is = fresh.fingerprints.collections;
  for (const collection of [...new Set([...Object.keys(was), ...Object.keys(is)])].sort()) {
    if (JSON.stringify(was[collection] ?? []) !== JSON.stringify(is[collection] ?? [])) return collection;
  }
  const key = (c: unknown) => JSON.stringify(sortKeysDeep(c));
  const savedChanges = new Map(saved.changes.map((c) => [c.address, key(c)]));
  const freshChanges = new Map((planToJson(fresh.plan).changes as Change[]).map((c) => [c.address, key(c)]));
  for (const address of [...new Set([...savedChanges.keys(), ...freshChanges.keys()])].sort()) {
    if (savedChanges.get(address) !== freshChanges.get(address)) return address;
  }
  return undefined;
}

export function stalePlanError(object: string): UsageError {
  return new UsageError(`plan is stale: ${object} changed since the plan was made`, 'nothing was changed; run `plan --out` again, review it, and apply the new plan');
}

/** Parses a saved plan; refuses unknown format versions and files not written by `plan --out`. */
export function parseSavedPlan(text: string, file: string): SavedPlan {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (err) {
    throw new UsageError(`${file}: not a saved plan (invalid JSON: ${(err as Error).message})`);
  }
  const p = data as Partial<SavedPlan> | null;
  if (!p || typeof p !== 'object' || Array.isArray(p)) throw new UsageError(`${file}: not a saved plan`);
  if (p.format_version !== PLAN_FORMAT_VERSION) {
    throw new UsageError(
      `${file}: plan format_version ${JSON.stringify(p.format_version ?? null)} is not supported (this vault-gitops reads "${PLAN_FORMAT_VERSION}")`,
      'make the plan again with this version of vault-gitops',
    );
  }
  const fp = p.live_fingerprints;
  if (
    typeof p.config_fingerprint !== 'string' ||
    !Array.isArray(p.changes) ||
    !Array.isArray(p.destroys) ||
    !Array.isArray(p.unmanaged) ||
    !fp ||
    typeof fp.objects !== 'object' ||
    typeof fp.collections !== 'object'
  ) {
    throw new UsageError(`${file}: not a saved plan (no fingerprints)`, 'write one with `vault-gitops plan -c DIR --out FILE`');
  }
  return p as SavedPlan;
}

export async function readSavedPlan(file: string): Promise<SavedPlan> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw new UsageError(`cannot read the saved plan ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  return parseSavedPlan(text, file);
}
