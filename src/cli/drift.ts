import { formatDiagnostic } from '../core/check/diagnostics-format.js';
import { driftReport, type DriftReport } from '../core/plan/drift.js';
import { loadDesired, type Loaded } from '../core/plan/engine.js';
import { EXIT_CHANGES, EXIT_OK } from '../core/errors.js';
import type { TenantsRun } from '../core/plan/tenants.js';
import { KINDS } from '../kinds/registry.js';
import { renderDriftJson, renderDriftMarkdown, renderDriftText } from '../render/drift.js';
import { renderTenantsDriftJson, renderTenantsDriftMarkdown, tenantsDriftLine, tenantsInSync } from '../render/tenants-drift.js';
import { configDirs, loadOptions, type VaultCommandFlags } from './options.js';
import type { Output } from './output.js';
import { planAgainstVault } from './plan.js';
import { openSession, type Session } from './session.js';
import { loadTenants, runTenants, throwIfTenantsFailed } from './tenants.js';

function render(report: DriftReport, format: string, io: Output): string {
  if (format === 'json') return renderDriftJson(report);
  if (format === 'markdown') return renderDriftMarkdown(report);
  return renderDriftText(report, { color: io.color });
}

function renderRun(run: TenantsRun<DriftReport>, format: string): string {
  if (format === 'json') return renderTenantsDriftJson(run);
  if (format === 'markdown') return renderTenantsDriftMarkdown(run);
  return `\n${tenantsDriftLine(run)}`;
}

/** One config's drift report, read as plan reads (no lock, no write). */
async function driftOf(flags: VaultCommandFlags, io: Output, loaded: Loaded, session: Session): Promise<DriftReport> {
  const { plan, checks } = await planAgainstVault(flags, io, loaded, session);
  const orphaned = Object.entries(checks).filter(([, c]) => c.status.state === 'orphaned').map(([a]) => a);
  return driftReport(plan, orphaned);
}

/**
 * For a CronJob or scheduled pipeline that alerts on exit 2. Read only: never writes to Vault. With
 * `--tenants DIR`, every tenant directory too, each in its namespace: exit 2 when any drifted, 1 when
 * any could not be checked (after printing every report).
 */
export async function driftCommand(flags: VaultCommandFlags, io: Output): Promise<number> {
  const loaded = loadDesired(configDirs(flags), loadOptions(flags), KINDS);
  for (const w of loaded.warnings) io.err(formatDiagnostic(w, { color: io.color }));
  const tenants = flags.tenants ? loadTenants(flags.tenants, flags, io) : [];
  const format = flags.output ?? 'text';
  const session = await openSession(flags, io, undefined, loaded.config);
  try {
    const report = await driftOf(flags, io, loaded, session);
    if (!flags.tenants) {
      io.out(render(report, format, io));
      return report.in_sync ? EXIT_OK : EXIT_CHANGES;
    }
    if (format === 'text') io.out(render(report, format, io));
    const checked = await runTenants(
      tenants,
      io,
      async (tenant, out) => {
        const tenantReport = await driftOf(flags, out, tenant.loaded, await session.within(tenant.loaded.config));
        out.out(render(tenantReport, 'text', out));
        return tenantReport;
      },
      format === 'text',
    );
    const run: TenantsRun<DriftReport> = { platform: { dirs: configDirs(flags), namespace: session.vault.namespace, result: report }, tenants: checked };
    io.out(renderRun(run, format));
    throwIfTenantsFailed(checked);
    return tenantsInSync(run) ? EXIT_OK : EXIT_CHANGES;
  } finally {
    await session.close();
  }
}
