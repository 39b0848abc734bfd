import type { Diagnostic } from './model.js';

/** Exit codes (Terraform's convention for --detailed-exitcode). */
export const EXIT_OK = 0;
export const EXIT_ERROR = 1;
export const EXIT_CHANGES = 2;
/** `plan --fail-on`: the plan has the access changes named (a second reviewer is wanted). */
export const EXIT_ACCESS = 3;

/** A mistake in the user's config or command line: shown without a stack trace, exit 1. */
export class ConfigError extends Error {
  constructor(
    public readonly diagnostics: Diagnostic[],
    message = diagnostics.map((d) => d.message).join('; '),
    /** Found after reading Vault (plan time): then Vault was read, but nothing was written. */
    public readonly afterRead = false,
  ) {
    super(message);
    this.name = 'ConfigError';
  }
}

/** A usage mistake without a source position (bad flag value, missing file). */
export class UsageError extends Error {
  constructor(message: string, public readonly hint?: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/** Vault answered with an error. `message` is Vault's own error text. */
export class VaultApiError extends Error {
  constructor(
    public readonly status: number,
    public readonly vaultMessage: string,
    public readonly method: string,
    public readonly path: string,
  ) {
    super(`${method} ${path}: HTTP ${status}: ${vaultMessage}`);
    this.name = 'VaultApiError';
  }
}

/** Could not reach Vault at all (connection refused, TLS failure, timeout). */
export class VaultConnectionError extends Error {
  constructor(message: string, public readonly path: string) {
    super(message);
    this.name = 'VaultConnectionError';
  }
}

/** Applying some objects failed; the others were applied. */
export class ApplyFailedError extends Error {
  constructor(public readonly failed: number, public readonly total: number) {
    super(`${failed} of ${total} changes failed`);
    this.name = 'ApplyFailedError';
  }
}

/** `plan --fail-on privileged|access` found such changes; the plan itself was printed. */
export class AccessReviewError extends Error {
  constructor(public readonly findings: number, public readonly level: 'privileged' | 'access') {
    super(`the plan has ${findings} ${level === 'privileged' ? 'privileged access' : 'access'} finding${findings === 1 ? '' : 's'} (--fail-on ${level})`);
    this.name = 'AccessReviewError';
  }
}

/** A bug in vault-gitops itself. */
export class InternalError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'InternalError';
  }
}

export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
