import { describe, expect, it } from 'vitest';
import { decideCopy, namespaceMatches, planCopies, publishEntries, type LiveCopy, type PublishEntry } from '../../../../src/core/plan/ca-bundles.js';
import { loadFiles } from '../load-files.js';

const entry = (over: Partial<PublishEntry> = {}): PublishEntry => ({
  address: 'secrets/pki/publish/ca',
  mount: 'pki',
  entry: 'ca',
  target: 'configmap',
  name: 'company-ca',
  key: 'ca.crt',
  labels: {},
  annotations: {},
  namespaces: { all: true, exclude: ['kube-system'] },
  sources: [],
  adopt: false,
  ...over,
});

const ours = (namespace: string, value = 'PEM'): LiveCopy => ({
  namespace,
  name: 'company-ca',
  managed: true,
  owner: 'secrets/pki/publish/ca',
  value,
  labels: { 'app.kubernetes.io/managed-by': 'vault-gitops' },
  annotations: { 'vault-gitops.io/object': 'secrets/pki/publish/ca' },
});

const ns = (name: string, labels: Record<string, string> = {}) => ({ name, labels });

describe('publish config', () => {
  it('reads entries with defaults from a pki mount', () => {
    const r = loadFiles({
      'c.yaml': `
secrets:
  pki:
    type: pki
    publish:
      ca: { namespaces: { selector: { ca: "yes" }, exclude: [kube-system] } }
  pki-next:
    type: pki
    publish:
      bundle: { target: secret, name: ca-bundle, key: bundle.pem, namespaces: { names: [a, b] }, sources: [pki] }
`,
    });
    expect(r.errors).toEqual([]);
    const entries = publishEntries(r.value!);
    expect(entries.map((e) => [e.address, e.target, e.name, e.key, e.sources])).toEqual([
      ['secrets/pki/publish/ca', 'configmap', 'ca', 'ca.crt', []],
      ['secrets/pki-next/publish/bundle', 'secret', 'ca-bundle', 'bundle.pem', ['pki']],
    ]);
    expect(entries[0]?.source).toMatchObject({ line: 6 });
    // Not a mount setting: never sent to Vault with the mount's tune.
    expect(r.value!.secrets.pki?.settings).toEqual({});
  });

  it('refuses what would let a pull request reach objects or names it must not, with positions', () => {
    const r = loadFiles({
      'c.yaml': `
secrets:
  pki:
    type: pki
    publish:
      ca:
        name: Not_A_Name
        key: "a/b"
        labels: { app.kubernetes.io/managed-by: me }
        annotations: { vault-gitops.io/object: secrets/other/publish/x }
        namespaces: { all: true, names: [a] }
        sources: [kv, pki]
      kube-root-ca.crt: { adopt: true, namespaces: { all: true } }
  kv:
    type: kv
    publish: { x: { namespaces: { all: true } } }
`,
    });
    const lines = r.errors.map((e) => `${e.pos?.line}: ${e.message}`);
    expect(lines).toEqual(
      expect.arrayContaining([
        '7: "Not_A_Name" is not a valid Kubernetes object name',
        '8: "a/b" is not a valid ConfigMap/Secret key',
        '9: "app.kubernetes.io/managed-by" is set by vault-gitops itself (it marks the copies it owns)',
        '10: "vault-gitops.io/object" is set by vault-gitops itself (it marks the copies it owns)',
        '11: choose namespaces one way, not by names and all',
        '12: "kv" is not a pki mount of this config',
        '12: "pki" is this mount itself; its CA is always in the bundle',
        '13: "kube-root-ca.crt" starts with "kube-", which Kubernetes reserves for its own objects',
        '16: only pki mounts have `publish` in vault-gitops',
      ]),
    );
  });
});

describe('publish targets a pull request aims outside their place', () => {
  it('a traversing object name, data key or namespace is refused at its position', () => {
    const r = loadFiles({
      'c.yaml': [
        'secrets:',
        '  pki:',
        '    type: pki',
        '    publish:',
        '      ca:',
        '        name: "../../secrets/x"',
        '        key: "../ca.crt"',
        '        namespaces: { names: ["..", "kube-system/../x"], exclude: ["%2e%2e"] }',
        '      "..": { namespaces: { all: true } }',
      ].join('\n'),
    });
    expect(r.errors.map((e) => `${e.pos?.line}:${e.pos?.col} ${e.message}`)).toEqual([
      '6:9 "../../secrets/x" is not a valid Kubernetes object name',
      '7:9 "../ca.crt" is not a valid ConfigMap/Secret key',
      '8:31 ".." is not a valid namespace name',
      '8:37 "kube-system/../x" is not a valid namespace name',
      '8:68 "%2e%2e" is not a valid namespace name',
      '9:7 ".." is not a valid Kubernetes object name',
    ]);
  });
});

