// What core needs from the world, named by core. Adapters implement these (src/adapters/vault.ts is
// the VaultPort over HTTP, src/credentials/sinks.ts the SinksPort); unit tests use in-memory ones.

import type { CredentialsSpec, DesiredObject, KindName, PasswordPolicy } from './model.js';

export type Json = Record<string, unknown>;

/**
 * Vault's HTTP API as core and the kinds use it. Paths are relative to /v1/ (no leading slash).
 * Errors are typed (src/core/errors.ts): an answer with an error status is a VaultApiError carrying
 * the status and Vault's own message; an unreachable server is a VaultConnectionError.
 */
export interface VaultPort {
  /** The server's address, for messages and plans (never a credential). */
  readonly addr: string;
  /** The namespace its requests go to (`team-a/apps`); absent or '' for the root namespace. */
  readonly namespace?: string;
  /** Requests the port runs at once at most: callers size their own work queues from it. */
  readonly concurrency: number;
  /** GET; `undefined` when Vault answers 404. */
  read(path: string): Promise<Json | undefined>;
  /** LIST; `[]` when the collection is empty (Vault answers 404). */
  list(path: string): Promise<string[]>;
  /** POST (Vault's create and update); the answer's body, if any. */
  write(path: string, data?: Json): Promise<Json | undefined>;
  /**
   * POST a write that must not be sent twice: a create Vault would carry out again (a second root CA)
   * or refuse ("already in use"), a check-and-set write. When an attempt fails without saying whether
   * Vault did the work (its 500 after the work, when it cannot audit the answer; a proxy's 502/504; an
   * answer cut off), `done` is asked before any retry: when it finds the write made, it is not sent
   * again and the answer is `undefined`.
   */
  writeOnce(path: string, data: Json, done: () => Promise<boolean>): Promise<Json | undefined>;
  /**
   * PATCH with a JSON merge patch (RFC 7396, sent as `application/merge-patch+json`, the content type
   * Vault and OpenBao require): a field left out is kept, a field set to `null` is removed.
   */
  patch(path: string, data: Json): Promise<Json | undefined>;
  delete(path: string): Promise<void>;
  /**
   * POST asking Vault to wrap the answer (X-Vault-Wrap-TTL): the caller gets only `wrap_info`, never
   * the wrapped data. Optional: a port that cannot wrap leaves it out.
   */
  wrap?(path: string, data: Json, ttlSeconds: number): Promise<WrapInfo>;
  /**
   * Runs `task` with a port whose requests are essential (the state record and the lock): they must
   * get through even while the server throttles, so they are retried longer and do not queue behind
   * other requests.
   */
  essential<T>(task: (vault: VaultPort) => Promise<T>): Promise<T>;
}

/** Vault's `wrap_info`; `token` is a secret (it unwraps once), the rest is not. */
export interface WrapInfo {
  token: string;
  accessor?: string;
  ttl: number;
  creation_time: string;
  creation_path?: string;
  /** The wrapped object's own accessor, e.g. an AppRole secret_id's. */
  wrapped_accessor?: string;
}

/** Recorded GET answers by path (`null`: Vault answered 404), as a snapshot keeps them. */
export type Responses = Record<string, Json | null>;

/** A VaultPort that records every GET answer it sees (for `snapshot`). */
export interface RecordingVaultPort extends VaultPort {
  readonly responses: Responses;
}

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
  /** The namespace the object is in (`team-a`), absent in the root: the marker names it, for the consumer's login. */
  vaultNamespace?: string;
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
  /** Set when the secret_id was delivered wrapped: when its wrapping token expires (ISO). */
  wrapExpiresAt?: string;
}

/** What is delivered now, without exposing values to callers that only plan. */
export interface DeliveredState {
  exists: boolean;
  /** Carries our ownership mark (a file's marker, a Secret's label, an object's metadata). */
  owned: boolean;
  /**
   * Exists without our mark and the sink says `adopt: true`: the next apply takes it over with new
   * credentials. What it holds is never read (no `values`, no `meta`): we cannot vouch for it.
   */
  adopting?: true;
  meta?: CredentialMeta;
  /** For checks that need them (role_id equality, secret_id lookup). Never rendered. */
  values?: CredentialValues;
}

/** One place credentials are delivered to (a file, a Kubernetes Secret). */
export interface CredentialSink {
  readonly type: 'file' | 'kubernetes' | 's3';
  /** Human label without values: `file out/alice.json`, `secret payments/payments-vault-approle`. */
  describe(target: CredentialTarget): string;
  inspect(target: CredentialTarget): Promise<DeliveredState>;
  /**
   * Throws what would make creating the destination fail that `inspect` cannot see when it finds
   * nothing there (a Kubernetes namespace that does not exist). Optional: a sink whose `inspect`
   * already meets every such problem leaves it out.
   */
  checkCreatable?(target: CredentialTarget): Promise<void>;
  /** Writes values + meta (creating or replacing). Must refuse to replace something not ours unless adopt. */
  write(target: CredentialTarget, values: CredentialValues, meta: CredentialMeta): Promise<void>;
}

/** The credential sinks a run delivers to (src/credentials/sinks.ts). */
export interface SinksPort {
  /** Where the object's credentials go; undefined when it declares no sink. */
  target(obj: DesiredObject): CredentialTarget | undefined;
  /** Every sink the credentials go to (a config may name both a file and a Secret). */
  for(spec: CredentialsSpec): Promise<CredentialSink[]>;
}

/** Makes a password from the default policy with the given overrides applied in order. */
export type PasswordGenerator = (...overrides: Array<Partial<PasswordPolicy> | undefined>) => string;
