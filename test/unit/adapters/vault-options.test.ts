import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadCaCerts, parseBool, resolveVaultOptions } from '../../../src/adapters/vault-options.js';
import { UsageError } from '../../../src/core/errors.js';

describe('resolveVaultOptions', () => {
  it('reads the vault CLI environment, and flags override it', () => {
    const env = {
      VAULT_ADDR: 'https://vault.example.com:8200/',
      VAULT_TOKEN: 'env-token',
      VAULT_NAMESPACE: 'team-a',
      VAULT_CACERT: '/ca.pem',
      VAULT_SKIP_VERIFY: 'false',
      VAULT_TLS_SERVER_NAME: 'vault.internal',
      VAULT_MAX_RETRIES: '5',
    };
    const o = resolveVaultOptions({}, env);
    expect(o).toMatchObject({
      addr: 'https://vault.example.com:8200',
      token: 'env-token',
      namespace: 'team-a',
      caCert: '/ca.pem',
      skipVerify: false,
      tlsServerName: 'vault.internal',
      maxRetries: 5,
      concurrency: 16,
      timeoutMs: 30000,
      connectTimeoutMs: 10000,
      maxResponseBytes: 32 * 1024 * 1024,
      retryBudgetMs: 180000,
    });
    const f = resolveVaultOptions({ vaultAddr: 'http://127.0.0.1:8200', namespace: 'b', maxRetries: '0', concurrency: '4', timeout: '5' }, env);
    expect(f).toMatchObject({ addr: 'http://127.0.0.1:8200', namespace: 'b', maxRetries: 0, concurrency: 4, timeoutMs: 5000 });
  });

  it('parses VAULT_SKIP_VERIFY as a boolean, so "false" keeps verification on', () => {
    expect(resolveVaultOptions({}, { VAULT_SKIP_VERIFY: 'false' }).skipVerify).toBe(false);
    expect(resolveVaultOptions({}, { VAULT_SKIP_VERIFY: '1' }).skipVerify).toBe(true);
    expect(resolveVaultOptions({}, { VAULT_SKIP_VERIFY: 'TRUE' }).skipVerify).toBe(true);
    expect(() => parseBool('VAULT_SKIP_VERIFY', 'maybe')).toThrow(UsageError);
  });

  it('rejects a bad address and bad counts with usage errors', () => {
    expect(() => resolveVaultOptions({ vaultAddr: 'vault:8200' }, {})).toThrow(/must start with http/);
    expect(() => resolveVaultOptions({ concurrency: '0' }, {})).toThrow(/whole number ≥ 1/);
    expect(() => resolveVaultOptions({}, { VAULT_MAX_RETRIES: 'x' })).toThrow(/VAULT_MAX_RETRIES/);
    expect(() => resolveVaultOptions({ retryBudget: 'soon' }, {})).toThrow(/--retry-budget "soon" is not a duration/);
  });

  it('reads the retry budget and response cap from flags or the environment', () => {
    expect(resolveVaultOptions({}, { VAULT_GITOPS_RETRY_BUDGET: '30s', VAULT_GITOPS_MAX_RESPONSE_MB: '2' })).toMatchObject({ retryBudgetMs: 30_000, maxResponseBytes: 2 * 1024 * 1024 });
    expect(resolveVaultOptions({ retryBudget: '5m', maxResponseMb: '1' }, { VAULT_GITOPS_RETRY_BUDGET: '30s' })).toMatchObject({ retryBudgetMs: 300_000, maxResponseBytes: 1024 * 1024 });
  });

  it('loads CA certificates from a file and a directory', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ca-'));
    writeFileSync(join(dir, 'a.pem'), 'A');
    writeFileSync(join(dir, 'b.crt'), 'B');
    writeFileSync(join(dir, 'notes.txt'), 'C');
    expect(loadCaCerts({ caPath: dir })?.sort()).toEqual(['A', 'B']);
    expect(loadCaCerts({ caCert: join(dir, 'a.pem') })).toEqual(['A']);
    expect(loadCaCerts({})).toBeUndefined();
    expect(() => loadCaCerts({ caCert: join(dir, 'missing.pem') })).toThrow(/cannot read CA certificate/);
  });
});
