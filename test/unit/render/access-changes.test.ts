// The access section as each renderer shows it: first, privileged findings above everything,
// the same from the plan's JSON form, and valid against the plan schema.
import { readFileSync } from 'node:fs';
import Ajv2020 from 'ajv/dist/2020.js';
import { describe, expect, it } from 'vitest';
import type { Plan } from '../../../src/core/model.js';
import { renderJson } from '../../../src/render/json.js';
import { renderMarkdown } from '../../../src/render/markdown.js';
import { renderText } from '../../../src/render/text.js';
import { change, f, planWith } from './fixtures/plans.js';

const validate = new Ajv2020.default({ allErrors: true, strict: true }).compile(JSON.parse(readFileSync(new URL('../../../schemas/plan.schema.json', import.meta.url), 'utf8')) as object);

const plan: Plan = {
  ...planWith([change('update', 'policy', 'policies/shared', 'differs from config', [f('policy', 'a', 'b')], { security: true })]),
  access_changes: {
    summary: { principals: 3, privileged: 1, widened: 1, trust: 1 },
    principals: [
      { address: 'auth/approle/roles/new', status: 'added', privileged: [], default_policy: true, capabilities: [{ pattern: 'secret/data/x/*', before: [], after: ['read'], gained: ['read'], lost: [], privileged: [] }] },
      {
        address: 'auth/jwt/roles/deploy',
        status: 'changed',
        privileged: [],
        capabilities: [],
        bindings: [{ field: 'bound_claims', before: { sub: 'repo:org/app:ref:refs/heads/main' }, after: { sub: 'repo:org/*' }, widened: 'claim "sub" admits "repo:org/*"' }],
      },
      {
        address: 'auth/approle/roles/ops',
        status: 'changed',
        privileged: ['sudo', 'sys/'],
        capabilities: [{ pattern: 'sys/audit/*', before: ['read'], after: ['read', 'sudo'], gained: ['sudo'], lost: [], privileged: ['sudo', 'sys/'] }],
      },
    ],
    trust: [{ address: 'auth/jwt/config', kind: 'jwt-config', subject: 'JWT/OIDC key source', what: 'JWT/OIDC key source: oidc_discovery_url changed', fields: [{ name: 'oidc_discovery_url', before: 'https://a.example', after: 'https://b.example' }] }],
  },
};

