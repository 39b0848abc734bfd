// What core needs from the world, named by core. Adapters implement these (src/adapters/vault.ts is
// the VaultPort over HTTP); unit tests use in-memory ones. Nothing here imports an upper floor.

export type Json = Record<string, unknown>;

/**
 * Vault's HTTP API as core and the kinds use it. Paths are relative to /v1/ (no leading slash).
 * Errors are typed (src/core/errors.ts): an answer with an error status is a VaultApiError carrying
 * the status and Vault's own message; an unreachable server is a VaultConnectionError.
 */
export interface VaultPort {
  /** The server's address, for messages and plans (never a credential). */
  readonly addr: string;
  /** Requests the port runs at once at most: callers size their own work queues from it. */
  readonly concurrency: number;
  /** GET; `undefined` when Vault answers 404. */
  read(path: string): Promise<Json | undefined>;
  /** LIST; `[]` when the collection is empty (Vault answers 404). */
  list(path: string): Promise<string[]>;
  /** POST (Vault's create and update); the answer's body, if any. */
  write(path: string, data?: Json): Promise<Json | undefined>;
  delete(path: string): Promise<void>;
  /**
   * Runs `task` as essential (the state record and the lock): it must get through even while the
   * server throttles, so it is retried longer and does not queue behind other requests.
   */
  essential<T>(task: () => Promise<T>): Promise<T>;
}

/** Recorded GET answers by path (`null`: Vault answered 404), as a snapshot keeps them. */
export type Responses = Record<string, Json | null>;

/** A VaultPort that records every GET answer it sees (for `snapshot`). */
export interface RecordingVaultPort extends VaultPort {
  readonly responses: Responses;
}
