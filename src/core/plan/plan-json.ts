// The plan as plain JSON data (schemas/plan.schema.json): a stable key order, sensitive values
// masked again (defence in depth), absent values as null. Saved plans, their staleness check and the
// JSON renderer all use this one form.

import { sortKeysDeep } from '../common/canonical-json.js';
import { SENSITIVE_MASK, type AccessChanges, type BindingChange, type CapabilityChange, type PrincipalAccessChange, type TrustChange, type Change, type Destroy, type FieldChange, type Plan, type UnmanagedObject } from '../model.js';

const PLAN_KEYS = [
  'format_version',
  'tool_version',
  'created_at',
  'config_fingerprint',
  'vault_addr',
  'vault_namespace',
  'summary',
  'access_changes',
  'destroys',
  'changes',
  'unmanaged',
] as const;
const SUMMARY_KEYS = ['create', 'update', 'delete', 'noop'] as const;
const CHANGE_KEYS = ['address', 'kind', 'action', 'reason', 'security', 'fields', 'credentials'] as const;
const FIELD_KEYS = ['name', 'before', 'after', 'sensitive', 'diff'] as const;
const UNMANAGED_KEYS = ['address', 'kind', 'note'] as const;
const DESTROY_KEYS = ['address', 'code', 'what'] as const;
const ACCESS_KEYS = ['summary', 'principals', 'trust', 'not_compared'] as const;
const ACCESS_SUMMARY_KEYS = ['principals', 'privileged', 'widened', 'trust'] as const;
const PRINCIPAL_KEYS = ['address', 'status', 'privileged', 'default_policy', 'capabilities', 'bindings', 'unread_policies'] as const;
const CAPABILITY_KEYS = ['pattern', 'before', 'after', 'gained', 'lost', 'privileged'] as const;
const BINDING_KEYS = ['field', 'before', 'after', 'widened'] as const;
const TRUST_KEYS = ['address', 'kind', 'subject', 'what', 'fields', 'namespaces'] as const;

/** The plan as plain JSON data with a stable key order and sensitive values masked. */
export function planToJson(plan: Plan): Record<string, unknown> {
  return ordered(plan, PLAN_KEYS, {
    summary: (s: Plan['summary']) => ordered(s, SUMMARY_KEYS),
    access_changes: accessToJson,
    destroys: (ds: Destroy[]) => ds.map((d) => ordered(d, DESTROY_KEYS)),
    changes: (cs: Change[]) => cs.map(changeToJson),
    unmanaged: (us: UnmanagedObject[]) => us.map((u) => ordered(u, UNMANAGED_KEYS)),
  });
}

function accessToJson(a: AccessChanges): Record<string, unknown> {
  return ordered(a, ACCESS_KEYS, {
    summary: (s: AccessChanges['summary']) => ordered(s, ACCESS_SUMMARY_KEYS),
    principals: (ps: PrincipalAccessChange[]) =>
      ps.map((p) =>
        ordered(p, PRINCIPAL_KEYS, {
          capabilities: (cs: CapabilityChange[]) => cs.map((c) => ordered(c, CAPABILITY_KEYS)),
          bindings: (bs: BindingChange[]) => bs.map((b) => ordered(b, BINDING_KEYS)),
        }),
      ),
    trust: (ts: TrustChange[]) => ts.map((t) => ordered(t, TRUST_KEYS)),
  });
}

function changeToJson(change: Change): Record<string, unknown> {
  return ordered(change, CHANGE_KEYS, {
    fields: (fs: FieldChange[]) => fs.map(fieldToJson),
  });
}

function fieldToJson(field: FieldChange): Record<string, unknown> {
  const safe = safeField(field);
  return ordered({ ...safe, before: safe.before ?? null, after: safe.after ?? null }, FIELD_KEYS);
}

type Transforms = Record<string, (value: never) => unknown>;

/**
 * Copies `obj` with the known keys first, in the given order, then any other keys sorted (a newer
 * planner's additions are kept, never dropped). Undefined values are left out; values without a
 * transform get their object keys sorted.
 */
function ordered(obj: object, known: readonly string[], transforms: Transforms = {}): Record<string, unknown> {
  const src = obj as Record<string, unknown>;
  const extra = Object.keys(src)
    .filter((k) => !known.includes(k))
    .sort();
  const out: Record<string, unknown> = {};
  for (const key of [...known, ...extra]) {
    const value = src[key];
    if (value === undefined) continue;
    const transform = transforms[key];
    out[key] = transform ? transform(value as never) : sortKeysDeep(value);
  }
  return out;
}

/**
 * A field as renderers may show it: sensitive fields have their values replaced by the mask (even
 * if the planner forgot to) and lose any diff. Absent values stay null so "was unset" is still shown.
 */
export function safeField(field: FieldChange): FieldChange {
  if (!field.sensitive) return field;
  const mask = (v: unknown): unknown => (v === null || v === undefined ? null : SENSITIVE_MASK);
  return { name: field.name, before: mask(field.before), after: mask(field.after), sensitive: true };
}
