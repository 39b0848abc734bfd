import { readFileSync } from 'node:fs';
import Ajv2020 from 'ajv/dist/2020.js';
import { describe, expect, it } from 'vitest';
import { driftReport } from '../../../../src/core/plan/drift.js';
import { renderDriftJson, renderDriftMarkdown, renderDriftText } from '../../../../src/render/drift.js';
import { desired, live, plan } from '../../fixtures/objects.js';

const load = (name: string) => JSON.parse(readFileSync(new URL(`../../../../schemas/${name}`, import.meta.url), 'utf8')) as object;
const ajv = new Ajv2020.default({ allErrors: true, strict: true });
ajv.addSchema(load('plan.schema.json'));
const validate = ajv.compile(load('drift.schema.json'));

const drifted = plan({
  desired: [
    desired('policy', 'policies/web', { policy: 'path "a" { capabilities = ["read"] }' }),
    desired('approle-role', 'auth/approle/roles/web', { token_ttl: '1h' }, { credentials: { file: { path: 'web.json' } } }),
    desired('approle-role', 'auth/approle/roles/new', { token_ttl: '1h' }),
    desired('userpass-user', 'auth/userpass/users/alice', { token_ttl: 60, password: 'hunter2-secret' }),
  ],
  live: [
    live('policy', 'policies/web', { policy: 'path "a" { capabilities = ["list"] }' }),
    live('approle-role', 'auth/approle/roles/web', { token_ttl: 3600 }),
    live('approle-role', 'auth/approle/roles/stray', {}),
    live('userpass-user', 'auth/userpass/users/alice', { token_ttl: 120 }),
    live('secrets-mount', 'secrets/secret', { type: 'kv' }),
  ],
  credentials: { 'auth/approle/roles/web': { state: 'stale', reason: 'the delivered secret_id no longer exists in Vault → will issue new credentials' } },
  sinkLabels: { 'auth/approle/roles/web': 'file web.json' },
  prune: ['auth/approle/roles'],
});

