import { writeFileAtomic } from '../adapters/files.js';
import { formatDiagnostic } from '../core/check/diagnostics-format.js';
import { loadDesired, makePlan, type Loaded, type Planned, type StateInput } from '../core/plan/engine.js';
import { AccessReviewError, ConfigError, EXIT_CHANGES, EXIT_OK, UsageError, VaultApiError } from '../core/errors.js';
import { accessFindings } from '../core/plan/access-changes.js';
import { liveFingerprints, savedPlanText } from '../core/plan/saved-plan.js';
import { planningState, stateIgnore } from '../core/state/state.js';
import { Targets } from '../core/plan/targets.js';
import { KINDS } from '../kinds/registry.js';
import { hasChanges } from '../render/common.js';
import type { LiveObject, Plan } from '../core/model.js';
import { renderJson } from '../render/json.js';
import { renderMarkdown } from '../render/markdown.js';
import { renderText } from '../render/text.js';
import { renderTenantsPlanJson, renderTenantsPlanMarkdown } from '../render/tenants-plan.js';
import { runResults, type TenantsRun } from '../core/plan/tenants.js';
import { caBundleStep, withCaBundles } from './ca-bundles.js';
import { configDirs, loadOptions, ownerId, stateStore, type VaultCommandFlags } from './options.js';
import type { Output } from './output.js';
import { mark } from './phases.js';
import { withProgress } from './progress.js';
import { openSession, type Session } from './session.js';
import { loadTenants, runTenants, throwIfTenantsFailed } from './tenants.js';
import { ReplayVault } from '../adapters/snapshot-vault.js';
import { readSnapshot, type Snapshot } from '../core/export/snapshot.js';
import { configNamespace } from '../core/common/namespaces.js';

export function renderPlan(plan: Plan, format: string, io: Output): string {
  if (format === 'json') return renderJson(plan);
  if (format === 'markdown') return renderMarkdown(plan);
  return renderText(plan, { color: io.color });
}

/** Reads the ownership state (read only, no lock) and plans; used by plan and drift. */
export async function planAgainstVault(flags: VaultCommandFlags, io: Output, loaded: Loaded, session: Session, targets?: Targets): Promise<Planned> {
  const store = stateStore(session.vault, flags);
  const state: StateInput = await planningState(store, ownerId(flags)).catch((err: unknown) => {
    if (!(err instanceof VaultApiError && err.status === 403)) throw err;
    io.err(`warning: cannot read the ownership state ${store.label} (403); objects removed from the config show as unmanaged`);
    return { ignore: stateIgnore(store.location) };
  });
  state.rewriteSecrets = flags.rewriteSecrets;
  const { stats } = session.vault;
  const before = stats.total;
  const expected = targets ? 0 : loaded.desired.length;
  const planned = await withProgress('reading Vault', 'objects', expected, () => stats.total - before, () =>
    makePlan(loaded, session.vault, session.sinks, KINDS, new Date(), state, targets),
  );
  // A targeted plan is of the targets only: CA-bundle copies are planned with the whole config.
  if (targets) return planned;
  return { ...planned, plan: await withCaBundles(planned.plan, await caBundleStep(loaded.config, flags), session.vault) };
}

/** `--fail-on`: the plan is printed (and saved) first, then the check fails with its own exit code. */
function failOnAccess(plan: Plan, flags: VaultCommandFlags): void {
  if (!flags.failOn) return;
  const findings = accessFindings(plan.access_changes, flags.failOn);
  if (findings > 0) throw new AccessReviewError(findings, flags.failOn);
}

/** `--target`s, checked; a saved plan is always of the whole config. */
function planTargets(flags: VaultCommandFlags, loaded: Loaded): Targets | undefined {
  if (!flags.target?.length) return undefined;
  if (flags.out) throw new UsageError('--out saves a plan of the whole config; it cannot be combined with --target', 'drop --target to save the plan, or --out to plan only the targets');
  return new Targets(flags.target, KINDS.map((k) => k.name), loaded.desired);
}

/** Names the targets that matched nothing, so a typo is not read as "no changes". */
function warnUnmatched(targets: Targets | undefined, live: readonly LiveObject[], loaded: Loaded, io: Output): void {
  if (!targets) return;
  for (const t of targets.unmatched([...loaded.desired, ...live])) io.err(`warning: --target ${t} matches no object in the config or in Vault`);
}

