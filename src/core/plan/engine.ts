import { checkAllCredentials, describeSinks, type CredentialCheck } from './credential-status.js';
import type { Kind } from '../kind.js';
import { ConfigError } from '../errors.js';
import { loadConfig, type LoadOptions } from '../check/load.js';
import type { Address, Config, DesiredObject, Diagnostic, LiveObject, Plan } from '../model.js';
import { planChanges } from './plan.js';
import { planAccessChanges } from './access-changes.js';
import { allReferences, dependOnReferences, preflight } from './preflight.js';
import { checkNewDestinations } from './new-destinations.js';
import type { SinksPort, VaultPort } from '../ports.js';
import { portWith } from '../port-view.js';
import { readLive } from './read.js';
import type { Targets } from './targets.js';
import { TOOL_VERSION } from '../version.js';

export interface Loaded {
  config: Config;
  desired: DesiredObject[];
  warnings: Diagnostic[];
}

/** load → validate → desired objects of `kinds` (the registry, which the caller passes); a ConfigError (with positions) when anything is wrong. */
export function loadDesired(dirs: string[], opts: LoadOptions, kinds: readonly Kind[]): Loaded {
  const result = loadConfig(dirs, kinds, opts);
  if (result.errors.length > 0 || !result.value) throw new ConfigError(result.errors);
  const config = result.value;
  const desired = kinds.flatMap((k) => k.desired(config));
  dependOnReferences(desired, allReferences(kinds, config));
  return { config, desired, warnings: result.warnings };
}

export interface Planned {
  plan: Plan;
  live: LiveObject[];
  checks: Record<Address, CredentialCheck>;
}

/** What the ownership state adds to planning (src/core/state/state.ts). */
export interface StateInput {
  /** Objects vault-gitops created: deleted when removed from the config. */
  managed?: readonly Address[];
  /** The live identities recorded for managed objects (src/core/plan/plan.ts identityMismatch). */
  identities?: Readonly<Record<Address, string>>;
  /** Salted hashes of the write-only values last written, by address and field (src/core/common/secret-hash.ts). */
  secrets?: Readonly<Record<Address, Readonly<Record<string, string>>>>;
  /** Write the write-only values no hash was recorded for (objects adopted, or applied before hashes were kept). */
  rewriteSecrets?: boolean;
  /** Live objects left out of planning unless declared (the state record's own mount). */
  ignore?: readonly Address[];
}

/** Reads Vault (and the credential sinks, unless `sinks` is undefined: an offline plan) and plans. */
export async function makePlan(
  all: Loaded,
  vault: VaultPort,
  sinks: SinksPort | undefined,
  kinds: readonly Kind[],
  now = new Date(),
  state: StateInput = {},
  targets?: Targets,
): Promise<Planned> {
  // With targets, everything else is left out: not read, not planned (so never deleted).
  const loaded = targets ? { ...all, desired: all.desired.filter((d) => targets.matches(d)) } : all;
  const declared = new Set(loaded.desired.map((d) => d.address));
  const ignored = new Set(state.ignore ?? []);
  const kindMap = new Map<string, Kind>(kinds.map((k) => [k.name, k]));
  const readAll = await readLive(vault, loaded.config, loaded.desired, kinds, targets, true);
  const read = readAll.filter((l) => (declared.has(l.address) || !ignored.has(l.address)) && (targets?.matches(l) ?? true));
  // A managed object about to be deleted must show its identity (read here unless the listing had it).
  const managed = new Set(state.managed ?? []);
  const unidentified = read.filter((l) => !declared.has(l.address) && managed.has(l.address) && l.identity === undefined);
  const found = await identifyObjects(vault, kinds, unidentified);
  const live = read.map((l) => (found[l.address] !== undefined ? { ...l, identity: found[l.address] } : l));
  const checks = sinks ? await checkAllCredentials(vault, sinks, kindMap, loaded.desired, live, now.getTime()) : {};
  const sinkLabels: Record<Address, string> = {};
  for (const d of loaded.desired) if (d.credentials) sinkLabels[d.address] = describeSinks(d.credentials);
  const plan = planChanges({
    desired: loaded.desired,
    live,
    credentials: Object.fromEntries(Object.entries(checks).map(([a, c]) => [a, c.status])),
    sinkLabels,
    prune: loaded.config.prune,
    managed: state.managed,
    identities: state.identities,
    secretHashes: state.secrets,
    rewriteSecrets: state.rewriteSecrets,
    kinds,
    toolVersion: TOOL_VERSION,
    createdAt: now.toISOString(),
    vaultAddr: vault.addr,
    vaultNamespace: vault.namespace,
  });
  const access = planAccessChanges({ desired: loaded.desired, live, changes: plan.changes, kinds, targeted: targets !== undefined });
  if (access) plan.access_changes = access;
  const unresolved = preflight({
    kinds,
    config: loaded.config,
    declared: new Set(all.desired.map((d) => d.address)),
    live: readAll,
    plan,
    // With targets, a kind is read whole only when any of its names can be a target (mount tables always are).
    read: targets ? (k) => kindMap.get(k)?.placement === undefined || (targets.reads(k) && targets.names(k) === undefined) : undefined,
  });
  const undeliverable = sinks ? await checkNewDestinations({ sinks, kinds, config: loaded.config, desired: loaded.desired, plan, concurrency: vault.concurrency }) : [];
  if (unresolved.length + undeliverable.length > 0) throw new ConfigError([...unresolved, ...undeliverable], undefined, true);
  return { plan, live, checks };
}

/** The live identities of `objects` whose kind has one (address → identity; absent when not in Vault). */
export async function identifyObjects(
  vault: VaultPort,
  kinds: readonly Kind[],
  objects: ReadonlyArray<Pick<LiveObject, 'address' | 'kind' | 'mount' | 'name'>>,
): Promise<Record<Address, string>> {
  const byName = new Map(kinds.map((k) => [k.name, k]));
  const out: Record<Address, string> = {};
  const shared = sharedReads(vault);
  await Promise.all(
    objects.map(async (o) => {
      const id = await byName.get(o.kind)?.identify?.(shared, o);
      if (id !== undefined) out[o.address] = id;
    }),
  );
  return out;
}

/** One GET per path for a batch of lookups made at one moment (mounts of a section share one table). */
function sharedReads(vault: VaultPort): VaultPort {
  const reads = new Map<string, ReturnType<VaultPort['read']>>();
  return portWith(vault, {
    read: (path) => {
      let r = reads.get(path);
      if (!r) reads.set(path, (r = vault.read(path)));
      return r;
    },
  });
}
