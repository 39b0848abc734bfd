import { mountKind } from './mount.js';

export const authMountKind = mountKind({
  kind: 'auth-mount',
  title: 'Auth mounts',
  section: 'auth',
  api: 'sys/auth',
  system: new Set(['token']),
  sudo: true,
  loss: (path) => `disables auth/${path}/: deletes every role and user in it and revokes every token it issued`,
  docs: {
    summary: 'An auth method mount (`sys/auth`): its type, description and tune settings. The objects inside it (users, roles, its config) are kinds of their own, declared under the same key.',
    api: ['sys/auth/MOUNT', 'sys/auth/MOUNT/tune'],
    example: `auth:
  approle:
    type: approle
    description: machines log in here
    tune:
      default_lease_ttl: 1h
      max_lease_ttl: 24h
`,
  },
});
