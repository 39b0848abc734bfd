// A small HCL1 parser, enough for Vault ACL policies, and the checks Vault applies to a policy.
// Positions are 1-based line and column inside the policy text; callers translate them to YAML positions.
//
// Supported: `key "label" { ... }` blocks, `key = value`, `key { ... }`, strings with escapes (single line),
// numbers, true/false, lists (trailing comma allowed), objects, comments `#`, `//`, `/* */`.
// Not supported: heredocs (Vault policies do not use them).
import { didYouMean } from '../common/suggest.js';
import { parseTtl } from '../common/ttl.js';

export interface HclPos {
  line: number;
  col: number;
}

export interface HclProblem extends HclPos {
  message: string;
  hint?: string;
}

export type HclValue =
  | { type: 'string'; value: string; pos: HclPos }
  | { type: 'number'; value: number; pos: HclPos }
  | { type: 'bool'; value: boolean; pos: HclPos }
  | { type: 'list'; items: HclValue[]; pos: HclPos }
  | { type: 'object'; items: HclItem[]; pos: HclPos };

export interface HclItem {
  /** The key, then any labels: `path "secret/*"` → ["path", "secret/*"]. */
  keys: Array<{ name: string; quoted: boolean; pos: HclPos }>;
  value: HclValue;
  /** Written `key = value` (not a block `key { ... }`). */
  assigned?: boolean;
}

type TokType = 'ident' | 'string' | 'number' | 'bool' | 'punct' | 'newline' | 'eof';
interface Token {
  type: TokType;
  text: string;
  value?: string | number | boolean;
  pos: HclPos;
}

class HclSyntaxError extends Error {
  constructor(
    message: string,
    public readonly pos: HclPos,
    public readonly hint?: string,
  ) {
    super(message);
  }
}

// Sticky: matched at lastIndex, without copying the rest of the text for every token.
const NUMBER = /-?(0x[0-9a-fA-F]+|[0-9]+(\.[0-9]+)?([eE][+-]?[0-9]+)?)/y;
const IDENT = /[A-Za-z_][A-Za-z0-9_.-]*/y;

function lex(src: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  let line = 1;
  let col = 1;
  const adv = (n = 1) => {
    for (let k = 0; k < n; k++) {
      if (src[i] === '\n') {
        line++;
        col = 1;
      } else {
        col++;
      }
      i++;
    }
  };
  while (i < src.length) {
    const c = src[i]!;
    if (c === ' ' || c === '\t' || c === '\r' || c === '\uFEFF') {
      i++;
      col++;
      continue;
    }
    const pos = { line, col };
    if (c === '\n') {
      out.push({ type: 'newline', text: '\n', pos });
      adv();
    } else if (c === '#' || (c === '/' && src[i + 1] === '/')) {
      while (i < src.length && src[i] !== '\n') adv();
    } else if (c === '/' && src[i + 1] === '*') {
      adv(2);
      while (i < src.length && !(src[i] === '*' && src[i + 1] === '/')) adv();
      if (i >= src.length) throw new HclSyntaxError('comment not terminated: missing `*/`', pos);
      adv(2);
    } else if (c === '"') {
      adv();
      let value = '';
      let depth = 0;
      for (;;) {
        const ch = src[i];
        if (ch === undefined || ch === '\n') {
          throw new HclSyntaxError('string not terminated: missing closing `"`', pos, 'strings cannot span lines');
        }
        if (ch === '"' && depth === 0) {
          adv();
          break;
        }
        if (ch === '\\') {
          const e = src[i + 1];
          const map: Record<string, string> = { n: '\n', t: '\t', r: '\r', '"': '"', '\\': '\\' };
          if (e !== undefined && map[e] !== undefined) {
            value += map[e];
            adv(2);
            continue;
          }
          if (e === 'u' && /^[0-9a-fA-F]{4}$/.test(src.slice(i + 2, i + 6))) {
            value += String.fromCharCode(parseInt(src.slice(i + 2, i + 6), 16));
            adv(6);
            continue;
          }
          throw new HclSyntaxError(`invalid escape sequence \`\\${e ?? ''}\` in string`, { line, col });
        }
        if (ch === '$' && src[i + 1] === '{') {
          depth++;
          value += '${';
          adv(2);
          continue;
        }
        if (ch === '}' && depth > 0) depth--;
        value += ch;
        adv();
      }
      out.push({ type: 'string', text: value, value, pos });
    } else if (/[0-9]/.test(c) || (c === '-' && /[0-9]/.test(src[i + 1] ?? ''))) {
      NUMBER.lastIndex = i;
      const m = NUMBER.exec(src)!;
      out.push({ type: 'number', text: m[0], value: Number(m[0]), pos });
      adv(m[0].length);
    } else if (/[A-Za-z_]/.test(c)) {
      IDENT.lastIndex = i;
      const m = IDENT.exec(src)!;
      const text = m[0];
      if (text === 'true' || text === 'false') out.push({ type: 'bool', text, value: text === 'true', pos });
      else out.push({ type: 'ident', text, pos });
      adv(text.length);
    } else if ('{}[]=,'.includes(c)) {
      out.push({ type: 'punct', text: c, pos });
      adv();
    } else if (c === '<' && src[i + 1] === '<') {
      throw new HclSyntaxError('heredoc strings are not supported in policies', pos, 'use a quoted string');
    } else if (c === "'") {
      throw new HclSyntaxError("unexpected `'`: HCL strings use double quotes", pos);
    } else {
      throw new HclSyntaxError(`unexpected character \`${c}\``, pos);
    }
  }
  out.push({ type: 'eof', text: '', pos: { line, col } });
  return out;
}

