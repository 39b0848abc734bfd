/** True when `collection` (e.g. `auth/approle/roles`) is claimed by a `prune:` entry (`*` matches one segment). */
export function isPruned(collection: string, prune: readonly string[]): boolean {
  const segs = collection.split('/');
  return prune.some((entry) => {
    const p = entry.replace(/^\/+|\/+$/g, '').split('/');
    return p.length === segs.length && p.every((s, i) => s === '*' || s === segs[i]);
  });
}
