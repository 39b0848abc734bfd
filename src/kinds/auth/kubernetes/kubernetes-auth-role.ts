// Kubernetes auth roles, `auth/MOUNT/role/NAME`: which ServiceAccounts (names, namespaces or a
// namespace label selector) get which token. Vault stores role names lower-cased.
import { Type } from 'typebox';
import { parse as parseYaml } from 'yaml';
import type { Settings } from '../../../core/model.js';
import { authMapKind, nameList } from '../auth-method-objects.js';
import { genericName, object, stringList, TOKEN_FIELDS } from '../../shared/fields.js';
import type { CheckContext } from '../../kind.js';
import { normaliserFor } from '../../shared/normalise.js';
import { checkGenericName, type PlacedEntry } from '../../shared/support.js';

const SETS = ['bound_service_account_names', 'bound_service_account_namespaces'];
const SELECTOR = 'bound_service_account_namespace_selector';

/** Vault takes the selector as JSON or YAML text; compared as the object it describes. */
function selectorObject(v: unknown): unknown {
  if (typeof v !== 'string') return v;
  if (v.trim() === '') return null;
  try {
    return parseYaml(v) as unknown; // YAML is a superset of JSON
  } catch {
    return v;
  }
}

function normalise(settings: Settings): Settings {
  const out = normaliseFields(settings);
  for (const f of SETS) {
    const v = out[f];
    if (v === null || v === undefined) continue;
    const list = (Array.isArray(v) ? v : String(v).split(',')).map((x) => String(x).trim()).filter((x) => x !== '');
    out[f] = [...new Set(list)].sort();
  }
  if (SELECTOR in out) out[SELECTOR] = selectorObject(out[SELECTOR]);
  return out;
}

const schema = object(
  {
    bound_service_account_names: stringList('ServiceAccount names that may log in through the role; `*` alone for any.'),
    bound_service_account_namespaces: stringList('Their namespaces; `*` alone for any. Needed unless a namespace selector is given.'),
    [SELECTOR]: Type.Unsafe<object | string>({
      type: ['object', 'string'],
      description: 'A label selector (matchLabels / matchExpressions) of the namespaces allowed; ORed with bound_service_account_namespaces. A mapping, or the JSON/YAML text Vault takes.',
    }),
    audience: Type.String({ description: "The `aud` the ServiceAccount token must carry (none if not declared)." }),
    alias_name_source: Type.String({ enum: ['serviceaccount_uid', 'serviceaccount_name'], description: 'What names the entity alias: the ServiceAccount uid (default) or namespace/name.' }),
    ...TOKEN_FIELDS,
  },
  { required: ['bound_service_account_names'], description: 'kubernetes: auth/<mount>/role/<name> parameters.' },
);
const normaliseFields = normaliserFor(schema);

export const kubernetesAuthRoleKind = authMapKind({
  kind: 'kubernetes-auth-role',
  title: 'Kubernetes auth roles',
  authType: 'kubernetes',
  key: 'roles',
  api: 'role',
  schema,
  names: genericName(),
  description: 'kubernetes: roles by name (lower case): which ServiceAccounts get which token.',
  policyField: 'token_policies',
  login: {
    bindings: ['bound_service_account_names', 'bound_service_account_namespaces', SELECTOR, 'audience', 'token_bound_cidrs'],
    entityAlias: (obj) => ({ mount: obj.mount ?? '', from: obj.settings.alias_name_source === 'serviceaccount_name' ? 'ServiceAccount (namespace/name)' : 'ServiceAccount uid' }),
  },
  checkEntry,
  securityFields: ['bound_service_account_names', 'bound_service_account_namespaces', SELECTOR, 'audience', 'token_policies', 'policies', 'token_bound_cidrs', 'token_type', 'token_no_default_policy'],
  defaults: { alias_name_source: 'serviceaccount_uid' },
  docs: {
    summary: 'A role of a kubernetes auth mount: which ServiceAccounts (by name, and by namespace or a namespace label selector) log in through it, and the token they get.',
    api: ['auth/MOUNT/role/NAME'],
    example: `policies:
  app-read:
    policy: |
      path "secret/data/app/*" {
        capabilities = ["read"]
      }
auth:
  kubernetes:
    type: kubernetes
    roles:
      payments:
        bound_service_account_names: [vault-agent]
        bound_service_account_namespaces: [payments]
        audience: vault
        token_policies: [app-read]
        token_ttl: 1h
`,
    guide: 'kinds/kubernetes-github.md',
  },
  normalise,
  fromVault: (data) => ({ ...data }),
  toVault(settings) {
    const body: Record<string, unknown> = { ...settings };
    const selector = body[SELECTOR];
    if (selector !== undefined && typeof selector !== 'string') body[SELECTOR] = JSON.stringify(selector);
    return body;
  },
});

/** What Vault would refuse or silently change, found before any write. */
function checkEntry(ctx: CheckContext, e: PlacedEntry): void {
  checkGenericName(ctx, e, 'role name');
  if (e.name !== e.name.toLowerCase()) {
    ctx.error(e.path, `role \`${e.name}\`: Vault stores Kubernetes role names lower-cased, so it would read back as \`${e.name.toLowerCase()}\``, `write \`${e.name.toLowerCase()}\``, 'key');
  }
  for (const f of SETS) {
    const list = nameList(e.value[f]);
    if (list.length > 1 && list.includes('*')) ctx.error([...e.path, f], `\`*\` (any) cannot be mixed with other values`, 'use `*` alone, or list the values');
  }
  const selector = e.value[SELECTOR];
  const hasSelector = selector !== undefined && selector !== null && selector !== '';
  if (nameList(e.value.bound_service_account_namespaces).length === 0 && !hasSelector) {
    ctx.error(e.path, `role \`${e.name}\` binds no namespace: Vault needs bound_service_account_namespaces or ${SELECTOR}`, 'add bound_service_account_namespaces (`*` for any), or a namespace label selector', 'key');
  }
  if (typeof selector === 'string' && selector.trim() !== '') {
    const parsed = selectorObject(selector);
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
      ctx.error([...e.path, SELECTOR], 'is not a label selector: Vault takes a JSON or YAML object with matchLabels and/or matchExpressions', 'write it as a mapping, e.g. `matchLabels: { team: payments }`');
    }
  }
}