function describe(t: Token): string {
  if (t.type === 'eof') return 'end of policy';
  if (t.type === 'newline') return 'end of line';
  if (t.type === 'string') return `string "${t.text}"`;
  return `\`${t.text}\``;
}

class Parser {
  private i = 0;
  constructor(private readonly toks: Token[]) {}

  private peek(skipNewlines = true): Token {
    let j = this.i;
    while (skipNewlines && this.toks[j]!.type === 'newline') j++;
    return this.toks[j]!;
  }
  private next(skipNewlines = true): Token {
    while (skipNewlines && this.toks[this.i]!.type === 'newline') this.i++;
    const t = this.toks[this.i]!;
    if (t.type !== 'eof') this.i++;
    return t;
  }
  private isPunct(t: Token, p: string): boolean {
    return t.type === 'punct' && t.text === p;
  }

  /** Items until `end` (`}` or eof). */
  parseItems(end: '}' | 'eof', open?: HclPos): HclItem[] {
    const items: HclItem[] = [];
    for (;;) {
      const t = this.peek();
      if (end === 'eof' ? t.type === 'eof' : this.isPunct(t, '}')) return items;
      if (t.type === 'eof') throw new HclSyntaxError('missing `}`: this block is not closed', open ?? t.pos);
      items.push(this.parseItem());
      // Items may be separated by commas; like HCL1, a new line is not required between them.
      if (this.isPunct(this.peek(false), ',')) this.next(false);
    }
  }

  private parseItem(): HclItem {
    const keys: HclItem['keys'] = [];
    for (;;) {
      const t = this.peek();
      if (t.type === 'ident' || t.type === 'string') {
        this.next();
        keys.push({ name: t.text, quoted: t.type === 'string', pos: t.pos });
        continue;
      }
      if (keys.length === 0) throw new HclSyntaxError(`unexpected ${describe(t)}: expected a key such as \`path\``, t.pos);
      if (this.isPunct(t, '=')) {
        this.next();
        if (keys.length > 1) throw new HclSyntaxError(`unexpected \`=\` after block labels`, t.pos);
        return { keys, value: this.parseValue(), assigned: true };
      }
      if (this.isPunct(t, '{')) return { keys, value: this.parseValue() };
      throw new HclSyntaxError(`unexpected ${describe(t)}: expected \`=\` or \`{\` after \`${keys[keys.length - 1]!.name}\``, t.pos);
    }
  }

  private parseValue(): HclValue {
    const t = this.next();
    switch (t.type) {
      case 'string':
        return { type: 'string', value: t.text, pos: t.pos };
      case 'number':
        return { type: 'number', value: t.value as number, pos: t.pos };
      case 'bool':
        return { type: 'bool', value: t.value as boolean, pos: t.pos };
      case 'punct':
        if (t.text === '[') {
          const items: HclValue[] = [];
          for (;;) {
            const n = this.peek();
            if (this.isPunct(n, ']')) {
              this.next();
              return { type: 'list', items, pos: t.pos };
            }
            if (n.type === 'eof') throw new HclSyntaxError('missing `]`: this list is not closed', t.pos);
            items.push(this.parseValue());
            const s = this.peek();
            if (this.isPunct(s, ',')) this.next();
            else if (!this.isPunct(s, ']')) throw new HclSyntaxError(`unexpected ${describe(s)}: expected \`,\` or \`]\` in list`, s.pos);
          }
        }
        if (t.text === '{') {
          const items = this.parseItems('}', t.pos);
          const close = this.next();
          if (!this.isPunct(close, '}')) throw new HclSyntaxError('missing `}`: this block is not closed', t.pos);
          return { type: 'object', items, pos: t.pos };
        }
        break;
      case 'ident':
        throw new HclSyntaxError(`unexpected \`${t.text}\`: expected a value`, t.pos, 'strings must be quoted: "..."');
      default:
        break;
    }
    throw new HclSyntaxError(`unexpected ${describe(t)}: expected a value`, t.pos);
  }
}

