// The principals a set of objects defines (each kind declares its own, see Kind.principal) and the
// policies each one's tokens carry: its own, `default` unless left out, those of the principals it
// includes, and those of the entities and groups its logins reach (reachedIdentity).
import type { Kind } from '../kind.js';
import type { Address, DesiredObject } from '../model.js';
import type { Principal, PrincipalSource } from '../principal.js';
import type { TemplateIdentity } from './templating.js';

/** Every principal among `objects`, as its kind declares it. */
export function principalsOf(kinds: readonly Kind[], objects: ReadonlyArray<PrincipalSource & Pick<DesiredObject, 'kind'>>): Principal[] {
  const byName = new Map(kinds.map((k) => [k.name, k]));
  return objects.flatMap((o) => byName.get(o.kind)?.principal?.(o) ?? []);
}

const trim = (path: string) => path.replace(/^\/+|\/+$/g, '');

/** The principal `address` names: by its plan address, or by its object's own Vault path (`auth/approle/role/NAME`). */
export function findPrincipal(principals: readonly Principal[], address: string): Principal | undefined {
  const a = trim(address);
  return principals.find((p) => p.address === a) ?? principals.find((p) => p.vaultPath !== undefined && trim(p.vaultPath) === a);
}

/** One way a policy reaches a principal. */
export interface PolicyRoute {
  policy: string;
  /** The principals it comes through, nearest first; empty: the principal's own. */
  via: Address[];
  /** Present when it depends on what a login presents: the condition, in words. */
  condition?: string;
}

/** The policies a token of `principal` carries, with how each gets there (a policy may come several ways). */
export function effectivePolicies(graph: readonly Principal[], principal: Principal): PolicyRoute[] {
  const routes: PolicyRoute[] = principal.policies.map((policy) => ({ policy, via: [] }));
  const included = includedBy(graph, principal);
  for (const p of included) routes.push(...p.policies.map((policy) => ({ policy, via: [p.address] })));
  if (principal.defaultPolicy && included.every((p) => p.defaultPolicy)) routes.push({ policy: 'default', via: [] });
  for (const r of reachedIdentity(graph, principal)) {
    if (r.node !== principal) routes.push(...r.node.policies.map((policy) => ({ policy, via: r.via, ...(r.condition !== undefined ? { condition: r.condition } : {}) })));
  }
  return routes;
}

/** The principals whose policies its logins get too (a GitHub map: its mount's config). */
function includedBy(graph: readonly Principal[], principal: Principal): Principal[] {
  return (principal.includes ?? []).flatMap((address) => graph.filter((p) => p.address === address).slice(0, 1));
}

/** An entity or group a principal's logins reach, and how. */
export interface Reached {
  node: Principal;
  /** The principals it comes through, nearest first (itself last). */
  via: Address[];
  condition?: string;
}

/**
 * The entities and groups a principal's logins reach: the entity holding the entity alias a login
 * brings, the groups of the group aliases it brings (both on its auth mount), then up through every
 * group listing a reached entity or group as a member. An entity or a group reaches itself first.
 * What every login reaches comes first, then what each condition adds, each on its own
 * (conditions are never combined).
 */
export function reachedIdentity(graph: readonly Principal[], principal: Principal): Reached[] {
  const starts: Reached[] = [{ node: principal, via: [] }];
  const alias = principal.entityAlias;
  if (alias) {
    for (const e of graph) {
      for (const held of e.entityAliases ?? []) {
        if (trim(held.mount) !== trim(alias.mount)) continue;
        if ('from' in alias) starts.push({ node: e, via: [e.address], condition: `the login's ${alias.from} is "${held.name}"` });
        else if (held.name === alias.name) starts.push({ node: e, via: [e.address] });
      }
    }
  }
  for (const src of [principal, ...includedBy(graph, principal)]) {
    const aliases = src.groupAliases;
    if (!aliases) continue;
    for (const g of graph) {
      if (!g.groupAlias || trim(g.groupAlias.mount) !== trim(aliases.mount)) continue;
      if (aliases.names === '*') starts.push({ node: g, via: [g.address], condition: `the login's groups claim holds "${g.groupAlias.name}"` });
      else if (aliases.names.includes(g.groupAlias.name)) starts.push({ node: g, via: [g.address] });
    }
  }
  const seen = new Set<Address>();
  const out = climb(graph, starts.filter((r) => r.condition === undefined), seen);
  for (const condition of new Set(starts.flatMap((r) => (r.condition !== undefined ? [r.condition] : [])))) {
    out.push(...climb(graph, starts.filter((r) => r.condition === condition), new Set(seen)).map((r) => ({ ...r, condition })));
  }
  return out;
}

/** `starts`, then up through every group listing a reached one in member_groups or member_entities; `seen` grows. */
function climb(graph: readonly Principal[], starts: Reached[], seen: Set<Address>): Reached[] {
  const out: Reached[] = [];
  const parentsOf = (r: Reached): Reached[] =>
    graph.filter((g) => g.memberGroups?.includes(r.node.address) || g.memberEntities?.includes(r.node.address)).map((g) => ({ node: g, via: [...r.via, g.address] }));
  let frontier = starts;
  while (frontier.length > 0) {
    const next: Reached[] = [];
    for (const r of frontier) {
      if (seen.has(r.node.address)) continue;
      seen.add(r.node.address);
      out.push({ node: r.node, via: r.via });
      next.push(...parentsOf(r));
    }
    frontier = next;
  }
  return out;
}

/**
 * What templated policy paths may name for a login of `principal` (every login, plus those meeting
 * `condition`): the entity it is, and every group that entity is in.
 */
export function templateIdentity(graph: readonly Principal[], principal: Principal, condition?: string): TemplateIdentity {
  const nodes = reachedIdentity(graph, principal)
    .filter((r) => r.condition === undefined || r.condition === condition)
    .flatMap((r) => (r.node.identity ? [r.node.identity] : []));
  const entity = nodes.find((n) => n.type === 'entity');
  return {
    ...(entity ? { entity: { name: entity.name, metadata: entity.metadata } } : {}),
    groups: nodes.filter((n) => n.type === 'group').map(({ name, metadata }) => ({ name, metadata })),
  };
}
