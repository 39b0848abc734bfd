import { describe, expect, it } from 'vitest';
import { RetryPolicy } from '../../../../src/core/common/retry.js';

const policy = (budgetMs = 60_000, maxRetries = 2) => new RetryPolicy({ budgetMs, maxRetries, baseDelayMs: 100, maxDelayMs: 1000, random: () => 1 });

describe('RetryPolicy', () => {
  it('backs off exponentially up to the cap', () => {
    const p = policy(60_000, 10);
    expect([0, 1, 2, 3, 4, 5].map((a) => p.delay(a, 0, { kind: 'transient' }))).toEqual([100, 200, 400, 800, 1000, 1000]);
  });

  it('jitters between half and all of the backoff', () => {
    const low = new RetryPolicy({ budgetMs: 60_000, maxRetries: 5, baseDelayMs: 100, random: () => 0 });
    expect(low.delay(2, 0, { kind: 'transient' })).toBe(200);
  });

  it('waits at least what Retry-After asks', () => {
    expect(policy().delay(0, 0, { kind: 'throttled', retryAfterMs: 3000 })).toBe(3000);
  });

  it('retries a throttled request past maxRetries, as long as the budget lasts', () => {
    expect(policy(60_000, 2).delay(2, 0, { kind: 'transient' })).toBeUndefined();
    expect(policy(60_000, 2).delay(30, 10_000, { kind: 'throttled' })).toBe(1000);
  });

  it('gives up when the wait would overrun the budget, and never on a fatal failure', () => {
    expect(policy(5000).delay(0, 4950, { kind: 'throttled' })).toBeUndefined();
    expect(policy(5000).delay(0, 0, { kind: 'throttled', retryAfterMs: 6000 })).toBeUndefined();
    expect(policy().delay(0, 0, { kind: 'fatal' })).toBeUndefined();
    expect(policy(0).delay(0, 0, { kind: 'transient' })).toBeUndefined();
  });
});
