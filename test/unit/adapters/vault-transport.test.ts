import { describe, expect, it } from 'vitest';
import { parseRetryAfter, vaultAnswer, VaultStatusError, VaultTransportError } from '../../../src/adapters/vault-transport.js';

const ex = (path: string) => ({ method: 'GET', url: new URL(`http://vault.test:8200/v1/${path}`) });
const answer = (status: number, body: unknown, headers: Record<string, string> = {}) => ({ status, body, headers });

describe('vaultAnswer', () => {
  it('accepts Vault-shaped answers and empty 204s', () => {
    expect(vaultAnswer(ex('sys/mounts'), answer(200, { request_id: 'r', data: {} }))).toEqual({ request_id: 'r', data: {} });
    expect(vaultAnswer(ex('sys/policies/acl/x'), answer(204, undefined))).toBeUndefined();
    expect(vaultAnswer(ex('sys/health'), answer(200, { initialized: true }))).toEqual({ initialized: true });
  });

  it('refuses answers that are not Vault\'s, naming the URL and never the body', () => {
    for (const body of [undefined, ['a'], 'text', { data: { keys: [] } }]) {
      let caught: unknown;
      try {
        vaultAnswer(ex('sys/mounts'), answer(200, body));
      } catch (err) {
        caught = err;
      }
      expect(caught).toBeInstanceOf(VaultTransportError);
      expect((caught as Error).message).toContain('GET http://vault.test:8200/v1/sys/mounts');
      expect((caught as Error).message).not.toContain('keys');
    }
    expect(() => vaultAnswer(ex('sys/policy'), answer(404, undefined))).toThrow(/404 without Vault's error list/);
  });

  it('turns error statuses into VaultStatusError with Vault\'s messages and Retry-After', () => {
    let caught: unknown;
    try {
      vaultAnswer(ex('kv/data/x'), answer(429, { errors: ['request path "kv/data/x": rate limit quota exceeded'] }, { 'retry-after': '2' }));
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(VaultStatusError);
    expect(caught).toMatchObject({ status: 429, retryAfterMs: 2000, path: 'kv/data/x' });
  });

  it("takes a 404 in Vault's response envelope (request_id, data.error) as Vault's not-found", () => {
    const body = { request_id: 'r', data: { error: 'failed to find accessor entry for secret_id_accessor: "a"' } };
    expect(() => vaultAnswer(ex('auth/approle/role/x/secret-id-accessor/lookup'), answer(404, body))).toThrow(VaultStatusError);
    expect(() => vaultAnswer(ex('auth/approle/role/x/secret-id-accessor/lookup'), answer(404, body))).toThrow(/failed to find accessor entry/);
    expect(() => vaultAnswer(ex('sys/policy'), answer(404, { data: { error: 'x' } }))).toThrow(/404 without Vault's error list/);
  });
});

describe('parseRetryAfter', () => {
  it('reads seconds and HTTP dates', () => {
    expect(parseRetryAfter('3')).toBe(3000);
    expect(parseRetryAfter(new Date(10_000).toUTCString(), 4000)).toBe(6000);
    expect(parseRetryAfter('soon')).toBeUndefined();
    expect(parseRetryAfter(undefined)).toBeUndefined();
  });
});
