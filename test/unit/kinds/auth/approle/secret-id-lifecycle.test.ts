// The lifecycle table of docs/credentials.md ("One-time and wrapped secret_ids"), state by state,
// from the answers Vault and OpenBao give (shapes recorded from real servers: a secret_id entry's
// creation_time equals its last_updated_time until a login with finite uses updates it; an
// unwrapped or expired wrapping token looks up as 400; a used-up secret_id's accessor as 404).
import { describe, expect, it } from 'vitest';
import { VaultApiError } from '../../../../../src/core/errors.js';
import type { DesiredObject } from '../../../../../src/core/model.js';
import type { CredentialMeta, Json, VaultPort } from '../../../../../src/core/ports.js';
import { judgeSecretId } from '../../../../../src/kinds/auth/approle/secret-id-lifecycle.js';

const BASE = 'auth/approle/role/web';
const CREATED = '2026-12-06T08:00:00.000000000Z';
const HOUR = 3600_000;
const iso = (ms: number) => new Date(ms).toISOString();

interface Answers {
  /** The wrapping token still looks up. */
  wrapAlive?: boolean;
  /** The secret_id's entry, or undefined when Vault no longer has it. */
  entry?: { used: boolean; expiresInMs?: number };
}

/** Answers the three lookups judgeSecretId makes, the way Vault does; anything else is a test error. */
function vault(a: Answers): VaultPort {
  const entry = a.entry && {
    secret_id_accessor: 'acc-1',
    creation_time: CREATED,
    last_updated_time: a.entry.used ? '2026-12-06T08:00:05.000000000Z' : CREATED,
    expiration_time: a.entry.expiresInMs === undefined ? '0001-01-01T00:00:00Z' : iso(Date.now() + a.entry.expiresInMs),
    secret_id_num_uses: a.entry.used ? 0 : 1,
  };
  const write = async (path: string, data: Json = {}): Promise<Json | undefined> => {
    if (path === 'sys/wrapping/lookup') {
      if (a.wrapAlive) return { data: { creation_path: `${BASE}/secret-id`, creation_ttl: 300 } };
      throw new VaultApiError(400, 'wrapping token is not valid or does not exist', 'POST', path);
    }
    if (path === `${BASE}/secret-id-accessor/lookup`) {
      if (entry && data.secret_id_accessor === 'acc-1') return { data: entry };
      throw new VaultApiError(404, 'failed to find accessor entry for secret_id_accessor', 'POST', path);
    }
    if (path === `${BASE}/secret-id/lookup`) return entry ? { data: entry } : undefined;
    throw new Error(`unexpected POST ${path}`);
  };
  const unexpected = (what: string) => () => Promise.reject(new Error(`unexpected ${what}`));
  return { addr: 'http://vault.test', concurrency: 1, read: unexpected('read'), list: unexpected('list'), write, writeOnce: unexpected('writeOnce'), patch: unexpected('patch'), delete: unexpected('delete'), essential: (t) => t(vault(a)) };
}

const role = (uses: number): DesiredObject =>
  ({ address: 'auth/approle/roles/web', kind: 'approle-role', mount: 'approle', name: 'web', settings: { secret_id_num_uses: uses }, dependsOn: [] }) as unknown as DesiredObject;
const wrapped = (wrapExpiresInMs: number): CredentialMeta => ({ issuedAt: iso(Date.now()), accessor: 'acc-1', wrapExpiresAt: iso(Date.now() + wrapExpiresInMs) });
const plain: CredentialMeta = { issuedAt: CREATED, accessor: 'acc-1' };
const judge = (a: Answers, uses: number, meta: CredentialMeta) => judgeSecretId(vault(a), BASE, role(uses), 'the-delivered-value', meta);

