// `plan --tenants -o json|markdown`: one document holding the platform's plan and every tenant's,
// each in the plan's own format, valid against schemas/tenants-plan.schema.json; one comment with a
// section per namespace that fits GitHub's limit.
import { readFileSync } from 'node:fs';
import Ajv2020 from 'ajv/dist/2020.js';
import { describe, expect, it } from 'vitest';
import type { Plan } from '../../../src/core/model.js';
import type { TenantsRun } from '../../../src/core/plan/tenants.js';
import { renderJson } from '../../../src/render/json.js';
import { renderTenantsPlanJson, renderTenantsPlanMarkdown } from '../../../src/render/tenants-plan.js';
import { change, emptyPlan, fullPlan, LEAKED_SECRET, planWith, unmaskedPlan } from './fixtures/plans.js';

const load = (name: string) => JSON.parse(readFileSync(new URL(`../../../schemas/${name}`, import.meta.url), 'utf8')) as object;
const ajv = new Ajv2020.default({ allErrors: true, strict: true });
ajv.addSchema(load('plan.schema.json'));
const validate = ajv.compile(load('tenants-plan.schema.json'));

const privileged: Plan = {
  ...planWith([change('update', 'policy', 'policies/ops', 'differs from config', [], { security: true })]),
  access_changes: {
    summary: { principals: 1, privileged: 1, widened: 0, trust: 0 },
    principals: [
      {
        address: 'auth/approle/roles/ops',
        status: 'changed',
        privileged: ['sudo'],
        capabilities: [{ pattern: 'sys/audit/*', before: ['read'], after: ['read', 'sudo'], gained: ['sudo'], lost: [], privileged: ['sudo'] }],
      },
    ],
    trust: [],
  },
};

const NO_NAMESPACE = 'estate/tenants/team-b/vault.yaml:1:1: error: namespace: namespace team-b does not exist on this server';

const run: TenantsRun<Plan> = {
  platform: { dirs: ['estate/platform'], namespace: '', result: emptyPlan },
  tenants: [
    { dir: 'estate/tenants/team-a', namespace: 'team-a', result: fullPlan },
    { dir: 'estate/tenants/team-a-apps', namespace: 'team-a/apps', result: { ...privileged, vault_namespace: 'team-a/apps' } },
    { dir: 'estate/tenants/team-b', namespace: 'team-b', error: NO_NAMESPACE },
    { dir: 'estate/tenants/team-c', namespace: 'team-c', result: unmaskedPlan },
  ],
};

describe('renderTenantsPlanJson', () => {
  const doc = JSON.parse(renderTenantsPlanJson(run)) as { tenants: Array<Record<string, unknown>> } & Record<string, unknown>;

  it('validates against schemas/tenants-plan.schema.json', () => {
    expect(validate(doc), ajv.errorsText(validate.errors)).toBe(true);
  });

  it("holds each plan exactly in the plan's own format, with its namespace and directory", () => {
    expect(doc.platform).toEqual({ dirs: ['estate/platform'], namespace: '', plan: JSON.parse(renderJson(emptyPlan)) });
    expect(doc.tenants[0]).toEqual({ dir: 'estate/tenants/team-a', namespace: 'team-a', status: 'planned', plan: JSON.parse(renderJson(fullPlan)) });
    expect(doc.tenants.map((t) => [t.namespace, t.status])).toEqual([
      ['team-a', 'planned'],
      ['team-a/apps', 'planned'],
      ['team-b', 'failed'],
      ['team-c', 'planned'],
    ]);
  });

  it('lists a failed tenant with its error, and summarises which tenants have changes', () => {
    expect(doc.tenants[2]).toEqual({ dir: 'estate/tenants/team-b', namespace: 'team-b', status: 'failed', error: NO_NAMESPACE });
    expect(doc.summary).toEqual({ tenants: 4, platform_changes: false, changed: ['team-a', 'team-a/apps', 'team-c'], failed: ['team-b'] });
    expect(doc.format_version).toBe('1');
    expect(doc.created_at).toBe(emptyPlan.created_at);
  });

  it('masks a sensitive value a planner left unmasked, as the plan does', () => {
    expect(renderTenantsPlanJson(run)).not.toContain(LEAKED_SECRET);
  });

  it('a document the schema refuses: an unknown status, or a tenant without its plan', () => {
    expect(validate({ ...doc, tenants: [{ ...doc.tenants[0], status: 'skipped' }] })).toBe(false);
    expect(validate({ ...doc, tenants: [{ dir: 'd', namespace: 'n', status: 'planned' }] })).toBe(false);
  });
});

