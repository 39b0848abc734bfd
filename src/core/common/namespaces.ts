// Vault / OpenBao namespace paths: `team-a/apps`, no slash around, '' for the root namespace.
import type { Config, Diagnostic } from '../model.js';

/** One segment of a namespace path, as both servers accept it (no `/`, no dot segment, not `root`). */
export const NAMESPACE_SEGMENT = '[A-Za-z0-9_-]+(?:\\.[A-Za-z0-9_-]+)*';
export const NAMESPACE_PATH = new RegExp(`^${NAMESPACE_SEGMENT}(?:/${NAMESPACE_SEGMENT})*$`);

/** `/team-a/` → `team-a`; undefined or `root` → '' (the root namespace). */
export function namespacePath(raw: string | undefined): string {
  const path = (raw ?? '').replace(/^\/+|\/+$/g, '');
  return path === 'root' ? '' : path;
}

/** The part of `target` below `base` ('' when they are the same), or undefined when `target` is not `base` or beneath it. */
export function namespaceBelow(base: string, target: string): string | undefined {
  if (base === '') return target;
  if (target === base) return '';
  return target.startsWith(`${base}/`) ? target.slice(base.length + 1) : undefined;
}

/** The namespace a config manages (its top-level `namespace:`), with where it says so. */
export function configNamespace(config: Config): { path: string; at: Diagnostic['pos'] } | undefined {
  const raw = config.tree.namespace;
  return typeof raw === 'string' ? { path: namespacePath(raw), at: config.sources.get('namespace') } : undefined;
}
