// Progress of long runs on stderr (stdout stays the plan): a live bar on a terminal, a line every
// few seconds otherwise (CI logs), with done/total and the rate. Small runs show none.

/** Runs with fewer objects than this finish before progress would help. */
export const PROGRESS_MIN_TOTAL = 300;
const TTY_INTERVAL_MS = 100;
const LOG_INTERVAL_MS = 5_000;
const BAR = 24;

// Not toLocaleString: loading ICU's number formatting costs more than the progress itself.
const count = (n: number) => String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ',');

/** One progress line: `plan: reading Vault [#####…] 4,120/10,000 objects, 820/s`. */
export function progressLine(what: string, unit: string, done: number, total: number, elapsedMs: number, bar: boolean): string {
  const shown = Math.min(done, total);
  const rate = elapsedMs > 0 ? Math.round((shown * 1000) / elapsedMs) : 0;
  const filled = total > 0 ? Math.round((shown / total) * BAR) : BAR;
  const gauge = bar ? ` [${'#'.repeat(filled)}${'.'.repeat(BAR - filled)}]` : '';
  return `${what}${gauge} ${count(shown)}/${count(total)} ${unit}, ${count(rate)}/s`;
}

export interface ProgressSink {
  write(text: string): void;
  isTTY: boolean;
}

export interface Progress {
  /** Prints the final line (done = total) and stops. */
  finish(): void;
  /** Stops without a final line (the run failed; its error says why). */
  stop(): void;
}

/**
 * Reports `done()` against `total` until finished. `done` is polled (requests the Vault client made
 * since the start), so nothing in the engine knows about progress.
 */
export function startProgress(what: string, unit: string, total: number, done: () => number, sink: ProgressSink = process.stderr, now = () => Date.now()): Progress {
  if (total < PROGRESS_MIN_TOTAL) return { finish() {}, stop() {} };
  const started = now();
  let printed = false;
  const show = (final: boolean) => {
    const line = progressLine(what, unit, final ? total : done(), total, now() - started, sink.isTTY);
    if (sink.isTTY) sink.write(`\r${line}\x1b[K${final ? '\n' : ''}`);
    else sink.write(`${line}\n`);
    printed = true;
  };
  const timer = setInterval(() => show(false), sink.isTTY ? TTY_INTERVAL_MS : LOG_INTERVAL_MS);
  timer.unref();
  return {
    finish() {
      clearInterval(timer);
      show(true);
    },
    stop() {
      clearInterval(timer);
      if (printed && sink.isTTY) sink.write('\n');
    },
  };
}

/** Runs `task` with progress; the final line only when it succeeded. */
export async function withProgress<T>(what: string, unit: string, total: number, done: () => number, task: () => Promise<T>): Promise<T> {
  const progress = startProgress(what, unit, total, done);
  try {
    const result = await task();
    progress.finish();
    return result;
  } catch (err) {
    progress.stop();
    throw err;
  }
}
