// `export`: live objects → config files in our own format. Each kind says what its object's config
// value is (Kind.export); its placement says where the value goes. One YAML file per top-level section.
import { stringify } from 'yaml';
import type { ExportOutput, Kind } from '../kind.js';
import type { LiveObject, Settings } from '../model.js';

type Json = Record<string, unknown>;

const HEADER = '# Exported by vault-gitops from a live server; fields Vault fills with defaults are left out.\n';

function at(tree: Json, path: readonly string[]): Json {
  let node = tree;
  for (const seg of path) node = (node[seg] ??= {}) as Json;
  return node;
}

/** The mount entry an object inside it needs: the live mount's own export, else its type. */
function mountEntry(tree: Json, section: string, mount: string, type: string | undefined): Json {
  const mounts = at(tree, [section]);
  return (mounts[mount] ??= { type }) as Json;
}

/**
 * Config files (relative path → text) in our own format for the live objects given, and warnings.
 * `allLive` is everything read (to check references: a role naming a policy Vault does not have).
 */
export function exportConfig(live: readonly LiveObject[], kinds: readonly Kind[], warnings: string[] = [], allLive: readonly LiveObject[] = live): Record<string, string> {
  const byName = new Map(kinds.map((k) => [k.name, k]));
  const out: ExportOutput = { files: {}, warnings };
  const tree: Json = {};
  const sorted = [...live].sort((a, b) => a.address.localeCompare(b.address));
  // Mounts first (the kinds without a placement sit at `section.MOUNT`), then what is placed in them.
  const unplaced = sorted.filter((l) => !byName.get(l.kind)?.placement);
  const placed = sorted.filter((l) => byName.get(l.kind)?.placement);
  for (const l of unplaced) {
    const value = byName.get(l.kind)?.export?.(l, allLive, out);
    if (value !== undefined) at(tree, [l.address.split('/')[0]!])[l.mount ?? l.name] = value;
  }
  for (const l of placed) {
    const kind = byName.get(l.kind)!;
    const p = kind.placement!;
    const value = kind.export?.(l, allLive, out);
    if (value === undefined) continue;
    let parent: Json;
    if (p.in === 'root') parent = at(tree, p.key.slice(0, -1));
    else {
      const mountType = allLive.find((m) => m.address === `${p.in}/${l.mount}` && !byName.get(m.kind)?.placement)?.settings.type;
      parent = at(mountEntry(tree, p.in, l.mount ?? '', typeof mountType === 'string' ? mountType : p.mountTypes?.[0]), p.key.slice(0, -1));
    }
    const last = p.key.at(-1)!;
    if (p.shape === 'single') parent[last] = value;
    else at(parent, [last])[l.name] = value;
  }
  const files: Record<string, string> = { ...out.files };
  for (const [section, value] of Object.entries(tree)) files[`${section}.yaml`] = HEADER + stringify({ [section]: value as Settings });
  return files;
}
