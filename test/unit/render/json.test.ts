import { readFileSync } from 'node:fs';
import Ajv2020 from 'ajv/dist/2020.js';
import { describe, expect, it } from 'vitest';
import type { Plan } from '../../../src/core/model.js';
import { renderJson } from '../../../src/render/json.js';
import { change, emptyPlan, f, fullPlan, planWith, unmaskedPlan } from './fixtures/plans.js';

const schema = JSON.parse(readFileSync(new URL('../../../schemas/plan.schema.json', import.meta.url), 'utf8')) as object;
const ajv = new Ajv2020.default({ allErrors: true, strict: true });
const validate = ajv.compile(schema);

function errorsOf(data: unknown): string {
  return validate(data) ? '' : ajv.errorsText(validate.errors);
}

describe('renderJson', () => {
  const out = renderJson(fullPlan);

  it('is the plan itself: parsing it gives back the same data', () => {
    expect(JSON.parse(out)).toEqual(fullPlan);
  });

  it('uses 2-space indentation and ends with a newline', () => {
    expect(out.startsWith('{\n  "format_version": "3",\n  "tool_version": "0.1.0",\n')).toBe(true);
    expect(out.endsWith('}\n')).toBe(true);
    expect(out.endsWith('\n\n')).toBe(false);
  });

  it('writes keys in a stable order whatever order the object was built in', () => {
    const shuffled = JSON.parse(JSON.stringify(fullPlan, Object.keys(fullPlan).reverse())) as Plan;
    const rebuilt: Plan = {
      unmanaged: fullPlan.unmanaged.map((u) => ({ kind: u.kind, address: u.address })),
      summary: { noop: 1, delete: 1, update: 3, create: 2 },
      destroys: [],
      changes: fullPlan.changes.map((c) => ({
        fields: c.fields.map((f) => ({ sensitive: f.sensitive, after: f.after, before: f.before, name: f.name, ...(f.diff ? { diff: f.diff } : {}) })),
        security: c.security,
        reason: c.reason,
        action: c.action,
        kind: c.kind,
        address: c.address,
        ...(c.credentials ? { credentials: c.credentials } : {}),
      })),
      vault_addr: fullPlan.vault_addr,
      config_fingerprint: fullPlan.config_fingerprint,
      created_at: fullPlan.created_at,
      tool_version: fullPlan.tool_version,
      format_version: fullPlan.format_version,
    };
    expect(Object.keys(shuffled)).not.toEqual(Object.keys(fullPlan));
    expect(renderJson(rebuilt)).toBe(out);
    const top = Object.keys(JSON.parse(out) as object);
    expect(top).toEqual(['format_version', 'tool_version', 'created_at', 'config_fingerprint', 'vault_addr', 'summary', 'destroys', 'changes', 'unmanaged']);
    const change = (JSON.parse(out) as { changes: object[] }).changes[1]!;
    expect(Object.keys(change)).toEqual(['address', 'kind', 'action', 'reason', 'security', 'fields', 'credentials']);
  });

  it('sorts the keys of object values', () => {
    const plan = planWith([change('update', 'auth-mount', 'auth/x', 'r', [f('options', { z: 1, a: 2 }, null)])]);
    expect(renderJson(plan)).toContain('"before": {\n            "a": 2,\n            "z": 1\n          }');
  });

  it('writes absent values as null and keeps fields a newer planner added', () => {
    const plan = {
      ...emptyPlan,
      zeta: 1,
      alpha: 'x',
      changes: [
        { address: 'policies/p', kind: 'policy', action: 'create', reason: 'r', security: false, fields: [{ name: 'policy', after: 'x', sensitive: false }] },
      ],
    } as unknown as Plan;
    const parsed = JSON.parse(renderJson(plan)) as Record<string, unknown> & Plan;
    expect(parsed.changes[0]!.fields[0]).toEqual({ name: 'policy', before: null, after: 'x', sensitive: false });
    expect(Object.keys(parsed).slice(-2)).toEqual(['alpha', 'zeta']);
  });

  it('masks sensitive values the planner left unmasked', () => {
    const parsed = JSON.parse(renderJson(unmaskedPlan)) as Plan;
    expect(parsed.changes[0]!.fields[0]).toEqual({ name: 'password', before: '(sensitive)', after: '(sensitive)', sensitive: true });
    expect(parsed.changes[0]!.fields[1]!.diff).toBeUndefined();
  });
});

describe('schemas/plan.schema.json', () => {
  it('accepts the rendered fixture plans', () => {
    for (const plan of [fullPlan, emptyPlan, unmaskedPlan]) {
      expect(errorsOf(JSON.parse(renderJson(plan)))).toBe('');
    }
  });

  it('rejects an unknown format_version', () => {
    const data = JSON.parse(renderJson(fullPlan)) as Record<string, unknown>;
    data.format_version = '2';
    expect(errorsOf(data)).toContain('format_version');
  });

  it('rejects a missing required field, an unknown action or kind, and an extra key', () => {
    const base = () => JSON.parse(renderJson(fullPlan)) as { changes: Record<string, unknown>[]; [k: string]: unknown };
    const noSummary = base();
    delete noSummary.summary;
    expect(errorsOf(noSummary)).toContain('summary');

    const badAction = base();
    badAction.changes[0]!.action = 'replace';
    expect(errorsOf(badAction)).toContain('/changes/0/action');

    const badKind = base();
    badKind.changes[0]!.kind = 'kv-secret';
    expect(errorsOf(badKind)).toContain('/changes/0/kind');

    const extra = base();
    extra.token = 's.abc';
    expect(errorsOf(extra)).toContain('additional properties');
  });

  it('requires name, before, after and sensitive on every field', () => {
    const data = JSON.parse(renderJson(fullPlan)) as { changes: { fields: Record<string, unknown>[] }[] };
    delete data.changes[0]!.fields[0]!.before;
    expect(errorsOf(data)).toContain("must have required property 'before'");
  });

  it('rejects a sensitive field that carries a value', () => {
    const data = JSON.parse(renderJson(fullPlan)) as { changes: { address: string; fields: Record<string, unknown>[] }[] };
    const alice = data.changes.find((c) => c.address === 'auth/userpass/users/alice')!;
    alice.fields[0]!.after = 'hunter2';
    expect(errorsOf(data)).toContain('/fields/0/after');
  });

  it('rejects a sensitive field that carries a diff', () => {
    const data = JSON.parse(renderJson(fullPlan)) as { changes: { address: string; fields: Record<string, unknown>[] }[] };
    const alice = data.changes.find((c) => c.address === 'auth/userpass/users/alice')!;
    alice.fields[0]!.diff = '+hunter2';
    expect(errorsOf(data)).toContain('/fields/0/diff');
  });
});
