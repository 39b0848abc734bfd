/** Where the CLI writes: stdout for results, stderr for diagnostics and progress. */
export interface Output {
  out(text: string): void;
  err(text: string): void;
  color: boolean;
  debug: boolean;
}

export function terminalOutput(opts: { color?: boolean; debug?: boolean }): Output {
  const color = opts.color !== false && !process.env.NO_COLOR && process.stdout.isTTY === true;
  return {
    out: (t) => process.stdout.write(t.endsWith('\n') ? t : t + '\n'),
    err: (t) => process.stderr.write(t.endsWith('\n') ? t : t + '\n'),
    color,
    debug: opts.debug === true,
  };
}
