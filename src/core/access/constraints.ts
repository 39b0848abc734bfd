// Whether one request satisfies the constraints of the rule that grants it, as Vault checks them
// after the capability (vault/acl.go AllowOperation): wrapping TTLs for every operation; required,
// denied and allowed parameters for read, create, update and patch. String values match Vault's
// globs (`a*`, `*a`, `*a*`); a string with commas is checked item by item (a comma-separated list).
import type { RuleConstraints } from './policy-rules.js';

/** What a request carries beyond its path and operation. */
export interface RequestDetails {
  /** The request's parameters, as sent (names are not lowercased: Vault looks them up lowercased). */
  data?: Record<string, unknown>;
  /** Seconds, when the response is to be wrapped. */
  wrapTtl?: number;
}

const PARAMETER_OPERATIONS = ['read', 'create', 'update', 'patch', 'recover'];

function globMatch(item: string, value: string): boolean {
  if (item.length < 2) return item === value;
  const head = item.startsWith('*');
  const tail = item.endsWith('*');
  if (head && tail) return value.includes(item.slice(1, -1));
  if (head) return value.endsWith(item.slice(1));
  if (tail) return value.startsWith(item.slice(0, -1));
  return item === value;
}

function inList(value: unknown, list: readonly unknown[]): boolean {
  return list.some((el) =>
    el === null || value === null || el === undefined || value === undefined
      ? el === value
      : typeof el === 'string' && typeof value === 'string'
        ? globMatch(el, value)
        : JSON.stringify(el) === JSON.stringify(value),
  );
}

/** A list value, or a string that may be a comma-separated list, as its items (undefined: neither). */
function items(value: unknown): unknown[] | undefined {
  if (Array.isArray(value)) return value;
  if (typeof value === 'string') return value === '' ? [] : value.split(',').map((s) => s.trim());
  return undefined;
}

const allowedValue = (value: unknown, list: readonly unknown[]) => list.length === 0 || inList(value, list) || (items(value)?.every((v) => inList(v, list)) ?? false);
const deniedValue = (value: unknown, list: readonly unknown[]) => list.length === 0 || inList(value, list) || (items(value)?.some((v) => inList(v, list)) ?? false);

/** Why Vault refuses this request under the constraints, or undefined when it admits it. */
export function refusal(c: RuleConstraints, operation: string, request: RequestDetails): string | undefined {
  const wrap = request.wrapTtl;
  if (c.max_wrapping_ttl && (wrap === undefined || wrap > c.max_wrapping_ttl)) return `the response must be wrapped, for at most ${c.max_wrapping_ttl}s`;
  if (c.min_wrapping_ttl && (wrap === undefined || wrap < c.min_wrapping_ttl)) return `the response must be wrapped, for at least ${c.min_wrapping_ttl}s`;
  if (c.min_wrapping_ttl && c.max_wrapping_ttl && c.max_wrapping_ttl < c.min_wrapping_ttl) return 'max_wrapping_ttl is below min_wrapping_ttl (merged policies)';
  if (!PARAMETER_OPERATIONS.includes(operation)) return undefined;
  const data = request.data ?? {};
  for (const name of c.required_parameters ?? []) if (!(name.toLowerCase() in data)) return `parameter "${name}" is required`;
  const entries = Object.entries(data);
  if (entries.length === 0) return undefined;
  const denied = c.denied_parameters ?? {};
  if ('*' in denied) return 'every parameter is denied';
  for (const [name, value] of entries) {
    const list = denied[name.toLowerCase()];
    if (list && deniedValue(value, list)) return `parameter "${name}" is denied${list.length > 0 ? ' this value' : ''}`;
  }
  const allowed = c.allowed_parameters;
  if (!allowed || Object.keys(allowed).length === 0) return undefined;
  const allowedAll = '*' in allowed;
  if (allowedAll && Object.keys(allowed).length === 1) return undefined;
  for (const [name, value] of entries) {
    const list = allowed[name.toLowerCase()];
    if (!list && !allowedAll) return `parameter "${name}" is not allowed`;
    if (list && !allowedValue(value, list)) return `parameter "${name}" is not allowed this value`;
  }
  return undefined;
}
