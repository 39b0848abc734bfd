// The plan as a pull-request comment (GitHub / GitLab flavoured markdown): a summary line, a table of
// changes, a collapsible <details> per created/updated object (policy diffs in ```diff blocks, other
// fields in a table) and the unmanaged objects. Every value from the plan is escaped for the place it
// lands in (table cell, HTML, code fence), and sensitive values are never shown.

import type { Action, Change, FieldChange, Plan } from '../core/model.js';
import {
  ACTION_SYMBOLS,
  UNMANAGED_TITLE,
  displayValue,
  hasChanges,
  isMultiline,
  orderedChanges,
  orderedUnmanaged,
  safeField,
  sanitize,
  summaryLine,
  textLines,
} from './common.js';

export const ACTION_EMOJI: Readonly<Record<Action, string>> = {
  create: '🟢',
  update: '🟡',
  delete: '🔴',
  noop: '⚪',
};
const SECURITY_MARK = '🔒';

export function renderMarkdown(plan: Plan): string {
  const out: string[] = ['### vault-gitops plan', ''];
  out.push(hasChanges(plan) ? `**${summaryLine(plan)}**` : `✅ ${summaryLine(plan)}`, '');

  const changes = orderedChanges(plan);
  if (changes.length > 0) {
    out.push('| | Action | Address | Reason |', '|---|---|---|---|');
    for (const c of changes) {
      const action = c.security ? `${c.action} ${SECURITY_MARK}` : c.action;
      out.push(`| ${ACTION_EMOJI[c.action]} | ${action} | ${mdCell(c.address)} | ${mdCell(c.reason)} |`);
    }
    out.push('');
    if (changes.some((c) => c.security)) out.push(`${SECURITY_MARK} security-relevant change (policies, token policies, CIDRs, …)`, '');

    for (const c of changes) {
      if (c.action === 'delete' || (c.fields.length === 0 && !c.credentials?.length)) continue;
      out.push(...details(c));
    }
  }

  const unmanaged = orderedUnmanaged(plan);
  if (unmanaged.length > 0) {
    out.push(`#### ${UNMANAGED_TITLE}`, '', 'Left alone; add the collection to `prune:` to delete them.', '');
    for (const u of unmanaged) out.push(`- ${mdText(u.address)}`);
    out.push('');
  }
  return out.join('\n').replace(/\n+$/, '') + '\n';
}

function details(change: Change): string[] {
  const out = [
    `<details><summary>${ACTION_EMOJI[change.action]} ${ACTION_SYMBOLS[change.action]} <code>${html(change.address)}</code> — ${html(change.reason)}</summary>`,
    '',
  ];
  const rows: string[] = [];
  for (const raw of change.fields) {
    const field = safeField(raw);
    if (field.diff !== undefined && field.diff !== '') {
      out.push(`**${mdText(field.name)}**`, '', ...fence('diff', textLines(field.diff)), '');
    } else if (!field.sensitive && (isMultiline(field.before) || isMultiline(field.after))) {
      const lines: string[] = [];
      if (typeof field.before === 'string' && change.action !== 'create') lines.push(...textLines(field.before).map((l) => `-${l}`));
      if (typeof field.after === 'string') lines.push(...textLines(field.after).map((l) => `+${l}`));
      out.push(`**${mdText(field.name)}**`, '', ...fence('diff', lines), '');
    } else {
      rows.push(fieldRow(change, field));
    }
  }
  if (rows.length > 0) {
    out.push(
      change.action === 'create' ? '| Field | Value |' : '| Field | Before | After |',
      change.action === 'create' ? '|---|---|' : '|---|---|---|',
      ...rows,
      '',
    );
  }
  for (const c of change.credentials ?? []) out.push(`- credentials: ${mdText(c)}`);
  if (change.credentials?.length) out.push('');
  out.push('</details>', '');
  return out;
}

function fieldRow(change: Change, field: FieldChange): string {
  const name = mdCell(field.name);
  if (change.action === 'create') return `| ${name} | ${mdCell(displayValue(field, 'after'))} |`;
  return `| ${name} | ${mdCell(displayValue(field, 'before'))} | ${mdCell(displayValue(field, 'after'))} |`;
}

/** A fenced code block whose fence is longer than any backtick run inside it. */
export function fence(lang: string, lines: string[]): string[] {
  const safe = lines.map((l) => sanitize(l, true));
  const longest = Math.max(0, ...safe.map((l) => Math.max(0, ...(l.match(/`+/g) ?? []).map((r) => r.length))));
  const marks = '`'.repeat(Math.max(3, longest + 1));
  return [`${marks}${lang}`, ...safe, marks];
}

/** Inline markdown text: markdown punctuation backslash-escaped (`|` and backticks included). */
export function mdText(text: string): string {
  return sanitize(text).replace(/[\\`*_[\]<>|~&#!]/g, (ch) => `\\${ch}`);
}

/** A table cell: inline text on one line. */
export function mdCell(text: string): string {
  return mdText(text.replace(/\r?\n/g, ' '));
}

/** Text inside raw HTML (the <summary> line). */
export function html(text: string): string {
  return sanitize(text)
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/`/g, '&#96;')
    .replace(/\|/g, '&#124;');
}
