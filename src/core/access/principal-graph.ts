// The principals a set of objects defines (each kind declares its own, see Kind.principal) and the
// policies each one's tokens carry: its own, `default` unless left out, those of the principals it
// includes, and those of the identity groups its logins join (through a group alias on its mount,
// then up through every group that has a joined group as a member).
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

  // Groups joined directly: through a group alias a login brings, or (for a group) itself.
  type Reached = { group: Principal; via: Address[]; condition?: string };
  let frontier: Reached[] = [];
  for (const src of sources) {
    const aliases = src.groupAliases;
    if (!aliases) continue;
    for (const g of graph) {
      if (!g.groupAlias || trim(g.groupAlias.mount) !== trim(aliases.mount)) continue;
      if (aliases.names === '*') frontier.push({ group: g, via: [g.address], condition: `the login's groups claim holds "${g.groupAlias.name}"` });
      else if (aliases.names.includes(g.groupAlias.name)) frontier.push({ group: g, via: [g.address] });
    }
  }
  const seen = new Set<Address>([principal.address]);
  const parentsOf = (r: Reached): Reached[] =>
    graph.filter((g) => g.memberGroups?.includes(r.group.address)).map((g) => ({ group: g, via: [...r.via, g.address], ...(r.condition ? { condition: r.condition } : {}) }));
  // A group: the groups that list it as a member (nothing lists a login).
  frontier.push(...parentsOf({ group: principal, via: [] }));
  while (frontier.length > 0) {
    const next: Reached[] = [];
    for (const r of frontier) {
      if (seen.has(r.group.address)) continue;
      seen.add(r.group.address);
      routes.push(...r.group.policies.map((policy) => ({ policy, via: r.via, ...(r.condition ? { condition: r.condition } : {}) })));
      next.push(...parentsOf(r));
    }
    frontier = next;
  }
  return routes;
}

