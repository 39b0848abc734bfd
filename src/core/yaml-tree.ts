// One YAML file → plain data plus a source position for every key and value (by dotted path).
import { isAlias, isMap, isScalar, isSeq, LineCounter, parseDocument, parse as parseYaml, type Document, type Node } from 'yaml';
import type { Diagnostic, SourcePos } from './model.js';
import { substitute, type VariableScope } from './variables.js';

export type Json = Record<string, unknown>;

/** Where one key/value was written. */
export interface SourceEntry {
  /** The value (for a mapping or list: where it starts). */
  pos: SourcePos;
  /** The key, when the value sits under a mapping key. */
  key?: SourcePos;
  /** Scalar details: its source text, and positions inside a string (policy HCL) back to the file. */
  scalar?: { type: string; offset: number; end: number };
}

/** Dotted path → source. */
export type SourceIndex = Map<string, SourceEntry>;

export interface SourceFile {
  file: string;
  text: string;
  lines: LineCounter;
  /** The `-c` directory the file was loaded from: paths it names must stay inside (core/paths.ts). */
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

/**
 * Parses one file. YAML syntax errors come back as diagnostics (and no tree); variables are
 * substituted in string values, an undefined one reported at the reference.
 */
export function parseYamlFile(file: string, text: string, scope: VariableScope, sources: Map<string, SourceFile>): ParsedFile {
  const src: SourceFile = { file, text, lines: new LineCounter() };
  sources.set(file, src);
  const index: SourceIndex = new Map();
  const errors: Diagnostic[] = [];
  // uniqueKeys is checked while converting (the library's own check is quadratic in the map size).
  const doc = parseDocument(text, { lineCounter: src.lines, prettyErrors: false, uniqueKeys: false });
  if (doc.errors.length > 0) {
    for (const e of doc.errors) {
      errors.push({ severity: 'error', pos: posAt(src, e.pos[0]), message: yamlMessage(e.message, e.code) });
    }
    return { file, tree: {}, index, errors };
  }
  if (doc.contents === null || (isScalar(doc.contents) && doc.contents.value === null)) return { file, tree: {}, index, errors };
  if (!isMap(doc.contents)) {
    errors.push({
      severity: 'error',
      pos: posAt(src, doc.contents.range?.[0] ?? 0),
      message: 'the top level of a config file must be a mapping (policies:, auth:, secrets:, prune:, password:)',
    });
    return { file, tree: {}, index, errors };
  }
  const tree = convert(doc, doc.contents, [], src, index, scope, errors) as Json;
  return { file, tree, index, errors };
}

function yamlMessage(message: string, code: string): string {
  const first = message.split('\n')[0] ?? message;
  const clean = first.replace(/ at line \d+, column \d+:?$/, '');
  if (code === 'MULTIPLE_DOCS') return 'YAML syntax error: a config file holds one YAML document (remove the `---` that starts another)';
  return `YAML syntax error: ${clean}`;
}

function convert(
  doc: Document,
  node: Node | null,
  path: string[],
  src: SourceFile,
  index: SourceIndex,
  scope: VariableScope,
  errors: Diagnostic[],
  depth = 0,
): unknown {
  if (node === null || depth > 64) return null;
  if (isAlias(node)) {
    const target = node.resolve(doc);
    return target ? convert(doc, target as Node, path, src, index, scope, errors, depth + 1) : null;
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
      const valuePos = value?.range && !(isScalar(value) && value.value === null && value.source === '') ? posAt(src, value.range[0]) : keyPos;
      index.set(dotted(p), { pos: valuePos, key: keyPos, scalar: scalarInfo(value) });
      out[k] = convert(doc, value, p, src, index, scope, errors, depth + 1);
    }
    return out;
  }
  if (isSeq(node)) {
    return node.items.map((item, i) => {
      const n = item as Node | null;
      const p = [...path, String(i)];
      index.set(dotted(p), { pos: posAt(src, n?.range?.[0] ?? node.range?.[0] ?? 0), scalar: scalarInfo(n) });
      return convert(doc, n, p, src, index, scope, errors, depth + 1);
    });
  }
  if (isScalar(node)) {
    const v = node.value;
    if (typeof v !== 'string') return v === undefined ? null : v;
    const { value, problems, whole } = substitute(v, scope);
    for (const pr of problems) {
      errors.push({ severity: 'error', pos: referencePos(src, node.range?.[0] ?? 0, node.range?.[1] ?? 0, pr.text), path: dotted(path), message: pr.message, hint: pr.hint });
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
function referencePos(src: SourceFile, start: number, end: number, ref: string): SourcePos {
  const at = src.text.slice(start, end).indexOf(ref);
  return posAt(src, at >= 0 ? start + at : start);
}
