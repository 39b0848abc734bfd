// Random policy sets and request paths for the ACL oracle tests, from a seed: patterns built from a
// few short segments (so that they overlap), `+` segments, `*` globs (whole segment or mid-segment),
// a literal `+` inside a segment, trailing `/`, deny, empty capability lists, old-style `policy =`,
// parameter and wrapping constraints, the same pattern in several policies; request paths made from
// the patterns (wildcards filled in, segments added, dropped or changed, a trailing or leading `/`).

/** mulberry32: small, fast, and the same sequence for the same seed on every machine. */
export function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface CaseRule {
  path: string;
  capabilities: string[];
  /** Old-style `policy = "..."`, alongside or instead of capabilities. */
  old?: 'read' | 'write' | 'sudo' | 'deny';
  /** Parameter and wrapping constraints (HCL lines): they must not change the capabilities. */
  constraints?: string[];
}
export type CasePolicy = CaseRule[];

const SEGMENTS = ['a', 'b', 'ab', 'abc', 'ba', 'x'];
const CAPS = ['create', 'read', 'update', 'patch', 'delete', 'list', 'sudo'];

export class CaseGenerator {
  constructor(private readonly rnd: () => number) {}

  private pick<T>(xs: readonly T[]): T {
    return xs[Math.floor(this.rnd() * xs.length)]!;
  }
  private chance(p: number): boolean {
    return this.rnd() < p;
  }
  private int(lo: number, hi: number): number {
    return lo + Math.floor(this.rnd() * (hi - lo + 1));
  }

  pattern(): string {
    if (this.chance(0.02)) return this.pick(['*', '+', '+/*']);
    const n = this.int(1, 4);
    const parts: string[] = [];
    for (let i = 0; i < n; i++) {
      // A `+` inside a segment is a literal, yet `/+` anywhere makes Vault treat the pattern as a `+` pattern.
      if (this.chance(0.03)) parts.push(this.pick(['+a', 'a+', 'a+b']));
      else parts.push(i > 0 && this.chance(0.25) ? '+' : this.pick(SEGMENTS));
    }
    let p = parts.join('/');
    const end = this.rnd();
    if (end < 0.25) p += '/*';
    else if (end < 0.4) p += '*';
    else if (end < 0.5) p += '/';
    else if (end < 0.55) p = `${p.slice(0, -1)}*`;
    // `+*` is refused by Vault: make it "any segment, then anything".
    return p.replaceAll('+*', '+/*');
  }

  capabilities(): { capabilities: string[]; old?: CaseRule['old'] } {
    if (this.chance(0.04)) return { capabilities: [], old: this.pick(['read', 'write', 'sudo', 'deny'] as const) };
    if (this.chance(0.12)) return { capabilities: this.chance(0.5) ? ['deny'] : ['read', 'deny'] };
    if (this.chance(0.04)) return { capabilities: [] };
    return { capabilities: CAPS.filter(() => this.chance(0.35)) };
  }

  constraints(): string[] {
    // The operations test writes {"v": "1"}: constraints on v, on other names, on all names.
    const allowed = ['"a" = []', '"v" = []', '"v" = ["1"]', '"v" = ["2"]', '"v" = ["1*"]', '"v" = ["*2"]', '"v" = ["*"]', '"v" = ["*1*"]', '"*" = []'];
    const denied = ['"b" = ["x"]', '"v" = ["1"]', '"v" = ["2*"]', '"V" = []', '"*" = []'];
    const out: string[] = [];
    if (this.chance(0.5)) {
      // Two entries only with different names: Vault 1.21 refuses a name set twice.
      const [a, b] = [this.pick(allowed), this.pick(allowed)];
      out.push(`allowed_parameters = { ${a}${this.chance(0.3) && a.split(' ')[0] !== b.split(' ')[0] ? `, ${b}` : ''} }`);
    }
    if (this.chance(0.4)) out.push(`denied_parameters = { ${this.pick(denied)} }`);
    if (this.chance(0.3)) out.push(`required_parameters = [${this.pick(['"v"', '"c"', '"V"'])}]`);
    if (this.chance(0.1)) out.push(this.pick(['min_wrapping_ttl = "1m"', 'max_wrapping_ttl = "1h"']));
    return out;
  }

