// The plan's access changes: who may do what after the plan that could not before, computed from
// what the plan already read (before = live, after = live with the plan's changes made), plus
// trust outside policies that the changes touch. Pure; no Vault request of its own.
import { accessChanges } from '../access/access-diff.js';
import { principalAccess, type PrincipalAccess } from '../access/access-query.js';
import { buildAcl } from '../access/acl.js';
import { defaultPolicy, SHIPPED_DEFAULT_POLICY } from '../access/default-policy.js';
import { effectivePolicies, principalsOf } from '../access/principal-graph.js';
import type { Kind } from '../kind.js';
import type { AccessChanges, Address, CaBundleChange, Change, DesiredObject, LiveObject, Plan, PrincipalAccessChange, TrustChange } from '../model.js';
import type { Principal, PrincipalSource } from '../principal.js';
import type { NamespaceRule, PublishEntry } from './ca-bundles.js';

export interface AccessInput {
  desired: readonly DesiredObject[];
  /** What the plan read. */
  live: readonly LiveObject[];
  changes: readonly Change[];
  kinds: readonly Kind[];
  /** A targeted plan: only the targets were read, so who else a change reaches is unknown. */
  targeted?: boolean;
}

type Source = PrincipalSource & Pick<DesiredObject, 'kind'>;

const isPolicy = (o: Pick<Source, 'address' | 'name'>) => o.address === `policies/${o.name}`;

/** Policy texts by name, and the policies listed but not read (a plan reads only the declared ones). */
function policyTexts(objects: Iterable<Source>): { texts: Record<string, string>; unread: Set<string> } {
  const texts: Record<string, string> = {};
  const unread = new Set<string>();
  for (const o of objects) {
    if (!isPolicy(o)) continue;
    if (typeof o.settings.policy === 'string') texts[o.name] = o.settings.policy;
    else unread.add(o.name);
  }
  return { texts, unread };
}

/** The live objects as they will be once the plan is applied: declared fields written over the live ones, deletes gone. */
function afterApply(input: AccessInput): Source[] {
  const kinds = new Map(input.kinds.map((k) => [k.name, k]));
  const deleted = new Set(input.changes.filter((c) => c.action === 'delete').map((c) => c.address));
  const out = new Map<Address, Source>(input.live.filter((l) => !deleted.has(l.address)).map((l) => [l.address, l]));
  for (const d of input.desired) {
    const kind = kinds.get(d.kind);
    if (!kind) continue;
    // Write-only values (passwords, client secrets) never bind a login: left out, as from any plan data.
    const declared = Object.fromEntries(Object.entries(kind.normalise(d.settings)).filter(([name, v]) => v !== undefined && !kind.sensitiveFields.includes(name)));
    const live = out.get(d.address);
    out.set(d.address, { ...d, settings: live ? { ...live.settings, ...declared } : declared });
  }
  return [...out.values()];
}

/**
 * The principals another one's policies can come through: groups (joined by alias or membership) and
 * included principals. A plain role or user is reached by no other, so leaving them out of the graph
 * each principal is resolved in keeps a config of thousands of roles linear.
 */
function reachable(principals: readonly Principal[]): Principal[] {
  const named = new Set(principals.flatMap((p) => [...(p.includes ?? []), ...(p.memberGroups ?? [])]));
  return principals.filter((p) => p.groupAlias !== undefined || p.memberGroups !== undefined || named.has(p.address));
}

interface Side {
  all: PrincipalAccess[];
  byAddress: Map<Address, PrincipalAccess>;
  unread: Set<string>;
}

type Graph = ReturnType<typeof graphOf>;

/** One side's principals, what reaches them, and the policy texts. */
function graphOf(kinds: readonly Kind[], objects: readonly Source[]) {
  const principals = principalsOf(kinds, objects);
  const { texts, unread } = policyTexts(objects);
  // Parsed once per side, not once per principal carrying it.
  texts.default ??= SHIPPED_DEFAULT_POLICY;
  return { principals, graph: reachable(principals), texts, unread };
}

function side(g: Graph, addresses: ReadonlySet<Address>): Side {
  const all = g.principals.filter((p) => addresses.has(p.address)).map((p) => principalAccess(g.graph, p, g.texts));
  return { all, byAddress: new Map(all.map((a) => [a.principal.address, a])), unread: g.unread };
}

/**
 * The principals whose access may differ: changed themselves, carrying a changed policy, or any
 * when a group or included principal changed (who reaches whom may differ). The others are the same
 * on both sides and are not evaluated.
 */
function affected(changes: readonly Change[], sides: readonly Graph[]): Set<Address> {
  const changed = new Set(changes.filter((c) => c.action !== 'noop').map((c) => c.address));
  const policies = new Set([...changed].filter((a) => isPolicy({ address: a, name: a.slice('policies/'.length) })).map((a) => a.slice('policies/'.length)));
  const graphChanged = sides.some((s) => s.graph.some((p) => changed.has(p.address)));
  const out = new Set<Address>();
  for (const s of sides) {
    for (const p of s.principals) {
      if (graphChanged || changed.has(p.address) || effectivePolicies(s.graph, p).some((r) => policies.has(r.policy))) out.add(p.address);
    }
  }
  return out;
}

