// Least privilege: the Vault ACL policy vault-gitops's own token needs for one config. Each kind
// states the API paths it reads and writes (Kind.access); this module adds the state record's,
// makes the rules Vault-correct and renders HCL. Pure: no Vault, no files.
import type { StateLocation } from './state-location.js';

export type Capability = 'create' | 'read' | 'update' | 'patch' | 'delete' | 'list' | 'sudo';

/** One ACL rule. A path ending in `*` is a prefix glob, as in Vault. */
export interface AccessRule {
  path: string;
  capabilities: Capability[];
}

/** What a kind needs for one config: `plan` (read-only) and, on top of it, `apply`. */
export interface KindAccess {
  plan: AccessRule[];
  apply: AccessRule[];
}

export type AccessMode = 'plan' | 'apply';

const ORDER: Capability[] = ['create', 'read', 'update', 'patch', 'delete', 'list', 'sudo'];

/** The ownership state record (and, for apply, its lock and the KV mount created on the first apply). */
export function stateAccess(location: StateLocation): KindAccess {
  const { mount, path } = location;
  return {
    plan: [
      { path: `${mount}/data/${path}`, capabilities: ['read'] },
      { path: `${mount}/metadata/${path}`, capabilities: ['read'] },
      { path: `${mount}/data/${path}.parts/*`, capabilities: ['read'] },
    ],
    apply: [
      { path: 'sys/mounts', capabilities: ['read'] },
      { path: `${mount}/data/${path}`, capabilities: ['create', 'update'] },
      // A record of more than a few thousand objects is kept in parts (src/core/state/state-parts.ts).
      { path: `${mount}/data/${path}.parts/*`, capabilities: ['create', 'update'] },
      { path: `${mount}/metadata/${path}.parts/*`, capabilities: ['delete'] },
      { path: `sys/mounts/${mount}`, capabilities: ['create', 'update'] },
    ],
  };
}

const matches = (glob: string, path: string): boolean => glob.endsWith('*') && path !== glob && path.startsWith(glob.slice(0, -1));

/**
 * Merges rules into one per path. Vault applies only the most specific rule that matches a path
 * (an exact path over a glob, a longer glob over a shorter one), so each rule also carries what
 * every broader glob that matches it grants; otherwise an exact rule would take rights away.
 */
export function mergeRules(rules: AccessRule[]): AccessRule[] {
  const byPath = new Map<string, Set<Capability>>();
  for (const r of rules) {
    const caps = byPath.get(r.path) ?? new Set<Capability>();
    for (const c of r.capabilities) caps.add(c);
    byPath.set(r.path, caps);
  }
  const merged = [...byPath].map(([path, caps]) => {
    const all = new Set(caps);
    for (const [glob, more] of byPath) if (matches(glob, path)) for (const c of more) all.add(c);
    return { path, capabilities: ORDER.filter((c) => all.has(c)) };
  });
  return merged.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

/** The rules for `mode`: plan's reads, plus apply's writes when `mode` is apply. */
export function accessRules(parts: KindAccess[], mode: AccessMode): AccessRule[] {
  return mergeRules(parts.flatMap((p) => (mode === 'apply' ? [...p.plan, ...p.apply] : p.plan)));
}

const quote = (s: string): string => JSON.stringify(s);

/** Vault policy HCL for the rules, one `path` block each. */
export function renderPolicy(rules: AccessRule[], header: string[]): string {
  const lines = header.map((h) => `# ${h}`);
  for (const r of rules) {
    lines.push(`path ${quote(r.path)} {`, `  capabilities = [${r.capabilities.map(quote).join(', ')}]`, '}');
  }
  return lines.join('\n') + '\n';
}