  policySet(): CasePolicy[] {
    const patterns: string[] = [];
    const policies: CasePolicy[] = [];
    for (let i = this.int(1, 4); i > 0; i--) {
      const rules: CaseRule[] = [];
      for (let j = this.int(1, 5); j > 0; j--) {
        const path = patterns.length > 0 && this.chance(0.35) ? this.pick(patterns) : this.pattern();
        patterns.push(path);
        rules.push({ path, ...this.capabilities(), ...(this.chance(0.15) ? { constraints: this.constraints() } : {}) });
      }
      policies.push(rules);
    }
    return policies;
  }

  /** A request path near one of the patterns (or anywhere, sometimes). */
  requestPath(patterns: readonly string[]): string {
    let p: string;
    if (patterns.length === 0 || this.chance(0.08)) {
      p = Array.from({ length: this.int(1, 5) }, () => this.pick(SEGMENTS)).join('/');
    } else {
      p = this.pick(patterns)
        .split('/')
        .map((s) => (s === '+' ? (this.chance(0.08) ? '' : this.pick(SEGMENTS)) : s))
        .join('/');
      if (p.endsWith('*')) p = p.slice(0, -1) + this.pick(['', '', 'a', 'c', '/a', '/b/c', 'b/']);
      const twist = this.rnd();
      if (twist < 0.15) p += `/${this.pick(SEGMENTS)}`;
      else if (twist < 0.3) p = p.split('/').slice(0, -1).join('/');
      else if (twist < 0.42) p = p.endsWith('/') ? p.slice(0, -1) : `${p}/`;
      else if (twist < 0.5) p += this.pick(['c', 'b']);
      else if (twist < 0.55) p = p.replace(/[^/]+$/, this.pick(SEGMENTS));
    }
    if (this.chance(0.03)) p = `/${p}`;
    return p === '' || p === '/' ? this.pick(SEGMENTS) : p;
  }

  requestPaths(policies: readonly CasePolicy[], n: number): string[] {
    const patterns = policies.flat().map((r) => r.path);
    const out = new Set<string>();
    for (let tries = 0; out.size < n && tries < n * 10; tries++) out.add(this.requestPath(patterns));
    return [...out];
  }
}

/** A rule as HCL; `prefix` puts the pattern under a path (`cubbyhole/`). */
export function ruleHcl(r: CaseRule, prefix = ''): string {
  const body = [`capabilities = [${r.capabilities.map((c) => `"${c}"`).join(', ')}]`];
  if (r.old) body.push(`policy = "${r.old}"`);
  body.push(...(r.constraints ?? []));
  return `path "${prefix}${r.path}" {\n  ${body.join('\n  ')}\n}\n`;
}

export const policyHcl = (rules: CasePolicy, prefix = '') => rules.map((r) => ruleHcl(r, prefix)).join('');

/**
 * The smallest policy set, by removing whole policies then single rules, for which `fails` still holds.
 * A policy left with no rule is removed (Vault refuses an empty policy).
 */
export async function shrink(policies: CasePolicy[], fails: (p: CasePolicy[]) => Promise<boolean>): Promise<CasePolicy[]> {
  let current = policies;
  for (let progress = true; progress; ) {
    progress = false;
    for (let i = 0; i < current.length && !progress; i++) {
      const candidate = current.filter((_, k) => k !== i);
      if (candidate.length > 0 && (await fails(candidate))) {
        current = candidate;
        progress = true;
      }
    }
    for (let i = 0; i < current.length && !progress; i++) {
      for (let j = 0; j < current[i]!.length && !progress; j++) {
        const rules = current[i]!.filter((_, k) => k !== j);
        const candidate = rules.length > 0 ? current.map((r, k) => (k === i ? rules : r)) : current.filter((_, k) => k !== i);
        if (candidate.length > 0 && (await fails(candidate))) {
          current = candidate;
          progress = true;
        }
      }
    }
  }
  return current;
}
