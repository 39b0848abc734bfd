import { createInterface } from 'node:readline/promises';
import { applyPlan, type ApplyResult } from '../core/apply/apply.js';
import { formatDiagnostic } from '../core/check/diagnostics-format.js';
import { identifyObjects, loadDesired, makePlan, type Loaded } from '../core/plan/engine.js';
import { ApplyFailedError, EXIT_OK, UsageError, errorMessage } from '../core/errors.js';
import type { Address, Plan } from '../core/model.js';
import { configFingerprint, withoutSensitive } from '../core/plan/plan.js';
import { liveFingerprints, readSavedPlan, stalePlanError, staleObject, type SavedPlan } from '../core/plan/saved-plan.js';
import { gitCommit, managedInput, objectsDiffer, secretHashes, stateIgnore, withIntent, withResults, type StateRecord } from '../core/state/state.js';
import { TOOL_VERSION } from '../core/version.js';
import { generatePassword, policyPassword } from '../credentials/generate.js';
import { caBundleStep, publishStep, withCaBundles } from './ca-bundles.js';
import { hasChanges } from '../render/common.js';
import { KINDS } from '../kinds/registry.js';
import { renderApplyReport } from '../render/apply-report.js';
import { renderText } from '../render/text.js';
import { stopRequested } from './interrupt.js';
import { configDirs, loadOptions, type VaultCommandFlags } from './options.js';
import type { Output } from './output.js';
import { withProgress } from './progress.js';
import { mark } from './phases.js';
import { openSession, type Session } from './session.js';
import { forEachTenant, loadTenants } from './tenants.js';
import { lockSettings, takeStateLock, type HeldLock } from './state-lock.js';

async function confirm(io: Output): Promise<boolean> {
  if (!process.stdin.isTTY) {
    throw new UsageError('apply needs confirmation, and standard input is not a terminal', 'pass --auto-approve (as CI does)');
  }
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    io.err('Do you want to apply these changes? Only "yes" will be accepted.');
    return (await rl.question('  Enter a value: ')).trim() === 'yes';
  } finally {
    rl.close();
  }
}

function destroyRefused(plan: Plan): UsageError {
  const what = plan.destroys.map((d) => (d.address === '*' ? d.what : `${d.address}: ${d.what}`)).join('; ');
  return new UsageError(
    `apply refused: the plan is destructive (${what}); nothing was changed`,
    'review the plan; if this is intended, apply again with --allow-destroy (if a config file went missing, restore it instead)',
  );
}

/**
 * apply [PLAN-FILE]: under the state lock, plans (or checks that the saved plan still holds),
 * applies, and records what it manages. The lock is released on every exit, SIGINT/SIGTERM included.
 */
export async function applyCommand(flags: VaultCommandFlags, io: Output): Promise<number> {
  const saved = flags.planFile ? await readSavedPlan(flags.planFile) : undefined;
  const dirs = configDirs(flags);
  const loaded = loadDesired(dirs, loadOptions(flags), KINDS);
  mark('loaded');
  for (const w of loaded.warnings) io.err(formatDiagnostic(w, { color: io.color }));
  if (saved && saved.config_fingerprint !== configFingerprint(loaded.desired, KINDS)) throw stalePlanError('the configuration');
  if (flags.tenants && (saved || !flags.autoApprove)) throw new UsageError('--tenants applies every tenant without asking, and not a saved plan', 'pass --auto-approve (and no plan file), or apply one tenant directory');
  const tenants = flags.tenants ? loadTenants(flags.tenants, flags, io) : [];
  const lockOpts = lockSettings(flags);
  const session = await openSession(flags, io, undefined, loaded.config);
  try {
    mark('session');
    const code = await applyIn({ flags, io, dirs, loaded, saved, session, lockOpts });
    await forEachTenant(tenants, io, async (t, out) => applyIn({ flags, io: out, dirs: [t.dir], loaded: t.loaded, session: await session.within(t.loaded.config), lockOpts }));
    return code;
  } finally {
    await session.close();
  }
}

interface ApplyRun {
  flags: VaultCommandFlags;
  io: Output;
  dirs: string[];
  loaded: Loaded;
  saved?: SavedPlan;
  session: Session;
  lockOpts: ReturnType<typeof lockSettings>;
}

