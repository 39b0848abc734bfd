import { mountKind } from './mount.js';

export const authMountKind = mountKind({
  kind: 'auth-mount',
  title: 'Auth mounts',
  section: 'auth',
  api: 'sys/auth',
  system: new Set(['token']),
  sudo: true,
  loss: (path) => `disables auth/${path}/: deletes every role and user in it and revokes every token it issued`,
});
