import { createInterface } from 'node:readline/promises';
import { applyPlan } from '../core/apply.js';
import { formatDiagnostic } from '../core/diagnostics-format.js';
import { loadDesired, makePlan } from '../core/engine.js';
import { ApplyFailedError, EXIT_OK, UsageError } from '../core/errors.js';
import { hasChanges } from '../render/common.js';
import { KINDS } from '../kinds/registry.js';
import { renderApplyReport } from '../render/apply-report.js';
import { renderText } from '../render/text.js';
import { configDirs, loadOptions, type VaultCommandFlags } from './options.js';
import type { Output } from './output.js';
import { openSession } from './session.js';

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

export async function applyCommand(flags: VaultCommandFlags, io: Output): Promise<number> {
  const loaded = loadDesired(configDirs(flags), loadOptions(flags));
  for (const w of loaded.warnings) io.err(formatDiagnostic(w, { color: io.color }));
  const session = openSession(flags, io);
  try {
    const { plan, live, checks } = await makePlan(loaded, session.vault, session.sinks);
    io.out(renderText(plan, { color: io.color }));
    if (!hasChanges(plan)) return EXIT_OK;
    if (!flags.autoApprove && !(await confirm(io))) {
      io.err('Apply cancelled; nothing was changed.');
      return EXIT_OK;
    }
    const results = await applyPlan(plan, {
      vault: session.vault,
      sinks: session.sinks,
      kinds: KINDS,
      desired: loaded.desired,
      live,
      credentialChecks: checks,
      passwordDefaults: loaded.config.password,
    });
    io.out(renderApplyReport(results, { color: io.color }));
    const failed = results.filter((r) => !r.ok).length;
    if (failed > 0) throw new ApplyFailedError(failed, results.length);
    return EXIT_OK;
  } finally {
    session.close();
  }
}
