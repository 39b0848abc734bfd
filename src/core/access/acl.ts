// Vault's ACL decision for a set of policies, with the rules behind it (vault/acl.go NewACL,
// AllowOperation, CheckAllowedFromNonExactPaths; OpenBao 2.4 decides the same way):
// - the rules of every policy for one pattern are merged into one rule; `deny` in any of them makes
//   the merged rule deny everything;
// - one merged rule decides a request path, never a union: an exact pattern first, then (list only)
//   the exact pattern without the path's trailing `/`, then the most specific `*` / `+` pattern;
// - a `root` policy allows everything.
import { refusal, type RequestDetails } from './constraints.js';
import type { AclRule, ParsedPolicy, RuleConstraints } from './policy-rules.js';
import { renderTemplatedPath, type TemplateIdentity } from './templating.js';

/** A rule as shown to a reviewer: the policy and where the block is in it. */
export interface RuleRef {
  policy: string;
  path: string;
  /** Absent for the `root` policy, which has no rules. */
  line?: number;
  col?: number;
}

/** All the rules for one pattern, merged the way Vault merges them. */
interface Merged {
  pattern: string;
  rules: AclRule[];
  capabilities: Set<string>;
  grantedBy: Map<string, AclRule[]>;
  deniedBy: AclRule[];
  constraints: RuleConstraints;
}

export interface Acl {
  readonly root: boolean;
  readonly exact: ReadonlyMap<string, Merged>;
  /** Patterns ending in `*` without `+`, keyed without the `*`. */
  readonly prefix: ReadonlyMap<string, Merged>;
  /** Patterns with a `+` segment, keyed as written (a trailing `*` kept). */
  readonly segment: ReadonlyMap<string, Merged>;
}

/** Vault's answer for one request path, and why. */
export interface PathAnswer {
  path: string;
  /** As `sys/capabilities` lists them, sorted: `["root"]`, `["deny"]`, or the granted ones. */
  capabilities: string[];
  /** The pattern that decided, with every rule merged into it (absent: no pattern matches). */
  decidedBy?: { pattern: string; rules: RuleRef[] };
  /** Each granted capability → the rules that grant it. */
  grants: Record<string, RuleRef[]>;
  /** The rules whose `deny` denies everything here. */
  deniedBy?: RuleRef[];
  /** Conditions Vault checks per request on top of the capabilities (present only when some apply). */
  constraints?: RuleConstraints;
}

export interface OperationAnswer extends PathAnswer {
  operation: string;
  /** The capability is granted (and, when the request's details were given, its constraints hold). */
  allowed: boolean;
  /** Granted, but this request fails a constraint: which. */
  refused?: string;
}

const ref = (r: AclRule): RuleRef => ({ policy: r.policy, path: r.path, line: r.line, col: r.col });

function isSegmentPattern(path: string): boolean {
  return path === '+' || path.includes('/+') || path.startsWith('+/');
}

function mergeParameters(into: Record<string, unknown[]> | undefined, add: Record<string, unknown[]> | undefined): Record<string, unknown[]> | undefined {
  if (!add) return into;
  if (!into) return structuredClone(add);
  for (const [name, values] of Object.entries(add)) {
    const existing = into[name];
    // An empty list (any value) absorbs every other list for the same parameter.
    into[name] = values.length === 0 || existing?.length === 0 ? [] : [...values, ...(existing ?? [])];
  }
  return into;
}

/** The lesser of two set wrapping TTLs (0 or absent = not set): Vault keeps the shorter lifetime. */
function lesser(a: number | undefined, b: number | undefined): number | undefined {
  if (!b) return a;
  return a && a <= b ? a : b;
}

