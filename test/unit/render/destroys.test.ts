// The destructive-plan banner: first in the text and markdown renderings, a field in the JSON.
import { readFileSync } from 'node:fs';
import Ajv2020 from 'ajv/dist/2020.js';
import { describe, expect, it } from 'vitest';
import type { Destroy, Plan } from '../../../src/core/model.js';
import { renderJson } from '../../../src/render/json.js';
import { renderMarkdown } from '../../../src/render/markdown.js';
import { renderText } from '../../../src/render/text.js';
import { change, fullPlan, planWith } from './fixtures/plans.js';

const destroys: Destroy[] = [
  { address: 'secrets/kv', code: 'secrets-mount', what: 'destroys all data stored under kv/ (every secret and all its versions)' },
  { address: '*', code: 'bulk', what: 'deletes 4 of the 6 objects vault-gitops manages here (67%)' },
];
const destructive: Plan = {
  ...planWith([change('delete', 'secrets-mount', 'secrets/kv', 'removed from config'), change('noop', 'policy', 'policies/a', 'matches config')]),
  destroys,
};

describe('the destructive-plan banner', () => {
  it('text: the very first lines, before any change', () => {
    const lines = renderText(destructive, { color: false }).split('\n');
    expect(lines.slice(0, 4)).toEqual([
      '!! DESTRUCTIVE PLAN: apply refuses it without --allow-destroy',
      '  ! secrets/kv: destroys all data stored under kv/ (every secret and all its versions)',
      '  ! deletes 4 of the 6 objects vault-gitops manages here (67%)',
      '',
    ]);
  });

  it('text: in red and bold when colored; absent from a plan without destroys', () => {
    expect(renderText(destructive, { color: true }).startsWith('\u001b[31m\u001b[1m!! DESTRUCTIVE PLAN')).toBe(true);
    expect(renderText(fullPlan, { color: false })).not.toContain('DESTRUCTIVE');
  });

  it('markdown: a caution alert right under the heading, kept when the comment is shortened', () => {
    const head = ['### vault-gitops plan', '', '> [!CAUTION]', '> **DESTRUCTIVE PLAN**: `apply` refuses it without `--allow-destroy`.'];
    expect(renderMarkdown(destructive).split('\n').slice(0, 7)).toEqual([
      ...head,
      '> - secrets/kv: destroys all data stored under kv/ (every secret and all its versions)',
      '> - deletes 4 of the 6 objects vault-gitops manages here (67%)',
      '',
    ]);
    const many = { ...destructive, changes: Array.from({ length: 400 }, (_, i) => change('delete', 'policy', `policies/p${i}`, 'removed from config')) };
    const short = renderMarkdown(many, { maxLength: 2000 });
    expect(short.length).toBeLessThanOrEqual(2000);
    expect(short.split('\n').slice(0, 4)).toEqual(head);
    expect(renderMarkdown(fullPlan)).not.toContain('CAUTION');
  });

  it('escapes what comes from Vault: control characters and markdown in an address', () => {
    const evil: Plan = { ...destructive, destroys: [{ address: 'secrets/x\u001b[2J|*', code: 'secrets-mount', what: 'destroys all data stored under x/' }] };
    expect(renderText(evil, { color: false })).toContain('  ! secrets/x\\u001b[2J|*: destroys');
    expect(renderMarkdown(evil)).toContain('> - secrets/x\\\\u001b\\[2J\\|\\*: destroys');
  });

  it('json: a destroys field right after the summary, valid against the schema', () => {
    const json = JSON.parse(renderJson(destructive)) as Record<string, unknown>;
    const keys = Object.keys(json);
    expect(keys.indexOf('destroys')).toBe(keys.indexOf('summary') + 1);
    expect(json.destroys).toEqual(destroys);
    const ajv = new Ajv2020.default({ allErrors: true, strict: true });
    const validate = ajv.compile(JSON.parse(readFileSync(new URL('../../../schemas/plan.schema.json', import.meta.url), 'utf8')) as object);
    expect(validate(json), ajv.errorsText(validate.errors)).toBe(true);
    expect(validate({ ...json, destroys: [{ address: 'secrets/kv', code: 'oops', what: 'x' }] })).toBe(false);
    const { destroys: _d, ...without } = json;
    expect(validate(without)).toBe(false);
  });

  it('an unmanaged object left alone for a reason shows the reason (text, markdown, json)', () => {
    const note = 'not the object vault-gitops created (its identity in Vault differs from the state record); left alone';
    const p: Plan = { ...planWith([]), unmanaged: [{ address: 'secrets/hand', kind: 'secrets-mount', note }] };
    expect(renderText(p, { color: false })).toContain(`  ? secrets/hand (${note})`);
    expect(renderMarkdown(p)).toContain(`- secrets/hand (${note})`);
    expect((JSON.parse(renderJson(p)) as Plan).unmanaged).toEqual([{ address: 'secrets/hand', kind: 'secrets-mount', note }]);
  });
});
