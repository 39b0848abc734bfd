// For the harness tests that scripts/check-server-death.sh drives: whether a process still exists,
// and the pids line the script reads before it SIGKILLs the test runner.

export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Prints `harness-check pids: name=pid …` (this worker included) and waits to be killed. */
export function waitToBeKilled(pids: Record<string, number>): Promise<never> {
  const list = Object.entries({ ...pids, worker: process.pid }).map(([name, pid]) => `${name}=${pid}`);
  console.log(`harness-check pids: ${list.join(' ')}`);
  return new Promise<never>(() => {}); // the script SIGKILLs vitest now
}
