/**
 * Keeps the run's token alive and names its death. At the start `auth/token/lookup-self` gives its
 * TTL and whether it is renewable; a renewable token is renewed (`renew-self`) once a third of its
 * TTL is left. A 403 after the token's known expiry, or one that lookup-self also gets, is reported
 * as "token expired" / "token no longer valid" instead of "lacks permission".
 */
import { UsageError, VaultApiError } from '../core/errors.js';

type Json = Record<string, unknown>;

/** The token can no longer be used: expired, revoked, or out of uses. */
export class VaultTokenError extends UsageError {
  constructor(message: string) {
    super(message, 'use a token that lives for the whole run (a longer TTL, or a renewable one), or log in with --auth approle|kubernetes|jwt; re-running converges from here');
    this.name = 'VaultTokenError';
  }
}

export interface TokenCalls {
  /** A request that bypasses the keeper (no renewal check, no 403 classification). */
  raw(method: string, path: string, data?: Json): Promise<Json | undefined>;
}

const TTL_ROUNDING_MS = 2000;
/** The token's own paths: they stay in the namespace it logged in to (see Vault.enterNamespace). */
export const SELF = /^auth\/token\/(lookup-self|renew-self|revoke-self)$/;

export class TokenKeeper {
  /** Epoch ms at which the token expires; undefined = never, or unknown. */
  private expiresAt?: number;
  private ttlMs = 0;
  private renewable = false;
  private renewing?: Promise<void>;
  private timer?: NodeJS.Timeout;
  /** lookup-self worked at least once: a later 403 on it means the token died during the run. */
  private wasAlive = false;

  constructor(
    private readonly calls: TokenCalls,
    private readonly now: () => number = () => Date.now(),
    private readonly debug: (line: string) => void = () => {},
  ) {}

  /** Reads the token's TTL. A token that may not look itself up is used as it is. */
  async start(): Promise<void> {
    let body: Json | undefined;
    try {
      body = await this.calls.raw('GET', 'auth/token/lookup-self');
    } catch (err) {
      if (err instanceof VaultApiError && err.status === 403) {
        this.debug('token: lookup-self refused (403); its TTL is unknown');
        return;
      }
      throw err;
    }
    this.wasAlive = true;
    const data = (body?.data ?? {}) as { ttl?: unknown; renewable?: unknown; expire_time?: unknown };
    this.track(typeof data.ttl === 'number' ? data.ttl : 0, data.renewable === true, typeof data.expire_time === 'string' ? Date.parse(data.expire_time) : undefined);
    this.debug(`token: TTL ${this.ttlMs / 1000}s${this.renewable ? ', renewable' : ''}`);
  }

  /** `expireTime` (lookup-self's expire_time) is exact; `ttl` is whole seconds, and 0 for a token that never expires. */
  private track(ttlSeconds: number, renewable: boolean, expireTime?: number): void {
    this.ttlMs = ttlSeconds * 1000;
    this.renewable = renewable;
    this.expiresAt = expireTime !== undefined && Number.isFinite(expireTime) ? expireTime : ttlSeconds > 0 ? this.now() + this.ttlMs : undefined;
    if (this.timer) clearTimeout(this.timer);
    if (this.expiresAt !== undefined && renewable) {
      // Renews an idle run's token too (waiting for a lock or for confirmation).
      this.timer = setTimeout(() => void this.renew().catch(() => undefined), Math.max(0, this.expiresAt - this.now() - this.renewWithin()));
      this.timer.unref();
    }
  }

  /** Before a request: renews a renewable token with a third or less of its TTL left. */
  async beforeRequest(path: string): Promise<void> {
    if (SELF.test(path) || !this.renewable || this.expiresAt === undefined) return;
    if (this.expiresAt - this.now() > this.renewWithin()) return;
    await this.renew().catch(() => undefined); // a failed renewal shows as the request's own error
  }

  /** Renew with a third of the TTL left, and never later than the TTL's rounding allows. */
  private renewWithin(): number {
    return Math.max(this.ttlMs / 3, TTL_ROUNDING_MS);
  }

    private renew(): Promise<void> {
    this.renewing ??= this.calls
      .raw('POST', 'auth/token/renew-self', {})
      .then((body) => {
        const auth = (body?.auth ?? {}) as { lease_duration?: unknown; renewable?: unknown };
        this.track(typeof auth.lease_duration === 'number' ? auth.lease_duration : 0, auth.renewable === true);
        this.debug(`token: renewed, TTL ${this.ttlMs / 1000}s`);
      })
      .finally(() => (this.renewing = undefined));
    return this.renewing;
  }

  /** What a 403 means: the token's death (a VaultTokenError), or really a missing permission (`err`). */
  async classify(err: VaultApiError): Promise<Error> {
    if (err.status !== 403 || SELF.test(err.path)) return err;
    const expired = () => new VaultTokenError(`the Vault token expired at ${new Date(this.expiresAt ?? 0).toISOString()} (Vault refused ${err.method} ${err.path})`);
    if (this.expiresAt !== undefined && this.now() >= this.expiresAt) return expired();
    try {
      await this.calls.raw('GET', 'auth/token/lookup-self');
      return err;
    } catch (lookupErr) {
      if (!(lookupErr instanceof VaultApiError && lookupErr.status === 403)) return err;
      // Vault reports the TTL in whole seconds: a token dead within that rounding of its expiry expired.
      if (this.expiresAt !== undefined && this.now() >= this.expiresAt - TTL_ROUNDING_MS) return expired();
      return new VaultTokenError(
        this.wasAlive
          ? `the Vault token stopped working during the run: it was revoked, reached its use limit or expired (Vault refused ${err.method} ${err.path})`
          : `Vault refused ${err.method} ${err.path} and the token cannot look itself up: it is expired, revoked or unknown to this Vault (or lacks the default policy)`,
      );
    }
  }

  stop(): void {
    if (this.timer) clearTimeout(this.timer);
  }
}
