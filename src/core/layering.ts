// Merging files and layers.
//
// Inside one directory, files are merged and each object may be defined once: a policy, a mount's
// own settings (everything but `type`, `users`, `roles`, `root_ca`, `urls`), a user, a role, a pki
// role, a pki root_ca/urls block, `prune`, `password`. Defining one twice is an error naming both places.
// (A mount's users/roles may be spread over several files; repeating the same `type` is fine;
// `variables.env` lists add up.)
//
// Across directories (`-c base -c environments/prod`), later layers override earlier ones field by
// field: mappings merge deeply, lists and scalars replace, and a policy is replaced as a whole.
import type { Diagnostic } from './model.js';
import { dotted, type Json, type ParsedFile, type SourceIndex } from './yaml-tree.js';

export interface Layer {
  tree: Json;
  index: SourceIndex;
}

const isObj = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

type Role = 'container' | 'mount' | 'object';

/** What the node at `path` is, for duplicate detection and layering. */
function roleOf(path: readonly string[]): Role {
  const [top, , section] = path;
  switch (path.length) {
    case 0:
      return 'container';
    case 1:
      return top === 'policies' || top === 'auth' || top === 'secrets' || top === 'variables' ? 'container' : 'object';
    case 2:
      return top === 'auth' || top === 'secrets' ? 'mount' : 'object';
    case 3:
      if (top === 'auth' && (section === 'users' || section === 'roles')) return 'container';
      if (top === 'secrets' && (section === 'roles' || section === 'publish')) return 'container';
      return 'object';
    default:
      return 'object';
  }
}

function where(index: SourceIndex, path: string): string {
  const e = index.get(path);
  const p = e?.key ?? e?.pos;
  return p ? `${p.file}:${p.line}:${p.col}` : 'another file';
}

const what = (path: readonly string[]): string => {
  const [top, mount, section, name] = path;
  if (top === 'policies') return `policy \`${mount}\``;
  if ((top === 'auth' || top === 'secrets') && path.length === 2) return `mount \`${top}/${mount}\``;
  if (top === 'auth' && section === 'users') return `user \`${name}\` of \`auth/${mount}\``;
  if (top === 'auth' && section === 'roles') return `role \`${name}\` of \`auth/${mount}\``;
  if (top === 'secrets' && section === 'roles') return `pki role \`${name}\` of \`secrets/${mount}\``;
  if (top === 'secrets' && path.length === 3) return `\`${section}\` of \`secrets/${mount}\``;
  return `\`${dotted(path)}\``;
};

/** Merges the files of one directory (in order); duplicates are errors. */
export function mergeDirectory(files: ParsedFile[]): { layer: Layer; errors: Diagnostic[] } {
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
      message: `${what(path)} is already defined at ${firstAt}`,
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
      const role = roleOf(p);
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
      if (f === 'users' || f === 'roles') {
        merge(cur, { [f]: fv }, p.concat([]), addIndex, file);
      } else if (f === 'root_ca' || f === 'urls') {
        if (cur[f] !== undefined) duplicate(fp, addIndex, where(layer.index, dfp));
        else cur[f] = fv;
      } else if (f === 'type') {
        if (cur.type === undefined) cur.type = fv;
        else if (cur.type !== fv) {
          errors.push({
            severity: 'error',
            pos: addIndex.get(dfp)?.pos,
            path: dfp,
            message: `${what(p)} has type \`${String(cur.type)}\` at ${where(layer.index, dfp)}; it cannot also be \`${String(fv)}\``,
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
export function overlay(base: Layer, over: Layer): Layer {
  /** Paths whose value `over` replaced: their positions come from `over`. */
  const replaced = new Set<string>();
  const apply = (acc: Json, add: Json, path: string[]) => {
    for (const [k, v] of Object.entries(add)) {
      const p = [...path, k];
      const cur = acc[k];
      const atomic = p.length === 2 && p[0] === 'policies';
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
