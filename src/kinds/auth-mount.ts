import { mountKind } from './mount.js';

export const authMountKind = mountKind({
  kind: 'auth-mount',
  title: 'Auth mounts',
  section: 'auth',
  api: 'sys/auth',
  system: new Set(['token']),
  sudo: true,
});
