// Wall-clock marks of one run's phases (milliseconds since the process started), written with the
// request counts to the benchmark's stats file (session.ts), so the bench can say where a run's time
// went: start-up, loading the config, logging in, reading Vault and planning, applying.
const marks: Record<string, number> = {};

export function mark(phase: string): void {
  marks[phase] = Math.round(performance.now());
}

export function phaseMarks(): Record<string, number> {
  return { ...marks, end: Math.round(performance.now()) };
}
