import { formatDiagnostic } from '../core/check/diagnostics-format.js';
import { driftReport, type DriftReport } from '../core/plan/drift.js';
import { loadDesired } from '../core/plan/engine.js';
import { EXIT_CHANGES, EXIT_OK } from '../core/errors.js';
import { KINDS } from '../kinds/registry.js';
import { renderDriftJson, renderDriftMarkdown, renderDriftText } from '../render/drift.js';
import { configDirs, loadOptions, type VaultCommandFlags } from './options.js';
import type { Output } from './output.js';
import { planAgainstVault } from './plan.js';
import { openSession } from './session.js';

function render(report: DriftReport, format: string, io: Output): string {
  if (format === 'json') return renderDriftJson(report);
  if (format === 'markdown') return renderDriftMarkdown(report);
  return renderDriftText(report, { color: io.color });
}

/** For a CronJob or scheduled pipeline that alerts on exit 2. Read only: never writes to Vault. */
export async function driftCommand(flags: VaultCommandFlags, io: Output): Promise<number> {
  const loaded = loadDesired(configDirs(flags), loadOptions(flags), KINDS);
  for (const w of loaded.warnings) io.err(formatDiagnostic(w, { color: io.color }));
  const session = await openSession(flags, io, undefined, loaded.config);
  try {
    const { plan, checks } = await planAgainstVault(flags, io, loaded, session);
    const orphaned = Object.entries(checks).filter(([, c]) => c.status.state === 'orphaned').map(([a]) => a);
    const report = driftReport(plan, orphaned);
    io.out(render(report, flags.output ?? 'text', io));
    return report.in_sync ? EXIT_OK : EXIT_CHANGES;
  } finally {
    await session.close();
  }
}
