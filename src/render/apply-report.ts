// The per-object report printed after an apply. The apply engine produces ApplyResults; this only
// shows them, in the order given (the order the engine ran them).

import type { ApplyResult } from '../core/apply/apply.js';

export type { ApplyResult };
import { ACTION_DONE, painter, sanitize } from './common.js';


export interface ApplyReportOptions {
  color: boolean;
}

/**
 * `✓ created policies/x`, `✗ auth/approle/roles/y: <error>`, credential lines under the object, and
 * `Apply complete: N succeeded, M failed.`
 */
export function renderApplyReport(results: readonly ApplyResult[], opts: ApplyReportOptions): string {
  const paint = painter(opts.color);
  const out: string[] = [];
  let succeeded = 0;
  let failed = 0;
  for (const r of results) {
    const address = sanitize(r.address);
    if (r.ok) {
      succeeded++;
      out.push(`${paint('green', '✓')} ${ACTION_DONE[r.action]} ${address}`);
    } else {
      failed++;
      const [first = 'failed', ...rest] = sanitize(r.error ?? 'failed', true).split('\n');
      out.push(`${paint('red', '✗')} ${address}: ${paint('red', first)}`);
      for (const line of rest) out.push(`    ${line}`);
    }
    for (const c of r.credentials ?? []) out.push(`    credentials: ${sanitize(c)}`);
  }
  const summary = `Apply complete: ${succeeded} succeeded, ${failed} failed.`;
  out.push(failed > 0 ? paint('red', summary) : paint('green', summary));
  return out.join('\n') + '\n';
}
