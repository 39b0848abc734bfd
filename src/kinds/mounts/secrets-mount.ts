import { mountKind } from './mount.js';

export const secretsMountKind = mountKind({
  kind: 'secrets-mount',
  title: 'Secrets mounts',
  section: 'secrets',
  api: 'sys/mounts',
  system: new Set(['sys', 'cubbyhole', 'identity']),
  sudo: false,
  docs: {
    summary: 'A secrets engine mount (`sys/mounts`): its type, options, description and tune settings. The objects inside it (PKI roles, a KV v2 mount\'s settings, ...) are kinds of their own, declared under the same key. Secret values are never managed.',
    api: ['sys/mounts/MOUNT', 'sys/mounts/MOUNT/tune'],
    example: `secrets:
  secret:
    type: kv-v2
    description: application secrets
`,
    destroySamples: [{ type: 'kv' }, { type: 'pki' }, { type: 'transit' }, {}],
  },
  loss(path, type) {
    switch (type) {
      case 'kv':
      case 'generic':
        return `destroys all data stored under ${path}/ (every secret and all its versions)`;
      case 'pki':
        return `destroys the CA private key under ${path}/ and every certificate it issued`;
      case 'transit':
        return `destroys the encryption keys under ${path}/ (data they encrypted can no longer be decrypted)`;
      default:
        return `destroys all data stored under ${path}/ and revokes every lease it issued`;
    }
  },
});
