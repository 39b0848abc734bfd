import { writeFileAtomic } from '../adapters/files.js';
import { formatDiagnostic } from '../core/diagnostics-format.js';
import { loadDesired, makePlan, type Loaded, type Planned, type StateInput } from '../core/engine.js';
import { EXIT_CHANGES, EXIT_OK, VaultApiError } from '../core/errors.js';
import { liveFingerprints, savedPlanText } from '../core/saved-plan.js';
import { planningState, stateIgnore } from '../core/state.js';
import { KINDS } from '../kinds/registry.js';
import { hasChanges } from '../render/common.js';
import type { Plan } from '../core/model.js';
import { renderJson } from '../render/json.js';
import { renderMarkdown } from '../render/markdown.js';
import { renderText } from '../render/text.js';
import { configDirs, loadOptions, ownerId, stateStore, type VaultCommandFlags } from './options.js';
import type { Output } from './output.js';
import { openSession, type Session } from './session.js';
import { ReplayVault } from '../adapters/snapshot-vault.js';
import { readSnapshot } from '../core/snapshot.js';

export function renderPlan(plan: Plan, format: string, io: Output): string {
  if (format === 'json') return renderJson(plan);
  if (format === 'markdown') return renderMarkdown(plan);
  return renderText(plan, { color: io.color });
}

/** Reads the ownership state (read only, no lock) and plans; used by plan and drift. */
export async function planAgainstVault(flags: VaultCommandFlags, io: Output, loaded: Loaded, session: Session): Promise<Planned> {
  const store = stateStore(session.vault, flags);
  const state: StateInput = await planningState(store, ownerId(flags)).catch((err: unknown) => {
    if (!(err instanceof VaultApiError && err.status === 403)) throw err;
    io.err(`warning: cannot read the ownership state ${store.label} (403); objects removed from the config show as unmanaged`);
    return { ignore: stateIgnore(store.location) };
  });
  return makePlan(loaded, session.vault, session.sinks, KINDS, new Date(), state);
}

/** `plan --against FILE`: the same planning, replayed from a snapshot; no network, no token. */
async function offlinePlan(flags: VaultCommandFlags & { against: string }, io: Output, loaded: Loaded): Promise<number> {
  const snapshot = await readSnapshot(flags.against);
  const vault = new ReplayVault(snapshot.responses, snapshot.vault_addr);
  try {
    const store = stateStore(vault, flags);
    const state: StateInput = await planningState(store, ownerId(flags)).catch(() => ({ ignore: stateIgnore(store.location) }));
    const { plan } = await makePlan(loaded, vault, undefined, KINDS, new Date(), state);
    io.err(`Offline plan against the snapshot of ${snapshot.vault_addr} taken ${snapshot.created_at}; delivered credentials were not checked.`);
    io.out(renderPlan(plan, flags.output ?? 'text', io));
    return flags.detailedExitcode && hasChanges(plan) ? EXIT_CHANGES : EXIT_OK;
  } finally {
    vault.close();
  }
}

export async function planCommand(flags: VaultCommandFlags, io: Output): Promise<number> {
  const loaded = loadDesired(configDirs(flags), loadOptions(flags), KINDS);
  for (const w of loaded.warnings) io.err(formatDiagnostic(w, { color: io.color }));
  if (flags.against) return offlinePlan({ ...flags, against: flags.against }, io, loaded);
  const session = await openSession(flags, io);
  try {
    const { plan, live } = await planAgainstVault(flags, io, loaded, session);
    io.out(renderPlan(plan, flags.output ?? 'text', io));
    if (flags.out) {
      await writeFileAtomic(flags.out, savedPlanText(plan, liveFingerprints(live, loaded.desired)));
      io.err(`Saved the plan to ${flags.out}; apply exactly it with: vault-gitops apply ${flags.out} -c …`);
    }
    return flags.detailedExitcode && hasChanges(plan) ? EXIT_CHANGES : EXIT_OK;
  } finally {
    await session.close();
  }
}
