import { formatDiagnostic } from '../core/check/diagnostics-format.js';
import {
  AccessReviewError,
  ApplyFailedError,
  ConfigError,
  EXIT_ACCESS,
  EXIT_ERROR,
  UsageError,
  VaultApiError,
  VaultConnectionError,
} from '../core/errors.js';
import type { Output } from './output.js';

/** The one place errors become messages and exit codes. User mistakes never show a stack trace. */
export function reportError(err: unknown, io: Output): number {
  if (err instanceof ConfigError) {
    for (const d of err.diagnostics) io.err(formatDiagnostic(d, { color: io.color }));
    const n = err.diagnostics.filter((d) => d.severity === 'error').length;
    io.err(`${n} error${n === 1 ? '' : 's'} in the configuration; ${err.afterRead ? 'nothing was written to Vault' : 'nothing was sent to Vault'}.`);
  } else if (err instanceof UsageError) {
    io.err(`error: ${err.message}${err.hint ? `\n  hint: ${err.hint}` : ''}`);
  } else if (err instanceof VaultApiError) {
    const hint =
      err.status === 403 ? '\n  hint: the token in use lacks permission for this path (check its policies, or the --auth role\'s)' : '';
    io.err(`error: Vault answered ${err.status} to ${err.method} ${err.path}: ${err.vaultMessage}${hint}`);
  } else if (err instanceof VaultConnectionError) {
    io.err(`error: ${err.message}\n  hint: check VAULT_ADDR and that Vault is running; for TLS, VAULT_CACERT`);
  } else if (err instanceof AccessReviewError) {
    io.err(`error: ${err.message}\n  hint: they are listed first in the plan, under "Access changes"; exit 3 is for a CI to ask for a second reviewer`);
    return EXIT_ACCESS;
  } else if (err instanceof ApplyFailedError) {
    io.err(`error: ${err.message}; fix the cause and run apply again (it converges from here)`);
  } else {
    const e = err instanceof Error ? err : new Error(String(err));
    io.err(`internal error: ${e.message}${io.debug ? `\n${e.stack ?? ''}` : '\n  (run with --debug for details; please report this)'}`);
  }
  if (io.debug && err instanceof Error && !(err instanceof ConfigError)) io.err(err.stack ?? '');
  return EXIT_ERROR;
}