function merge(m: Merged, rule: AclRule): void {
  m.rules.push(rule);
  if (m.capabilities.has('deny')) return;
  if (rule.capabilities.includes('deny')) {
    m.capabilities = new Set(['deny']);
    m.grantedBy.clear();
    m.deniedBy = [rule];
    m.constraints = {};
    return;
  }
  for (const c of rule.capabilities) {
    m.capabilities.add(c);
    m.grantedBy.set(c, [...(m.grantedBy.get(c) ?? []), rule]);
  }
  const a = m.constraints;
  const b = rule.constraints;
  const next: RuleConstraints = {
    allowed_parameters: mergeParameters(a.allowed_parameters, b.allowed_parameters),
    denied_parameters: mergeParameters(a.denied_parameters, b.denied_parameters),
    required_parameters: b.required_parameters ? [...new Set([...(a.required_parameters ?? []), ...b.required_parameters])] : a.required_parameters,
    min_wrapping_ttl: lesser(a.min_wrapping_ttl, b.min_wrapping_ttl),
    max_wrapping_ttl: lesser(a.max_wrapping_ttl, b.max_wrapping_ttl),
  };
  m.constraints = Object.fromEntries(Object.entries(next).filter(([, v]) => v !== undefined)) as RuleConstraints;
}

/**
 * The ACL of a token holding `policies` (pass the `default` policy explicitly when the token has it).
 * Templated rules (`{{identity.entity.name}}`) name the path rendered for `identity`, and are left
 * out where Vault cannot render them (a token without an entity: no `identity`); a `root` policy
 * makes the ACL allow everything.
 */
export function buildAcl(policies: readonly ParsedPolicy[], identity?: TemplateIdentity): Acl {
  const exact = new Map<string, Merged>();
  const prefix = new Map<string, Merged>();
  const segment = new Map<string, Merged>();
  for (const policy of policies) {
    for (const rule of policy.rules) {
      const path = rule.templated ? renderTemplatedPath(rule.path, identity) : rule.path;
      if (path === undefined) continue;
      let key = path;
      let table = exact;
      if (isSegmentPattern(key)) table = segment;
      else if (key.endsWith('*')) {
        table = prefix;
        key = key.slice(0, -1);
      }
      let m = table.get(key);
      if (!m) {
        m = { pattern: path, rules: [], capabilities: new Set(), grantedBy: new Map(), deniedBy: [], constraints: {} };
        table.set(key, m);
      }
      merge(m, rule);
    }
  }
  return { root: policies.some((p) => p.name === 'root'), exact, prefix, segment };
}

const utf8 = new TextEncoder();
const byteLength = (s: string) => utf8.encode(s).length;

/** Go's string order: byte by byte. */
function compareBytes(a: Uint8Array, b: Uint8Array): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
  return a.length - b.length;
}

/** Vault's tie-breaking between matching wildcard patterns, as a sortable key (compared left to right). */
interface Candidate {
  firstWildcard: number;
  isPrefix: boolean;
  wildcards: number;
  stem: string;
  merged: Merged;
}

/** > 0 when `a` is the more specific match (see CheckAllowedFromNonExactPaths' priority order). */
function moreSpecific(a: Candidate, b: Candidate): number {
  if (a.firstWildcard !== b.firstWildcard) return a.firstWildcard - b.firstWildcard;
  if (a.isPrefix !== b.isPrefix) return a.isPrefix ? -1 : 1;
  if (a.wildcards !== b.wildcards) return b.wildcards - a.wildcards;
  const la = byteLength(a.stem);
  const lb = byteLength(b.stem);
  if (la !== lb) return la - lb;
  return compareBytes(utf8.encode(a.stem), utf8.encode(b.stem));
}

function segmentCandidate(pattern: string, merged: Merged, parts: string[]): Candidate | undefined {
  const isPrefix = pattern.endsWith('*');
  const stem = isPrefix ? pattern.slice(0, -1) : pattern;
  const stemParts = stem.split('/');
  if (parts.length < stemParts.length || (!isPrefix && parts.length !== stemParts.length)) return undefined;
  let wildcards = 0;
  for (const [i, p] of stemParts.entries()) {
    const part = parts[i]!;
    if (p === '+') wildcards++;
    else if (p !== part && !(isPrefix && i === stemParts.length - 1 && part.startsWith(p))) return undefined;
  }
  return { firstWildcard: byteLength(pattern.slice(0, pattern.indexOf('+'))), isPrefix, wildcards, stem, merged };
}

