// Merging files and layers.
//
// Inside one directory, files are merged and each object may be defined once: an object a kind
// places (a policy, a user, a role, a pki root_ca block, ...), a mount's own settings (everything but
// `type` and the keys kinds place in it), `prune`, `password`. Defining one twice is an error naming
// both places. (A mount's maps such as users/roles may be spread over several files; repeating the
// same `type` is fine; `variables.env` lists add up.)
//
// Across directories (`-c base -c environments/prod`), later layers override earlier ones field by
// field: mappings merge deeply, lists and scalars replace, and an object whose placement is `atomic`
// (a policy) is replaced as a whole.
import type { Placement } from '../kind.js';
import type { Diagnostic } from '../model.js';
import { dotted, type Json, type ParsedFile, type SourceIndex } from './yaml-tree.js';

export interface Layer {
  tree: Json;
  index: SourceIndex;
}

const isObj = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

type Role = 'container' | 'mount' | 'object';

/** `policies` → `policy`, `roles` → `role`: what one object of a map is called in messages. */
const singular = (key: string) => key.replace(/ies$/, 'y').replace(/s$/, '');

/** The config's layout as the kinds place their objects in it. */
export class Layout {
  constructor(private readonly placements: readonly Placement[]) {}

  private root(path: readonly string[]): Placement | undefined {
    return this.placements.find((p) => p.in === 'root' && p.key.length <= path.length && p.key.every((k, i) => k === path[i]));
  }
  private inMount(section: string | undefined, key: string | undefined): Placement | undefined {
    return this.placements.find((p) => p.in === section && p.key[0] === key);
  }

  /** What the node at `path` is, for duplicate detection and layering. */
  roleOf(path: readonly string[]): Role {
    const [top, , key] = path;
    if (path.length === 0) return 'container';
    if (top === 'auth' || top === 'secrets') {
      if (path.length === 1) return 'container';
      if (path.length === 2) return 'mount';
      return path.length === 3 && this.inMount(top, key)?.shape === 'map' ? 'container' : 'object';
    }
    if (path.length === 1 && top === 'variables') return 'container';
    // A root placement's key and the sections above it hold objects; what is below them is an object.
    const prefix = this.placements.some((p) => p.in === 'root' && path.length <= p.key.length && path.every((k, i) => k === p.key[i]));
    if (prefix) {
      const p = this.root(path);
      return p && path.length === p.key.length && p.shape === 'single' ? 'object' : 'container';
    }
    return 'object';
  }

  /** A map entry at `path` is replaced whole by a later layer (its placement is atomic). */
  atomic(path: readonly string[]): boolean {
    const [top, , key] = path;
    const p = top === 'auth' || top === 'secrets' ? (path.length === 4 ? this.inMount(top, key) : undefined) : this.root(path);
    return p?.atomic === true && path.length === (p.in === 'root' ? p.key.length : 2 + p.key.length) + (p.shape === 'map' ? 1 : 0);
  }

  /** Keys a kind places in a mount of `section`: maps merge by name, single objects are defined once. */
  mountKey(section: string | undefined, key: string): 'map' | 'single' | undefined {
    return this.inMount(section, key)?.shape;
  }

  /** An object's description in messages: `policy \`web\``, `role \`web\` of \`auth/approle\``. */
  what(path: readonly string[]): string {
    const [top, mount, key, name] = path;
    if (top === 'auth' || top === 'secrets') {
      if (path.length === 2) return `mount \`${top}/${mount}\``;
      const shape = this.mountKey(top, key!);
      if (shape === 'map' && path.length === 4) return `${singular(key!)} \`${name}\` of \`${top}/${mount}\``;
      if (shape === 'single' && path.length === 3) return `\`${key}\` of \`${top}/${mount}\``;
    } else {
      const p = this.root(path);
      if (p?.shape === 'map' && path.length === p.key.length + 1) return `${singular(p.key.at(-1)!)} \`${path.at(-1)}\``;
    }
    return `\`${dotted(path)}\``;
  }
}

function where(index: SourceIndex, path: string): string {
  const e = index.get(path);
  const p = e?.key ?? e?.pos;
  return p ? `${p.file}:${p.line}:${p.col}` : 'another file';
}

