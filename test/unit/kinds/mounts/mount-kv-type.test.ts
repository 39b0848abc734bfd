import { describe, expect, it } from 'vitest';
import { canonicalMountType } from '../../../../src/kinds/mounts/mount-kv-type.js';
import { secretsMountKind } from '../../../../src/kinds/mounts/secrets-mount.js';

describe('canonicalMountType: KV aliases compare as Vault reports them', () => {
  it('kv-v2 and kv-v1 become kv with a string version option, other options kept', () => {
    expect(canonicalMountType({ type: 'kv-v2', description: 'd' })).toEqual({ type: 'kv', description: 'd', options: { version: '2' } });
    expect(canonicalMountType({ type: 'kv-v1', options: { extra: 'x' } })).toEqual({ type: 'kv', options: { extra: 'x', version: '1' } });
  });

  it('the alias wins over a contradicting options.version (Vault overrides it on enable)', () => {
    expect(canonicalMountType({ type: 'kv-v2', options: { version: 1 } })).toEqual({ type: 'kv', options: { version: '2' } });
  });

  it('numeric and boolean option values read back as strings; other types untouched', () => {
    expect(canonicalMountType({ type: 'kv', options: { version: 2, flag: true } })).toEqual({ type: 'kv', options: { version: '2', flag: 'true' } });
    expect(canonicalMountType({ type: 'transit' })).toEqual({ type: 'transit' });
    expect(canonicalMountType({ type: 'kv', options: null })).toEqual({ type: 'kv', options: null });
  });

  it('the mount kind normalises a declared kv-v2 and the live kv + version "2" to the same settings', () => {
    const live = { type: 'kv', options: { version: '2' }, 'tune.max_lease_ttl': 0 };
    expect(secretsMountKind.normalise({ type: 'kv-v2', 'tune.max_lease_ttl': '0s' })).toEqual(secretsMountKind.normalise(live));
  });
});