describe('wrapped one-time secret_id', () => {
  it('wrapped, not yet unwrapped: in sync, with a note naming when the wrap expires', async () => {
    const meta = wrapped(5 * 60_000);
    const v = await judge({ wrapAlive: true, entry: { used: false, expiresInMs: HOUR } }, 1, meta);
    expect(v).toMatchObject({ valid: true, accessor: 'acc-1', note: `wrapped, not yet unwrapped (the wrapping token expires at ${meta.wrapExpiresAt})` });
  });

  it('used up by a login (secret_id gone): in sync, with a note pointing at rotate --select', async () => {
    const v = await judge({ wrapAlive: false }, 1, wrapped(5 * 60_000));
    expect(v).toEqual({ valid: true, accessor: 'acc-1', note: 'used up by a login (or expired and removed by Vault); `rotate --select auth/approle/roles/web` issues a fresh one' });
  });

  it('unwrapped before its wrap expired but never used: invalid, a security signal', async () => {
    const v = await judge({ wrapAlive: false, entry: { used: false, expiresInMs: HOUR } }, 1, wrapped(5 * 60_000));
    expect(v).toEqual({
      valid: false,
      security: true,
      reason: 'unwrapped, but its secret_id was never used to log in: the consumer failed, or someone else unwrapped it',
    });
  });

  it('wrap expired and secret_id never used: invalid, not a security signal', async () => {
    const v = await judge({ wrapAlive: false, entry: { used: false, expiresInMs: HOUR } }, 1, wrapped(-1000));
    expect(v).toEqual({ valid: false, reason: 'not used before its wrapping token expired (never unwrapped in time, or unwrapped and never used)' });
  });

  it('still wrapped but the secret_id destroyed behind vault-gitops: invalid', async () => {
    expect(await judge({ wrapAlive: true }, 1, wrapped(5 * 60_000))).toEqual({ valid: false, reason: 'the wrapped secret_id no longer exists in Vault' });
  });

  it('a secret_id with uses left after a login: in sync, like any delivered one', async () => {
    expect(await judge({ wrapAlive: false, entry: { used: true, expiresInMs: HOUR } }, 3, wrapped(5 * 60_000))).toEqual({ valid: true, accessor: 'acc-1', expiresAt: expect.any(String) });
  });
});

describe('wrapped reusable secret_id (no finite uses: logins leave no trace)', () => {
  it('unwrapped: in sync, saying what cannot be told', async () => {
    const v = await judge({ wrapAlive: false, entry: { used: false } }, 0, wrapped(-1000));
    expect(v).toMatchObject({ valid: true, note: 'unwrapped (or its wrapping token expired); its consumer holds the secret_id' });
  });

  it('gone from Vault: invalid, as for any reusable secret_id', async () => {
    expect(await judge({ wrapAlive: false }, 0, wrapped(5 * 60_000))).toEqual({ valid: false, reason: 'the delivered secret_id no longer exists in Vault' });
  });
});

describe('one-time secret_id delivered in the clear', () => {
  it('not used yet: in sync, like any delivered one (no note)', async () => {
    expect(await judge({ entry: { used: false, expiresInMs: HOUR } }, 1, plain)).toEqual({ valid: true, accessor: 'acc-1', expiresAt: expect.any(String) });
  });

  it('used up: in sync (the old behaviour re-issued it and drift cried wolf)', async () => {
    expect(await judge({}, 1, plain)).toMatchObject({ valid: true, accessor: 'acc-1', note: expect.stringMatching(/^used up by a login/) });
  });

  it('expired unused (still in Vault): invalid', async () => {
    expect(await judge({ entry: { used: false, expiresInMs: -1000 } }, 1, plain)).toMatchObject({ valid: false, reason: 'the delivered secret_id expired before it was used' });
  });

  it('used, then expired: in sync', async () => {
    expect(await judge({ entry: { used: true, expiresInMs: -1000 } }, 2, plain)).toMatchObject({ valid: true, note: 'used by a login, then expired' });
  });
});

describe('reusable secret_id delivered in the clear (unchanged)', () => {
  it('gone is stale, expired is stale, live is valid without a note', async () => {
    expect(await judge({}, 0, plain)).toEqual({ valid: false, reason: 'the delivered secret_id no longer exists in Vault' });
    expect(await judge({ entry: { used: false, expiresInMs: -1000 } }, 0, plain)).toMatchObject({ valid: false, reason: 'the delivered secret_id expired' });
    const live = await judge({ entry: { used: false, expiresInMs: HOUR } }, 0, plain);
    expect(live).toMatchObject({ valid: true, accessor: 'acc-1' });
    expect(live.note).toBeUndefined();
  });
});
