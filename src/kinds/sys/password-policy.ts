import { Type } from 'typebox';
import { genericName, object } from '../shared/fields.js';
import type { Config } from '../../core/model.js';
import { isFullScope } from '../shared/full-scope.js';
import type { Kind } from '../kind.js';
import { checkGenericName, listAndRead, liveObject, placedEntries, placedObject, rule } from '../shared/support.js';
import { normalisePolicyText } from './policy.js';
import { checkPasswordPolicyHcl } from './password-policy-hcl.js';

const schema = object(
  { policy: Type.String({ minLength: 1, description: 'The policy text (HCL): `length` and `rule "charset"` blocks.' }) },
  { required: ['policy'], description: 'A password policy (sys/policies/password/<name>).' },
);

const apiPath = (name: string) => `sys/policies/password/${encodeURIComponent(name)}`;

/**
 * Password policies: the rules Vault generates passwords by (database credentials, a connection's
 * root rotation). The HCL is checked offline; a write replaces the policy.
 */
export const passwordPolicyKind: Kind = {
  name: 'sys-password-policy',
  title: 'Password policies',
  phase: 1,
  sensitiveFields: [],
  securityFields: ['policy'],
  deletable: true,
  placement: { in: 'root', key: ['password_policies'], shape: 'map', schema, names: genericName(), description: 'Password policies by name (sys/policies/password/<name>).' },
  docs: {
    summary:
      'A password policy: the length and character sets of the passwords Vault generates for whatever names it (a database connection\'s `password_policy`, and through it its roles and root rotation; a userpass user\'s `credentials.password_policy`). The HCL is checked before anything is written, with positions in the YAML.',
    api: ['sys/policies/password/NAME'],
    example: `password_policies:
  db-strong:
    policy: |
      length = 24
      rule "charset" {
        charset = "abcdefghijklmnopqrstuvwxyz"
        min-chars = 1
      }
      rule "charset" {
        charset = "0123456789"
        min-chars = 2
      }
`,
    guide: 'kinds/database.md',
  },

  desired(config) {
    return placedEntries(config, passwordPolicyKind).map((e) => placedObject(config, passwordPolicyKind, e, { settings: e.value, dependsOn: [] }));
  },

  check(ctx) {
    for (const e of placedEntries(ctx.config, passwordPolicyKind)) {
      checkGenericName(ctx, e, 'password policy name');
      const path = [...e.path, 'policy'];
      if (typeof e.value.policy !== 'string' || ctx.broken(path)) continue;
      for (const p of checkPasswordPolicyHcl(e.value.policy)) ctx.error(path, `password policy HCL: ${p.message}`, p.hint, ctx.posIn(path, p.line, p.col));
    }
  },

  async readLive(vault, scope) {
    if (!inScope(scope.config)) return [];
    const items = await listAndRead(vault, 'sys/policies/password', apiPath);
    return items.map((i) => liveObject('sys-password-policy', `password_policies/${i.name}`, normalise(i.data)));
  },

  normalise,

  export: (obj) => ({ policy: obj.settings.policy }),

  async create(ctx, obj) {
    await ctx.vault.write(apiPath(obj.name), { policy: obj.settings.policy });
  },

  async update(ctx, obj) {
    await ctx.vault.write(apiPath(obj.name), { policy: obj.settings.policy });
  },

  async delete(ctx, obj) {
    await ctx.vault.delete(apiPath(obj.name));
  },

  access(config) {
    return {
      plan: inScope(config) ? [rule('sys/policies/password', 'list'), rule('sys/policies/password/*', 'read')] : [],
      apply: [...placedEntries(config, passwordPolicyKind).map((e) => rule(apiPath(e.name), 'create', 'update')), rule('sys/policies/password/*', 'delete')],
    };
  },
};

const COLLECTION = 'password_policies';

/**
 * Password policies are read when the config declares or prunes them, when something names one
 * (a `password_policy:` field anywhere: the preflight checks it exists), or for a full-scope read
 * (export, snapshot). Otherwise a plan never asks for them, so a token without that right plans.
 */
function inScope(config: Config): boolean {
  return config.tree[COLLECTION] !== undefined || config.prune.includes(COLLECTION) || isFullScope(config) || namesAPolicy(config.tree);
}

function namesAPolicy(node: unknown): boolean {
  if (Array.isArray(node)) return node.some(namesAPolicy);
  if (typeof node !== 'object' || node === null) return false;
  return Object.entries(node).some(([k, v]) => (k === 'password_policy' && typeof v === 'string') || namesAPolicy(v));
}

function normalise(settings: Record<string, unknown>): Record<string, unknown> {
  return typeof settings.policy === 'string' ? { policy: normalisePolicyText(settings.policy) } : {};
}
