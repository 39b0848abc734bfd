// YAML/JSON Schema diagnostics: the config schema's errors become one Diagnostic per problem, at the
// key or value it is about, with our wording (and `x-error` messages where the schema carries them).
import type { ErrorObject } from 'ajv';
import { compiledSchema } from './config-schema.js';
import type { Layer } from '../config/layering.js';
import type { Diagnostic, SourcePos } from '../model.js';
import { didYouMean, suggest } from '../common/suggest.js';
import { dotted, type Json } from '../config/yaml-tree.js';

const isObj = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

const TYPE_NAMES: Record<string, string> = {
  object: 'a mapping',
  array: 'a list',
  string: 'a string',
  integer: 'an integer',
  number: 'a number',
  boolean: 'a boolean (true or false)',
  null: 'empty',
};

function describeValue(v: unknown): string {
  if (v === null || v === undefined) return 'nothing';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'a mapping';
  if (typeof v === 'string') return `the string ${JSON.stringify(v)}`;
  if (typeof v === 'number') return `the number ${v}`;
  return `the ${typeof v} ${String(v)}`;
}

/** A value for a message: a value that came from variables is named by its references, never shown. */
export function describeAt(layer: Layer, segs: string[], v: unknown): string {
  const refs = layer.index.get(dotted(segs))?.refs;
  return refs ? `the value of ${refs.map((r) => `\${${r}}`).join(' + ')}` : describeValue(v);
}

function segmentsOf(instancePath: string): string[] {
  if (instancePath === '') return [];
  return instancePath
    .slice(1)
    .split('/')
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
}

const KEYWORD_RANK: Record<string, number> = { required: 0, additionalProperties: 1, type: 2, not: 3, enum: 4 };

/** JSON Schema errors → one diagnostic per problem, at the key or value it is about. */
export function schemaDiagnostics(layer: Layer, known: ReadonlySet<string> = new Set()): { errors: Diagnostic[]; failed: Set<string> } {
  const { validate } = compiledSchema();
  validate(layer.tree);
  const raw = (validate.errors ?? []).filter(
    (e) =>
      e.keyword !== 'if' &&
      e.keyword !== 'anyOf' &&
      !(e.keyword === 'type' && e.params.type === 'null') &&
      // Object names: the Checker reports each bad name at the name, with Vault's rule (names.ts).
      // Fixed key sets (env_names) are the schema's to report.
      ((e.keyword !== 'propertyNames' && e.propertyName === undefined) || segmentsOf(e.instancePath).at(-1) === 'env_names') &&
      // Already reported (an undefined variable): its unsubstituted text would only add noise.
      !known.has(dotted(segmentsOf(e.instancePath))),
  );
  raw.sort((a, b) => (KEYWORD_RANK[a.keyword] ?? 9) - (KEYWORD_RANK[b.keyword] ?? 9));
  const seen = new Set<string>();
  const failed = new Set<string>();
  const errors: Diagnostic[] = [];
  for (const e of raw) {
    // One error per place (an unknown field is its own place): the first, most telling keyword wins.
    const segs = segmentsOf(e.instancePath);
    const place = dotted(e.keyword === 'additionalProperties' ? [...segs, String(e.params.additionalProperty)] : segs);
    if (seen.has(place)) continue;
    seen.add(place);
    failed.add(place);
    errors.push(toDiagnostic(e, layer));
  }
  return { errors, failed };
}

function entryPos(layer: Layer, segs: string[], prefer: 'key' | 'value'): SourcePos | undefined {
  for (let n = segs.length; n > 0; n--) {
    const e = layer.index.get(dotted(segs.slice(0, n)));
    if (e) return prefer === 'key' ? (e.key ?? e.pos) : e.pos;
    prefer = 'key';
  }
  return undefined;
}

function toDiagnostic(e: ErrorObject, layer: Layer): Diagnostic {
  const segs = segmentsOf(e.instancePath);
  const path = dotted(segs);
  const parent = (e.parentSchema ?? {}) as Json;
  // `x-error` may name the value (`{value}`): shown as written, or by its variables' names.
  const shown = () => (layer.index.get(path)?.refs ? describeAt(layer, segs, e.data) : JSON.stringify(e.data));
  const custom = typeof parent['x-error'] === 'string' ? parent['x-error'].replace('{value}', shown) : undefined;
  const customHint = typeof parent['x-hint'] === 'string' ? parent['x-hint'] : undefined;
  const d = (pos: SourcePos | undefined, p: string, message: string, hint = customHint): Diagnostic => ({
    severity: 'error',
    pos,
    path: p || undefined,
    message,
    ...(hint ? { hint } : {}),
  });
  switch (e.keyword) {
    case 'additionalProperties': {
      const field = String(e.params.additionalProperty);
      const allowed = Object.keys(isObj(parent.properties) ? parent.properties : {});
      const where = segs.length === 0 ? 'top-level' : '';
      return d(
        entryPos(layer, [...segs, field], 'key'),
        path,
        `\`${field}\`: unknown ${where ? `${where} ` : ''}field${didYouMean(field, allowed)}`,
        allowed.length > 0 && !suggest(field, allowed) ? `allowed here: ${allowed.join(', ')}` : undefined,
      );
    }
    case 'required': {
      const field = String(e.params.missingProperty);
      const hint = field === 'type' ? `e.g. type: ${segs[0] === 'auth' ? 'approle' : 'kv'}` : undefined;
      return d(entryPos(layer, segs, 'key'), path, `missing required field \`${field}\``, hint);
    }
    case 'type': {
      const types = ([] as string[]).concat(e.params.type as string | string[]);
      const isList = types.includes('array') && types.includes('string');
      // A node's own wording (`x-error`) says what it takes better than its JSON types can.
      const own = typeof parent['x-error'] === 'string' && parent['x-error'].startsWith('must be ') ? parent['x-error'].slice('must be '.length) : undefined;
      const want = own ?? (isList ? 'a list of strings (or a comma-separated string)' : types.map((t) => TYPE_NAMES[t] ?? t).join(' or '));
      const hint =
        types.includes('boolean') && typeof e.data === 'string' && /^(yes|no|on|off|y|n)$/i.test(e.data)
          ? 'YAML 1.2 reads yes/no/on/off as strings: write true or false'
          : types.includes('object') && e.data === null
            ? 'remove the key or give it settings'
            : undefined;
      return d(entryPos(layer, segs, 'value'), path, `must be ${want}, got ${describeAt(layer, segs, e.data)}`, hint);
    }
    case 'enum': {
      const allowed = (e.params.allowedValues as unknown[]).map((v) => JSON.stringify(v));
      const substituted = layer.index.get(dotted(segs))?.refs !== undefined;
      const got = typeof e.data === 'string' && !substituted ? didYouMean(e.data, (e.params.allowedValues as unknown[]).map(String)) : '';
      return d(entryPos(layer, segs, 'value'), path, `must be one of ${allowed.join(', ')}, got ${describeAt(layer, segs, e.data)}${got}`);
    }
    case 'minimum':
      return d(entryPos(layer, segs, 'value'), path, custom ?? `must be at least ${String(e.params.limit)}, got ${describeAt(layer, segs, e.data)}`);
    case 'minLength':
      return d(entryPos(layer, segs, 'value'), path, custom ?? 'must not be empty');
    default:
      return d(entryPos(layer, segs, e.keyword === 'not' || isObj(e.data) ? 'key' : 'value'), path, custom ?? (e.message ?? 'is invalid'));
  }
}
