// The field table of a generated reference page (src/kinds/reference.ts): one row per field of a
// kind's TypeBox schema, nested objects as dotted rows, shared definitions (duration, stringSet, …)
// resolved and named. Reads only the schema and what the Kind contract marks; names no kind.
import type { TSchema } from 'typebox';
import { DEFINITIONS } from './shared/fields.js';

type Json = Record<string, unknown>;

/** A schema as plain JSON (TypeBox's own markers are not enumerable). */
export const plain = (s: TSchema | object): Json => JSON.parse(JSON.stringify(s)) as Json;

/** How the type column names a shared definition (`$ref`). */
const DEFINITION_TYPES: Readonly<Record<string, string>> = {
  duration: 'duration',
  stringList: 'list of strings',
  stringSet: 'set of strings',
  cidrList: 'list of CIDR blocks',
  genericName: 'name',
  passwordPolicy: 'object',
};

export interface FieldRow {
  /** `token_ttl`, `credentials.file.path`, `jwks_pairs[].jwks_url`. */
  path: string;
  type: string;
  default?: unknown;
  description: string;
  marks: string[];
}

export interface FieldMarks {
  /** Top-level fields whose change is security-relevant (Kind.securityFields). */
  security: readonly string[];
  /** Top-level fields never shown nor compared (Kind.sensitiveFields). */
  sensitive: readonly string[];
  /** Vault's values of unset fields, by dotted path (KindDocs.defaults). */
  defaults: Readonly<Record<string, unknown>>;
}

const defName = (ref: unknown): string | undefined => (typeof ref === 'string' && ref.startsWith('#/definitions/') ? ref.slice('#/definitions/'.length) : undefined);

/** A node with its `$ref` to a shared definition resolved (the node's own keywords win). */
export function resolve(node: Json): { node: Json; ref?: string } {
  const ref = defName(node.$ref);
  const def = ref !== undefined ? (DEFINITIONS as Record<string, TSchema>)[ref] : undefined;
  if (ref === undefined || def === undefined) return { node };
  const { $ref: _ref, ...own } = node;
  return { node: { ...plain(def), ...own }, ref };
}

/** A value as YAML shows it, for the default column: `true`, `ca.crt`, `[a, b]`, `""`. */
export function yamlValue(v: unknown): string {
  if (v === '') return '""';
  if (Array.isArray(v)) return `[${v.map(yamlValue).join(', ')}]`;
  if (v !== null && typeof v === 'object') return `{ ${Object.entries(v).map(([k, x]) => `${k}: ${yamlValue(x)}`).join(', ')} }`;
  return String(v);
}

const code = (s: string) => `\`${s}\``;

/** The type column: `boolean`, `one of \`rsa\`, \`ec\``, `list of strings`, `string or integer`. */
export function typeLabel(raw: Json): string {
  const { node, ref } = resolve(raw);
  if (node.not !== undefined) return 'not allowed';
  if (ref !== undefined && DEFINITION_TYPES[ref] !== undefined) return DEFINITION_TYPES[ref]!;
  if (Array.isArray(node.enum)) return `one of ${node.enum.map((v) => code(yamlValue(v))).join(', ')}`;
  if (node.const !== undefined) return code(yamlValue(node.const));
  const types = Array.isArray(node.type) ? (node.type as string[]) : typeof node.type === 'string' ? [node.type] : [];
  const one = (t: string): string => {
    if (t === 'array') {
      const items = node.items as Json | undefined;
      if (!items) return 'list';
      const { node: item } = resolve(items);
      return item.properties ? 'list of objects' : `list of ${plural(typeLabel(items))}`;
    }
    if (t === 'object') {
      const values = node.additionalProperties;
      if (!node.properties && values && typeof values === 'object') return `map of ${plural(typeLabel(values as Json))}`;
      return 'object';
    }
    if ((t === 'integer' || t === 'number') && typeof node.minimum === 'number' && types.length === 1) return `${t} ≥ ${node.minimum}`;
    return t;
  };
  return types.length > 0 ? either(types.map(one)) : 'any';
}

/** `a`, `a or b`, `a, b or c`. */
const either = (xs: readonly string[]): string => (xs.length <= 1 ? (xs[0] ?? '') : `${xs.slice(0, -1).join(', ')} or ${xs.at(-1)!}`);

/** `string` → `strings`, `string or integer` → `strings or integers`; other labels as they are. */
const plural = (label: string): string => (label.startsWith('one of') ? label : label.replace(/\b(string|integer|number|boolean|object|list)\b(?!s)/g, '$1s'));

/** Table cell text: one line, pipes escaped. */
export const cell = (s: string): string => s.replace(/\s*\n\s*/g, ' ').replace(/\|/g, '\\|');

/** The rows of an object schema's fields, sorted by name, each nested object's fields after it. */
export function fieldRows(schema: TSchema, marks: FieldMarks): FieldRow[] {
  const out: FieldRow[] = [];
  walk(plain(schema), '', true, marks, out);
  return out;
}

function walk(node: Json, prefix: string, top: boolean, marks: FieldMarks, out: FieldRow[]): void {
  const props = (node.properties ?? {}) as Record<string, Json>;
  const required = new Set((node.required ?? []) as string[]);
  for (const name of Object.keys(props).sort()) {
    const path = `${prefix}${name}`;
    const { node: field, ref } = resolve(props[name]!);
    const m: string[] = [];
    if (required.has(name)) m.push('required');
    if (field.not !== undefined) m.push('refused');
    if ((top && marks.sensitive.includes(name)) || field.writeOnly === true) m.push('write-only');
    if (top && marks.security.includes(name)) m.push('security');
    if (field.deprecated === true) m.push('deprecated');
    const dflt = field.default !== undefined ? field.default : marks.defaults[path];
    // A shared definition's own description is the page's legend ("Types"), not each field's.
    const own = ref !== undefined && DEFINITION_TYPES[ref] !== 'object' ? props[name]!.description : field.description;
    const description = field.not !== undefined ? String(field['x-error'] ?? 'not allowed') : String(own ?? '');
    out.push({ path, type: typeLabel(props[name]!), ...(dflt !== undefined ? { default: dflt } : {}), description, marks: m });
    if (field.properties) walk(field, `${path}.`, false, marks, out);
    else if (field.items && typeof field.items === 'object' && resolve(field.items as Json).node.properties) walk(resolve(field.items as Json).node, `${path}[].`, false, marks, out);
  }
}

/** The shared definitions a schema uses, with their descriptions (the page's "Types" legend). */
export function definitionsUsed(schema: TSchema): Array<{ type: string; description: string }> {
  const found = new Set<string>();
  const visit = (v: unknown): void => {
    if (Array.isArray(v)) v.forEach(visit);
    else if (v !== null && typeof v === 'object') {
      const ref = defName((v as Json).$ref);
      if (ref !== undefined && !found.has(ref)) {
        found.add(ref);
        const def = (DEFINITIONS as Record<string, TSchema>)[ref];
        if (def) visit(plain(def));
      }
      Object.values(v).forEach(visit);
    }
  };
  visit(plain(schema));
  return [...found]
    .flatMap((ref) => {
      const def = (DEFINITIONS as Record<string, TSchema>)[ref];
      const description = def ? plain(def).description : undefined;
      return typeof description === 'string' && DEFINITION_TYPES[ref] !== 'object' ? [{ type: DEFINITION_TYPES[ref] ?? ref, description }] : [];
    })
    .sort((a, b) => (a.type < b.type ? -1 : a.type > b.type ? 1 : 0));
}
