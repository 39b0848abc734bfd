import type { CredentialsSpec, KindName } from '../core/model.js';

/** Which object's credentials, and where they go. */
export interface CredentialTarget {
  address: string;
  kind: KindName;
  /** Auth mount path, e.g. `approle`. */
  mount: string;
  /** User or role name. */
  name: string;
  spec: CredentialsSpec;
  vaultAddr: string;
}

/** Secret values a sink delivers: `{username, password}` or `{role_id, secret_id}`. Never logged. */
export type CredentialValues = Record<string, string>;

/** Non-secret facts recorded beside the values (annotations in Kubernetes, a `vault_gitops` key in a file). */
export interface CredentialMeta {
  /** ISO time the credential was issued. */
  issuedAt: string;
  /** AppRole secret_id accessor (never the secret_id). */
  accessor?: string;
  /** True while a generated password is delivered but not yet confirmed set in Vault. */
  pending?: boolean;
  /** sha256 of the values, to detect edits. */
  hash?: string;
}

/** What is delivered now, without exposing values to callers that only plan. */
export interface DeliveredState {
  exists: boolean;
  /** Carries our ownership mark (Kubernetes label); files we wrote are always ours. */
  owned: boolean;
  meta?: CredentialMeta;
  /** For checks that need them (role_id equality, secret_id lookup). Never rendered. */
  values?: CredentialValues;
}

export interface CredentialSink {
  readonly type: 'file' | 'kubernetes';
  /** Human label without values: `file out/alice.json`, `secret payments/payments-vault-approle`. */
  describe(target: CredentialTarget): string;
  inspect(target: CredentialTarget): Promise<DeliveredState>;
  /** Writes values + meta (creating or replacing). Must refuse to replace something not ours unless adopt. */
  write(target: CredentialTarget, values: CredentialValues, meta: CredentialMeta): Promise<void>;
}
