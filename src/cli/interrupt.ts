// SIGINT/SIGTERM for the commands that write (apply, rotate): handlers installed once, on the first
// registration. The first signal asks the run to stop (no new object is started; an in-flight
// credential step finishes), and the command's own `finally` releases the lock. If the run has not
// unwound within the budget, or a second signal comes, the registered clean-ups run (best effort,
// each capped) and the process exits with 128 + the signal's number.

const UNWIND_BUDGET_MS = 10_000;
const CLEANUP_BUDGET_MS = 3_000;
const SIGNAL_NUMBERS: Partial<Record<NodeJS.Signals, number>> = { SIGINT: 2, SIGTERM: 15 };

type Cleanup = () => Promise<void>;

const controller = new AbortController();
const cleanups = new Set<Cleanup>();
let installed = false;
let received: NodeJS.Signals | undefined;
let say: (line: string) => void = (line) => process.stderr.write(line + '\n');

/** Aborted once SIGINT or SIGTERM arrives: long work checks it before starting the next step. */
export const stopRequested: AbortSignal = controller.signal;

/** 128 + the signal's number when the run was interrupted, else undefined. */
export function interruptedExitCode(): number | undefined {
  return received ? 128 + (SIGNAL_NUMBERS[received] ?? 0) : undefined;
}

async function runCleanups(): Promise<void> {
  const capped = [...cleanups].map((c) =>
    Promise.race([c().catch(() => undefined), new Promise<void>((r) => setTimeout(r, CLEANUP_BUDGET_MS).unref())]),
  );
  await Promise.all(capped);
}

function exitNow(): void {
  void runCleanups().finally(() => process.exit(interruptedExitCode() ?? 1));
}

function onSignal(signal: NodeJS.Signals): void {
  if (received) {
    say(`${signal} again: cleaning up and exiting now`);
    exitNow();
    return;
  }
  received = signal;
  say(`${signal}: stopping — no new changes are started, the one in flight finishes, then the state lock is released (re-running converges from here)`);
  controller.abort();
  setTimeout(() => {
    say(`${signal}: the run did not stop within ${UNWIND_BUDGET_MS / 1000}s; releasing the state lock and exiting`);
    exitNow();
  }, UNWIND_BUDGET_MS).unref();
}

/**
 * Registers a clean-up (release the lock, revoke the login token) to run if the process must exit
 * before the command unwinds by itself. Returns the function that unregisters it.
 */
export function onInterrupt(cleanup: Cleanup, output?: (line: string) => void): () => void {
  if (output) say = output;
  if (!installed) {
    installed = true;
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  }
  cleanups.add(cleanup);
  return () => cleanups.delete(cleanup);
}
