import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';

describe('loading the Vault adapter', () => {
  it('loads node-vault without axios, follow-redirects or form-data (never used: requests go through our transport)', async () => {
    await import('../../../src/adapters/vault.js');
    const cache = createRequire(import.meta.url).cache;
    const loaded = Object.keys(cache);
    expect(loaded.some((p) => /node_modules\/node-vault\//.test(p))).toBe(true);
    expect(loaded.filter((p) => /node_modules\/(follow-redirects|form-data)\//.test(p))).toEqual([]);
    // axios's place in the cache holds the stand-in, never axios itself.
    const axios = loaded.filter((p) => /node_modules\/axios\//.test(p)).map((p) => cache[p]?.exports as Record<string, unknown>);
    expect(axios.filter((e) => e.VERSION !== undefined || typeof e.get === 'function')).toEqual([]);
    expect(() => (axios[0] as { create(): unknown }).create()).toThrow(/injected transport/);
  });
});