/** Merges the files of one directory (in order); duplicates are errors. */
export function mergeDirectory(files: ParsedFile[], layout: Layout): { layer: Layer; errors: Diagnostic[] } {
  const layer: Layer = { tree: {}, index: new Map() };
  const errors: Diagnostic[] = [];
  /** Mount settings owner: dotted mount path → dotted key of the first setting. */
  const mountOwner = new Map<string, { key: string; file: string }>();

  const duplicate = (path: string[], addIndex: SourceIndex, firstAt: string) => {
    const p = dotted(path);
    const e = addIndex.get(p);
    errors.push({
      severity: 'error',
      pos: e?.key ?? e?.pos,
      path: p,
      message: `${layout.what(path)} is already defined at ${firstAt}`,
      hint: 'define each object once per directory; to override it, put the change in a later -c directory',
    });
  };

  // Positions: within one directory every path is written by one file (a second one is an error),
  // so the directory's index is the union of its files' indexes, the first file winning.
  for (const f of files) for (const [k, e] of f.index) if (!layer.index.has(k)) layer.index.set(k, e);

  const merge = (acc: Json, add: Json, path: string[], addIndex: SourceIndex, file: string) => {
    for (const [k, v] of Object.entries(add)) {
      const p = [...path, k];
      const dp = dotted(p);
      const role = layout.roleOf(p);
      const cur = acc[k];
      const absent = cur === undefined || cur === null;
      if ((role === 'container' || role === 'mount') && isObj(v) && (absent || isObj(cur))) {
        let target = cur;
        if (!isObj(target)) target = acc[k] = {};
        if (role === 'container') merge(target, v, p, addIndex, file);
        else mergeMount(target, v, p, addIndex, file);
      } else if (absent) {
        if (v !== null || cur === undefined) acc[k] = v;
      } else if (dp === 'variables.env' && Array.isArray(cur) && Array.isArray(v)) {
        acc[k] = [...(cur as unknown[]), ...(v as unknown[])]; // declarations add up across files
      } else if (v !== null) {
        duplicate(p, addIndex, where(layer.index, dp));
      }
    }
  };

  const mergeMount = (cur: Json, v: Json, p: string[], addIndex: SourceIndex, file: string) => {
    const dp = dotted(p);
    for (const [f, fv] of Object.entries(v)) {
      const fp = [...p, f];
      const dfp = dotted(fp);
      const placed = layout.mountKey(p[0], f);
      if (placed === 'map') {
        merge(cur, { [f]: fv }, p.concat([]), addIndex, file);
      } else if (placed === 'single') {
        if (cur[f] !== undefined) duplicate(fp, addIndex, where(layer.index, dfp));
        else cur[f] = fv;
      } else if (f === 'type') {
        if (cur.type === undefined) cur.type = fv;
        else if (cur.type !== fv) {
          errors.push({
            severity: 'error',
            pos: addIndex.get(dfp)?.pos,
            path: dfp,
            message: `${layout.what(p)} has type \`${String(cur.type)}\` at ${where(layer.index, dfp)}; it cannot also be \`${String(fv)}\``,
          });
        }
      } else {
        const owner = mountOwner.get(dp);
        if (owner !== undefined && owner.file !== file) {
          duplicate(p, addIndex, where(layer.index, owner.key));
          return; // one report per mount and file
        }
        if (owner === undefined) mountOwner.set(dp, { key: dfp, file });
        cur[f] = fv;
      }
    }
  };

  for (const f of files) merge(layer.tree, f.tree, [], f.index, f.file);
  return { layer, errors };
}

/** Applies `over` on top of `base` (later directory wins field by field). Mutates and returns base. */
export function overlay(base: Layer, over: Layer, layout: Layout): Layer {
  /** Paths whose value `over` replaced: their positions come from `over`. */
  const replaced = new Set<string>();
  const apply = (acc: Json, add: Json, path: string[]) => {
    for (const [k, v] of Object.entries(add)) {
      const p = [...path, k];
      const cur = acc[k];
      const atomic = layout.atomic(p);
      if (!atomic && isObj(cur) && isObj(v)) {
        // The mapping itself keeps its first position (where the object was declared).
        apply(cur, v, p);
      } else if (isObj(cur) && v === null) {
        // An empty section (`users:`) in a later layer adds nothing; it does not erase the earlier one.
      } else {
        acc[k] = v;
        replaced.add(dotted(p));
      }
    }
  };
  apply(base.tree, over.tree, []);
  if (replaced.size > 0) {
    for (const k of [...base.index.keys()]) if (underAny(k, replaced)) base.index.delete(k);
    for (const [k, e] of over.index) if (underAny(k, replaced)) base.index.set(k, e);
  }
  return base;
}

/** True when the dotted path `k` is one of `prefixes` or below one. */
function underAny(k: string, prefixes: ReadonlySet<string>): boolean {
  if (prefixes.has(k)) return true;
  for (let i = k.indexOf('.'); i >= 0; i = k.indexOf('.', i + 1)) if (prefixes.has(k.slice(0, i))) return true;
  return false;
}
