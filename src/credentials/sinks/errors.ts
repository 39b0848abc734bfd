/**
 * Why a Secret could not be read or written:
 * - `unreachable`: no answer from the API server (connection refused, TLS, DNS, timeout)
 * - `unauthorized`: the API server rejected the credentials (401)
 * - `forbidden`: RBAC denies the verb on secrets in that namespace (403)
 * - `not-owned`: the Secret exists without our managed-by label and `adopt` is not set
 * - `conflict`: someone else changed the Secret's data between our read and our write
 * - `config`: no usable kubeconfig / context
 * - `api`: any other API error (invalid, immutable Secret, server error)
 */
export type KubernetesErrorCode = 'unreachable' | 'unauthorized' | 'forbidden' | 'not-owned' | 'conflict' | 'config' | 'api';

/**
 * A failure delivering credentials to one Kubernetes Secret. The message is one line, starts with
 * `secret NAMESPACE/NAME:` and never carries credential values.
 */
export class KubernetesError extends Error {
  constructor(
    public readonly code: KubernetesErrorCode,
    /** `namespace/name`; empty when no Secret is involved yet (loading the kubeconfig). */
    public readonly secret: string,
    detail: string,
    /** HTTP status when the API server answered. */
    public readonly status?: number,
    public readonly hint?: string,
  ) {
    super(`${secret ? `secret ${secret}` : 'kubernetes'}: ${detail}${hint ? ` — ${hint}` : ''}`);
    this.name = 'KubernetesError';
  }
}

/**
 * Why an S3 object could not be read or written:
 * - `not-allowed`: the destination is not on VAULT_GITOPS_S3_ALLOW
 * - `not-owned`: the object exists without our metadata and `adopt` is not set
 * - `foreign`: the object cannot be a credential (too large)
 * - `conflict`: someone else changed the object between our read and our write (or during it)
 * - `forbidden`: the AWS identity may not do it (401/403)
 * - `credentials`: the standard AWS chain found no credentials
 * - `unreachable`: no answer from the endpoint
 * - `config`: a setting is missing or wrong (region, format)
 * - `api`: any other answer
 */
export type S3ErrorCode = 'not-allowed' | 'not-owned' | 'foreign' | 'conflict' | 'forbidden' | 'credentials' | 'unreachable' | 'config' | 'api';

/** A failure delivering credentials to one S3 object. One line, starts with `s3://BUCKET/KEY:`, never a value. */
export class S3SinkError extends Error {
  constructor(
    public readonly code: S3ErrorCode,
    /** `s3://bucket/key` */
    public readonly object: string,
    detail: string,
    public readonly hint?: string,
  ) {
    super(`${object}: ${detail}${hint ? ` — ${hint}` : ''}`);
    this.name = 'S3SinkError';
  }
}

/** Removes any credential value (and its base64 form, when given) from a server's message. */
export function redactValues(message: string, values: string[]): string {
  let out = message;
  for (const v of values) if (v.length >= 4) out = out.split(v).join('(redacted)');
  return out;
}
