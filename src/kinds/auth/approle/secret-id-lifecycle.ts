// What a delivered AppRole secret_id is now, told from Vault without ever seeing a wrapped one:
// waiting in its wrapping token, unwrapped, used up by logins, or expired. The states and what plan,
// drift and apply make of them are documented in docs/credentials.md ("One-time and wrapped secret_ids").
import type { CredentialVerdict } from '../../../core/kind.js';
import type { CredentialMeta, VaultPort as Vault } from '../../../core/ports.js';
import type { DesiredObject } from '../../../core/model.js';
import { VaultApiError } from '../../../core/errors.js';

/** Marks the secret_ids this tool issues, so it can find (and destroy) its own undelivered ones. */
export const ISSUED_KEY = 'issued_by';
export const ISSUED_VALUE = 'vault-gitops';
export const ISSUED_MARK = JSON.stringify({ [ISSUED_KEY]: ISSUED_VALUE });

/** A secret_id's entry as Vault's lookups answer it (never the secret_id itself). */
interface SecretIdEntry {
  metadata?: Record<string, string>;
  secret_id_accessor?: string;
  secret_id_num_uses?: number;
  expiration_time?: string;
  creation_time?: string;
  last_updated_time?: string;
}

/** A secret_id's entry by accessor, or 'gone' when Vault definitely does not know it (404, or no entry). */
export async function lookupAccessor(vault: Vault, base: string, accessor: string): Promise<SecretIdEntry | 'gone'> {
  try {
    const found = (await vault.write(`${base}/secret-id-accessor/lookup`, { secret_id_accessor: accessor }))?.data as SecretIdEntry | undefined;
    return found ?? 'gone';
  } catch (err) {
    if (err instanceof VaultApiError && err.status === 404) return 'gone';
    throw err;
  }
}

/**
 * The role's live secret_ids by accessor, and whether this tool issued each (its mark in the
 * metadata); `known` (the delivered one, already checked) is left out without a lookup.
 */
export async function liveSecretIds(vault: Vault, base: string, known?: string): Promise<Array<{ accessor: string; ours: boolean }>> {
  const others = (await vault.list(`${base}/secret-id`)).filter((a) => a !== known);
  const found = await Promise.all(
    others.map(async (accessor) => {
      const entry = await lookupAccessor(vault, base, accessor);
      return entry === 'gone' ? undefined : { accessor, ours: entry.metadata?.[ISSUED_KEY] === ISSUED_VALUE };
    }),
  );
  return found.filter((s): s is { accessor: string; ours: boolean } => s !== undefined);
}

/** `credentials.wrap_ttl` in seconds, or undefined when the secret_id is delivered in the clear (also for 0, as Vault takes it). */
export function wrapSeconds(holder: Pick<DesiredObject, 'credentials'>): number | undefined {
  return holder.credentials?.wrap_ttl || undefined;
}

/** Issues a secret_id wrapped: Vault answers with the wrapping token and the secret_id's accessor only. */
export async function issueWrapped(vault: Vault, base: string, obj: DesiredObject, ttl: number): Promise<{ token: string; accessor: string; expiresAt: string }> {
  if (!vault.wrap) throw new Error(`${obj.address}: this connection to Vault cannot ask for response wrapping`);
  const info = await vault.wrap(`${base}/secret-id`, { metadata: ISSUED_MARK }, ttl);
  if (!info.wrapped_accessor) {
    // Without the accessor the secret_id could never be verified, rotated or destroyed by name: refuse to deliver it.
    throw new Error(`Vault wrapped the secret_id of ${obj.address} without naming its accessor (wrap_info.wrapped_accessor)`);
  }
  const expiresAt = new Date(Date.parse(info.creation_time) + info.ttl * 1000).toISOString();
  return { token: info.token, accessor: info.wrapped_accessor, expiresAt };
}

/** Uses a secret_id of this role may have (0 = unlimited): "one-time" when it is finite. */
function finiteUses(obj: DesiredObject): boolean {
  const n = Number(obj.settings.secret_id_num_uses ?? 0);
  return Number.isFinite(n) && n > 0;
}

