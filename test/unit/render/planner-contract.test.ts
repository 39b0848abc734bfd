// The renderers' input contract, checked against the real planner: what planChanges produces
// validates against schemas/plan.schema.json and renders the same from its JSON form.
import { readFileSync } from 'node:fs';
import Ajv2020 from 'ajv/dist/2020.js';
import { describe, expect, it } from 'vitest';
import { desired, live } from '../fixtures/objects.js';
import type { Plan } from '../../../src/core/model.js';
import { planChanges } from '../../../src/core/plan/plan.js';
import { KINDS } from '../../../src/kinds/registry.js';
import { renderJson } from '../../../src/render/json.js';
import { renderMarkdown } from '../../../src/render/markdown.js';
import { renderText } from '../../../src/render/text.js';

const schema = JSON.parse(readFileSync(new URL('../../../schemas/plan.schema.json', import.meta.url), 'utf8')) as object;
const validate = new Ajv2020.default({ allErrors: true, strict: true }).compile(schema);


describe('a plan made by the planner', () => {
  const plan: Plan = planChanges({
    desired: [
      desired('policy', 'policies/web', { policy: 'path "a" {\n  capabilities = ["read"]\n}\n' }),
      desired('policy', 'policies/new', { policy: 'path "b" {\n  capabilities = ["list"]\n}\n' }),
      desired('userpass-user', 'auth/userpass/users/alice', { token_ttl: '1h', token_policies: ['web'] }),
      desired('approle-role', 'auth/approle/roles/svc', { token_ttl: '48h', token_bound_cidrs: ['10.0.0.0/8'] }),
    ],
    live: [
      live('policy', 'policies/web', { policy: 'path "a" {\n  capabilities = ["list"]\n}\n' }),
      live('policy', 'policies/gone', { policy: 'path "c" {}\n' }),
      live('approle-role', 'auth/approle/roles/svc', { token_ttl: 3600, token_bound_cidrs: ['10.0.0.0/8'] }),
      live('approle-role', 'auth/approle/roles/legacy', { token_ttl: 60 }),
    ],
    credentials: {},
    sinkLabels: { 'auth/userpass/users/alice': 'file out/alice.json' },
    prune: ['policies'],
    kinds: KINDS,
    toolVersion: '0.1.0',
    createdAt: '2026-11-23T22:00:00.000Z',
  });

  it('validates against the plan schema once rendered as JSON', () => {
    const ok = validate(JSON.parse(renderJson(plan)));
    expect(validate.errors ?? []).toEqual([]);
    expect(ok).toBe(true);
  });

  it('renders the same text from its JSON form', () => {
    const fromJson = JSON.parse(renderJson(plan)) as Plan;
    expect(renderText(fromJson, { color: true })).toBe(renderText(plan, { color: true }));
    expect(renderMarkdown(fromJson)).toBe(renderMarkdown(plan));
  });

  it('renders every kind of line the planner produces', () => {
    const lines = renderText(plan, { color: false }).split('\n');
    expect(lines).toContain('  - policies/gone  [security]');
    expect(lines).toContain('        -  capabilities = ["list"]');
    expect(lines).toContain('        +  capabilities = ["read"]');
    expect(lines).toContain('      credentials: password → file out/alice.json');
    expect(lines).toContain('      token_ttl: 3600 (1h) → 172800 (2d)');
    expect(lines).toContain('  ? auth/approle/roles/legacy');
    expect(lines.at(-2)).toBe('Plan: 2 to create, 2 to update, 1 to delete.');
  });
});
