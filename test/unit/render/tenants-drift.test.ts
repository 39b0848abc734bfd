// `drift --tenants`: the platform's report and every tenant's as one JSON document valid against
// schemas/tenants-drift.schema.json, one markdown report, and the closing line of the text reports.
import { readFileSync } from 'node:fs';
import Ajv2020 from 'ajv/dist/2020.js';
import { describe, expect, it } from 'vitest';
import { driftReport, type DriftReport } from '../../../src/core/plan/drift.js';
import type { TenantsRun } from '../../../src/core/plan/tenants.js';
import { renderDriftJson } from '../../../src/render/drift.js';
import { renderTenantsDriftJson, renderTenantsDriftMarkdown, tenantsDriftLine, tenantsInSync } from '../../../src/render/tenants-drift.js';
import { desired, live, plan } from '../fixtures/objects.js';

const load = (name: string) => JSON.parse(readFileSync(new URL(`../../../schemas/${name}`, import.meta.url), 'utf8')) as object;
const ajv = new Ajv2020.default({ allErrors: true, strict: true });
for (const name of ['plan.schema.json', 'drift.schema.json', 'tenants-plan.schema.json']) ajv.addSchema(load(name));
const validate = ajv.compile(load('tenants-drift.schema.json'));

const SECRET = 'hunter2-secret';
const inSync = driftReport(plan({}));
const drifted = driftReport(
  plan({
    desired: [
      desired('policy', 'policies/app', { policy: 'path "kv/data/*" { capabilities = ["read"] }' }),
      desired('userpass-user', 'auth/userpass/users/alice', { token_ttl: 60, password: SECRET }),
    ],
    live: [live('policy', 'policies/app', { policy: 'path "kv/*" { capabilities = ["read"] }' }), live('userpass-user', 'auth/userpass/users/alice', { token_ttl: 120 })],
  }),
);

const run = (tenants: TenantsRun<DriftReport>['tenants']): TenantsRun<DriftReport> => ({ platform: { dirs: ['platform'], namespace: '', result: inSync }, tenants });

const mixed = run([
  { dir: 'tenants/a', namespace: 'a', result: inSync },
  { dir: 'tenants/b', namespace: 'b', result: drifted },
  { dir: 'tenants/c', namespace: 'a/c', error: 'Vault answered 403 to GET a/c/sys/auth: permission denied' },
]);

describe('drift --tenants renderings', () => {
  it('JSON: valid, each report exactly its own format, the drifted and failed tenants named', () => {
    const doc = JSON.parse(renderTenantsDriftJson(mixed)) as { in_sync: boolean; summary: unknown; tenants: Array<Record<string, unknown>>; platform: Record<string, unknown> };
    expect(validate(doc), ajv.errorsText(validate.errors)).toBe(true);
    expect(doc.in_sync).toBe(false);
    expect(doc.summary).toEqual({ tenants: 3, platform_drifted: false, drifted: ['b'], failed: ['a/c'] });
    expect(doc.platform).toEqual({ dirs: ['platform'], namespace: '', report: JSON.parse(renderDriftJson(inSync)) });
    expect(doc.tenants[1]).toEqual({ dir: 'tenants/b', namespace: 'b', status: 'checked', report: JSON.parse(renderDriftJson(drifted)) });
    expect(doc.tenants[2]).toMatchObject({ status: 'failed', error: expect.stringContaining('403') });
  });

  it('in sync only when the platform and every tenant were checked and are', () => {
    expect(tenantsInSync(run([{ dir: 'tenants/a', namespace: 'a', result: inSync }]))).toBe(true);
    expect(tenantsInSync(run([{ dir: 'tenants/a', namespace: 'a', result: drifted }]))).toBe(false);
    expect(tenantsInSync(run([{ dir: 'tenants/a', namespace: 'a', error: 'x' }]))).toBe(false);
    expect(tenantsInSync({ ...run([]), platform: { dirs: ['p'], namespace: '', result: drifted } })).toBe(false);
  });

  it('the closing line names the drifted tenants and the failed ones', () => {
    expect(tenantsDriftLine(mixed)).toBe('The platform is in sync; 1 of 3 tenants drifted: b. 1 of 3 tenants failed: a/c.');
    expect(tenantsDriftLine(run([{ dir: 'tenants/a', namespace: 'a', result: inSync }]))).toBe('The platform is in sync; no tenant drifted.');
  });

  it("markdown: the summary, then the platform's report and each tenant's under its namespace", () => {
    const md = renderTenantsDriftMarkdown(mixed);
    expect(md.split('\n').slice(0, 3)).toEqual(['## vault-gitops drift: the platform and 3 tenants', '', '**The platform is in sync; 1 of 3 tenants drifted: b. 1 of 3 tenants failed: a/c.**']);
    expect(md.split('\n').filter((l) => l.startsWith('### '))).toEqual(['### Platform (the root namespace): platform', '### Namespace a: tenants/a', '### Namespace b: tenants/b', '### Namespace a/c: tenants/c']);
    expect(md).toContain('| changed | policies/app |');
    expect(md).toContain('❌ **the drift check failed:**');
  });

  it('never shows a sensitive value', () => {
    for (const out of [renderTenantsDriftJson(mixed), renderTenantsDriftMarkdown(mixed)]) expect(out).not.toContain(SECRET);
  });
});
