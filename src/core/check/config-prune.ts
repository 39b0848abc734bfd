// `prune:`: the collections whose undeclared objects are deleted, as the kinds' placements make them.
import type { Checker } from './checker.js';
import type { Kind } from '../kind.js';
import type { Config } from '../model.js';
import { didYouMean } from '../common/suggest.js';
import type { Json } from '../config/yaml-tree.js';

/** The `prune:` entries, each checked against the collections the config's kinds and mounts have. */
export function readPrune(c: Checker, tree: Json, config: Config, kinds: readonly Kind[]): string[] {
  const raw = tree.prune;
  if (!Array.isArray(raw)) return [];
  const valid = pruneCollections(config, kinds);
  const out: string[] = [];
  raw.forEach((entry, i) => {
    if (typeof entry !== 'string') return;
    const norm = entry.replace(/^\/+|\/+$/g, '');
    const p = ['prune', String(i)];
    if (valid.has(norm)) {
      out.push(norm);
      return;
    }
    const segs = norm.split('/');
    let why = 'is not a collection vault-gitops manages';
    if (segs.length === 3 && (segs[0] === 'auth' || segs[0] === 'secrets') && segs[1] !== '*') {
      const declared = segs[0] === 'auth' ? config.auth[segs[1]!] : config.secrets[segs[1]!];
      if (!declared) why = `names mount \`${segs[0]}/${segs[1]}\`, which the config does not declare`;
      else why = `is not a collection of a ${declared.type} mount`;
    }
    c.error(p, c.valuePos(p), `prune entry \`${entry}\` ${why}${didYouMean(norm, valid)}`, `collections here: ${[...valid].sort().join(', ')}`);
  });
  return out;
}

/**
 * The collections `prune:` may name: the mount sections, each kind's map at the root
 * (`policies`), and in mounts the key under any mount (`*`) and under each declared mount of a type
 * that has it (`auth/approle/roles`).
 */
function pruneCollections(config: Config, kinds: readonly Kind[]): Set<string> {
  const valid = new Set<string>();
  for (const k of kinds) {
    const p = k.placement;
    if (p?.in === 'root' && p.shape === 'map') valid.add(p.key.join('/'));
  }
  valid.add('auth').add('secrets');
  for (const k of kinds) {
    const p = k.placement;
    if (!p || p.in === 'root' || p.shape !== 'map') continue;
    const key = p.key.join('/');
    valid.add(`${p.in}/*/${key}`);
    const mounts = p.in === 'auth' ? config.auth : config.secrets;
    for (const [m, decl] of Object.entries(mounts)) if (p.mountTypes === undefined || p.mountTypes.includes(decl.type)) valid.add(`${p.in}/${m}/${key}`);
  }
  return valid;
}
