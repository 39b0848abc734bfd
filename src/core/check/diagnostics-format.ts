import type { Diagnostic, SourcePos } from '../model.js';

const ESC = '\u001b[';
const paint = (on: boolean, code: string, s: string) => (on ? `${ESC}${code}m${s}${ESC}0m` : s);

/**
 * One diagnostic as a compiler-style line, plus an optional hint line:
 * `file:line:col: error: <path>: message` / `  hint: …`.
 */
export function formatDiagnostic(d: Diagnostic, opts: { color?: boolean } = {}): string {
  const color = opts.color === true;
  const where = d.pos ? `${d.pos.file}:${d.pos.line}:${d.pos.col}: ` : '';
  const sev = d.severity === 'error' ? paint(color, '1;31', 'error') : paint(color, '1;33', 'warning');
  const path = d.path ? `${paint(color, '1', d.path)}: ` : '';
  let out = `${paint(color, '1', where)}${sev}: ${path}${d.message}`;
  if (d.hint) out += `\n  ${paint(color, '36', 'hint')}: ${d.hint}`;
  return out;
}

/** Sorts diagnostics by file, line and column (those without a position first). */
export function sortDiagnostics(ds: Diagnostic[]): Diagnostic[] {
  return [...ds].sort((a, b) => comparePositions(a.pos, b.pos));
}

/** Source order: by file, line and column (no position first). */
export function comparePositions(a: SourcePos | undefined, b: SourcePos | undefined): number {
  if (!a || !b) return a ? 1 : b ? -1 : 0;
  return a.file.localeCompare(b.file) || a.line - b.line || a.col - b.col;
}
