// A tenant's config (its `namespace:` names one) may not hold what exists only in the root namespace:
// the kinds that say so (Kind.rootOnly) are refused at the object, offline, before any request.
import type { Checker } from './checker.js';
import type { Kind } from '../kind.js';
import type { Config } from '../model.js';
import { configNamespace } from '../common/namespaces.js';
import { placedEntries } from '../config/placed.js';

/** Whether a `prune:` entry names the collection of the kind's objects (any mount's, for a kind in mounts). */
function prunes(kind: Kind, entry: string): boolean {
  const p = kind.placement;
  if (!p || p.shape !== 'map') return false;
  const key = p.key.join('/');
  if (p.in === 'root') return entry === key;
  return entry.startsWith(`${p.in}/`) && entry.endsWith(`/${key}`) && entry.split('/').length === key.split('/').length + 2;
}

export function checkRootOnly(c: Checker, config: Config, kinds: readonly Kind[]): void {
  const scope = configNamespace(config);
  if (scope === undefined || scope.path === '' || c.broken(['namespace'])) return;
  const where = scope.at ? ` (\`namespace:\` at ${scope.at.file}:${scope.at.line}:${scope.at.col})` : '';
  const hint = 'move it to the platform config (the root namespace: a config without `namespace:`), or remove it';
  for (const kind of kinds.filter((k) => k.rootOnly)) {
    const what = kind.title.toLowerCase();
    for (const e of placedEntries(config, kind)) {
      c.error(e.path, c.keyPos(e.path), `${what} are root-namespace-only: \`${e.name}\` cannot be in namespace ${scope.path}, which this config manages${where}`, hint);
    }
    (Array.isArray(config.tree.prune) ? config.tree.prune : []).forEach((entry, i) => {
      if (typeof entry !== 'string' || !prunes(kind, entry.replace(/^\/+|\/+$/g, ''))) return;
      const p = ['prune', String(i)];
      c.error(p, c.valuePos(p), `${what} are root-namespace-only: namespace ${scope.path}, which this config manages${where}, has none to prune`, 'remove it from prune: (prune it in the platform config)');
    });
  }
}
