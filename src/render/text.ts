// The human plan, Terraform-style: access changes first (privileged ones above everything), then
// grouped by kind, deletes and security-relevant changes first,
// policy changes as unified diffs, ANSI colors only when asked. A pure function of the Plan data.

import type { Change, FieldChange, Plan } from '../core/model.js';
import { accessText } from './access-changes.js';
import { renderCopiesText } from './ca-bundles.js';
import {
  ACTION_STYLES,
  ACTION_SYMBOLS,
  DESTROY_HINT,
  DESTROY_TITLE,
  UNMANAGED_HINT,
  UNMANAGED_TITLE,
  diffLineStyle,
  destroyLine,
  displayValue,
  groupChanges,
  hasChanges,
  isMultiline,
  orderedUnmanaged,
  painter,
  sanitize,
  summaryLine,
  textLines,
  unmanagedLine,
  type Paint,
  type Style,
} from './common.js';
import { safeField } from '../core/plan/plan-json.js';

export interface TextOptions {
  /** ANSI colors (a TTY without --no-color). */
  color: boolean;
}

const CHANGE_INDENT = '  ';
const DETAIL_INDENT = '      ';
const BLOCK_INDENT = '        ';

export function renderText(plan: Plan, opts: TextOptions): string {
  const paint = painter(opts.color);
  const out: string[] = [...accessText(plan.access_changes, paint)];

  if (plan.destroys.length > 0) {
    out.push(paint('red', paint('bold', `!! ${DESTROY_TITLE}: ${DESTROY_HINT}`)));
    for (const d of plan.destroys) out.push(`${CHANGE_INDENT}${paint('red', '!')} ${destroyLine(d)}`);
    out.push('');
  }

  const groups = groupChanges(plan);
  if (groups.length > 0) {
    out.push('vault-gitops will perform the following actions:', '');
    for (const group of groups) {
      out.push(paint('bold', sanitize(group.title)));
      for (const change of group.changes) out.push(...renderChange(change, paint));
      out.push('');
    }
  }

  const unmanaged = orderedUnmanaged(plan);
  if (unmanaged.length > 0) {
    out.push(paint('bold', `${UNMANAGED_TITLE} (${UNMANAGED_HINT}):`));
    for (const u of unmanaged) out.push(`${CHANGE_INDENT}${paint('dim', '?')} ${unmanagedLine(u)}`);
    out.push('');
  }

  const notes = plan.changes.filter((c) => c.action === 'noop' && c.credentials?.length);
  if (notes.length > 0) {
    out.push(paint('bold', 'Credentials (nothing to do):'));
    for (const c of notes) for (const line of c.credentials ?? []) out.push(`${CHANGE_INDENT}${paint('dim', 'i')} ${sanitize(c.address)}: ${sanitize(line)}`);
    out.push('');
  }

  const summary = summaryLine(plan);
  out.push(hasChanges(plan) ? paint('bold', summary) : paint('green', summary));
  out.push(...renderCopiesText(plan.ca_bundles, paint));
  return out.join('\n') + '\n';
}

function renderChange(change: Change, paint: Paint): string[] {
  const style = ACTION_STYLES[change.action];
  const head = `${CHANGE_INDENT}${paint(style, ACTION_SYMBOLS[change.action])} ${paint(style, sanitize(change.address))}`;
  const lines = [change.security ? `${head}  ${paint('magenta', '[security]')}` : head];
  lines.push(`${DETAIL_INDENT}${paint('dim', 'reason:')} ${sanitize(change.reason)}`);
  for (const field of change.fields) lines.push(...renderField(change, field, paint));
  for (const c of change.credentials ?? []) lines.push(`${DETAIL_INDENT}credentials: ${sanitize(c)}`);
  return lines;
}

function renderField(change: Change, raw: FieldChange, paint: Paint): string[] {
  const field = safeField(raw);
  const name = sanitize(field.name);

  if (field.diff !== undefined && field.diff !== '') {
    return [`${DETAIL_INDENT}${name}:`, ...textLines(field.diff).map((l) => blockLine(l, paint))];
  }

  if (!field.sensitive && (isMultiline(field.before) || isMultiline(field.after))) {
    // A multi-line value without a diff (a new or deleted policy): its lines as a block.
    const lines = [`${DETAIL_INDENT}${name}:`];
    if (change.action !== 'create') lines.push(...blockOf(field.before, '-', paint));
    if (change.action !== 'delete') lines.push(...blockOf(field.after, '+', paint));
    return lines;
  }

  switch (change.action) {
    case 'create':
      return [`${DETAIL_INDENT}${name}: ${displayValue(field, 'after')}`];
    case 'delete':
      return [`${DETAIL_INDENT}${name}: ${displayValue(field, 'before')}`];
    default:
      // A write-only value known only by its recorded hash: that it changed is all there is to say.
      if (field.sensitive && field.before !== null && field.after !== null) return [`${DETAIL_INDENT}${name}: ${displayValue(field, 'after')} changed`];
      return [`${DETAIL_INDENT}${name}: ${displayValue(field, 'before')} → ${displayValue(field, 'after')}`];
  }
}

function blockOf(value: unknown, sign: '+' | '-', paint: Paint): string[] {
  if (value === null || value === undefined) return [];
  const text = typeof value === 'string' ? value : displayValue({ name: '', before: null, after: value, sensitive: false }, 'after');
  return textLines(text).map((l) => blockLine(`${sign}${l}`, paint, sign === '+' ? 'green' : 'red'));
}

function blockLine(line: string, paint: Paint, style: Style | undefined = diffLineStyle(line)): string {
  const safe = sanitize(line, true);
  return `${BLOCK_INDENT}${style ? paint(style, safe) : safe}`;
}
