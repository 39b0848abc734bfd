// `vault-gitops access` output: who holds what on a path, or what one principal holds; as text, or
// as versioned JSON (docs/access.md describes the fields).
import type { Holder, PrincipalAccess } from '../core/access/access-query.js';
import type { RuleRef } from '../core/access/acl.js';
import type { PolicyRoute } from '../core/access/principal-graph.js';
import type { RuleConstraints } from '../core/access/policy-rules.js';

export const ACCESS_JSON_VERSION = 1;

/** Where each policy's text is, by policy name: the file (as shown to the user) and the line of its line 1. */
export type PolicyFiles = Readonly<Record<string, { file: string; line: number } | undefined>>;

/** `file:line` of a rule of the policy, when its source is known. */
function sourceOf(ref: RuleRef, files: PolicyFiles): string | undefined {
  const src = files[ref.policy];
  return src && ref.line !== undefined ? `${src.file}:${src.line + ref.line - 1}` : undefined;
}

type Route = Omit<PolicyRoute, 'policy'>;

function routes(access: PrincipalAccess, policy: string): Route[] {
  return access.routes.filter((r) => r.policy === policy).map(({ via, condition }) => ({ via, ...(condition ? { condition } : {}) }));
}

function ruleJson(ref: RuleRef, files: PolicyFiles) {
  const at = sourceOf(ref, files);
  return { policy: ref.policy, rule: ref.path, ...(ref.line !== undefined ? { line: ref.line } : {}), ...(at ? { at } : {}) };
}

export function pathJson(path: string, operation: string | undefined, holders: readonly Holder[], files: PolicyFiles): string {
  const principals = holders.map(({ access, answer }) => ({
    address: access.principal.address,
    ...(access.condition ? { condition: access.condition } : {}),
    capabilities: answer.capabilities,
    ...(answer.decidedBy ? { pattern: answer.decidedBy.pattern } : {}),
    grants: Object.entries(answer.grants).flatMap(([capability, refs]) => refs.map((r) => ({ capability, ...ruleJson(r, files), routes: routes(access, r.policy) }))),
    ...(answer.constraints ? { constraints: answer.constraints } : {}),
  }));
  return JSON.stringify({ version: ACCESS_JSON_VERSION, path, operation: operation ?? null, principals }, null, 2) + '\n';
}

export function principalJson(access: PrincipalAccess, files: PolicyFiles): string {
  const p = access.principal;
  const names = [...new Set(access.routes.map((r) => r.policy))];
  const out = {
    version: ACCESS_JSON_VERSION,
    principal: { address: p.address, default_policy: access.routes.some((r) => r.policy === 'default'), bindings: p.bindings },
    policies: names.map((name) => ({ name, routes: routes(access, name), ...(access.missing.includes(name) ? { missing: true } : {}) })),
    rules: access.policies.flatMap((pol) =>
      pol.rules.map((r) => ({
        ...ruleJson(r, files),
        capabilities: r.capabilities,
        ...(Object.keys(r.constraints).length > 0 ? { constraints: r.constraints } : {}),
        ...(r.templated ? { templated: true } : {}),
      })),
    ),
  };
  return JSON.stringify(out, null, 2) + '\n';
}

function routeText(rs: readonly Route[], condition?: string): string {
  if (rs.some((r) => r.via.length === 0 && !r.condition)) return '';
  rs = rs.filter((r) => !r.condition || r.condition === condition || condition === undefined);
  const shown = rs.map((r) => [r.via.length > 0 ? `via ${r.via.join(' → ')}` : '', r.condition ? `if ${r.condition}` : ''].filter(Boolean).join(', '));
  return ` (${shown.join('; ')})`;
}

function at(ref: RuleRef, files: PolicyFiles): string {
  if (ref.line === undefined) return '';
  return ` at ${sourceOf(ref, files) ?? `line ${ref.line} of the policy`}`;
}

function constraintsText(c: RuleConstraints | undefined, indent: string): string[] {
  if (!c) return [];
  return [`${indent}constraints (checked per request): ${Object.entries(c).map(([k, v]) => `${k} ${JSON.stringify(v)}`).join(', ')}`];
}

export function pathText(path: string, operation: string | undefined, holders: readonly Holder[], files: PolicyFiles): string {
  const what = operation ? `${operation} on ${path}` : `any capability on ${path}`;
  if (holders.length === 0) return `No principal of the config holds ${what}.\n`;
  const holding = holders.filter((h) => h.holds).length;
  const losing = holders.length - holding;
  const head = holding === 0 ? `No principal of the config holds ${what}` : `${holding} principal${holding === 1 ? '' : 's'} of the config hold${holding === 1 ? 's' : ''} ${what}`;
  const lines = [`${head}${losing > 0 ? `; ${losing} conditional variant${losing === 1 ? '' : 's'} of ${losing === 1 ? 'a principal loses' : 'principals lose'} it` : ''}:`];
  for (const { access, answer } of holders) {
    lines.push('', `${access.principal.address}${access.condition ? ` (if ${access.condition})` : ''}: ${answer.capabilities.join(', ')}${answer.decidedBy ? ` (path rule "${answer.decidedBy.pattern}")` : ''}`);
    for (const [capability, refs] of Object.entries(answer.grants)) {
      for (const r of refs) lines.push(`  ${capability} ← policy ${r.policy}, path "${r.path}"${at(r, files)}${routeText(routes(access, r.policy), access.condition)}`);
    }
    lines.push(...constraintsText(answer.constraints, '  '));
  }
  return lines.join('\n') + '\n';
}

export function principalText(access: PrincipalAccess, files: PolicyFiles): string {
  const p = access.principal;
  const lines = [p.address];
  const bindings = Object.entries(p.bindings);
  if (bindings.length > 0) lines.push(`  bound by: ${bindings.map(([k, v]) => `${k} ${JSON.stringify(v)}`).join(', ')}`);
  lines.push('  policies:');
  for (const name of new Set(access.routes.map((r) => r.policy))) {
    lines.push(`    ${name}${access.missing.includes(name) ? ' (not defined: Vault ignores it)' : ''}${routeText(routes(access, name))}`);
  }
  lines.push('  rules:');
  const rules = access.policies.flatMap((pol) => pol.rules);
  if (access.policies.some((pol) => pol.name === 'root')) lines.push('    root policy: every capability on every path');
  for (const r of rules) {
    lines.push(`    path "${r.path}": ${r.capabilities.length > 0 ? r.capabilities.join(', ') : '(none)'} ← policy ${r.policy}${at(r, files)}${r.templated ? ' (templated: depends on the entity)' : ''}`);
    lines.push(...constraintsText(Object.keys(r.constraints).length > 0 ? r.constraints : undefined, '      '));
  }
  return lines.join('\n') + '\n';
}