describe('access changes in the rendered plan', () => {
  it('text: the privileged banner first, then the section, before the field diffs', () => {
    const lines = renderText(plan, { color: false }).split('\n');
    expect(lines.slice(0, 13)).toEqual([
      '!! PRIVILEGED ACCESS CHANGES: a second reviewer should approve them (plan --fail-on privileged exits 3)',
      '  ! auth/approle/roles/ops gains sudo on sys/audit/*: sudo, sys/',
      '',
      'Access changes:',
      '  ~ auth/approle/roles/ops',
      '    ! sys/audit/*: read → read, sudo (+sudo)  [privileged: sudo, sys/]',
      '  + auth/approle/roles/new (new principal; and the default policy)',
      '      secret/data/x/*: read',
      '  ~ auth/jwt/roles/deploy',
      '      bound_claims: {"sub":"repo:org/app:ref:refs/heads/main"} → {"sub":"repo:org/*"}  [widened: claim "sub" admits "repo:org/*"]',
      '  ~ auth/jwt/config: JWT/OIDC key source: oidc_discovery_url changed  [trust]',
      '      oidc_discovery_url: "https://a.example" → "https://b.example"',
      '',
    ]);
    expect(lines.indexOf('vault-gitops will perform the following actions:')).toBeGreaterThan(12);
  });

  it('markdown: a warning alert first, the access table before the changes table', () => {
    const md = renderMarkdown(plan);
    expect(md).toContain('> [!WARNING]\n> **PRIVILEGED ACCESS CHANGES**: a second reviewer should approve them (`plan --fail-on privileged` exits 3).\n> - auth/approle/roles/ops gains sudo on sys/audit/\\*: sudo, sys/\n');
    expect(md).toContain('| ~ auth/approle/roles/ops | sys/audit/\\* | read | read, sudo | ⚠️ privileged: sudo, sys/ |');
    expect(md).toContain('| ~ auth/jwt/roles/deploy | bound\\_claims (binding) | {"sub":"repo:org/app:ref:refs/heads/main"} | {"sub":"repo:org/\\*"} | widened: claim "sub" admits "repo:org/\\*" |');
    expect(md).toContain('- 🔑 auth/jwt/config: JWT/OIDC key source: oidc\\_discovery\\_url changed');
    expect(md.indexOf('[!WARNING]')).toBeLessThan(md.indexOf('**Plan:'));
    expect(md.indexOf('#### Access changes')).toBeLessThan(md.indexOf('| | Action | Address | Reason |'));
  });

  it('JSON: the section after the summary, valid against the schema, and rendered the same from it', () => {
    const json = JSON.parse(renderJson(plan)) as Plan;
    expect(Object.keys(json).slice(0, 7)).toEqual(['format_version', 'tool_version', 'created_at', 'config_fingerprint', 'summary', 'access_changes', 'destroys']);
    expect(validate(json), JSON.stringify(validate.errors)).toBe(true);
    expect(renderText(json, { color: true })).toBe(renderText(plan, { color: true }));
    expect(renderMarkdown(json)).toBe(renderMarkdown(plan));
  });

  it('no section, no banner, when the plan changes no access', () => {
    const { access_changes: _, ...none } = plan;
    expect(renderText(none, { color: false })).not.toContain('Access changes');
    expect(renderMarkdown(none)).not.toContain('Access changes');
    expect(JSON.parse(renderJson(none))).not.toHaveProperty('access_changes');
  });
});

describe('a large access section in a PR comment', () => {
  it('keeps the banner and caps its lines and the table rows, within the comment limit', () => {
    const many = Array.from({ length: 3000 }, (_, i) => ({
      address: `auth/approle/roles/r${i}`,
      status: 'added' as const,
      privileged: ['sys/'],
      default_policy: false,
      capabilities: [{ pattern: `sys/mounts/m${i}`, before: [], after: ['read'], gained: ['read'], lost: [], privileged: ['sys/'] }],
    }));
    const md = renderMarkdown({ ...plan, access_changes: { summary: { principals: 3000, privileged: 3000, widened: 0, trust: 0 }, principals: many, trust: [] } });
    expect(md).toContain('> - … 2950 more (the full list is in `vault-gitops plan`\'s output)');
    expect(md).toContain('| … 2800 more | | | | |');
    expect(md.length).toBeLessThan(60_000);
  });
});

describe('hostile values in the access section', () => {
  it('a path pattern or binding value cannot move the terminal, break the table or inject markdown', () => {
    const evil = 'secret/\u001b[2J|x](http://e)<b>*';
    const hostile: Plan = {
      ...plan,
      access_changes: {
        summary: { principals: 1, privileged: 0, widened: 1, trust: 0 },
        principals: [
          {
            address: 'auth/approle/roles/r',
            status: 'changed',
            privileged: [],
            capabilities: [{ pattern: evil, before: [], after: ['read'], gained: ['read'], lost: [], privileged: [] }],
            bindings: [{ field: 'token_bound_cidrs', before: ['10.0.0.0/8'], after: [evil], widened: `admits "${evil}"` }],
          },
        ],
        trust: [],
      },
    };
    const text = renderText(hostile, { color: false });
    expect(text).not.toContain('\u001b');
    expect(text).toContain('secret/\\u001b[2J|x](http://e)<b>*: (none) → read (+read)');
    const md = renderMarkdown(hostile);
    expect(md).not.toContain('\u001b');
    expect(md).toContain('| ~ auth/approle/roles/r | secret/\\\\u001b\\[2J\\|x\\](http://e)\\<b\\>\\* | (none) | read |  |');
  });
});
