import { describe, expect, it } from 'vitest';
import { TokenKeeper, VaultTokenError } from '../../../src/adapters/vault-token.js';
import { VaultApiError } from '../../../src/core/errors.js';

type Json = Record<string, unknown>;

/** Answers lookup-self / renew-self like Vault would for a token with `ttl` seconds left. */
function tokenCalls(state: { ttl: number; renewable: boolean; alive: boolean }) {
  const made: string[] = [];
  return {
    made,
    raw: async (method: string, path: string): Promise<Json | undefined> => {
      made.push(`${method} ${path}`);
      if (!state.alive) throw new VaultApiError(403, 'permission denied', method, path);
      if (path === 'auth/token/lookup-self') return { data: { ttl: state.ttl, renewable: state.renewable } };
      return { auth: { lease_duration: state.ttl, renewable: state.renewable } };
    },
  };
}

const denied = new VaultApiError(403, 'permission denied', 'GET', 'sys/mounts');

describe('TokenKeeper', () => {
  it('renews a renewable token once a third of its TTL is left', async () => {
    let now = 0;
    const calls = tokenCalls({ ttl: 30, renewable: true, alive: true });
    const k = new TokenKeeper(calls, () => now);
    await k.start();
    now = 15_000;
    await k.beforeRequest('sys/mounts');
    expect(calls.made).toEqual(['GET auth/token/lookup-self']);
    now = 21_000;
    await k.beforeRequest('sys/mounts');
    expect(calls.made).toEqual(['GET auth/token/lookup-self', 'POST auth/token/renew-self']);
    k.stop();
  });

  it('names an expired token after its known expiry', async () => {
    let now = 0;
    const state = { ttl: 5, renewable: false, alive: true };
    const k = new TokenKeeper(tokenCalls(state), () => now);
    await k.start();
    now = 6000;
    state.alive = false;
    const err = await k.classify(denied);
    expect(err).toBeInstanceOf(VaultTokenError);
    expect(err.message).toBe('the Vault token expired at 1970-01-01T00:00:05.000Z (Vault refused GET sys/mounts)');
    k.stop();
  });

  it('tells a dead token from a missing permission by looking it up', async () => {
    const state = { ttl: 0, renewable: false, alive: true };
    const k = new TokenKeeper(tokenCalls(state));
    await k.start();
    expect(await k.classify(denied)).toBe(denied);
    state.alive = false;
    expect((await k.classify(denied)).message).toMatch(/^the Vault token stopped working during the run/);
    expect(await k.classify(new VaultApiError(404, '', 'GET', 'x'))).toBeInstanceOf(VaultApiError);
  });
});