function wildcardMatch(acl: Acl, path: string): Merged | undefined {
  let best: Candidate | undefined;
  let longest: string | undefined;
  for (const key of acl.prefix.keys()) {
    if (path.startsWith(key) && (longest === undefined || key.length > longest.length)) longest = key;
  }
  if (longest !== undefined) best = { firstWildcard: byteLength(longest), isPrefix: true, wildcards: 0, stem: longest, merged: acl.prefix.get(longest)! };
  const parts = path.split('/');
  for (const [pattern, merged] of acl.segment) {
    const c = segmentCandidate(pattern, merged, parts);
    if (c && (!best || moreSpecific(c, best) > 0)) best = c;
  }
  return best?.merged;
}

/** The merged rule that decides `path` for an operation (list looks a little further, as in Vault). */
function decide(acl: Acl, path: string, list: boolean): Merged | undefined {
  const found = acl.exact.get(path);
  if (found) return found;
  const bare = path.endsWith('/') ? path.slice(0, -1) : path;
  if (list) {
    const exact = acl.exact.get(bare);
    if (exact) return exact;
    if (bare !== path) {
      const wild = wildcardMatch(acl, bare);
      if (wild) return wild;
    }
  }
  return wildcardMatch(acl, path);
}

const ROOT_REF: RuleRef = { policy: 'root', path: '*' };

function answer(acl: Acl, path: string, list: boolean): PathAnswer {
  if (acl.root) return { path, capabilities: ['root'], decidedBy: { pattern: '*', rules: [ROOT_REF] }, grants: { root: [ROOT_REF] } };
  const m = decide(acl, path, list);
  if (!m) return { path, capabilities: ['deny'], grants: {} };
  const decidedBy = { pattern: m.pattern, rules: m.rules.map(ref) };
  if (m.capabilities.has('deny')) return { path, capabilities: ['deny'], decidedBy, grants: {}, deniedBy: m.deniedBy.map(ref) };
  const capabilities = [...m.capabilities].sort();
  const grants = Object.fromEntries(capabilities.map((c) => [c, (m.grantedBy.get(c) ?? []).map(ref)]));
  const out: PathAnswer = { path, capabilities: capabilities.length > 0 ? capabilities : ['deny'], decidedBy, grants };
  if (capabilities.length > 0 && Object.keys(m.constraints).length > 0) out.constraints = m.constraints;
  return out;
}

const stripLeadingSlashes = (path: string) => path.replace(/^\/+/, '');

/** What `sys/capabilities` answers for this path (Vault asks as a list request: the list fallbacks apply). */
export function capabilitiesAt(acl: Acl, path: string): PathAnswer {
  return answer(acl, stripLeadingSlashes(path), true);
}

/**
 * Whether `operation` (a capability name: read, create, update, patch, delete, list, sudo…) is allowed
 * on the API path. A list request's path gets a trailing `/`, as Vault's HTTP layer adds it. With the
 * request's details, the constraints of the deciding rule are checked too; without, they are only carried.
 */
export function evaluate(acl: Acl, path: string, operation: string, request?: RequestDetails): OperationAnswer {
  const list = operation === 'list';
  let p = stripLeadingSlashes(path);
  if (list && !p.endsWith('/')) p += '/';
  const a = answer(acl, p, list);
  if (a.capabilities.includes('root')) return { ...a, operation, allowed: true };
  const granted = a.capabilities.includes(operation);
  const refused = granted && request && a.constraints ? refusal(a.constraints, operation, request) : undefined;
  return { ...a, operation, allowed: granted && refused === undefined, ...(refused !== undefined ? { refused } : {}) };
}
