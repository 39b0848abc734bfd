import { authCollectionKind, objectPath } from './auth-collection.js';
import { rule } from './support.js';

export const userpassUserKind = authCollectionKind({
  kind: 'userpass-user',
  title: 'Userpass users',
  authType: 'userpass',
  section: 'users',
  api: 'users',
  sensitiveFields: ['password'],
  objectAccess: (path) => ({ plan: [], apply: [rule(`${path}/password`, 'update')] }),
  credentials: {
    mode: 'password',
    label: 'password',
    async setPassword(ctx, obj, password) {
      await ctx.vault.write(`${objectPath('users', obj)}/password`, { password });
    },
  },
});