/** One config's apply in its namespace, under that namespace's state lock. */
async function applyIn({ flags, io, dirs, loaded, saved, session, lockOpts }: ApplyRun): Promise<number> {
  // The state record's hashes never cover a write-only secret (a fast hash of one could be guessed back).
  const stateDesired = withoutSensitive(loaded.desired, KINDS);
  let locked: HeldLock | undefined;
  try {
    locked = await takeStateLock(lockOpts, flags, io, session);
    const { lock: held, store, owner: runner, configOwner: owner } = locked;
    const runId = held.id;
    const now = new Date();
    const { stats } = session.vault;
    const readsBefore = stats.total;
    const planned = await withProgress('reading Vault', 'objects', loaded.desired.length, () => stats.total - readsBefore, () =>
      makePlan(loaded, session.vault, session.sinks, KINDS, now, { ...managedInput(held.record), ignore: stateIgnore(store.location), rewriteSecrets: flags.rewriteSecrets }),
    );
    mark('planned');
    const { live, checks } = planned;
    const caBundles = await caBundleStep(loaded.config, flags);
    const fresh = await withCaBundles(planned.plan, caBundles, session.vault);
    let plan: Plan = fresh;
    if (saved) {
      if (saved.vault_addr && saved.vault_addr !== session.vault.addr) {
        throw new UsageError(`the plan was made against ${saved.vault_addr}, not ${session.vault.addr}`, 'apply it with the same VAULT_ADDR, or make a new plan');
      }
      if ((saved.vault_namespace ?? '') !== session.vault.namespace) {
        throw new UsageError(`the plan is of namespace ${saved.vault_namespace ?? 'root'}, not ${session.vault.namespace || 'root'}`, 'apply it with the same namespace, or make a new plan');
      }
      const stale = staleObject(saved, { configFingerprint: fresh.config_fingerprint, fingerprints: liveFingerprints(live, loaded.desired), plan: fresh });
      if (stale) throw stalePlanError(stale);
      plan = { ...saved, ...(fresh.ca_bundles ? { ca_bundles: fresh.ca_bundles } : {}) };
    }
    const commit = gitCommit(dirs[0] ?? '.');
    const meta = (result: 'running' | 'ok' | 'failed'): StateRecord['last_apply'] => ({
      at: new Date().toISOString(),
      run_id: runId,
      by: runner,
      tool_version: TOOL_VERSION,
      git_commit: commit,
      result,
    });

    io.out(renderText(plan, { color: io.color }));
    // The guard reads the fresh plan: a saved plan equals it (or is stale), whatever its file says.
    if (fresh.destroys.length > 0 && !flags.allowDestroy) throw destroyRefused(fresh);
    // Objects it created, recorded without their identity (new, or from an older record), get it
    // now (read, unless their create fixed it); adopted objects are never deleted through the record, so they need none.
    const identify = async (results: readonly ApplyResult[] = []) => {
      const known: Record<Address, string> = {};
      for (const r of results) if (r.ok && r.identity !== undefined) known[r.address] = r.identity;
      const recorded = held.record.objects;
      const missing = loaded.desired.filter((d) => recorded[d.address]?.created && recorded[d.address]?.identity === undefined && known[d.address] === undefined);
      const found = await identifyObjects(session.vault, KINDS, missing).catch((err: unknown) => {
        io.err(`warning: could not read the identities of the applied objects (${errorMessage(err)}); the next apply records them`);
        return {};
      });
      return { ...known, ...found };
    };
    if (!hasChanges(plan)) {
      const ids = await identify();
      const next = { ...withResults(held.record, plan, [], stateDesired, now.toISOString(), ids, secretHashes(loaded.desired, KINDS, held.record)), owner };
      if (objectsDiffer(held.record, next)) await held.update((r) => ({ ...withResults(r, plan, [], stateDesired, now.toISOString(), ids, secretHashes(loaded.desired, KINDS, r)), owner, last_apply: meta('ok') }));
      return EXIT_OK;
    }
    // A saved plan was reviewed when it was made: it applies without asking again.
    if (!saved && !flags.autoApprove && !(await confirm(io))) {
      io.err('Apply cancelled; nothing was changed.');
      return EXIT_OK;
    }
    if (stopRequested.aborted) throw new UsageError('stopped by a signal before applying anything; nothing was changed');
    await held.update((r) => ({ ...withIntent(r, plan, new Date().toISOString()), owner, last_apply: meta('running') }));
    // Every change writes at least once: writes since here, against the changes, is the progress.
    const writes = () => stats.total - (stats.byMethod.GET ?? 0);
    const writesBefore = writes();
    const results = await withProgress('applying', 'changes', plan.changes.filter((c) => c.action !== 'noop').length, () => writes() - writesBefore, () =>
      applyPlan(plan, {
        vault: session.vault,
        sinks: session.sinks,
        generatePassword,
        policyPassword: (policy) => policyPassword(session.vault, policy),
        kinds: KINDS,
        desired: loaded.desired,
        live,
        credentialChecks: checks,
        passwordDefaults: loaded.config.password,
        signal: stopRequested,
      }),
    );
    mark('applied');
    io.out(renderApplyReport(results, { color: io.color }));
    // Copies after the Vault changes: the CA they carry may have been created just now.
    const copiesFailed = caBundles && !stopRequested.aborted ? await publishStep(caBundles, session.vault, io, stopRequested) : 0;
    const failed = results.filter((r) => !r.ok).length + copiesFailed;
    const ids = await identify(results);
    await held.update((r) => ({ ...withResults(r, plan, results, stateDesired, new Date().toISOString(), ids, secretHashes(loaded.desired, KINDS, r)), owner, last_apply: meta(failed > 0 ? 'failed' : 'ok') }));
    if (failed > 0) throw new ApplyFailedError(failed, results.length + copiesFailed);
    return EXIT_OK;
  } finally {
    await locked?.close();
  }
}
