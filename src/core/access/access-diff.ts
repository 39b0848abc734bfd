// What a change does to access: for each principal, the capabilities gained and lost on each path
// pattern of its merged ACL, and the changed fields that bind logins to it (binding-widening.ts says
// which admit more). Rules that only moved between policies (or were split or joined) leave the
// merged ACL as it was, so they are no change. Privileged findings flag what a reviewer must
// not miss: sudo, sys/, writes to auth/ and identity/, writes to ACL policies, the root policy, a
// pattern matching every path.
import type { BindingChange, CapabilityChange, PrincipalAccessChange } from '../model.js';
import type { Acl } from './acl.js';
import type { PrincipalAccess } from './access-query.js';
import { widening } from './binding-widening.js';

const WRITES = ['create', 'update', 'patch', 'delete'];

/** The merged ACL as pattern (as Vault reads it: `a`, `a*`, `a/+/b`) → sorted capabilities (`["deny"]`, `["root"]`). */
export function aclTable(acl: Acl): Map<string, string[]> {
  if (acl.root) return new Map([['*', ['root']]]);
  const out = new Map<string, string[]>();
  const add = (pattern: string, caps: Set<string>) => out.set(pattern, caps.has('deny') ? ['deny'] : [...caps].sort());
  for (const [key, m] of acl.exact) add(key, m.capabilities);
  for (const [key, m] of acl.prefix) add(`${key}*`, m.capabilities);
  for (const [key, m] of acl.segment) add(key, m.capabilities);
  return out;
}

/** Whether `pattern` can match some path under `area` (a path prefix ending in `/`, e.g. `sys/policies/acl/`). */
export function reachesUnder(pattern: string, area: string): boolean {
  const glob = pattern.endsWith('*');
  const parts = (glob ? pattern.slice(0, -1) : pattern).split('/');
  const areaParts = area.split('/').slice(0, -1);
  for (const [i, a] of areaParts.entries()) {
    const p = parts[i];
    const last = i === parts.length - 1;
    if (p === undefined) return false;
    if (last && glob && a.startsWith(p)) return true;
    if (p !== '+' && p !== a) return false;
    if (last) return false;
  }
  return true;
}

/** Why a grant on `pattern` is privileged (empty: it is not). `gained` are the capabilities newly granted. */
export function privilegedReasons(pattern: string, gained: readonly string[]): string[] {
  const reasons: string[] = [];
  const writes = gained.some((c) => WRITES.includes(c));
  if (gained.includes('root')) return ['the root policy: every capability on every path'];
  if (gained.includes('sudo')) reasons.push('sudo');
  if (pattern === '*' || pattern === '+' || pattern === '+/*') reasons.push('a pattern matching every path');
  if (writes && (reachesUnder(pattern, 'sys/policies/acl/') || reachesUnder(pattern, 'sys/policy/'))) reasons.push('write access to ACL policies (privilege escalation)');
  if (gained.length > 0 && reachesUnder(pattern, 'sys/')) reasons.push('sys/');
  if (writes && reachesUnder(pattern, 'auth/')) reasons.push('writes under auth/');
  if (writes && reachesUnder(pattern, 'identity/')) reasons.push('writes under identity/');
  return reasons;
}

function bindingChanges(before: Record<string, unknown>, after: Record<string, unknown>): BindingChange[] {
  const out: BindingChange[] = [];
  for (const field of [...new Set([...Object.keys(before), ...Object.keys(after)])].sort()) {
    if (JSON.stringify(before[field]) === JSON.stringify(after[field])) continue;
    const widened = widening(field, before[field], after[field]);
    out.push({ field, ...(field in before ? { before: before[field] } : {}), ...(field in after ? { after: after[field] } : {}), ...(widened ? { widened } : {}) });
  }
  return out;
}

const grants = (caps: readonly string[]) => caps.filter((c) => c !== 'deny');

function tableChanges(before: Map<string, string[]>, after: Map<string, string[]>, baseline: Map<string, string[]>): CapabilityChange[] {
  const out: CapabilityChange[] = [];
  for (const pattern of [...new Set([...before.keys(), ...after.keys()])].sort()) {
    const b = before.get(pattern) ?? [];
    const a = after.get(pattern) ?? [];
    if (b.join(',') === a.join(',')) continue;
    const gained = grants(a).filter((c) => !b.includes(c));
    const lost = grants(b).filter((c) => !a.includes(c));
    const usual = baseline.get(pattern) ?? [];
    out.push({ pattern, before: b, after: a, gained, lost, privileged: privilegedReasons(pattern, gained.filter((c) => !usual.includes(c))) });
  }
  return out;
}

const sameCaps = (a: readonly string[] | undefined, b: readonly string[]) => a !== undefined && a.join(',') === b.join(',');
const carriesDefault = (x: PrincipalAccess) => x.routes.some((r) => r.policy === 'default');

function reported(address: string, status: PrincipalAccessChange['status'], capabilities: CapabilityChange[], extra: Partial<PrincipalAccessChange> = {}): PrincipalAccessChange {
  const privileged = [...new Set(capabilities.flatMap((c) => c.privileged))].sort();
  return { address, status, privileged, ...extra, capabilities };
}

/**
 * The access changes between two sets of principals' accesses (principalAccess, unconditional:
 * a conditional variant would be reported as the principal itself), by address. What `baseline`
 * grants on the same pattern is never privileged (pass the `default` policy: its sys/ paths are
 * every token's); a new or removed principal's rules that are exactly the baseline's are left out
 * (`default_policy` says it has them).
 */
export function accessChanges(before: readonly PrincipalAccess[], after: readonly PrincipalAccess[], baseline?: Acl): PrincipalAccessChange[] {
  const usual = baseline ? aclTable(baseline) : new Map<string, string[]>();
  const byAddress = (xs: readonly PrincipalAccess[]) => new Map(xs.map((x) => [x.principal.address, x]));
  const b = byAddress(before);
  const a = byAddress(after);
  const out: PrincipalAccessChange[] = [];
  for (const address of [...new Set([...b.keys(), ...a.keys()])].sort()) {
    const pb = b.get(address);
    const pa = a.get(address);
    const changes = tableChanges(pb ? aclTable(pb.acl) : new Map(), pa ? aclTable(pa.acl) : new Map(), usual);
    const only = pa ?? pb!;
    const withDefault = baseline !== undefined && carriesDefault(only);
    const notBaseline = (c: CapabilityChange) => !(withDefault && sameCaps(usual.get(c.pattern), pa ? c.after : c.before));
    if (!pb || !pa) out.push(reported(address, pb ? 'removed' : 'added', changes.filter(notBaseline), { default_policy: carriesDefault(only) }));
    else {
      const bindings = bindingChanges(pb.principal.bindings, pa.principal.bindings);
      if (changes.length > 0 || bindings.length > 0) out.push(reported(address, 'changed', changes, bindings.length > 0 ? { bindings } : {}));
    }
  }
  return out;
}
