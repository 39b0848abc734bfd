import { mountKind } from './mount.js';

export const secretsMountKind = mountKind({
  kind: 'secrets-mount',
  title: 'Secrets mounts',
  section: 'secrets',
  api: 'sys/mounts',
  system: new Set(['sys', 'cubbyhole', 'identity']),
  sudo: false,
});
