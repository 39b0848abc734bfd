// Shared helpers of the plan renderers: ordering, grouping, value formatting, TTL pretty-printing,
// sensitive masking and terminal colors. Everything here is pure; the renderers never compute a plan,
// they only decide how to show one.

import { stableStringify } from '../core/common/canonical-json.js';
import { SENSITIVE_MASK, type Action, type Change, type Destroy, type FieldChange, type KindName, type Plan, type UnmanagedObject } from '../core/model.js';
import { safeField } from '../core/plan/plan-json.js';
import { hasCopyChanges } from '../core/plan/ca-bundles.js';
import { isDurationField } from '../kinds/shared/normalise.js';
import { KINDS } from '../kinds/registry.js';

/** Section headings by kind name, in the order the kinds are listed inside a plan (the registry's). */
export const KIND_TITLES: ReadonlyMap<string, string> = new Map(KINDS.map((k) => [k.name, k.title]));

const KIND_ORDER: readonly string[] = [...KIND_TITLES.keys()];

/** The heading of a kind; an unknown kind (a newer plan) is shown by its own name. */
export function kindTitle(kind: string): string {
  return KIND_TITLES.get(kind) ?? kind;
}

function kindRank(kind: string): number {
  const i = KIND_ORDER.indexOf(kind);
  return i === -1 ? KIND_ORDER.length : i;
}

/** The changes a renderer shows: everything but `noop`. */
export function visibleChanges(plan: Plan): Change[] {
  return plan.changes.filter((c) => c.action !== 'noop');
}

/** 0 = delete, 1 = security-relevant, 2 = the rest: lower is shown first. */
export function changeRank(change: Change): number {
  if (change.action === 'delete') return 0;
  return change.security ? 1 : 2;
}

function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Deletes first, then security-relevant changes, then the rest; by address inside each rank. */
export function compareChanges(a: Change, b: Change): number {
  return changeRank(a) - changeRank(b) || compareStrings(a.address, b.address);
}

export interface ChangeGroup {
  kind: KindName;
  title: string;
  changes: Change[];
}

/**
 * The visible changes grouped by kind, in reading order:
 * - inside a group: deletes, then security-relevant changes, then the rest (each by address);
 * - groups: those holding a delete first, then those holding a security-relevant change, then the
 *   rest, each in the registry's kind order.
 * So every delete sits at the top of the plan, and what a reviewer must look at comes before routine
 * changes, while each kind keeps a single heading.
 */
export function groupChanges(plan: Plan): ChangeGroup[] {
  const byKind = new Map<KindName, Change[]>();
  for (const change of visibleChanges(plan)) {
    const list = byKind.get(change.kind);
    if (list) list.push(change);
    else byKind.set(change.kind, [change]);
  }
  const groups: ChangeGroup[] = [...byKind].map(([kind, changes]) => ({
    kind,
    title: kindTitle(kind),
    changes: [...changes].sort(compareChanges),
  }));
  const groupRank = (g: ChangeGroup): number => Math.min(...g.changes.map(changeRank));
  return groups.sort(
    (a, b) => groupRank(a) - groupRank(b) || kindRank(a.kind) - kindRank(b.kind) || compareStrings(a.kind, b.kind),
  );
}

/** Changes in the order the renderers list them (the concatenation of groupChanges). */
export function orderedChanges(plan: Plan): Change[] {
  return groupChanges(plan).flatMap((g) => g.changes);
}

/** Unmanaged objects sorted by address. */
export function orderedUnmanaged(plan: Plan): Plan['unmanaged'] {
  return [...plan.unmanaged].sort((a, b) => compareStrings(a.address, b.address));
}

export interface Counts {
  create: number;
  update: number;
  delete: number;
}

/** The counts of the summary line, taken from the plan's own summary. */
export function planCounts(plan: Plan): Counts {
  const s = plan.summary;
  return { create: s.create, update: s.update, delete: s.delete };
}

/** Vault changes, or CA-bundle copies to write or remove. */
export function hasChanges(plan: Plan): boolean {
  return hasVaultChanges(plan) || hasCopyChanges(plan.ca_bundles);
}

function hasVaultChanges(plan: Plan): boolean {
  const c = planCounts(plan);
  return c.create + c.update + c.delete > 0;
}

export const NO_CHANGES = 'No changes. Vault matches the configuration.';

/** `Plan: 3 to create, 1 to update, 0 to delete.` or the no-changes sentence. */
export function summaryLine(plan: Plan): string {
  if (!hasVaultChanges(plan)) return NO_CHANGES;
  const c = planCounts(plan);
  return `Plan: ${c.create} to create, ${c.update} to update, ${c.delete} to delete.`;
}

export const DESTROY_TITLE = 'DESTRUCTIVE PLAN';
export const DESTROY_HINT = 'apply refuses it without --allow-destroy';

/** One line of the destructive-plan banner: `secrets/kv: destroys all data stored under kv/ …`. */
export function destroyLine(d: Destroy): string {
  return sanitize(d.address === '*' ? d.what : `${d.address}: ${d.what}`);
}

