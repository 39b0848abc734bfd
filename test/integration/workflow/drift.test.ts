import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { DriftReport } from '../../../src/core/plan/drift.js';
import { cli, configDir, uniq } from '../helpers/cli.js';
import { vaultRequest } from '../helpers/vault-http.js';

const id = uniq('d');
const ar = `ar${id}`;
const pol = `web-${id}`;

const files = {
  'vault.yaml': `
policies:
  ${pol}:
    policy: |
      path "secret/data/web/*" { capabilities = ["read"] }
auth:
  ${ar}:
    type: approle
    roles:
      web:
        token_policies: [${pol}]
        token_ttl: 1h
        credentials: { file: { path: out/web.json } }
      api:
        token_ttl: 30m
prune: [auth/${ar}/roles]
`,
};

async function drift(dir: string, format = 'json') {
  const r = await cli(['drift', '-c', dir, '-o', format], { cwd: dir });
  return { ...r, report: format === 'json' && r.stdout ? (JSON.parse(r.stdout) as DriftReport) : undefined };
}

describe('drift detection against a live server', () => {
  it('exit 0 in sync; exit 2 with each class of finding; never writes', async () => {
    const dir = await configDir(files);
    expect((await cli(['apply', '-c', dir, '--auto-approve'], { cwd: dir })).code).toBe(0);
    const clean = await drift(dir);
    expect(clean.code, clean.stderr).toBe(0);
    expect(clean.report?.in_sync).toBe(true);

    await vaultRequest('POST', `sys/policies/acl/${pol}`, { policy: 'path "secret/*" { capabilities = ["read"] }' }); // changed
    await vaultRequest('DELETE', `auth/${ar}/role/api`); // missing
    await vaultRequest('POST', `auth/${ar}/role/stray`, { token_ttl: '1h' }); // unmanaged, in a pruned collection
    await rm(join(dir, 'out/web.json')); // credentials

    const d = await drift(dir);
    expect(d.code, d.stderr).toBe(2);
    expect(d.report?.summary).toEqual({ changed: 1, missing: 1, unmanaged: 1, credentials: 1, orphaned: 0, 'ca-bundles': 0 });
    expect(d.report?.findings.map((f) => [f.class, f.address])).toEqual([
      ['unmanaged', `auth/${ar}/roles/stray`],
      ['changed', `policies/${pol}`],
      ['missing', `auth/${ar}/roles/api`],
      ['credentials', `auth/${ar}/roles/web`],
    ]);
    const text = await drift(dir, 'text');
    expect(text.code).toBe(2);
    expect(text.stdout).toContain('Drift: 1 changed, 1 missing, 1 unmanaged, 1 credentials.');

    // drift is read only: the drift is still there afterwards.
    expect((await vaultRequest('GET', `auth/${ar}/role/stray`)).status).toBe(200);
    expect((await vaultRequest('GET', `auth/${ar}/role/api`)).status).toBe(404);
  });

  it('exit 1 with a clear message when Vault cannot be reached', async () => {
    const dir = await configDir(files);
    const r = await cli(['drift', '-c', dir], { cwd: dir, env: { VAULT_ADDR: 'http://127.0.0.1:1', VAULT_MAX_RETRIES: '0' } });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('cannot reach Vault');
  });
});
