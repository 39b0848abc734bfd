import { describe, expect, it } from 'vitest';
import { VaultApiError } from '../../../../src/core/errors.js';
import { whileKvUpgrading } from '../../../../src/core/common/kv-upgrade.js';

const upgrading = () => new VaultApiError(400, 'Upgrading from non-versioned to versioned data. This backend will be unavailable for a brief period and will resume service shortly.', 'POST', 'kv/config');

/** A clock that moves only when the helper sleeps; `op` fails with `errors` in turn, then answers "ok". */
function scripted(errors: Error[]) {
  let t = 0;
  const calls: number[] = [];
  const op = async () => {
    calls.push(t);
    const e = errors.shift();
    if (e) throw e;
    return 'ok';
  };
  return { op, calls, clock: { now: () => t, sleep: async (ms: number) => void (t += ms) } };
}

describe('whileKvUpgrading', () => {
  it('asks again while the mount answers "upgrading", then returns the answer', async () => {
    const s = scripted([upgrading(), upgrading(), upgrading()]);
    await expect(whileKvUpgrading(s.op, s.clock)).resolves.toBe('ok');
    expect(s.calls).toEqual([0, 250, 500, 750]);
  });

  it('gives up with Vault\'s own error once the wait is spent', async () => {
    const s = scripted(Array.from({ length: 100 }, upgrading));
    await expect(whileKvUpgrading(s.op, { ...s.clock, waitMs: 1000 })).rejects.toThrow('HTTP 400: Upgrading from non-versioned');
    expect(s.calls).toEqual([0, 250, 500, 750, 1000]);
  });

  it('never repeats any other failure (a permission error, a 400 about something else)', async () => {
    for (const err of [new VaultApiError(403, 'permission denied', 'POST', 'kv/config'), new VaultApiError(400, 'check-and-set parameter did not match', 'POST', 'kv/data/x')]) {
      const s = scripted([err]);
      await expect(whileKvUpgrading(s.op, s.clock)).rejects.toBe(err);
      expect(s.calls).toEqual([0]);
    }
  });
});
