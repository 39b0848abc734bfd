// What the credential check makes of each sink's state: a destination adopted from someone else is
// taken over (its contents never trusted), whichever sink it is; one not adopted is refused.
import { describe, expect, it } from 'vitest';
import { checkCredentials } from '../../../../src/core/plan/credential-status.js';
import type { CredentialsSpec } from '../../../../src/core/model.js';
import type { CredentialSink, CredentialTarget, DeliveredState } from '../../../../src/core/ports.js';
import { desired } from '../../fixtures/objects.js';
import { MemoryVault } from '../memory-vault.js';
import { engineKind } from '../apply/engine-kind.js';

const ADDRESS = 'auth/ar/roles/web';
const OURS: DeliveredState = { exists: true, owned: true, values: { role_id: 'r', secret_id: 's' }, meta: { issuedAt: '2026-12-01T00:00:00.000Z', accessor: 'ours' } };

function sink(type: CredentialSink['type'], state: DeliveredState): CredentialSink {
  return { type, describe: () => `${type} web`, inspect: async () => state, write: async () => undefined };
}

async function check(states: Array<[CredentialSink['type'], DeliveredState]>, unissued: string[] = []) {
  const verified: string[] = [];
  const kind = engineKind('approle-role', 3, {
    create: async () => undefined,
    update: async () => undefined,
    delete: async () => undefined,
    credentials: {
      mode: 'secret-id',
      label: 'role_id + secret_id',
      verify: async (_vault, _obj, values) => {
        verified.push(values.secret_id ?? '');
        return { valid: true, accessor: 'ours' };
      },
      orphans: async () => [],
      unissued: async () => unissued,
    },
  });
  const spec: CredentialsSpec = { file: { path: 'web.json' } };
  const target: CredentialTarget = { address: ADDRESS, kind: 'approle-role', mount: 'ar', name: 'web', spec, vaultAddr: 'http://vault.memory:8200' };
  const sinks = states.map(([type, state]) => sink(type, state));
  const result = await checkCredentials(new MemoryVault(), { target: () => target, for: async () => sinks }, kind, desired('approle-role', ADDRESS, {}, { credentials: spec }), Date.now());
  return { status: result?.status, verified };
}

describe('an adopted destination', () => {
  it.each(['file', 'kubernetes', 's3'] as const)('%s: is taken over with new credentials; what it holds is never checked against Vault', async (type) => {
    const { status, verified } = await check([[type, { exists: true, owned: false, adopting: true }]]);
    expect(status).toEqual({ state: 'adopt', reason: 'adopting (not written by vault-gitops) → will issue new credentials' });
    expect(verified).toEqual([]);
  });

  it('beside destinations of ours, is named', async () => {
    const { status } = await check([
      ['file', OURS],
      ['kubernetes', { exists: true, owned: false, adopting: true }],
    ]);
    expect(status).toMatchObject({ state: 'adopt', reason: 'adopting kubernetes web (not written by vault-gitops) → will issue new credentials' });
  });

  it('says so when live credentials vault-gitops did not issue stay valid (never destroyed: someone may hold a copy)', async () => {
    expect((await check([['file', { exists: true, owned: false, adopting: true }]], ['hand-made'])).status).toEqual({
      state: 'adopt',
      reason: 'adopting (not written by vault-gitops) → will issue new credentials; 1 other live credential, not issued by vault-gitops, stays valid (left alone: destroy it once no consumer holds it)',
    });
    expect((await check([['s3', { exists: true, owned: false, adopting: true }]], ['a', 'b'])).status).toMatchObject({
      reason: expect.stringContaining('; 2 other live credentials, not issued by vault-gitops, stay valid (left alone: destroy them once no consumer holds them)'),
    });
  });
});

describe('a foreign destination not adopted', () => {
  it('is refused, whichever sink, even beside an adopted one', async () => {
    expect((await check([['s3', { exists: true, owned: false }]])).status?.state).toBe('not-owned');
    const mixed = await check([
      ['file', { exists: true, owned: false, adopting: true }],
      ['kubernetes', { exists: true, owned: false }],
    ]);
    expect(mixed.status?.state).toBe('not-owned');
  });

  it('once taken over (ours), is checked as any delivered copy', async () => {
    const { status, verified } = await check([['file', OURS]], ['hand-made']);
    expect(status).toEqual({ state: 'ok' });
    expect(verified).toEqual(['s']);
  });
});
