import { describe, expect, it } from 'vitest';
import type { Plan } from '../../../src/core/model.js';
import { renderJson } from '../../../src/render/json.js';
import { renderMarkdown } from '../../../src/render/markdown.js';
import { fence, html, mdCell } from '../../../src/render/markdown-escape.js';
import { change, emptyPlan, f, fullPlan, planWith } from './fixtures/plans.js';

describe('renderMarkdown', () => {
  const out = renderMarkdown(fullPlan);
  const lines = out.split('\n');

  it('matches the reviewed rendering of the full fixture plan', async () => {
    await expect(out).toMatchFileSnapshot('./fixtures/full-plan.md');
  });

  it('starts with a heading and the summary line with counts', () => {
    expect(lines.slice(0, 3)).toEqual(['### vault-gitops plan', '', '**Plan: 2 to create, 3 to update, 1 to delete.**']);
  });

  it('has a table of changes in plan order: action, address, reason', () => {
    const head = lines.indexOf('| | Action | Address | Reason |');
    expect(head).toBeGreaterThan(0);
    expect(lines[head + 1]).toBe('|---|---|---|---|');
    expect(lines.slice(head + 2, head + 8)).toEqual([
      '| 🔴 | delete 🔒 | policies/old-team | not in config; collection policies is pruned |',
      '| 🟡 | update 🔒 | policies/payments-prod | differs from config |',
      '| 🟢 | create 🔒 | auth/userpass/users/alice | not in Vault |',
      '| 🟢 | create 🔒 | auth/approle/roles/payments-prod | not in Vault |',
      '| 🟡 | update | auth/userpass | differs from config |',
      '| 🟡 | update | secrets/pki/roles/internal-services | differs from config |',
    ]);
    expect(out).not.toContain('ops-admin |');
  });

  it('has a <details> block per updated object, with the policy diff fenced as diff', () => {
    const open = lines.indexOf('<details><summary>🟡 ~ <code>policies/payments-prod</code> — differs from config</summary>');
    expect(open).toBeGreaterThan(0);
    const close = lines.indexOf('</details>', open);
    const body = lines.slice(open, close);
    expect(body).toContain('```diff');
    expect(body).toContain('-  capabilities = ["read", "list"]');
    expect(body).toContain('+  capabilities = ["read"]');
    expect(body.filter((l) => l === '```')).toHaveLength(1);
  });

  it('has a field table for updated fields', () => {
    const open = lines.findIndex((l) => l.includes('<code>auth/userpass</code>'));
    const body = lines.slice(open, lines.indexOf('</details>', open));
    expect(body).toContain('| Field | Before | After |');
    expect(body).toContain('| description | (none) | "Engineers" |');
    expect(body).toContain('| max\\_lease\\_ttl | 2764800 (32d) | 43200 (12h) |');
  });

  it('shows created objects with their values and credential destinations, never secrets', () => {
    const open = lines.findIndex((l) => l.includes('<code>auth/userpass/users/alice</code>'));
    const body = lines.slice(open, lines.indexOf('</details>', open));
    expect(body).toContain('| Field | Value |');
    expect(body).toContain('| password | (sensitive) |');
    expect(body).toContain('- credentials: password → file out/alice.json');
  });

  it('has no details for deletes', () => {
    expect(out).not.toContain('<code>policies/old-team</code>');
  });

  it('lists unmanaged objects', () => {
    const i = lines.indexOf('#### Unmanaged objects');
    expect(i).toBeGreaterThan(0);
    expect(lines).toContain('Left alone; add the collection to `prune:` to delete them.');
    expect(lines).toContain('- auth/approle/roles/legacy');
    expect(lines).toContain('- policies/legacy-ci');
  });

  it('says there are no changes for an empty plan, with no table', () => {
    const md = renderMarkdown(emptyPlan);
    expect(md).toBe('### vault-gitops plan\n\n✅ No changes. Vault matches the configuration.\n');
  });

  it('renders the same from the JSON form of the plan', () => {
    expect(renderMarkdown(JSON.parse(renderJson(fullPlan)) as Plan)).toBe(out);
  });
});

