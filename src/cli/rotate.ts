import { applyPlan } from '../core/apply/apply.js';
import { formatDiagnostic } from '../core/check/diagnostics-format.js';
import { loadDesired, type Loaded } from '../core/plan/engine.js';
import { ApplyFailedError, EXIT_OK, UsageError } from '../core/errors.js';
import { deliversCredentials, type Change, type DesiredObject, type Plan } from '../core/model.js';
import { describeSinks } from '../core/plan/credential-status.js';
import { generatePassword, policyPassword } from '../credentials/generate.js';
import { KINDS, kindOf } from '../kinds/registry.js';
import { renderApplyReport } from '../render/apply-report.js';
import { renderText } from '../render/text.js';
import { configDirs, loadOptions, type VaultCommandFlags } from './options.js';
import type { Output } from './output.js';
import { planAgainstVault } from './plan.js';
import { stopRequested } from './interrupt.js';
import { openSession, type Session } from './session.js';
import { forEachTenant, loadTenants } from './tenants.js';
import { lockSettings, takeStateLock, type HeldLock } from './state-lock.js';

const REASON = 'rotation requested';

/** The objects of a config whose credentials vault-gitops delivers (what rotate can re-issue). */
function credentialHolders(loaded: Loaded): DesiredObject[] {
  return loaded.desired.filter((d) => d.credentials && kindOf(d.kind).credentials && deliversCredentials(d.credentials));
}

/**
 * Re-issues delivered credentials on demand, with the same never-lose-one ordering as apply, and
 * changes nothing else: other differences from the config are left for apply. Like apply it holds
 * the state lock from planning to the end, so two rotations (or a rotation and an apply) never
 * destroy each other's fresh credentials. With `--tenants DIR`, every tenant's too, each in its
 * namespace under that namespace's lock; `--select` then picks among all of them.
 */
export async function rotateCommand(flags: VaultCommandFlags & { select?: string[] }, io: Output): Promise<number> {
  const loaded = loadDesired(configDirs(flags), loadOptions(flags), KINDS);
  for (const w of loaded.warnings) io.err(formatDiagnostic(w, { color: io.color }));
  const tenants = flags.tenants ? loadTenants(flags.tenants, flags, io) : [];
  const holders = [loaded, ...tenants.map((t) => t.loaded)].flatMap(credentialHolders);
  const unknown = (flags.select ?? []).filter((a) => !holders.some((d) => d.address === a));
  if (unknown.length > 0) {
    throw new UsageError(`nothing to rotate at ${unknown.join(', ')}`, `objects with delivered credentials: ${[...new Set(holders.map((d) => d.address))].join(', ') || 'none'}`);
  }
  const lockOpts = lockSettings(flags);
  const session = await openSession(flags, io, undefined, loaded.config);
  try {
    const code = await rotateIn({ flags, io, loaded, session, lockOpts });
    await forEachTenant(tenants, io, async (t, out) => rotateIn({ flags, io: out, loaded: t.loaded, session: await session.within(t.loaded.config), lockOpts }));
    return code;
  } finally {
    await session.close();
  }
}

interface RotateRun {
  flags: VaultCommandFlags & { select?: string[] };
  io: Output;
  loaded: Loaded;
  session: Session;
  lockOpts: ReturnType<typeof lockSettings>;
}

/** One config's rotation in its namespace, under that namespace's state lock. */
async function rotateIn({ flags, io, loaded, session, lockOpts }: RotateRun): Promise<number> {
  const holders = credentialHolders(loaded);
  let locked: HeldLock | undefined;
  try {
    locked = await takeStateLock(lockOpts, flags, io, session);
    const { plan, live, checks } = await planAgainstVault(flags, io, loaded, session);
    const liveAddrs = new Set(live.map((l) => l.address));
    const targets = holders.filter((d) => (!flags.select?.length || flags.select.includes(d.address)) && liveAddrs.has(d.address));
    const changes: Change[] = targets.map((d) => {
      const current = checks[d.address];
      const blocked = current && ['not-owned', 'unreachable'].includes(current.status.state);
      if (!blocked) checks[d.address] = { status: { state: 'rotate', reason: REASON }, delivered: current?.delivered ?? [] };
      return { address: d.address, kind: d.kind, action: 'update', reason: REASON, fields: [], security: false, credentials: [`${kindOf(d.kind).credentials!.label} → ${describeSinks(d.credentials!)} (${REASON})`] };
    });
    const rotation: Plan = { ...plan, changes, destroys: [], unmanaged: [], summary: { create: 0, update: changes.length, delete: 0, noop: 0 } };
    io.out(renderText(rotation, { color: io.color }));
    if (changes.length === 0) return EXIT_OK;
    if (stopRequested.aborted) throw new UsageError('stopped by a signal before applying anything; nothing was changed');
    const results = await applyPlan(rotation, { vault: session.vault, sinks: session.sinks, generatePassword, policyPassword: (policy) => policyPassword(session.vault, policy), kinds: KINDS, desired: loaded.desired, live, credentialChecks: checks, passwordDefaults: loaded.config.password, signal: stopRequested });
    io.out(renderApplyReport(results, { color: io.color }));
    const failed = results.filter((r) => !r.ok).length;
    if (failed > 0) throw new ApplyFailedError(failed, results.length);
    return EXIT_OK;
  } finally {
    await locked?.close();
  }
}
