// One YAML file → plain data plus a source position for every key and value (by dotted path).
import { isAlias, isMap, isScalar, isSeq, LineCounter, parseDocument, parse as parseYaml, visit, type Document, type Node } from 'yaml';
import type { InputLimits } from './input-limits.js';
import type { Diagnostic, SourcePos } from '../model.js';
import { firstLine, substitute, type VariableScope } from './variables.js';

export type Json = Record<string, unknown>;

/** Where one key/value was written. */
export interface SourceEntry {
  /** The value (for a mapping or list: where it starts). */
  pos: SourcePos;
  /** The key, when the value sits under a mapping key. */
  key?: SourcePos;
  /** Scalar details: its source text, and positions inside a string (policy HCL) back to the file. */
  scalar?: { type: string; offset: number; end: number };
  /** The variables substituted into this value (`var.NAME`, `env.NAME`): messages name them, never the value. */
  refs?: string[];
}

/** Dotted path → source. */
export type SourceIndex = Map<string, SourceEntry>;

export interface SourceFile {
  file: string;
  text: string;
  lines: LineCounter;
  /** The `-c` directory the file was loaded from: paths it names must stay inside (core/common/paths.ts). */
  root?: string;
}

export interface ParsedFile {
  file: string;
  tree: Json;
  index: SourceIndex;
  errors: Diagnostic[];
}

export function dotted(path: readonly string[]): string {
  return path.join('.');
}

export function posAt(src: SourceFile, offset: number): SourcePos {
  const lp = src.lines.linePos(offset);
  return { file: src.file, line: lp.line, col: lp.col };
}

/** Position of a line:col inside a string scalar (1-based, relative to the string's value). */
export function posInScalar(src: SourceFile, entry: SourceEntry, line: number, col: number): SourcePos {
  const sc = entry.scalar;
  if (!sc) return entry.pos;
  const start = posAt(src, sc.offset);
  if (sc.type === 'BLOCK_LITERAL' || sc.type === 'BLOCK_FOLDED') {
    // Content starts on the line after the indicator; indentation is that of the first non-empty line.
    const lines = src.text.slice(sc.offset, sc.end).split('\n');
    const body = lines.slice(1);
    const first = body.find((l) => l.trim() !== '');
    const indent = first ? first.length - first.trimStart().length : 0;
    return { file: src.file, line: start.line + line, col: indent + col };
  }
  const quoted = sc.type === 'QUOTE_DOUBLE' || sc.type === 'QUOTE_SINGLE' ? 1 : 0;
  if (line === 1) return { file: src.file, line: start.line, col: start.col + quoted + col - 1 };
  return { file: src.file, line: start.line + line - 1, col };
}

/** One file parsed as YAML, before variables are substituted. */
export interface YamlFile {
  src: SourceFile;
  doc?: Document;
  errors: Diagnostic[];
}

/**
 * Parses one file: YAML syntax errors and exceeded limits come back as diagnostics (and no
 * document). Nothing is expanded or substituted yet.
 */
export function readYaml(file: string, text: string, sources: Map<string, SourceFile>, limits: InputLimits): YamlFile {
  const src: SourceFile = { file, text, lines: new LineCounter() };
  sources.set(file, src);
  const errors: Diagnostic[] = [];
  // uniqueKeys is checked while converting (the library's own check is quadratic in the map size).
  const doc = parseDocument(text, { lineCounter: src.lines, prettyErrors: false, uniqueKeys: false });
  if (doc.errors.length > 0) {
    for (const e of doc.errors) {
      errors.push({ severity: 'error', pos: posAt(src, e.pos[0]), message: yamlMessage(e.message, e.code) });
    }
    return { src, errors };
  }
  let aliases = 0;
  visit(doc, {
    Alias(_key, node) {
      aliases++;
      if (aliases <= limits.maxAliases) return undefined;
      errors.push({
        severity: 'error',
        pos: posAt(src, node.range?.[0] ?? 0),
        message: `YAML limit: more than ${limits.maxAliases} aliases in one file`,
        hint: 'write the values out, or split the file; aliases are limited so a config cannot expand into billions of values',
      });
      return visit.BREAK;
    },
  });
  return errors.length > 0 ? { src, errors } : { src, doc, errors };
}

/** `variables: { env: [NAME, ...] }` of a file, with where each name is written (read before any substitution). */
export function declaredEnv(y: YamlFile): Array<{ name: string; pos: SourcePos }> {
  const section = isMap(y.doc?.contents) ? y.doc.contents.get('variables', true) : undefined;
  const list = isMap(section) ? section.get('env', true) : undefined;
  if (!isSeq(list)) return [];
  return list.items.flatMap((n) => (isScalar(n) && typeof n.value === 'string' ? [{ name: n.value, pos: posAt(y.src, n.range?.[0] ?? 0) }] : []));
}

/** The plain data of a parsed file, variables substituted; an undefined or refused one reported at the reference. */
export function toTree(y: YamlFile, scope: VariableScope, limits: InputLimits): ParsedFile {
  const { src, doc } = y;
  const file = src.file;
  const index: SourceIndex = new Map();
  const errors: Diagnostic[] = [];
  if (!doc || doc.contents === null || (isScalar(doc.contents) && doc.contents.value === null)) return { file, tree: {}, index, errors };
  if (!isMap(doc.contents)) {
    errors.push({
      severity: 'error',
      pos: posAt(src, doc.contents.range?.[0] ?? 0),
      message: 'the top level of a config file must be a mapping (policies:, auth:, secrets:, prune:, password:, variables:)',
    });
    return { file, tree: {}, index, errors };
  }
  const ctx: Convert = { doc, src, index, scope, errors, limits, aliasValues: 0, stopped: false };
  const tree = convert(ctx, doc.contents, [], '', 0, undefined) as Json;
  return { file, tree, index, errors };
}

