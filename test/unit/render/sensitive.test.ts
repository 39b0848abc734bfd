// Defence in depth: even when a sensitive field reaches a renderer with its real value (a planner
// bug), no renderer output shows that value.
import { describe, expect, it } from 'vitest';
import type { Plan } from '../../../src/core/model.js';
import { renderJson } from '../../../src/render/json.js';
import { renderMarkdown } from '../../../src/render/markdown.js';
import { renderText } from '../../../src/render/text.js';
import { LEAKED_SECRET, unmaskedPlan } from './fixtures/plans.js';

const renderers: [string, (p: Plan) => string][] = [
  ['text', (p) => renderText(p, { color: false })],
  ['text (color)', (p) => renderText(p, { color: true })],
  ['json', renderJson],
  ['markdown', renderMarkdown],
];

describe.each(renderers)('%s renderer with an unmasked sensitive field', (_name, render) => {
  const out = render(unmaskedPlan);

  it('never shows the value, its parts or its diff', () => {
    expect(out).not.toContain(LEAKED_SECRET);
    expect(out).not.toContain('hunter2');
    expect(out).not.toContain('line2-');
  });

  it('shows the mask in its place', () => {
    expect(out).toContain('(sensitive)');
  });

  it('still shows the non-sensitive fields', () => {
    expect(out).toMatch(/token_ttl|token\\_ttl/);
  });
});

describe('text renderer with an unmasked sensitive field', () => {
  it('shows the field only as (sensitive), changed', () => {
    const lines = renderText(unmaskedPlan, { color: false }).split('\n');
    expect(lines).toContain('      password: (sensitive) changed');
    expect(lines).toContain('      secret_note: (sensitive) changed');
    expect(lines).toContain('      secret_id: (sensitive)');
  });
});
