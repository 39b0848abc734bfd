import { describe, expect, it } from 'vitest';
import type { Change, Plan } from '../../../src/core/model.js';
import { renderJson } from '../../../src/render/json.js';
import { renderText } from '../../../src/render/text.js';
import { change, emptyPlan, f, fullPlan, planWith } from './fixtures/plans.js';

const ESC = '\u001b';
const plain = (plan: Plan) => renderText(plan, { color: false });

describe('renderText', () => {
  const out = plain(fullPlan);
  const lines = out.split('\n');

  it('matches the reviewed rendering of the full fixture plan', async () => {
    await expect(out).toMatchFileSnapshot('./fixtures/full-plan.txt');
  });

  it('has a heading per kind, in reading order', () => {
    const headings = ['ACL policies', 'Userpass users', 'AppRole roles', 'Auth mounts', 'PKI roles'];
    const at = headings.map((h) => lines.indexOf(h));
    expect(at.every((i) => i >= 0)).toBe(true);
    expect([...at].sort((a, b) => a - b)).toEqual(at);
  });

  it('lists the delete first, then security-relevant changes', () => {
    const heads = lines.filter((l) => /^ {2}[+~-] /.test(l));
    expect(heads).toEqual([
      '  - policies/old-team  [security]',
      '  ~ policies/payments-prod  [security]',
      '  + auth/userpass/users/alice  [security]',
      '  + auth/approle/roles/payments-prod  [security]',
      '  ~ auth/userpass',
      '  ~ secrets/pki/roles/internal-services',
    ]);
  });

  it('shows each change with its reason', () => {
    expect(lines).toContain('      reason: not in config; collection policies is pruned');
    expect(lines).toContain('      reason: differs from config');
  });

  it('shows created fields by value and updated fields as before → after', () => {
    expect(lines).toContain('      token_policies: ["payments-prod"]');
    expect(lines).toContain('      token_bound_cidrs: ["10.0.0.0/8"]');
    expect(lines).toContain('      token_ttl: 172800 (2d)');
    expect(lines).toContain('      description: (none) → "Engineers"');
    expect(lines).toContain('      max_lease_ttl: 2764800 (32d) → 43200 (12h)');
    expect(lines).toContain('      max_ttl: 86400 (1d) → 259200 (3d)');
  });

  it('shows a policy change as the unified diff it carries', () => {
    const start = lines.indexOf('      policy:');
    expect(start).toBeGreaterThan(0);
    expect(lines.slice(start + 1, start + 8)).toEqual([
      '        --- policy\tlive',
      '        +++ policy\tconfig',
      '        @@ -1,3 +1,3 @@',
      '         path "secret/data/payments/prod/*" {',
      '        -  capabilities = ["read", "list"]',
      '        +  capabilities = ["read"]',
      '         }',
    ]);
  });

  it('shows where credentials go, never their values', () => {
    expect(lines).toContain('      credentials: password → file out/alice.json');
    expect(lines).toContain('      credentials: role_id + secret_id → file out/payments-prod.json');
    expect(lines).toContain('      password: (sensitive)');
  });

  it('a write-only value changed (known by its recorded hash) reads "(sensitive) changed"', () => {
    const secret = planWith([change('update', 'jwt-config', 'auth/oidc/config', 'differs from config', [f('oidc_client_secret', '(sensitive)', '(sensitive)', { sensitive: true })])]);
    expect(plain(secret).split('\n')).toContain('      oidc_client_secret: (sensitive) changed');
  });

  it('does not show noop changes', () => {
    expect(out).not.toContain('policies/ops-admin');
  });

  it('lists unmanaged objects with what to do about them', () => {
    const i = lines.indexOf('Unmanaged objects (left alone; add the collection to prune: to delete them):');
    expect(i).toBeGreaterThan(0);
    expect(lines.slice(i + 1, i + 3)).toEqual(['  ? auth/approle/roles/legacy', '  ? policies/legacy-ci']);
  });

  it('ends with the summary line', () => {
    expect(out.endsWith('\nPlan: 2 to create, 3 to update, 1 to delete.\n')).toBe(true);
  });

  it('has no ANSI codes without color', () => {
    expect(out).not.toContain(ESC);
  });

  it('says there is nothing to do for an empty plan', () => {
    expect(plain(emptyPlan)).toBe('No changes. Vault matches the configuration.\n');
  });

  it('still lists unmanaged objects when nothing changes', () => {
    const text = plain({ ...emptyPlan, unmanaged: [{ address: 'policies/x', kind: 'policy' }] });
    expect(text).toContain('  ? policies/x\n');
    expect(text.endsWith('No changes. Vault matches the configuration.\n')).toBe(true);
  });

  it('renders the same text from the JSON form of the plan', () => {
    const fromJson = JSON.parse(renderJson(fullPlan)) as Plan;
    expect(renderText(fromJson, { color: false })).toBe(out);
    expect(renderText(fromJson, { color: true })).toBe(renderText(fullPlan, { color: true }));
  });
});

describe('renderText with color', () => {
  const out = renderText(fullPlan, { color: true });
  const stripped = out.replace(new RegExp(`${ESC}\\[[0-9;]*m`, 'g'), '');

  it('is the plain text plus ANSI codes', () => {
    expect(out).toContain(ESC);
    expect(stripped).toBe(plain(fullPlan));
  });

  it('colors diff lines and action symbols', () => {
    expect(out).toContain(`${ESC}[31m-  capabilities = ["read", "list"]${ESC}[0m`);
    expect(out).toContain(`${ESC}[32m+  capabilities = ["read"]${ESC}[0m`);
    expect(out).toContain(`${ESC}[36m@@ -1,3 +1,3 @@${ESC}[0m`);
    expect(out).toContain(`${ESC}[31m-${ESC}[0m ${ESC}[31mpolicies/old-team${ESC}[0m`);
    expect(out).toContain(`${ESC}[32m+${ESC}[0m ${ESC}[32mauth/userpass/users/alice${ESC}[0m`);
  });
});

describe('renderText edge cases', () => {
  it('shows a multi-line value without a diff as a block of lines', () => {
    const policy = 'path "a" {\n  capabilities = ["read"]\n}\n';
    const plan = planWith([change('create', 'policy', 'policies/new', 'not in Vault', [f('policy', null, policy)])]);
    const lines = plain(plan).split('\n');
    const i = lines.indexOf('      policy:');
    expect(lines.slice(i + 1, i + 4)).toEqual(['        +path "a" {', '        +  capabilities = ["read"]', '        +}']);
  });

  it('shows deleted fields by their old value and survives unknown kinds', () => {
    const gone = change('delete', 'policy', 'future/thing', 'gone', [f('x', 1, null)]);
    const plan = planWith([{ ...gone, kind: 'future-kind' as Change['kind'] }]);
    const lines = plain(plan).split('\n');
    expect(lines).toContain('future-kind');
    expect(lines).toContain('  - future/thing');
    expect(lines).toContain('      x: 1');
  });

  it('neutralises terminal escapes in values read from Vault', () => {
    const plan = planWith([
      change('update', 'auth-mount', 'auth/evil\u001b[2J', 'differs\u001b]0;pwned\u0007', [f('description', 'a\u001b[31m', 'b')]),
    ]);
    const out = plain(plan);
    expect(out).not.toContain(ESC);
    expect(out).not.toContain('\u0007');
    expect(out).toContain('auth/evil\\u001b[2J');
  });
});
