import { mountKind } from './mount.js';

export const secretsMountKind = mountKind({
  kind: 'secrets-mount',
  title: 'Secrets mounts',
  section: 'secrets',
  api: 'sys/mounts',
  system: new Set(['sys', 'cubbyhole', 'identity']),
  sudo: false,
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
