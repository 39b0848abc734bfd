// The plan as a pull-request comment (GitHub / GitLab flavoured markdown): privileged access changes
// in a warning, a summary line, the access changes, a table of
// changes, a collapsible <details> per created/updated object (policy diffs in ```diff blocks, other
// fields in a table) and the unmanaged objects. Every value from the plan is escaped for the place it
// lands in (table cell, HTML, code fence), and sensitive values are never shown.

import { accessMarkdown, privilegedBanner } from './access-changes.js';
import { copySummaryLine } from './ca-bundles.js';
import { fence, html, mdCell, mdText } from './markdown-escape.js';
import type { Action, Change, FieldChange, Plan } from '../core/model.js';
import {
  ACTION_SYMBOLS,
  DESTROY_TITLE,
  UNMANAGED_TITLE,
  destroyLine,
  displayValue,
  hasChanges,
  isMultiline,
  orderedChanges,
  orderedUnmanaged,
  summaryLine,
  textLines,
  unmanagedLine,
} from './common.js';
import { safeField } from '../core/plan/plan-json.js';

export const ACTION_EMOJI: Readonly<Record<Action, string>> = {
  create: '🟢',
  update: '🟡',
  delete: '🔴',
  noop: '⚪',
};
const SECURITY_MARK = '🔒';

/** GitHub refuses comments over 65,536 characters; GitLab notes allow more. Leaves room for a header. */
export const MARKDOWN_MAX_LENGTH = 60_000;

export interface MarkdownOptions {
  /** The longest output, in characters: details, then table rows and unmanaged items are dropped to fit. */
  maxLength?: number;
  /** The heading line (a tenant's plan is headed by its namespace). */
  title?: string;
}

export function renderMarkdown(plan: Plan, opts: MarkdownOptions = {}): string {
  const max = opts.maxLength ?? MARKDOWN_MAX_LENGTH;
  const head = [
    opts.title ?? '### vault-gitops plan',
    '',
    ...privilegedBanner(plan.access_changes),
    ...destroyBanner(plan),
    hasChanges(plan) ? `**${summaryLine(plan)}**` : `✅ ${summaryLine(plan)}`,
    '',
    ...(plan.ca_bundles ? [mdText(copySummaryLine(plan.ca_bundles)), ''] : []),
    ...accessMarkdown(plan.access_changes),
  ];

  const changes = orderedChanges(plan);
  const rows = changes.map((c) => {
    const action = c.security ? `${c.action} ${SECURITY_MARK}` : c.action;
    return `| ${ACTION_EMOJI[c.action]} | ${action} | ${mdCell(c.address)} | ${mdCell(c.reason)} |`;
  });
  const note = changes.some((c) => c.security) ? [`${SECURITY_MARK} security-relevant change (policies, token policies, CIDRs, …)`, ''] : [];
  const blocks = changes.filter((c) => c.action !== 'delete' && (c.fields.length > 0 || !!c.credentials?.length)).map(details);
  const items = orderedUnmanaged(plan).map((u) => `- ${mdText(unmanagedLine(u))}`);

  const assemble = (nRows: number, nBlocks: number, nItems: number): string[] => {
    const out = [...head];
    if (rows.length > 0) {
      out.push('| | Action | Address | Reason |', '|---|---|---|---|', ...rows.slice(0, nRows));
      if (nRows < rows.length) out.push(`| | | … ${rows.length - nRows} more | |`);
      out.push('', ...note);
    }
    for (const block of blocks.slice(0, nBlocks)) out.push(...block);
    if (nBlocks < blocks.length || nRows < rows.length || nItems < items.length) {
      out.push(`_Shortened to fit a comment (${blocks.length - nBlocks} details left out); the full plan is in \`vault-gitops plan\`'s output._`, '');
    }
    if (items.length > 0) {
      out.push(`#### ${UNMANAGED_TITLE}`, '', 'Left alone; add the collection to `prune:` to delete them.', '');
      out.push(...items.slice(0, nItems));
      if (nItems < items.length) out.push(`- … ${items.length - nItems} more`);
      out.push('');
    }
    return out;
  };

  // Drop what matters least first: details from the end, then unmanaged items, then table rows.
  let [nRows, nBlocks, nItems] = [rows.length, blocks.length, items.length];
  const text = finish(assemble(nRows, nBlocks, nItems));
  if (text.length <= max) return text;
  const budget = max - finish(assemble(0, 0, 0)).length;
  let used = 0;
  const fit = (sizes: number[]): number => {
    let n = 0;
    while (n < sizes.length && used + sizes[n]! <= budget) used += sizes[n++]!;
    return n;
  };
  nRows = fit(rows.map((r) => r.length + 1));
  nItems = fit(items.map((i) => i.length + 1));
  nBlocks = nRows === rows.length ? fit(blocks.map((b) => b.join('\n').length + 1)) : 0;
  return finish(assemble(nRows, nBlocks, nItems));
}

/** The destructive parts, first and never shortened away (a GitHub "caution" alert; a quote elsewhere). */
function destroyBanner(plan: Plan): string[] {
  if (plan.destroys.length === 0) return [];
  return [
    '> [!CAUTION]',
    `> **${DESTROY_TITLE}**: \`apply\` refuses it without \`--allow-destroy\`.`,
    ...plan.destroys.map((d) => `> - ${mdCell(destroyLine(d))}`),
    '',
  ];
}

function finish(lines: string[]): string {
  return lines.join('\n').replace(/\n+$/, '') + '\n';
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
