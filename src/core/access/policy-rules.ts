// An ACL policy's text read the way Vault reads it into path rules (vault/policy.go parsePaths):
// a leading `/` dropped, old-style `policy = "read"` mapped to capabilities, `deny` alone when present,
// parameter names lowercased, wrapping TTLs in seconds. Errors come from the shared HCL checks.
import { checkPolicyHcl, parseHcl, type HclItem, type HclProblem, type HclValue } from '../check/hcl.js';
import { parseTtl } from '../common/ttl.js';

/** The parts of a rule that narrow a grant instead of widening it (Vault checks them per request). */
export interface RuleConstraints {
  allowed_parameters?: Record<string, unknown[]>;
  denied_parameters?: Record<string, unknown[]>;
  required_parameters?: string[];
  /** Seconds. */
  min_wrapping_ttl?: number;
  /** Seconds. */
  max_wrapping_ttl?: number;
}

/** One `path "..." { ... }` block of one policy. */
export interface AclRule {
  policy: string;
  /** The path as written, less a leading `/`: `secret/data/+/app*`. */
  path: string;
  line: number;
  col: number;
  /** As Vault holds them: `["deny"]` alone when the block lists deny; may be empty. */
  capabilities: string[];
  constraints: RuleConstraints;
  /** The path uses `{{identity...}}` templating: it names a different path per entity. */
  templated: boolean;
}

export interface ParsedPolicy {
  name: string;
  rules: AclRule[];
}

const OLD_STYLE: Record<string, string[]> = {
  deny: ['deny'],
  read: ['read', 'list'],
  write: ['create', 'read', 'update', 'delete', 'list'],
  sudo: ['create', 'read', 'update', 'delete', 'list', 'sudo'],
};

/** An HCL value as plain data (a parameter's allowed values may be strings, numbers, lists…). */
function plain(v: HclValue): unknown {
  switch (v.type) {
    case 'list':
      return v.items.map(plain);
    case 'object':
      return Object.fromEntries(v.items.map((i) => [i.keys.map((k) => k.name).join('.'), plain(i.value)]));
    default:
      return v.value;
  }
}

function strings(v: HclValue): string[] {
  return v.type === 'list' ? v.items.flatMap((x) => (x.type === 'string' ? [x.value] : [])) : [];
}

function parameters(v: HclValue): Record<string, unknown[]> {
  const out: Record<string, unknown[]> = {};
  if (v.type !== 'object') return out;
  for (const item of v.items) {
    if (item.keys.length === 1 && item.value.type === 'list') out[item.keys[0]!.name.toLowerCase()] = item.value.items.map(plain);
  }
  return out;
}

function readRule(policy: string, item: HclItem): AclRule {
  const label = item.keys[1]!;
  const rule: AclRule = {
    policy,
    path: label.name.startsWith('/') ? label.name.slice(1) : label.name,
    line: label.pos.line,
    col: label.pos.col,
    capabilities: [],
    constraints: {},
    templated: label.name.includes('{{'),
  };
  let capabilities: string[] = [];
  let oldStyle: string[] = [];
  const body = item.value.type === 'object' ? item.value.items : [];
  for (const entry of body) {
    if (entry.keys.length !== 1) continue;
    const v = entry.value;
    switch (entry.keys[0]!.name) {
      case 'capabilities':
        capabilities = strings(v);
        break;
      case 'policy':
        oldStyle = v.type === 'string' ? (OLD_STYLE[v.value] ?? []) : [];
        break;
      case 'allowed_parameters':
        rule.constraints.allowed_parameters = parameters(v);
        break;
      case 'denied_parameters':
        rule.constraints.denied_parameters = parameters(v);
        break;
      case 'required_parameters':
        rule.constraints.required_parameters = strings(v);
        break;
      case 'min_wrapping_ttl':
      case 'max_wrapping_ttl': {
        const seconds = v.type === 'string' || v.type === 'number' ? parseTtl(v.value) : undefined;
        if (seconds) rule.constraints[entry.keys[0]!.name as 'min_wrapping_ttl' | 'max_wrapping_ttl'] = seconds;
        break;
      }
      default:
        break;
    }
  }
  // Vault appends the old-style capabilities to the listed ones, except `deny`, which replaces them.
  const all = oldStyle.includes('deny') ? oldStyle : [...capabilities, ...oldStyle];
  rule.capabilities = all.includes('deny') ? ['deny'] : [...new Set(all)];
  if (rule.capabilities[0] === 'deny') rule.constraints = {};
  for (const key of ['allowed_parameters', 'denied_parameters'] as const) {
    if (rule.constraints[key] && Object.keys(rule.constraints[key]).length === 0) delete rule.constraints[key];
  }
  if (rule.constraints.required_parameters?.length === 0) delete rule.constraints.required_parameters;
  return rule;
}

/**
 * The rules of one policy, or the problems Vault would refuse it for (positions inside the text).
 * The policy name is kept as given; Vault stores names lowercased.
 */
export function parsePolicy(name: string, text: string): { policy: ParsedPolicy; problems: HclProblem[] } {
  const problems = checkPolicyHcl(text);
  const policy: ParsedPolicy = { name, rules: [] };
  if (problems.length > 0) return { policy, problems };
  for (const item of parseHcl(text).items) {
    if (item.keys[0]!.name === 'path' && item.keys.length === 2) policy.rules.push(readRule(name, item));
  }
  return { policy, problems };
}
