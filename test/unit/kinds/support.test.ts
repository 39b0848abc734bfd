// placedEntries: a kind's objects found where its placement says, with addresses and config paths.
import { describe, expect, it } from 'vitest';
import { loadFiles } from '../core/load-files.js';
import { KINDS } from '../../../src/kinds/registry.js';
import { placedEntries } from '../../../src/kinds/support.js';

const kind = (name: string) => KINDS.find((k) => k.name === name)!;

describe('placedEntries', () => {
  const { value: config } = loadFiles({
    'c.yaml': [
      'policies:',
      '  team/app: { policy: "path \\"x\\" { capabilities = [\\"read\\"] }" }',
      'secrets:',
      '  team/pki:',
      '    type: pki',
      '    urls: { issuing_certificates: [http://x] }',
      '    roles:',
      '      web: { ttl: 1h }',
      '      bare:',
      '  kv: { type: kv }',
    ].join('\n'),
  });

  it('root maps: a name may hold `/`, the collection is the key', () => {
    expect(placedEntries(config!, kind('policy'))).toEqual([
      expect.objectContaining({ name: 'team/app', address: 'policies/team/app', collection: 'policies', path: ['policies', 'team/app'] }),
    ]);
  });

  it('maps in mounts of the placement types only; a bare name is an empty object', () => {
    expect(placedEntries(config!, kind('pki-role'))).toEqual([
      { mount: 'team/pki', name: 'web', value: { ttl: '1h' }, path: ['secrets', 'team/pki', 'roles', 'web'], address: 'secrets/team/pki/roles/web', collection: 'secrets/team/pki/roles' },
      { mount: 'team/pki', name: 'bare', value: {}, path: ['secrets', 'team/pki', 'roles', 'bare'], address: 'secrets/team/pki/roles/bare', collection: 'secrets/team/pki/roles' },
    ]);
  });

  it('single objects in a mount are named by their key', () => {
    expect(placedEntries(config!, kind('pki-urls'))).toEqual([
      expect.objectContaining({ mount: 'team/pki', name: 'urls', address: 'secrets/team/pki/urls', collection: 'secrets/team/pki' }),
    ]);
    expect(placedEntries(config!, kind('pki-root-ca'))).toEqual([]);
  });

  it('desired objects carry the source position of their key', () => {
    const [role] = kind('pki-role').desired(config!);
    expect(role?.source).toMatchObject({ line: 8, col: 7 });
  });
});