/** An unmanaged object's line: its address, and why it is left alone when that is unusual. */
export function unmanagedLine(u: UnmanagedObject): string {
  return sanitize(u.note ? `${u.address} (${u.note})` : u.address);
}

export const UNMANAGED_TITLE = 'Unmanaged objects';
export const UNMANAGED_HINT = 'left alone; add the collection to prune: to delete them';

/** Action → one-character symbol (Terraform's). */
export const ACTION_SYMBOLS: Readonly<Record<Action, string>> = {
  create: '+',
  update: '~',
  delete: '-',
  noop: ' ',
};

/** Action → past participle, for apply reports. */
export const ACTION_DONE: Readonly<Record<Action, string>> = {
  create: 'created',
  update: 'updated',
  delete: 'deleted',
  noop: 'unchanged',
};

// ---------------------------------------------------------------------------------------------
// Values

export const NONE = '(none)';

/**
 * Replaces control characters (ANSI escapes included) by visible `\u001b`-style escapes, so that a
 * value read from Vault can never move the cursor, recolor or clear a reviewer's terminal.
 * Newlines and tabs are kept when `keepNewlines` is set.
 */
export function sanitize(text: string, keepNewlines = false): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, (ch) => {
    if (keepNewlines && (ch === '\n' || ch === '\t')) return ch;
    return `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`;
  });
}

/** `3600` → `1h`, `5400` → `1h30m`, `172800` → `2d`, `0` → `0s`. */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0 || !Number.isInteger(seconds)) return String(seconds);
  if (seconds === 0) return '0s';
  const units: [string, number][] = [
    ['d', 86400],
    ['h', 3600],
    ['m', 60],
    ['s', 1],
  ];
  let rest = seconds;
  let out = '';
  for (const [unit, size] of units) {
    const n = Math.floor(rest / size);
    if (n > 0) {
      out += `${n}${unit}`;
      rest -= n * size;
    }
  }
  return out;
}


/**
 * One value on one line: null/absent → `(none)`, strings JSON-quoted (so `""`, spaces and escapes
 * stay visible), arrays/objects as compact JSON with sorted keys, numbers as given — followed by a
 * readable duration for TTL-like fields (`172800 (2d)`).
 */
export function formatValue(value: unknown, fieldName?: string): string {
  if (value === null || value === undefined) return NONE;
  if (typeof value === 'number') {
    if (fieldName !== undefined && isDurationField(fieldName) && Number.isInteger(value) && value >= 60) {
      return `${value} (${formatDuration(value)})`;
    }
    return String(value);
  }
  if (typeof value === 'boolean') return String(value);
  // JSON escapes every control character, so the result is always a single safe line.
  return stableStringify(value) ?? String(value);
}

/** True for a string value that reads better as a block of lines (policy text). */
export function isMultiline(value: unknown): value is string {
  return typeof value === 'string' && value.replace(/\n$/, '').includes('\n');
}

/** A field's value for display: the mask for sensitive fields, else formatValue. */
export function displayValue(field: FieldChange, which: 'before' | 'after'): string {
  const value = safeField(field)[which];
  if (field.sensitive && value !== null) return SENSITIVE_MASK;
  return formatValue(value, field.name);
}

/** The lines of a unified diff, without a trailing empty line. */
export function diffLines(diff: string): string[] {
  const lines = diff.replace(/\r\n/g, '\n').split('\n');
  if (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  return lines;
}

/** The lines of a multi-line string value, without a trailing empty line. */
export function textLines(text: string): string[] {
  return diffLines(text);
}

// ---------------------------------------------------------------------------------------------
// Terminal colors (ANSI SGR), applied only when asked.

export type Style = 'bold' | 'dim' | 'red' | 'green' | 'yellow' | 'cyan' | 'magenta';

const SGR: Readonly<Record<Style, string>> = {
  bold: '1',
  dim: '2',
  red: '31',
  green: '32',
  yellow: '33',
  cyan: '36',
  magenta: '35',
};

export type Paint = (style: Style, text: string) => string;

/** A painter that colors when `color` is set and returns text unchanged otherwise. */
export function painter(color: boolean): Paint {
  if (!color) return (_style, text) => text;
  return (style, text) => (text === '' ? text : `\u001b[${SGR[style]}m${text}\u001b[0m`);
}

export const ACTION_STYLES: Readonly<Record<Action, Style>> = {
  create: 'green',
  update: 'yellow',
  delete: 'red',
  noop: 'dim',
};

/** The color of a unified-diff line by its prefix. */
export function diffLineStyle(line: string): Style | undefined {
  if (line.startsWith('+++') || line.startsWith('---') || line.startsWith('Index:') || line.startsWith('===')) {
    return 'bold';
  }
  if (line.startsWith('@@')) return 'cyan';
  if (line.startsWith('+')) return 'green';
  if (line.startsWith('-')) return 'red';
  if (line.startsWith('\\')) return 'dim';
  return undefined;
}