/** Parses HCL1 text; a syntax error is returned, never thrown. */
export function parseHcl(src: string): { items: HclItem[]; error?: HclProblem } {
  try {
    const p = new Parser(lex(src));
    return { items: p.parseItems('eof') };
  } catch (err) {
    if (err instanceof HclSyntaxError) return { items: [], error: { ...err.pos, message: err.message, hint: err.hint } };
    throw err;
  }
}

/** Every capability either server takes: the offline check is server-agnostic. */
export const CAPABILITIES = ['create', 'read', 'update', 'patch', 'delete', 'list', 'sudo', 'deny', 'subscribe', 'recover', 'scan'] as const;
/** The capabilities only one of the two servers takes (Vault 1.21, OpenBao 2.4): the other refuses the whole policy. */
export const SERVER_ONLY_CAPABILITIES: Readonly<Record<string, 'Vault' | 'OpenBao'>> = { subscribe: 'Vault', recover: 'Vault', scan: 'OpenBao' };

/** Each capability a policy's path blocks grant, where it is written (an unparsable policy: none). */
export function capabilityUses(text: string): Array<HclPos & { capability: string }> {
  const out: Array<HclPos & { capability: string }> = [];
  for (const item of parseHcl(text).items) {
    if (item.keys[0]?.name !== 'path' || item.value.type !== 'object') continue;
    for (const inner of item.value.items) {
      if (inner.keys[0]?.name !== 'capabilities' || inner.value.type !== 'list') continue;
      for (const v of inner.value.items) if (v.type === 'string') out.push({ capability: v.value, ...v.pos });
    }
  }
  return out;
}
const OLD_POLICY_VALUES = ['deny', 'read', 'write', 'sudo'];
const PATH_KEYS = [
  'capabilities',
  'policy',
  'allowed_parameters',
  'denied_parameters',
  'required_parameters',
  'min_wrapping_ttl',
  'max_wrapping_ttl',
  'mfa_methods',
  'control_group',
  'subscribe_event_types',
  'comment',
];
const TOP_KEYS = ['path', 'name'];

function checkStringList(v: HclValue, what: string, problems: HclProblem[]): string[] {
  if (v.type !== 'list') {
    problems.push({ ...v.pos, message: `\`${what}\` must be a list of strings, e.g. ["read"]` });
    return [];
  }
  const out: string[] = [];
  for (const x of v.items) {
    if (x.type !== 'string') problems.push({ ...x.pos, message: `\`${what}\` must contain only strings` });
    else out.push(x.value);
  }
  return out;
}

function checkParameters(v: HclValue, what: string, problems: HclProblem[]): void {
  if (v.type !== 'object') {
    problems.push({ ...v.pos, message: `\`${what}\` must be a block of "parameter" = [values]` });
    return;
  }
  for (const item of v.items) {
    if (item.keys.length !== 1) {
      problems.push({ ...item.keys[0]!.pos, message: `\`${what}\`: write each parameter as "name" = [values]` });
    } else if (item.value.type !== 'list') {
      problems.push({ ...item.value.pos, message: `\`${what}\`: the values of "${item.keys[0]!.name}" must be a list, e.g. []` });
    }
  }
}