describe('renderTenantsPlanMarkdown', () => {
  const md = renderTenantsPlanMarkdown(run);
  const lines = md.split('\n');

  it('starts with a heading and the summary: which tenants have changes, which failed, where access is privileged', () => {
    expect(lines.slice(0, 3)).toEqual([
      '## vault-gitops plan: the platform and 4 tenants',
      '',
      '**The platform has no changes; 3 of 4 tenants have changes: team-a, team-a/apps, team-c.**',
    ]);
    expect(md).toContain('❌ **1 of 4 tenants failed to plan: team-b.**');
    expect(md).toContain('> **PRIVILEGED ACCESS CHANGES** in team-a/apps: see each one\'s plan.');
  });

  it("has the platform's plan, then each tenant's under a heading naming its namespace and directory, in order", () => {
    const headings = lines.filter((l) => l.startsWith('### '));
    expect(headings).toEqual([
      '### Platform (the root namespace): estate/platform',
      '### Namespace team-a: estate/tenants/team-a',
      '### Namespace team-a/apps: estate/tenants/team-a-apps',
      '### Namespace team-b: estate/tenants/team-b',
      '### Namespace team-c: estate/tenants/team-c',
    ]);
  });

  it("keeps each plan's own sections: its access changes, its privileged banner, its table", () => {
    const apps = md.slice(md.indexOf('### Namespace team-a/apps'), md.indexOf('### Namespace team-b'));
    expect(apps).toContain('> **PRIVILEGED ACCESS CHANGES**: a second reviewer should approve them');
    expect(apps).toContain('#### Access changes');
    expect(md).toContain('| 🔴 | delete 🔒 | policies/old-team | not in config; collection policies is pruned |');
  });

  it("shows a failed tenant's error fenced, with its position", () => {
    const failed = md.slice(md.indexOf('### Namespace team-b'), md.indexOf('### Namespace team-c'));
    expect(failed).toContain(['❌ **planning failed:**', '', '```text', NO_NAMESPACE, '```'].join('\n'));
  });

  it('never shows a sensitive value', () => {
    expect(md).not.toContain(LEAKED_SECRET);
  });

  it('escapes a hostile directory name in its heading', () => {
    const hostile = renderTenantsPlanMarkdown({ ...run, tenants: [{ dir: 'tenants/<img src=x>*[a](http://x)', namespace: 'x', result: emptyPlan }] });
    expect(hostile).toContain('### Namespace x: tenants/\\<img src=x\\>\\*\\[a\\](http://x)');
  });

  it('fits the whole comment within the limit: short plans whole, the long ones shortened to share the rest', () => {
    const many: TenantsRun<Plan> = { ...run, tenants: Array.from({ length: 12 }, (_, i) => ({ dir: `t/${i}`, namespace: `n${i}`, result: i === 0 ? emptyPlan : fullPlan })) };
    const whole = renderTenantsPlanMarkdown(many);
    const fitted = renderTenantsPlanMarkdown(many, 8000);
    expect(whole.length).toBeGreaterThan(8000);
    expect(fitted.length).toBeLessThanOrEqual(8000);
    expect(fitted).toContain(whole.slice(whole.indexOf('### Namespace n0'), whole.indexOf('### Namespace n1')));
    expect(fitted.match(/^### Namespace /gm)?.length).toBe(12);
    expect(fitted).toContain('_Shortened to fit a comment');
  });
});
