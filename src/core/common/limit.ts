/**
 * A counting semaphore: at most `limit` tasks run at once. The limit adapts (AIMD): `throttled()`
 * halves it (at most once per `cooldownMs`, so one burst of 429s counts once), and every `limit`
 * successes after that add one back, up to the maximum it started with.
 */
export class Limiter {
  private active = 0;
  private limit: number;
  private successes = 0;
  private lastCut = -Infinity;
  private readonly waiting: Array<() => void> = [];

  constructor(
    private readonly max: number,
    private readonly now: () => number = () => Date.now(),
    private readonly cooldownMs = 1000,
  ) {
    this.limit = max;
  }

  /** Tasks allowed in flight right now. */
  get current(): number {
    return this.limit;
  }

  async run<T>(task: () => Promise<T>): Promise<T> {
    while (this.active >= this.limit) await new Promise<void>((resolve) => this.waiting.push(resolve));
    this.active++;
    try {
      return await task();
    } finally {
      this.active--;
      this.wake();
    }
  }

  throttled(): void {
    const t = this.now();
    if (t - this.lastCut < this.cooldownMs) return;
    this.lastCut = t;
    this.limit = Math.max(1, Math.floor(this.limit / 2));
    this.successes = 0;
  }

  succeeded(): void {
    if (this.limit >= this.max) return;
    if (++this.successes < this.limit) return;
    this.successes = 0;
    this.limit++;
    this.wake();
  }

  private wake(): void {
    for (let free = this.limit - this.active; free > 0 && this.waiting.length > 0; free--) this.waiting.shift()?.();
  }
}

/** Maps over items with at most `max` promises in flight; results keep the input order. */
export async function mapLimit<T, R>(items: readonly T[], max: number, fn: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i] as T, i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(max, items.length) }, worker));
  return results;
}
