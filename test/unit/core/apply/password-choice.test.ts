// Which password apply sets: one vault-gitops generates, or, when the credentials name a password
// policy, the one Vault generates by it. Either way it is delivered (pending) before Vault gets it.
import { describe, expect, it } from 'vitest';
import { applyPlan } from '../../../../src/core/apply/apply.js';
import type { Change, CredentialsSpec } from '../../../../src/core/model.js';
import type { CredentialSink, CredentialTarget } from '../../../../src/core/ports.js';
import { desired } from '../../fixtures/objects.js';
import { planWith } from '../../render/fixtures/plans.js';
import { MemoryVault } from '../memory-vault.js';
import { engineKind } from './engine-kind.js';

const ADDRESS = 'auth/up/users/bot';

async function run(credentials: CredentialsSpec, policyPassword?: (policy: string) => Promise<string>) {
  const steps: string[] = [];
  const kind = engineKind('userpass-user', 2, {
    create: async (_ctx, _obj, password) => void steps.push(`vault gets ${password}`),
    update: async () => undefined,
    delete: async () => undefined,
    credentials: { mode: 'password', label: 'password' },
  });
  const sink: CredentialSink = {
    type: 'file',
    describe: () => 'memory',
    inspect: async () => ({ exists: false, owned: false }),
    write: async (_t, values, meta) => void steps.push(`sink gets ${values.password}${meta.pending ? ' (pending)' : ''}`),
  };
  const obj = desired('userpass-user', ADDRESS, {}, { credentials });
  const target: CredentialTarget = { address: ADDRESS, kind: 'userpass-user', mount: 'up', name: 'bot', spec: credentials, vaultAddr: 'http://vault.memory:8200' };
  const change: Change = { address: ADDRESS, kind: 'userpass-user', action: 'create', reason: 'r', fields: [], security: false };
  const results = await applyPlan(planWith([change]), {
    vault: new MemoryVault(),
    sinks: { target: () => target, for: async () => [sink] },
    generatePassword: () => 'local-password',
    ...(policyPassword ? { policyPassword } : {}),
    kinds: [kind],
    desired: [obj],
    live: [],
    credentialChecks: {},
  });
  return { steps, results };
}

describe('the password apply sets', () => {
  it('is generated here without a password_policy', async () => {
    const { steps } = await run({ file: { path: 'bot.json' } }, async () => 'from-vault');
    expect(steps).toEqual(['sink gets local-password (pending)', 'vault gets local-password', 'sink gets local-password']);
  });

  it("is Vault's, by the named policy, with one: delivered first all the same", async () => {
    const asked: string[] = [];
    const { steps } = await run({ file: { path: 'bot.json' }, password_policy: 'strong' }, async (p) => (asked.push(p), 'from-vault'));
    expect(asked).toEqual(['strong']);
    expect(steps).toEqual(['sink gets from-vault (pending)', 'vault gets from-vault', 'sink gets from-vault']);
  });

  it('when Vault cannot generate one, the object fails and nothing is delivered or written', async () => {
    const { steps, results } = await run({ file: { path: 'bot.json' }, password_policy: 'gone' }, async () => {
      throw new Error('HTTP 400: policy does not exist');
    });
    expect(steps).toEqual([]);
    expect(results.map((r) => [r.ok, r.error])).toEqual([[false, expect.stringContaining('policy does not exist')]]);
    const without = await run({ file: { path: 'bot.json' }, password_policy: 'strong' });
    expect(without.steps).toEqual([]);
    expect(without.results[0]!.ok).toBe(false);
  });
});
