// The two questions `access` answers from a principal graph and the policies' texts: what one
// principal may do (its policies and rules), and who holds a capability on one request path.
import type { Principal } from '../principal.js';
import { buildAcl, capabilitiesAt, evaluate, type Acl, type OperationAnswer, type PathAnswer } from './acl.js';
import { defaultPolicy } from './default-policy.js';
import { effectivePolicies, templateIdentity, type PolicyRoute } from './principal-graph.js';
import { parsePolicy, type ParsedPolicy } from './policy-rules.js';
import type { TemplateIdentity } from './templating.js';

export interface PrincipalAccess {
  principal: Principal;
  /** A login that also joins groups only on a condition (a JWT groups claim): the condition. */
  condition?: string;
  /** How each policy reaches it (a policy may come several ways). */
  routes: PolicyRoute[];
  /** Policies it names that are not defined: Vault ignores them. */
  missing: string[];
  policies: ParsedPolicy[];
  acl: Acl;
}

/**
 * The access of one principal. `texts` are the defined policies by name; `default` is the shipped
 * policy unless `texts` has the server's (or the config's) own.
 */
export function principalAccess(graph: readonly Principal[], principal: Principal, texts: Readonly<Record<string, string>>, condition?: string): PrincipalAccess {
  const routes = effectivePolicies(graph, principal).filter((r) => condition === undefined || r.condition === undefined || r.condition === condition);
  return { principal, ...(condition !== undefined ? { condition } : {}), ...aclOf(routes, texts, templateIdentity(graph, principal, condition)) };
}

/**
 * The principal's access without conditions, then one variant per condition (a login whose groups
 * claim holds one more group): conditions are never combined, each is shown on its own.
 */
export function accessVariants(graph: readonly Principal[], principal: Principal, texts: Readonly<Record<string, string>>): PrincipalAccess[] {
  const all = effectivePolicies(graph, principal);
  const base = all.filter((r) => r.condition === undefined);
  const conditions = [...new Set(all.flatMap((r) => (r.condition !== undefined ? [r.condition] : [])))];
  return [
    { principal, ...aclOf(base, texts, templateIdentity(graph, principal)) },
    ...conditions.map((condition) => ({ principal, condition, ...aclOf([...base, ...all.filter((r) => r.condition === condition)], texts, templateIdentity(graph, principal, condition)) })),
  ];
}

/** Each text parsed once per texts object (a config's policies are shared by many principals). */
const parsedTexts = new WeakMap<Readonly<Record<string, string>>, Map<string, ParsedPolicy>>();

function parsed(texts: Readonly<Record<string, string>>, name: string, text: string): ParsedPolicy {
  let cache = parsedTexts.get(texts);
  if (!cache) parsedTexts.set(texts, (cache = new Map()));
  let policy = cache.get(name);
  if (!policy) cache.set(name, (policy = parsePolicy(name, text).policy));
  return policy;
}

function aclOf(routes: PolicyRoute[], texts: Readonly<Record<string, string>>, identity: TemplateIdentity): Omit<PrincipalAccess, 'principal' | 'condition'> {
  const policies: ParsedPolicy[] = [];
  const missing: string[] = [];
  for (const name of new Set(routes.map((r) => r.policy))) {
    const text = texts[name];
    if (name === 'root') policies.push({ name, rules: [] });
    else if (text !== undefined) policies.push(parsed(texts, name, text));
    else if (name === 'default') policies.push(defaultPolicy());
    else missing.push(name);
  }
  return { routes, missing, policies, acl: buildAcl(policies, identity) };
}

export interface Holder {
  access: PrincipalAccess;
  answer: PathAnswer;
  /** False for a conditional variant listed because it loses what its principal holds. */
  holds: boolean;
}

/**
 * The principals holding a capability on `path`: any (no operation), or the operation's own
 * (a capability name: read, list, sudo…; a list request's path ends in `/`, as Vault makes it).
 * `accesses` may hold a principal's variants (accessVariants): a conditional one is kept only where
 * it answers differently from the principal's unconditional access, and then also where it holds
 * nothing (its groups or entity deny what the principal holds: `deny`, or no `operation`).
 */
export function holdersOf(accesses: readonly PrincipalAccess[], path: string, operation?: string): Holder[] {
  const unconditional = new Map<string, string>();
  const out: Holder[] = [];
  for (const access of accesses) {
    const answer = operation !== undefined ? evaluate(access.acl, path, operation) : capabilitiesAt(access.acl, path);
    const holds = operation !== undefined ? (answer as OperationAnswer).allowed : !answer.capabilities.includes('deny');
    const shown = holds ? answer.capabilities.join(',') : '';
    const address = access.principal.address;
    if (access.condition === undefined) unconditional.set(address, shown);
    else if ((unconditional.get(address) ?? '') === shown) continue;
    if (holds || access.condition !== undefined) out.push({ access, answer, holds });
  }
  return out;
}
