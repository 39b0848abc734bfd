// Kills a test file's own servers (PostgreSQL, the S3 gateway) however its process ends: on exit,
// and when the runner that started this vitest worker is gone (a SIGKILLed runner leaves its forks
// running until their test times out, so the worker goes as soon as its parent changes).
const running = new Set<() => void>();
let installed = false;

/** Registers a synchronous kill; returns the function that unregisters it (after a clean stop). */
export function killOnExit(kill: () => void): () => void {
  if (!installed) {
    installed = true;
    process.on('exit', () => {
      for (const k of running) k();
    });
    const parent = process.ppid;
    setInterval(() => {
      if (process.ppid !== parent) for (const k of running) k();
    }, 1000).unref();
  }
  running.add(kill);
  return () => running.delete(kill);
}
