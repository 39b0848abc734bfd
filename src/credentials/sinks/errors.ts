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