/** Whether the wrapping token is still there to unwrap (a lookup does not use it up). */
async function wrapAlive(vault: Vault, token: string): Promise<boolean> {
  try {
    await vault.write('sys/wrapping/lookup', { token });
    return true;
  } catch (err) {
    // Vault and OpenBao answer 400 for a token that was unwrapped, expired or never existed.
    if (err instanceof VaultApiError && (err.status === 400 || err.status === 404)) return false;
    throw err;
  }
}

function expiry(entry: SecretIdEntry): string | undefined {
  const exp = entry.expiration_time;
  return exp && !exp.startsWith('0001-01-01') ? exp : undefined;
}

/** Never used to log in: a login with a secret_id of finite uses updates its entry. */
function unused(entry: SecretIdEntry): boolean {
  return entry.creation_time !== undefined && entry.creation_time === entry.last_updated_time;
}

const usedUp = (obj: DesiredObject) => `used up by a login (or expired and removed by Vault); \`rotate --select ${obj.address}\` issues a fresh one`;

/**
 * The delivered secret_id's state (`secret` is the secret_id, or the wrapping token when `meta`
 * records a wrap). A one-time secret_id (finite `secret_id_num_uses`) that is gone was used, not
 * lost: that is in sync (a note), so a nightly drift job stays quiet after its consumer logged in.
 */
export async function judgeSecretId(vault: Vault, base: string, obj: DesiredObject, secret: string, meta: CredentialMeta | undefined): Promise<CredentialVerdict> {
  const oneTime = finiteUses(obj);
  const now = Date.now();
  if (!meta?.wrapExpiresAt) {
    const entry = (await vault.write(`${base}/secret-id/lookup`, { secret_id: secret }))?.data as SecretIdEntry | undefined;
    if (!entry) return oneTime ? { valid: true, accessor: meta?.accessor, note: usedUp(obj) } : { valid: false, reason: 'the delivered secret_id no longer exists in Vault' };
    const expiresAt = expiry(entry);
    const accessor = entry.secret_id_accessor;
    if (expiresAt && Date.parse(expiresAt) <= now) {
      if (oneTime && !unused(entry)) return { valid: true, accessor, note: 'used by a login, then expired' };
      return { valid: false, reason: oneTime ? 'the delivered secret_id expired before it was used' : 'the delivered secret_id expired', expiresAt };
    }
    return { valid: true, expiresAt, accessor };
  }

  const accessor = meta.accessor;
  if (!accessor) return { valid: false, reason: 'the wrapped secret_id has no accessor on record' };
  const waiting = await wrapAlive(vault, secret);
  const entry = await lookupAccessor(vault, base, accessor);
  if (entry === 'gone') {
    if (waiting) return { valid: false, reason: 'the wrapped secret_id no longer exists in Vault' };
    return oneTime ? { valid: true, accessor, note: usedUp(obj) } : { valid: false, reason: 'the delivered secret_id no longer exists in Vault' };
  }
  const expiresAt = expiry(entry);
  const expired = expiresAt !== undefined && Date.parse(expiresAt) <= now;
  if (waiting) {
    if (expired) return { valid: false, reason: 'the wrapped secret_id expired before it was unwrapped', expiresAt };
    return { valid: true, expiresAt, accessor, note: `wrapped, not yet unwrapped (the wrapping token expires at ${meta.wrapExpiresAt})` };
  }
  if (!oneTime) {
    // A reusable secret_id does not record its logins: unwrapped (or its wrap expired) is all Vault can say.
    if (expired) return { valid: false, reason: 'the delivered secret_id expired', expiresAt };
    return { valid: true, expiresAt, accessor, note: 'unwrapped (or its wrapping token expired); its consumer holds the secret_id' };
  }
  if (!unused(entry)) return { valid: true, expiresAt, accessor, ...(expired ? { note: 'used by a login, then expired' } : {}) };
  if (expired || Date.parse(meta.wrapExpiresAt) <= now) {
    return { valid: false, reason: 'not used before its wrapping token expired (never unwrapped in time, or unwrapped and never used)' };
  }
  return {
    valid: false,
    security: true,
    reason: 'unwrapped, but its secret_id was never used to log in: the consumer failed, or someone else unwrapped it',
  };
}