function checkPathBlock(body: HclValue, problems: HclProblem[]): void {
  if (body.type !== 'object') {
    problems.push({ ...body.pos, message: 'a path needs a block: path "secret/*" { capabilities = ["read"] }' });
    return;
  }
  const wrapping: Partial<Record<'min_wrapping_ttl' | 'max_wrapping_ttl', { seconds: number; pos: HclPos }>> = {};
  for (const item of body.items) {
    const key = item.keys[0]!;
    if (!PATH_KEYS.includes(key.name)) {
      problems.push({ ...key.pos, message: `invalid key \`${key.name}\` in a path block${didYouMean(key.name, PATH_KEYS)}` });
      continue;
    }
    if (item.keys.length > 1 && !['allowed_parameters', 'denied_parameters', 'mfa_methods', 'control_group'].includes(key.name)) {
      problems.push({ ...item.keys[1]!.pos, message: `unexpected label after \`${key.name}\``, hint: `write ${key.name} = ...` });
      continue;
    }
    const v = item.value;
    switch (key.name) {
      case 'capabilities':
        for (const [idx, cap] of checkStringList(v, 'capabilities', problems).entries()) {
          if (!(CAPABILITIES as readonly string[]).includes(cap)) {
            const at = v.type === 'list' ? (v.items[idx]?.pos ?? v.pos) : v.pos;
            problems.push({
              ...at,
              message: `unknown capability "${cap}"${didYouMean(cap, CAPABILITIES)}`,
              hint: `valid capabilities: ${CAPABILITIES.join(', ')}`,
            });
          }
        }
        break;
      case 'policy':
        if (v.type !== 'string' || !OLD_POLICY_VALUES.includes(v.value)) {
          problems.push({ ...v.pos, message: `\`policy\` must be one of ${OLD_POLICY_VALUES.map((p) => `"${p}"`).join(', ')}`, hint: 'prefer capabilities = [...]' });
        }
        break;
      case 'allowed_parameters':
      case 'denied_parameters':
        if (item.keys.length > 1) break; // `allowed_parameters "key" = []` is not valid either, but rare; leave to Vault
        checkParameters(v, key.name, problems);
        break;
      case 'required_parameters':
      case 'subscribe_event_types':
        checkStringList(v, key.name, problems);
        break;
      case 'min_wrapping_ttl':
      case 'max_wrapping_ttl':
        {
          const seconds = v.type === 'string' || v.type === 'number' ? parseTtl(v.value) : undefined;
          if (seconds === undefined) problems.push({ ...v.pos, message: `\`${key.name}\` must be a duration such as "1m" or 60` });
          else wrapping[key.name] = { seconds, pos: v.pos };
        }
        break;
      default:
        break;
    }
  }
  const { min_wrapping_ttl: min, max_wrapping_ttl: max } = wrapping;
  if (min && max && max.seconds > 0 && max.seconds < min.seconds) {
    problems.push({ ...max.pos, message: '`max_wrapping_ttl` cannot be less than `min_wrapping_ttl`' });
  }
}

/**
 * Vault 1.21 refuses a policy that assigns one key twice in one block (`capabilities = …` twice, a
 * parameter twice in `allowed_parameters`); keys are compared as written (`v` and `"v"` differ).
 * Repeated blocks (`path "a" {}` twice) are fine.
 */
function checkDuplicateKeys(items: readonly HclItem[], problems: HclProblem[]): void {
  const seen = new Map<string, HclPos>();
  for (const item of items) {
    const key = item.keys[0]!;
    const written = key.quoted ? `"${key.name}"` : key.name;
    const first = seen.get(written);
    if (item.assigned && first) problems.push({ ...key.pos, message: `\`${written}\` is set twice in this block (first at line ${first.line}): Vault refuses the policy`, hint: 'keep one, with every value in it' });
    if (item.assigned && !first) seen.set(written, key.pos);
    if (item.value.type === 'object') checkDuplicateKeys(item.value.items, problems);
  }
}

/**
 * Parses a Vault ACL policy and applies Vault's checks (keys, capabilities, parameter blocks, wrapping TTLs).
 * Returns every problem found (a syntax error stops the parse, so it comes alone).
 */
export function checkPolicyHcl(text: string): HclProblem[] {
  if (text.trim() === '') return [{ line: 1, col: 1, message: 'the policy is empty', hint: 'add at least one path "..." { capabilities = [...] } block' }];
  const { items, error } = parseHcl(text);
  if (error) return [error];
  const problems: HclProblem[] = [];
  checkDuplicateKeys(items, problems);
  for (const item of items) {
    const key = item.keys[0]!;
    if (!TOP_KEYS.includes(key.name)) {
      problems.push({ ...key.pos, message: `invalid key \`${key.name}\` at the top of a policy${didYouMean(key.name, TOP_KEYS)}`, hint: 'a policy is a list of path "..." { ... } blocks' });
      continue;
    }
    if (key.name === 'name') continue;
    if (item.keys.length === 2) {
      const label = item.keys[1]!;
      if (label.name.includes('+*')) problems.push({ ...label.pos, message: `path "${label.name}": \`+*\` is not a wildcard Vault accepts`, hint: 'write `+/*` (any segment, then anything) or `+` (one segment)' });
      checkPathBlock(item.value, problems);
    } else {
      problems.push({ ...key.pos, message: 'a path needs a quoted name: path "secret/*" { ... }' });
    }
  }
  return problems;
}