/** A changed principal's policies whose text was not read, on either side. */
function unreadPolicies(change: PrincipalAccessChange, sides: readonly Side[]): string[] {
  const names = sides.flatMap((s) => s.byAddress.get(change.address)?.missing.filter((m) => s.unread.has(m)) ?? []);
  return [...new Set(names)].sort();
}

const line = (v: unknown) => JSON.stringify(v ?? null);

/** The changes to trust outside policies the kinds declare (Kind.trust). */
export function trustChanges(changes: readonly Change[], kinds: readonly Kind[]): TrustChange[] {
  const byName = new Map(kinds.map((k) => [k.name, k]));
  const out: TrustChange[] = [];
  for (const c of changes) {
    const trust = byName.get(c.kind)?.trust;
    if (!trust || c.action === 'noop') continue;
    const fields = c.fields.filter((f) => trust.fields.includes(f.name)).map((f) => ({ name: f.name, before: f.before, after: f.after }));
    const base = { address: c.address, kind: c.kind, subject: trust.subject };
    if (trust.object && c.action !== 'update') out.push({ ...base, what: `${trust.subject} ${c.action === 'create' ? 'added' : 'removed'}`, ...(fields.length > 0 ? { fields } : {}) });
    else if (fields.length > 0) {
      const what = fields.map((f) => (f.before === null ? `${f.name} ${line(f.after)} (new)` : f.after === null ? `${f.name} removed` : `${f.name} changed`)).join(', ');
      out.push({ ...base, what: `${trust.subject}: ${what}`, fields });
    }
  }
  return out;
}

/** Which namespaces an entry publishes to, in words. */
export function namespaceRuleText(rule: NamespaceRule): string {
  const except = rule.exclude.length > 0 ? ` except ${rule.exclude.join(', ')}` : '';
  if (rule.all) return `every namespace${except}`;
  if (rule.selector) return `namespaces labelled ${Object.entries(rule.selector).map(([k, v]) => `${k}=${v}`).join(',')}${except}`;
  return `namespaces ${(rule.names ?? []).join(', ')}${except}`;
}

/** The CAs a plan newly gives to Kubernetes namespaces (copies it creates), per publish entry. */
export function caBundleTrust(entries: readonly PublishEntry[], copies: readonly CaBundleChange[]): TrustChange[] {
  return entries.flatMap((e) => {
    const namespaces = copies.filter((c) => c.address === e.address && c.action === 'create').map((c) => c.namespace).sort();
    if (namespaces.length === 0) return [];
    const n = `${namespaces.length} more namespace${namespaces.length === 1 ? '' : 's'}`;
    return [{ address: e.address, kind: 'ca-bundle', subject: 'CA bundle', what: `the CA of ${e.mount} published to ${n} (${namespaceRuleText(e.namespaces)})`, namespaces }];
  });
}

function section(principals: PrincipalAccessChange[], trust: TrustChange[], notCompared: string[]): AccessChanges | undefined {
  if (principals.length === 0 && trust.length === 0 && notCompared.length === 0) return undefined;
  return {
    summary: {
      principals: principals.length,
      privileged: principals.filter((p) => p.privileged.length > 0).length,
      widened: principals.filter((p) => p.bindings?.some((b) => b.widened !== undefined)).length,
      trust: trust.length,
    },
    principals,
    trust,
    ...(notCompared.length > 0 ? { not_compared: notCompared } : {}),
  };
}

export const TARGETED_NOTE = 'a targeted plan reads only its targets: who else a policy or principal change reaches was not read (plan without --target to see it)';

/** The access changes of a plan, or undefined when it changes no access. */
export function planAccessChanges(input: AccessInput): AccessChanges | undefined {
  const byName = new Map(input.kinds.map((k) => [k.name, k]));
  const touches = input.changes.some((c) => c.action !== 'noop' && (byName.get(c.kind)?.principal !== undefined || isPolicy({ address: c.address, name: c.address.slice('policies/'.length) })));
  const trust = trustChanges(input.changes, input.kinds);
  if (!touches) return section([], trust, []);
  if (input.targeted) return section([], trust, [TARGETED_NOTE]);
  const sides = [graphOf(input.kinds, input.live), graphOf(input.kinds, afterApply(input))];
  const addresses = affected(input.changes, sides);
  const [before, after] = sides.map((g) => side(g, addresses)) as [Side, Side];
  // What the server's default policy grants every token is never privileged.
  const principals = accessChanges(before.all, after.all, buildAcl([defaultPolicy(sides[0]!.texts.default)])).map((p) => {
    const unread = unreadPolicies(p, [before, after]);
    return unread.length > 0 ? { ...p, unread_policies: unread } : p;
  });
  return section(principals, trust, []);
}

/** The plan with more trust changes in its access section. */
export function withTrustChanges(plan: Plan, trust: readonly TrustChange[]): Plan {
  if (trust.length === 0) return plan;
  const now = plan.access_changes;
  return { ...plan, access_changes: section(now?.principals ?? [], [...(now?.trust ?? []), ...trust], now?.not_compared ?? []) };
}

/** How many findings `plan --fail-on` counts: privileged principals, or any access change. Not compared counts: it cannot be shown safe. */
export function accessFindings(changes: AccessChanges | undefined, level: 'privileged' | 'access'): number {
  if (!changes) return 0;
  const unknown = changes.not_compared?.length ?? 0;
  return level === 'privileged' ? changes.summary.privileged + unknown : changes.summary.principals + changes.summary.trust + unknown;
}
