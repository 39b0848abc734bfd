// The principals a set of objects defines (each kind declares its own, see Kind.principal) and the
// policies each one's tokens carry: its own, `default` unless left out, those of the principals it
// includes, and those of the identity its logins reach: the entity holding its entity alias, the
// groups of its group aliases (both on its auth mount), then up through every group listing a reached
// entity or group as a member.
import type { Kind } from '../kind.js';
import type { Address, DesiredObject } from '../model.js';
import type { Principal, PrincipalSource } from '../principal.js';

/** Every principal among `objects`, as its kind declares it. */
export function principalsOf(kinds: readonly Kind[], objects: ReadonlyArray<PrincipalSource & Pick<DesiredObject, 'kind'>>): Principal[] {
  const byName = new Map(kinds.map((k) => [k.name, k]));
  return objects.flatMap((o) => byName.get(o.kind)?.principal?.(o) ?? []);
}

/** One way a policy reaches a principal. */
export interface PolicyRoute {
  policy: string;
  /** The principals it comes through, nearest first; empty: the principal's own. */
  via: Address[];
  /** Present when it depends on what a login presents: the condition, in words. */
  condition?: string;
}

const trim = (mount: string) => mount.replace(/^\/+|\/+$/g, '');

/** The policies a token of `principal` carries, with how each gets there (a policy may come several ways). */
export function effectivePolicies(graph: readonly Principal[], principal: Principal): PolicyRoute[] {
  const byAddress = new Map(graph.map((p) => [p.address, p]));
  const routes: PolicyRoute[] = principal.policies.map((policy) => ({ policy, via: [] }));
  let withDefault = principal.defaultPolicy;
  const sources = [principal];
  for (const address of principal.includes ?? []) {
    const included = byAddress.get(address);
    if (!included) continue;
    sources.push(included);
    withDefault &&= included.defaultPolicy;
    routes.push(...included.policies.map((policy) => ({ policy, via: [address] })));
  }
  if (withDefault) routes.push({ policy: 'default', via: [] });

  // Identity joined directly: the entity a login's alias names, the groups its group aliases name;
  // for an entity or a group, itself (its parents are climbed from it).
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
  for (const src of sources) {
    const aliases = src.groupAliases;
    if (!aliases) continue;
    for (const g of graph) {
      if (!g.groupAlias || trim(g.groupAlias.mount) !== trim(aliases.mount)) continue;
      if (aliases.names === '*') starts.push({ node: g, via: [g.address], condition: `the login's groups claim holds "${g.groupAlias.name}"` });
      else if (aliases.names.includes(g.groupAlias.name)) starts.push({ node: g, via: [g.address] });
    }
  }
  // What every login reaches first, then each condition on its own (conditions are never combined).
  const reached = new Set<Address>();
  routes.push(...climb(graph, principal, starts.filter((r) => r.condition === undefined), reached));
  for (const condition of new Set(starts.flatMap((r) => (r.condition !== undefined ? [r.condition] : [])))) {
    routes.push(...climb(graph, principal, starts.filter((r) => r.condition === condition), new Set(reached)).map((r) => ({ ...r, condition })));
  }
  return routes;
}

/** An entity or group a login reaches, and how. */
type Reached = { node: Principal; via: Address[]; condition?: string };

/**
 * The policies of the entities and groups reached from `starts` (the principal's own excepted),
 * then up through every group listing a reached one in member_groups or member_entities. `seen`
 * holds what is already counted, and grows.
 */
function climb(graph: readonly Principal[], principal: Principal, starts: Reached[], seen: Set<Address>): PolicyRoute[] {
  const routes: PolicyRoute[] = [];
  const parentsOf = (r: Reached): Reached[] =>
    graph.filter((g) => g.memberGroups?.includes(r.node.address) || g.memberEntities?.includes(r.node.address)).map((g) => ({ node: g, via: [...r.via, g.address] }));
  let frontier = starts;
  while (frontier.length > 0) {
    const next: Reached[] = [];
    for (const r of frontier) {
      if (seen.has(r.node.address)) continue;
      seen.add(r.node.address);
      if (r.node !== principal) routes.push(...r.node.policies.map((policy) => ({ policy, via: r.via })));
      next.push(...parentsOf(r));
    }
    frontier = next;
  }
  return routes;
}
