import type { Kind } from './kind.js';
import { desiredObject, liveObject, listAndRead, rule } from './support.js';

/** Vault refuses to delete these, and `root` cannot be changed. */
export const PROTECTED_POLICIES = new Set(['root', 'default']);

/** Policy text compared as Vault stores it, ignoring line endings and trailing blank space. */
export function normalisePolicyText(text: string): string {
  return text.replace(/\r\n/g, '\n').replace(/[ \t]+$/gm, '').replace(/\s+$/, '') + '\n';
}

export const policyKind: Kind = {
  name: 'policy',
  title: 'ACL policies',
  builtIn: (obj) => PROTECTED_POLICIES.has(obj.name),
  phase: 1,
  sensitiveFields: [],
  securityFields: ['policy'],
  deletable: true,

  desired(config) {
    return Object.entries(config.policies).map(([name, p]) =>
      desiredObject(config, 'policy', `policies/${name}`, `policies.${name}`, {
        settings: { policy: p.policy },
        dependsOn: [],
      }, 'policies'),
    );
  },

  async readLive(vault) {
    const items = await listAndRead(vault, 'sys/policies/acl', (n) => `sys/policies/acl/${encodeURIComponent(n)}`);
    return items
      .filter((i) => i.name !== 'root')
      .map((i) => liveObject('policy', `policies/${i.name}`, { policy: normalisePolicyText(String(i.data.policy ?? '')) }, undefined, 'policies'));
  },

  normalise(settings) {
    return typeof settings.policy === 'string' ? { policy: normalisePolicyText(settings.policy) } : settings;
  },

  async create(ctx, obj) {
    await ctx.vault.write(`sys/policies/acl/${encodeURIComponent(obj.name)}`, { policy: obj.settings.policy });
  },

  async update(ctx, obj) {
    await ctx.vault.write(`sys/policies/acl/${encodeURIComponent(obj.name)}`, { policy: obj.settings.policy });
  },

  access(config) {
    return {
      plan: [rule('sys/policies/acl/*', 'read', 'list')],
      // A policy removed from the config (or pruned) is deleted, whatever its name.
      apply: [...Object.keys(config.policies).map((name) => rule(`sys/policies/acl/${name}`, 'create', 'update')), rule('sys/policies/acl/*', 'delete')],
    };
  },

  async delete(ctx, obj) {
    if (PROTECTED_POLICIES.has(obj.name)) return;
    await ctx.vault.delete(`sys/policies/acl/${encodeURIComponent(obj.name)}`);
  },
};
