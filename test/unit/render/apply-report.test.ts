import { describe, expect, it } from 'vitest';
import { renderApplyReport, type ApplyResult } from '../../../src/render/apply-report.js';

const ESC = '\u001b';

const results: ApplyResult[] = [
  { address: 'policies/x', kind: 'policy', action: 'create', ok: true },
  { address: 'policies/old', kind: 'policy', action: 'delete', ok: true },
  {
    address: 'auth/userpass/users/alice',
    kind: 'userpass-user',
    action: 'create',
    ok: true,
    credentials: ['password → file out/alice.json'],
  },
  { address: 'auth/approle/roles/y', kind: 'approle-role', action: 'update', ok: false, error: '400 Bad Request: invalid token_ttl' },
  { address: 'auth/approle/roles/z', kind: 'approle-role', action: 'create', ok: false, error: 'first line\nsecond line' },
];

describe('renderApplyReport', () => {
  const out = renderApplyReport(results, { color: false });

  it('has one line per object and a closing count', () => {
    expect(out).toBe(
      [
        '✓ created policies/x',
        '✓ deleted policies/old',
        '✓ created auth/userpass/users/alice',
        '    credentials: password → file out/alice.json',
        '✗ auth/approle/roles/y: 400 Bad Request: invalid token_ttl',
        '✗ auth/approle/roles/z: first line',
        '    second line',
        'Apply complete: 3 succeeded, 2 failed.',
        '',
      ].join('\n'),
    );
  });

  it('has no ANSI codes without color, and colors marks with it', () => {
    expect(out).not.toContain(ESC);
    const colored = renderApplyReport(results, { color: true });
    expect(colored).toContain(`${ESC}[32m✓${ESC}[0m created policies/x`);
    expect(colored).toContain(`${ESC}[31m✗${ESC}[0m auth/approle/roles/y: `);
    expect(colored).toContain(`${ESC}[31mApply complete: 3 succeeded, 2 failed.${ESC}[0m`);
  });

  it('reports an empty apply and a failure without an error text', () => {
    expect(renderApplyReport([], { color: false })).toBe('Apply complete: 0 succeeded, 0 failed.\n');
    const r = renderApplyReport([{ address: 'policies/p', kind: 'policy', action: 'update', ok: false }], { color: false });
    expect(r).toBe('✗ policies/p: failed\nApply complete: 0 succeeded, 1 failed.\n');
  });

  it('neutralises terminal escapes in Vault error text', () => {
    const r = renderApplyReport([{ address: 'policies/p', kind: 'policy', action: 'update', ok: false, error: 'bad\u001b[2J' }], { color: false });
    expect(r).not.toContain(ESC);
    expect(r).toContain('bad\\u001b[2J');
  });
});