describe('driftReport', () => {
  it('classifies each finding: changed, missing, unmanaged, credentials', () => {
    const r = driftReport(drifted);
    expect(r.in_sync).toBe(false);
    expect(r.summary).toEqual({ changed: 2, missing: 1, unmanaged: 1, credentials: 1, orphaned: 0, 'ca-bundles': 0 });
    expect(r.findings.map((f) => [f.class, f.address])).toEqual([
      ['unmanaged', 'auth/approle/roles/stray'],
      ['changed', 'policies/web'],
      ['missing', 'auth/approle/roles/new'],
      ['credentials', 'auth/approle/roles/web'],
      ['changed', 'auth/userpass/users/alice'],
    ]);
    expect(r.unmanaged_elsewhere).toEqual(['secrets/secret']);
  });

  it("prints a policy's diff header with its tab, as plan does, not as an escape", () => {
    const text = renderDriftText(driftReport(drifted), { color: false });
    expect(text).toMatch(/^ {6}--- policy\tlive$/m);
    expect(text).not.toContain('\\u0009');
  });

  it('classifies orphaned credentials (live in Vault, held by nobody) as their own class, and is out of sync', () => {
    const reason = '1 orphaned credential (live in Vault, held by no delivered copy) → will destroy';
    const p = plan({
      desired: [desired('approle-role', 'auth/approle/roles/web', { token_ttl: '1h' }, { credentials: { file: { path: 'web.json' } } })],
      live: [live('approle-role', 'auth/approle/roles/web', { token_ttl: 3600 })],
      credentials: { 'auth/approle/roles/web': { state: 'orphaned', reason, accessors: ['acc-1'] } },
      sinkLabels: { 'auth/approle/roles/web': 'file web.json' },
    });
    expect(p.changes[0]?.reason).toContain(reason);
    const r = driftReport(p, ['auth/approle/roles/web']);
    expect(r.in_sync).toBe(false);
    expect(r.summary).toEqual({ changed: 0, missing: 0, unmanaged: 0, credentials: 0, orphaned: 1, 'ca-bundles': 0 });
    expect(r.findings).toEqual([{ class: 'orphaned', address: 'auth/approle/roles/web', kind: 'approle-role', detail: `file web.json: ${reason}` }]);
    expect(validate(JSON.parse(renderDriftJson(r))), JSON.stringify(validate.errors)).toBe(true);
    expect(renderDriftText(r, { color: false })).toContain('Orphaned credentials (live in Vault, held by nobody)');
    expect(renderDriftJson(r)).not.toContain('acc-1');
  });

  it('classifies CA-bundle copies (missing, stale, to remove, blocked) as their own class', () => {
    const inSync = plan({ desired: [], live: [] });
    const change = (namespace: string, action: 'create' | 'update' | 'delete' | 'refused', reason: string) => ({ address: 'secrets/pki/publish/ca', namespace, object: 'configmap/company-ca', action, reason });
    const r = driftReport({ ...inSync, ca_bundles: [change('a', 'create', 'missing'), change('b', 'refused', 'exists and is not managed by vault-gitops')] });
    expect(r.in_sync).toBe(false);
    expect(r.summary['ca-bundles']).toBe(2);
    expect(r.findings).toEqual([
      { class: 'ca-bundles', address: 'secrets/pki/publish/ca/a', kind: 'ca-bundle', detail: 'create a/configmap/company-ca: missing' },
      { class: 'ca-bundles', address: 'secrets/pki/publish/ca/b', kind: 'ca-bundle', detail: 'refused b/configmap/company-ca: exists and is not managed by vault-gitops' },
    ]);
    expect(validate(JSON.parse(renderDriftJson(r))), JSON.stringify(validate.errors)).toBe(true);
    expect(renderDriftText(r, { color: false })).toContain('CA-bundle copies in Kubernetes');
    expect(driftReport({ ...inSync, ca_bundles: [] }).in_sync).toBe(true);
  });

  it('is in sync when the plan has nothing to do, whatever else is unmanaged', () => {
    const r = driftReport(plan({ live: [live('secrets-mount', 'secrets/secret', { type: 'kv' })] }));
    expect(r.in_sync).toBe(true);
    expect(r.findings).toEqual([]);
    expect(renderDriftText(r, { color: false })).toContain('In sync: Vault matches the configuration.');
  });

  it('renders JSON that matches schemas/drift.schema.json, and text/markdown without secrets', () => {
    const r = driftReport(drifted);
    const json = renderDriftJson(r);
    expect(validate(JSON.parse(json)), JSON.stringify(validate.errors)).toBe(true);
    const text = renderDriftText(r, { color: false });
    expect(text).toContain('Changed in Vault');
    expect(text).toContain('token_ttl: 120 (2m) (Vault) → 60 (1m) (config)');
    expect(text).toContain('Drift: 2 changed, 1 missing, 1 unmanaged, 1 credentials.');
    expect(renderDriftMarkdown(r)).toContain('| credentials | auth/approle/roles/web |');
    for (const out of [json, text, renderDriftMarkdown(r)]) expect(out).not.toContain('hunter2-secret');
  });

  it('lists in-sync credential states as notes, not drift: in sync, exit-0 material, shown in every format', () => {
    const used = 'used up by a login (or expired and removed by Vault); `rotate --select auth/approle/roles/web` issues a fresh one';
    const quiet = plan({
      desired: [desired('approle-role', 'auth/approle/roles/web', { token_ttl: '1h' }, { credentials: { file: { path: 'web.json' } } })],
      live: [live('approle-role', 'auth/approle/roles/web', { token_ttl: 3600 })],
      credentials: { 'auth/approle/roles/web': { state: 'ok', note: used } },
      sinkLabels: { 'auth/approle/roles/web': 'file web.json' },
    });
    const r = driftReport(quiet);
    expect(r.in_sync).toBe(true);
    expect(r.findings).toEqual([]);
    expect(r.notes).toEqual([{ address: 'auth/approle/roles/web', kind: 'approle-role', detail: `file web.json: ${used}` }]);
    expect(validate(JSON.parse(renderDriftJson(r))), JSON.stringify(validate.errors)).toBe(true);
    expect(renderDriftText(r, { color: false })).toContain(`Credentials (not drift)\n  i auth/approle/roles/web: file web.json: ${used}`);
    expect(renderDriftMarkdown(r)).toContain('- auth/approle/roles/web: file web.json: used up by a login');
  });

  it('a stale credential that may be stolen makes its change a security change', () => {
    const stolen = plan({
      desired: [desired('approle-role', 'auth/approle/roles/web', { token_ttl: '1h' }, { credentials: { file: { path: 'web.json' } } })],
      live: [live('approle-role', 'auth/approle/roles/web', { token_ttl: 3600 })],
      credentials: { 'auth/approle/roles/web': { state: 'stale', reason: 'unwrapped, but never used → will issue new credentials', security: true } },
      sinkLabels: { 'auth/approle/roles/web': 'file web.json' },
    });
    expect(stolen.changes[0]).toMatchObject({ action: 'update', security: true });
    expect(driftReport(stolen).findings.map((f) => f.class)).toEqual(['credentials']);
  });
});