describe('namespace selection', () => {
  it('chooses by names, selector or all; exclude always wins', () => {
    expect(namespaceMatches({ all: true, exclude: ['kube-system'] }, ns('kube-system'))).toBe(false);
    expect(namespaceMatches({ all: true, exclude: [] }, ns('x'))).toBe(true);
    expect(namespaceMatches({ names: ['a'], exclude: [] }, ns('b'))).toBe(false);
    expect(namespaceMatches({ selector: { ca: 'yes', tier: 'web' }, exclude: [] }, ns('a', { ca: 'yes' }))).toBe(false);
    expect(namespaceMatches({ selector: { ca: 'yes' }, exclude: [] }, ns('a', { ca: 'yes', other: 'x' }))).toBe(true);
    expect(namespaceMatches({ exclude: [] }, ns('a'))).toBe(false);
  });
});

describe('deciding one copy', () => {
  it('creates, updates a stale copy, and leaves a right one alone', () => {
    expect(decideCopy(entry(), ns('a'), 'PEM', undefined)?.action).toBe('create');
    expect(decideCopy(entry(), ns('a'), 'NEW', ours('a'))).toMatchObject({ action: 'update', reason: 'the CA bundle changed' });
    expect(decideCopy(entry(), ns('a'), 'PEM', ours('a'))).toBeUndefined();
    expect(decideCopy(entry({ labels: { team: 'x' } }), ns('a'), 'PEM', ours('a'))).toMatchObject({ action: 'update', reason: 'labels changed' });
  });

  it('before the CA exists, plans copies without comparing them', () => {
    expect(decideCopy(entry(), ns('a'), undefined, undefined)).toMatchObject({ action: 'create', reason: 'publish once the CA exists' });
    expect(decideCopy(entry(), ns('a'), undefined, ours('a'))).toBeUndefined();
  });

  it('never touches an object it does not own unless adopted, nor another entry\'s', () => {
    const foreign: LiveCopy = { namespace: 'a', name: 'company-ca', managed: false, labels: {}, annotations: {}, value: 'theirs' };
    expect(decideCopy(entry(), ns('a'), 'PEM', foreign)?.action).toBe('refused');
    expect(decideCopy(entry({ adopt: true }), ns('a'), 'PEM', foreign)).toMatchObject({ action: 'update', reason: 'adopt: taken over' });
    const otherEntry = { ...ours('a'), owner: 'secrets/other/publish/ca' };
    expect(decideCopy(entry({ adopt: true }), ns('a'), 'PEM', otherEntry)?.action).toBe('refused');
    // Not ours and the namespace does not match: not even reported.
    expect(decideCopy(entry(), ns('kube-system'), 'PEM', foreign)).toBeUndefined();
    const tls: LiveCopy = { ...ours('a'), type: 'kubernetes.io/tls' };
    expect(decideCopy(entry({ target: 'secret' }), ns('a'), 'PEM', tls)?.action).toBe('refused');
  });

  it('removes our copy from a namespace that stops matching, only ours', () => {
    const changes = planCopies(entry({ namespaces: { names: ['a'], exclude: [] } }), 'PEM', [ns('a'), ns('b'), ns('c')], [
      ours('a'),
      ours('b'),
      { namespace: 'c', name: 'company-ca', managed: false, labels: {}, annotations: {} },
    ]);
    expect(changes).toEqual([{ address: 'secrets/pki/publish/ca', namespace: 'b', object: 'configmap/company-ca', action: 'delete', reason: 'the namespace no longer matches' }]);
    expect(decideCopy(entry(), { ...ns('a'), terminating: true }, 'PEM', ours('a'))).toBeUndefined();
    const adopted = { ...ours('b'), annotations: { ...ours('b').annotations, 'vault-gitops.io/adopted': 'true' } };
    expect(decideCopy(entry({ namespaces: { names: ['a'], exclude: [] } }), ns('b'), 'PEM', adopted)?.reason).toBe(
      'the namespace no longer matches (adopted: only our key and marks are removed, the object stays)',
    );
  });
});
