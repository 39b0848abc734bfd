/**
 * The one retry policy: exponential backoff with jitter, at least what `Retry-After` asks, all inside
 * a total time budget per request. A throttled request (429) is retried for as long as the budget
 * lasts; other transient failures (5xx, a lost connection) at most `maxRetries` times.
 */
export type Failure =
  /** Vault (or its rate-limit quota) said "slow down". */
  | { kind: 'throttled'; retryAfterMs?: number }
  /** Worth another try: 5xx, a lost connection, a check-and-set race Vault reports as 412. */
  | { kind: 'transient'; retryAfterMs?: number }
  | { kind: 'fatal' };

export interface RetryPolicyOptions {
  /** Total time for one request, its retries and waits included. */
  budgetMs: number;
  maxRetries: number;
  baseDelayMs?: number;
  maxDelayMs?: number;
  random?: () => number;
}

export const DEFAULT_RETRY_BUDGET_MS = 3 * 60_000;

export class RetryPolicy {
  constructor(readonly options: RetryPolicyOptions) {}

  /** Milliseconds to wait before attempt `attempt + 1` (attempts count from 0), or undefined: give up. */
  delay(attempt: number, elapsedMs: number, failure: Failure): number | undefined {
    if (failure.kind === 'fatal') return undefined;
    if (failure.kind === 'transient' && attempt >= this.options.maxRetries) return undefined;
    const base = this.options.baseDelayMs ?? 250;
    const cap = this.options.maxDelayMs ?? 10_000;
    const backoff = Math.min(cap, base * 2 ** Math.min(attempt, 20));
    // "Equal jitter": half fixed, half random, so retries of many requests spread out but still back off.
    const jittered = backoff / 2 + (this.options.random ?? Math.random)() * (backoff / 2);
    const wait = Math.max(jittered, failure.retryAfterMs ?? 0);
    return elapsedMs + wait > this.options.budgetMs ? undefined : Math.round(wait);
  }
}