/** A config with `namespace:` plans only against a snapshot of that namespace (`snapshot --tenants DIR` writes one per namespace). */
function checkSnapshotNamespace(snapshot: Snapshot, loaded: Loaded, file: string): void {
  const scope = configNamespace(loaded.config);
  const recorded = snapshot.vault_namespace ?? '';
  if (!scope || scope.path === recorded) return;
  const message = `the config is of namespace ${scope.path}, but the snapshot ${file} is of ${recorded === '' ? 'the root namespace' : `namespace ${recorded}`}`;
  const hint = 'plan it against the snapshot of its own namespace: `snapshot --out FILE --tenants DIR` writes one per namespace, DIR/<namespace, URL-encoded>.json';
  throw new ConfigError([{ severity: 'error', pos: scope.at, path: 'namespace', message, hint }], message);
}

/** `plan --against FILE`: the same planning, replayed from a snapshot; no network, no token. */
async function offlinePlan(flags: VaultCommandFlags & { against: string }, io: Output, loaded: Loaded, targets: Targets | undefined): Promise<number> {
  const snapshot = await readSnapshot(flags.against);
  checkSnapshotNamespace(snapshot, loaded, flags.against);
  const vault = new ReplayVault(snapshot.responses, snapshot.vault_addr, snapshot.vault_namespace);
  try {
    const store = stateStore(vault, flags);
    const state: StateInput = await planningState(store, ownerId(flags)).catch(() => ({ ignore: stateIgnore(store.location) }));
    const { plan, live } = await makePlan(loaded, vault, undefined, KINDS, new Date(), state, targets);
    warnUnmatched(targets, live, loaded, io);
    io.err(`Offline plan against the snapshot of ${snapshot.vault_addr} taken ${snapshot.created_at}; delivered credentials were not checked.`);
    io.out(renderPlan(plan, flags.output ?? 'text', io));
    failOnAccess(plan, flags);
    return flags.detailedExitcode && hasChanges(plan) ? EXIT_CHANGES : EXIT_OK;
  } finally {
    vault.close();
  }
}

export async function planCommand(flags: VaultCommandFlags, io: Output): Promise<number> {
  const loaded = loadDesired(configDirs(flags), loadOptions(flags), KINDS);
  mark('loaded');
  for (const w of loaded.warnings) io.err(formatDiagnostic(w, { color: io.color }));
  const targets = planTargets(flags, loaded);
  if (flags.tenants && (flags.against || flags.out || targets)) throw new UsageError('--tenants plans every tenant whole, against the live server', 'drop --against, --out and --target, or plan one tenant directory');
  const tenants = flags.tenants ? loadTenants(flags.tenants, flags, io) : [];
  if (flags.against) return offlinePlan({ ...flags, against: flags.against }, io, loaded, targets);
  const format = flags.output ?? 'text';
  const session = await openSession(flags, io, undefined, loaded.config);
  mark('session');
  try {
    const { plan, live } = await planAgainstVault(flags, io, loaded, session, targets);
    mark('planned');
    warnUnmatched(targets, live, loaded, io);
    if (!flags.tenants || format === 'text') io.out(renderPlan(plan, format, io));
    if (flags.out) {
      await writeFileAtomic(flags.out, savedPlanText(plan, liveFingerprints(live, loaded.desired)));
      io.err(`Saved the plan to ${flags.out}; apply exactly it with: vault-gitops apply ${flags.out} -c …`);
    }
    const planned = await runTenants(
      tenants,
      io,
      async (tenant, out) => {
        const tenantPlan = (await planAgainstVault(flags, out, tenant.loaded, await session.within(tenant.loaded.config))).plan;
        out.out(renderPlan(tenantPlan, 'text', out));
        return tenantPlan;
      },
      format === 'text',
    );
    const run: TenantsRun<Plan> = { platform: { dirs: configDirs(flags), namespace: session.vault.namespace, result: plan }, tenants: planned };
    if (flags.tenants && format !== 'text') io.out(format === 'json' ? renderTenantsPlanJson(run) : renderTenantsPlanMarkdown(run));
    throwIfTenantsFailed(planned);
    const plans = runResults(run);
    for (const p of plans) failOnAccess(p, flags);
    return flags.detailedExitcode && plans.some(hasChanges) ? EXIT_CHANGES : EXIT_OK;
  } finally {
    await session.close();
  }
}