describe('markdown escaping', () => {
  it('escapes pipes, backticks and markup in table cells', () => {
    expect(mdCell('a|b`c`')).toBe('a\\|b\\`c\\`');
    expect(mdCell('<img src=x>')).toBe('\\<img src=x\\>');
    expect(mdCell('two\nlines')).toBe('two lines');
    expect(mdCell('*bold* [link](x)')).toBe('\\*bold\\* \\[link\\](x)');
  });

  it('escapes HTML in the summary line', () => {
    expect(html('<b>"x"</b> & `y` | z')).toBe('&lt;b&gt;&quot;x&quot;&lt;/b&gt; &amp; &#96;y&#96; &#124; z');
  });

  it('uses a fence longer than any backtick run inside the block', () => {
    expect(fence('diff', ['+a ``` b'])).toEqual(['````diff', '+a ``` b', '````']);
    expect(fence('diff', ['+plain'])).toEqual(['```diff', '+plain', '```']);
  });

  it('keeps hostile values from breaking the table or the page', () => {
    const plan = planWith([
      change('update', 'auth-mount', 'auth/we|ird', 'differs `x` | y', [f('description', 'a | b', 'c `d` </details>')]),
    ]);
    const md = renderMarkdown(plan);
    expect(md).toContain('| 🟡 | update | auth/we\\|ird | differs \\`x\\` \\| y |');
    expect(md).toContain('| description | "a \\| b" | "c \\`d\\` \\</details\\>" |');
    expect(md).toContain('<code>auth/we&#124;ird</code> — differs &#96;x&#96; &#124; y</summary>');
    expect(md.match(/<\/details>/g)).toHaveLength(1);
  });

  it('shows a created policy without a diff as a diff block of added lines', () => {
    const plan = planWith([change('create', 'policy', 'policies/new', 'not in Vault', [f('policy', null, 'path "a" {}\nx\n')])]);
    expect(renderMarkdown(plan)).toContain('**policy**\n\n```diff\n+path "a" {}\n+x\n```');
  });
});

describe('markdown size limit', () => {
  const many = planWith(
    Array.from({ length: 400 }, (_, i) =>
      change('update', 'approle-role', `auth/approle/roles/svc-${String(i).padStart(3, '0')}`, 'differs from config', [
        f('token_ttl', 3600, 7200),
        f('token_policies', ['a'], ['a', 'b']),
      ]),
    ),
    Array.from({ length: 50 }, (_, i) => ({ address: `policies/legacy-${i}`, kind: 'policy' as const })),
  );
  const full = renderMarkdown(many, { maxLength: 1_000_000 });

  it('keeps everything when it fits', () => {
    expect(full).not.toContain('Shortened to fit');
    expect(full.match(/<details>/g)).toHaveLength(400);
  });

  it('drops details first, keeping every table row and the summary', () => {
    const max = 40_000;
    expect(full.length).toBeGreaterThan(max);
    const md = renderMarkdown(many, { maxLength: max });
    expect(md.length).toBeLessThanOrEqual(max);
    expect(md).toContain('**Plan: 0 to create, 400 to update, 0 to delete.**');
    expect(md.match(/^\| 🟡 \| update \|/gm)).toHaveLength(400);
    expect(md).toContain('- policies/legacy-49');
    const kept = md.match(/<details>/g)?.length ?? 0;
    expect(kept).toBeLessThan(400);
    expect(md).toContain(`_Shortened to fit a comment (${400 - kept} details left out)`);
  });

  it('cuts the table when even the rows do not fit', () => {
    const md = renderMarkdown(many, { maxLength: 5_000 });
    expect(md.length).toBeLessThanOrEqual(5_000);
    expect(md).not.toContain('<details>');
    expect(md).toMatch(/^\| \| \| … \d+ more \| \|$/m);
    expect(md).toContain('Shortened to fit a comment');
  });

  it('has a default that fits a GitHub comment', () => {
    expect(renderMarkdown(many).length).toBeLessThanOrEqual(65_536);
  });
});
