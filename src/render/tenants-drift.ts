// `drift --tenants DIR`: the platform's drift report and every tenant's, as one JSON document
// (schemas/tenants-drift.schema.json), one markdown report, or the closing line of the text reports.
import type { DriftReport } from '../core/plan/drift.js';
import { failedTenants, type TenantsRun } from '../core/plan/tenants.js';
import { driftToJson, renderDriftMarkdown } from './drift.js';
import { failedSection, namespaceList, sectionTitle, tenantsDocument, tenantsWith } from './tenants.js';

const drifted = (r: DriftReport) => !r.in_sync;

/** In sync only when the platform and every tenant were checked and are. */
export function tenantsInSync(run: TenantsRun<DriftReport>): boolean {
  return run.platform.result.in_sync && failedTenants(run).length === 0 && tenantsWith(run, drifted).with.length === 0;
}

export function renderTenantsDriftJson(run: TenantsRun<DriftReport>): string {
  const { with: driftedTenants, failed } = tenantsWith(run, drifted);
  const summary = { tenants: run.tenants.length, platform_drifted: drifted(run.platform.result), drifted: driftedTenants, failed };
  return tenantsDocument(run, { key: 'report', done: 'checked' }, driftToJson, { created_at: run.platform.result.created_at, in_sync: tenantsInSync(run), summary });
}

/** One line (markdown-free): where Vault drifted from the configuration, and which tenants could not be checked. */
export function tenantsDriftLine(run: TenantsRun<DriftReport>, list: (namespaces: readonly string[]) => string = (ns) => ns.join(', ')): string {
  const n = run.tenants.length;
  const { with: driftedTenants, failed } = tenantsWith(run, drifted);
  const platform = drifted(run.platform.result) ? 'The platform drifted' : 'The platform is in sync';
  const tenants = driftedTenants.length > 0 ? `${driftedTenants.length} of ${n} tenants drifted: ${list(driftedTenants)}` : 'no tenant drifted';
  return `${platform}; ${tenants}.${failed.length > 0 ? ` ${failed.length} of ${n} tenants failed: ${list(failed)}.` : ''}`;
}

export function renderTenantsDriftMarkdown(run: TenantsRun<DriftReport>): string {
  const { platform } = run;
  const out = [`## vault-gitops drift: the platform and ${run.tenants.length} tenants`, '', `**${tenantsDriftLine(run, namespaceList)}**`, ''];
  out.push(renderDriftMarkdown(platform.result, sectionTitle('platform', platform.namespace, platform.dirs)));
  for (const t of run.tenants) out.push('result' in t ? renderDriftMarkdown(t.result, sectionTitle('tenant', t.namespace, [t.dir])) : failedSection(t, 'the drift check'));
  return out.join('\n');
}
