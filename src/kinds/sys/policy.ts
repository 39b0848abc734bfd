import { Type } from 'typebox';
import { object } from '../shared/fields.js';
import type { Kind } from '../kind.js';
import { liveObject, listAndRead, placedEntries, placedObject, rule } from '../shared/support.js';
import { checkServerCapabilities } from './policy-capabilities.js';

/** Vault refuses to delete these, and `root` cannot be changed. */
export const PROTECTED_POLICIES = new Set(['root', 'default']);

/** Policy text compared as Vault stores it, ignoring line endings and trailing blank space. */
export function normalisePolicyText(text: string): string {
  return text.replace(/\r\n/g, '\n').replace(/[ \t]+$/gm, '').replace(/\s+$/, '') + '\n';
}

const schema = object(
  {
    policy: Type.String({ description: 'The policy text (HCL).' }),
    file: Type.String({ minLength: 1, description: 'An .hcl file, relative to the YAML file that declares it.' }),
  },
  { minProperties: 1, maxProperties: 1, 'x-error': 'a policy needs exactly one of `policy` (inline HCL) or `file`', description: 'An ACL policy (sys/policies/acl/<name>).' },
);

const names = Type.String({
  pattern: '^[^\\sA-Z,]+$',
  description: 'Policy names: lower case (Vault lower-cases them), may hold `/`, no white space or comma.',
});

/**
 * A policy's file under policies/: a name's `/` become directories (`team/app` → team/app.hcl);
 * anything that could leave the directory or is not a plain file-name character is %-encoded.
 */
export function policyFileName(name: string): string {
  const hex = (c: string) => `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`;
  return name
    .split('/')
    .map((seg) => (seg === '' ? '%00' : seg === '.' || seg === '..' ? seg.replace(/\./g, '%2E') : seg.replace(/[^A-Za-z0-9._@=+,-]/g, hex)))
    .join('/');
}

export const policyKind: Kind = {
  name: 'policy',
  title: 'ACL policies',
  builtIn: (obj) => PROTECTED_POLICIES.has(obj.name),
  phase: 1,
  sensitiveFields: [],
  securityFields: ['policy'],
  deletable: true,
  placement: { in: 'root', key: ['policies'], shape: 'map', schema, names, atomic: true, description: 'ACL policies by name.' },
  docs: {
    summary:
      "An ACL policy: its HCL text, inline (`policy:`) or in an `.hcl` file next to the YAML that declares it (`file:`). Vault's `root` and `default` policies are its own: `default` may be declared to manage it, neither is ever deleted.",
    api: ['sys/policies/acl/NAME'],
    example: `policies:
  app-read:
    policy: |
      path "secret/data/app/*" {
        capabilities = ["read"]
      }
`,
  },

  desired(config) {
    return placedEntries(config, policyKind).map((e) => placedObject(config, policyKind, e, { settings: { policy: e.value.policy }, dependsOn: [] }));
  },

  // The whole server's policies are listed (a policy has no mount to scope the read), but a plan
  // reads only the declared ones' text: a Vault with thousands of hand-made policies costs one LIST.
  async readLive(vault, scope) {
    const declared = scope.declaredOnly ? new Set(scope.desired.map((d) => d.name)) : undefined;
    await checkServerCapabilities(vault, scope.config, scope.desired.map((d) => d.name));
    const items = await listAndRead(vault, 'sys/policies/acl', (n) => `sys/policies/acl/${encodeURIComponent(n)}`, declared && ((n) => declared.has(n)));
    return items
      .filter((i) => i.name !== 'root')
      .map((i) => liveObject('policy', `policies/${i.name}`, i.data ? { policy: normalisePolicyText(String(i.data.policy ?? '')) } : {}, undefined, 'policies'));
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
      apply: [...placedEntries(config, policyKind).map((e) => rule(`sys/policies/acl/${e.name}`, 'create', 'update')), rule('sys/policies/acl/*', 'delete')],
    };
  },

  async delete(ctx, obj) {
    if (PROTECTED_POLICIES.has(obj.name)) return;
    await ctx.vault.delete(`sys/policies/acl/${encodeURIComponent(obj.name)}`);
  },

  export(obj, _all, out) {
    if (obj.name === 'default') return undefined; // Vault's own; declare it by hand to manage it
    const file = `policies/${policyFileName(obj.name)}.hcl`;
    out.files[file] = String(obj.settings.policy ?? '');
    return { file };
  },
};