function yamlMessage(message: string, code: string): string {
  if (code === 'MULTIPLE_DOCS') return 'YAML syntax error: a config file holds one YAML document (remove the `---` that starts another)';
  return `YAML syntax error: ${firstLine(message)}`;
}

interface Convert {
  doc: Document;
  src: SourceFile;
  index: SourceIndex;
  scope: VariableScope;
  errors: Diagnostic[];
  limits: InputLimits;
  /** Values produced so far by expanding aliases. */
  aliasValues: number;
  /** A limit was hit: the rest of the file is not converted. */
  stopped: boolean;
}

function limitError(ctx: Convert, offset: number, path: string[], message: string, hint: string): null {
  if (!ctx.stopped) ctx.errors.push({ severity: 'error', pos: posAt(ctx.src, offset), path: dotted(path) || undefined, message, hint });
  ctx.stopped = true;
  return null;
}

interface AliasAt {
  offset: number;
  path: string[];
}

/** `alias` is the alias being expanded, when inside one. */
/** `at` is dotted(path), carried down so that each key's index entry does not join its whole path again. */
function convert(ctx: Convert, node: Node | null, path: string[], at: string, depth: number, alias: AliasAt | undefined): unknown {
  const { src, index, errors } = ctx;
  if (node === null || ctx.stopped) return null;
  if (depth > ctx.limits.maxDepth) {
    return limitError(ctx, node.range?.[0] ?? 0, path, `YAML limit: nested more than ${ctx.limits.maxDepth} levels deep`, 'a config needs only a few levels; flatten this value');
  }
  if (alias !== undefined && ++ctx.aliasValues > ctx.limits.maxAliasValues) {
    return limitError(ctx, alias.offset, alias.path, `YAML limit: aliases expand to more than ${ctx.limits.maxAliasValues} values in one file`, 'write the values out instead of repeating aliases of aliases');
  }
  if (isAlias(node)) {
    const target = node.resolve(ctx.doc);
    return target ? convert(ctx, target as Node, path, at, depth + 1, alias ?? { offset: node.range?.[0] ?? 0, path }) : null;
  }
  if (isMap(node)) {
    const out: Json = {};
    for (const pair of node.items) {
      const keyNode = pair.key as Node | null;
      if (!isScalar(keyNode) || keyNode.value === null || typeof keyNode.value === 'object') {
        errors.push({ severity: 'error', pos: posAt(src, (keyNode?.range?.[0] ?? node.range?.[0]) ?? 0), path: dotted(path), message: 'keys must be plain strings' });
        continue;
      }
      const k = String(keyNode.value);
      if (k === '__proto__') {
        errors.push({ severity: 'error', pos: posAt(src, keyNode.range?.[0] ?? 0), path: dotted(path), message: '`__proto__` cannot be used as a key' });
        continue;
      }
      const value = pair.value as Node | null;
      const keyPos = posAt(src, keyNode.range?.[0] ?? 0);
      if (Object.prototype.hasOwnProperty.call(out, k)) {
        errors.push({ severity: 'error', pos: keyPos, path: dotted([...path, k]), message: `duplicate key \`${k}\`: keys must be unique in a mapping` });
        continue;
      }
      const p = [...path, k];
      const d = path.length > 0 ? `${at}.${k}` : k;
      const valuePos = value?.range && !(isScalar(value) && value.value === null && value.source === '') ? posAt(src, value.range[0]) : keyPos;
      const entry: SourceEntry = { pos: valuePos, key: keyPos, scalar: scalarInfo(value) };
      index.set(d, entry);
      out[k] = convert(ctx, value, p, d, depth + 1, alias);
    }
    return out;
  }
  if (isSeq(node)) {
    return node.items.map((item, i) => {
      const n = item as Node | null;
      const p = [...path, String(i)];
      const d = path.length > 0 ? `${at}.${i}` : String(i);
      index.set(d, { pos: posAt(src, n?.range?.[0] ?? node.range?.[0] ?? 0), scalar: scalarInfo(n) });
      return convert(ctx, n, p, d, depth + 1, alias);
    });
  }
  if (isScalar(node)) {
    const v = node.value;
    if (typeof v !== 'string') return v === undefined ? null : v;
    // The declarations themselves are names, read before substitution (declaredEnv).
    if (path[0] === 'variables') return v;
    const { value, problems, whole, refs } = substitute(v, ctx.scope);
    for (const pr of problems) {
      errors.push({ severity: 'error', pos: referencePos(src, node.range?.[0] ?? 0, node.range?.[1] ?? 0, pr.text), path: dotted(path), message: pr.message, hint: pr.hint });
    }
    if (refs.length > 0) {
      const entry = index.get(at);
      if (entry) entry.refs = refs;
    }
    if (problems.length === 0 && whole && node.type === 'PLAIN') {
      try {
        const typed: unknown = parseYaml(value);
        if (typeof typed === 'number' || typeof typed === 'boolean') return typed;
      } catch {
        // not a scalar: keep the string
      }
    }
    return value;
  }
  return null;
}

function scalarInfo(n: Node | null): SourceEntry['scalar'] {
  if (!isScalar(n) || !n.range) return undefined;
  return { type: String(n.type ?? 'PLAIN'), offset: n.range[0], end: n.range[1] };
}

/** The position of a `${...}` reference inside a scalar's source text (its start when not found). */
export function referencePos(src: SourceFile, start: number, end: number, ref: string): SourcePos {
  const at = src.text.slice(start, end).indexOf(ref);
  return posAt(src, at >= 0 ? start + at : start);
}
