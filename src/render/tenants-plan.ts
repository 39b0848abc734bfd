// `plan --tenants DIR -o json|markdown`: the platform's plan and every tenant's as one document
// (schemas/tenants-plan.schema.json) or one pull-request comment, each plan in its own format.
import type { Plan } from '../core/model.js';
import { planToJson } from '../core/plan/plan-json.js';
import type { TenantsRun } from '../core/plan/tenants.js';
import { PRIVILEGED_TITLE, privilegedFindings } from './access-changes.js';
import { hasChanges } from './common.js';
import { MARKDOWN_MAX_LENGTH, renderMarkdown } from './markdown.js';
import { failedSection, fitSections, namespaceList, sectionTitle, tenantsDocument, tenantsWith } from './tenants.js';

const isPrivileged = (plan: Plan) => privilegedFindings(plan.access_changes).length > 0;

export function renderTenantsPlanJson(run: TenantsRun<Plan>): string {
  const { with: changed, failed } = tenantsWith(run, hasChanges);
  const summary = { tenants: run.tenants.length, platform_changes: hasChanges(run.platform.result), changed, failed };
  return tenantsDocument(run, { key: 'plan', done: 'planned' }, planToJson, { created_at: run.platform.result.created_at, summary });
}

/** The summary lines: which tenants have changes, which failed, where access turns privileged. */
function summary(run: TenantsRun<Plan>): string[] {
  const n = run.tenants.length;
  const { with: changed, failed } = tenantsWith(run, hasChanges);
  const platform = hasChanges(run.platform.result) ? 'The platform has changes' : 'The platform has no changes';
  const out = [`**${platform}; ${changed.length} of ${n} tenants have changes${changed.length > 0 ? `: ${namespaceList(changed)}` : ''}.**`, ''];
  if (failed.length > 0) out.push(`❌ **${failed.length} of ${n} tenants failed to plan: ${namespaceList(failed)}.** Their errors are below.`, '');
  const privileged = [...(isPrivileged(run.platform.result) ? ['the platform'] : []), ...tenantsWith(run, isPrivileged).with];
  if (privileged.length > 0) out.push('> [!WARNING]', `> **${PRIVILEGED_TITLE}** in ${namespaceList(privileged)}: see each one's plan.`, '');
  return out;
}

/** The comment: the summary, then the platform's plan, then each tenant's under its namespace, fitted to `maxLength` together. */
export function renderTenantsPlanMarkdown(run: TenantsRun<Plan>, maxLength = MARKDOWN_MAX_LENGTH): string {
  const head = [`## vault-gitops plan: the platform and ${run.tenants.length} tenants`, '', ...summary(run)].join('\n');
  const { platform } = run;
  const sections = [
    (max?: number) => renderMarkdown(platform.result, { title: sectionTitle('platform', platform.namespace, platform.dirs), maxLength: max }),
    ...run.tenants.map((t) =>
      'result' in t ? (max?: number) => renderMarkdown(t.result, { title: sectionTitle('tenant', t.namespace, [t.dir]), maxLength: max }) : () => failedSection(t, 'planning'),
    ),
  ];
  return [head, ...fitSections(sections, maxLength - head.length - 1)].join('\n');
}
