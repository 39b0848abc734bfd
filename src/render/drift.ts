import type { DriftClass, DriftReport } from '../core/plan/drift.js';
import { sortKeysDeep } from '../core/common/canonical-json.js';
import { safeField } from '../core/plan/plan-json.js';
import { formatValue, painter, sanitize } from './common.js';
import { mdCell } from './markdown-escape.js';

const HEADINGS: Record<DriftClass, string> = {
  changed: 'Changed in Vault',
  missing: 'Missing in Vault',
  unmanaged: 'Extra objects in managed collections',
  credentials: 'Published credentials',
  orphaned: 'Orphaned credentials (live in Vault, held by nobody)',
  'ca-bundles': 'CA-bundle copies in Kubernetes',
};
const ORDER: DriftClass[] = ['changed', 'missing', 'unmanaged', 'credentials', 'orphaned', 'ca-bundles'];

function summaryLine(r: DriftReport): string {
  if (r.in_sync) return 'In sync: Vault matches the configuration.';
  const parts = ORDER.filter((c) => r.summary[c] > 0).map((c) => `${r.summary[c]} ${c}`);
  return `Drift: ${parts.join(', ')}.`;
}

export function renderDriftText(r: DriftReport, opts: { color: boolean }): string {
  const paint = painter(opts.color);
  const out: string[] = [];
  for (const cls of ORDER) {
    const items = r.findings.filter((f) => f.class === cls);
    if (items.length === 0) continue;
    out.push(paint('bold', HEADINGS[cls]));
    for (const f of items) {
      out.push(`  ${paint('yellow', '!')} ${sanitize(f.address)}: ${sanitize(f.detail)}`);
      for (const field of (f.fields ?? []).map(safeField)) {
        if (field.diff) out.push(...field.diff.split('\n').filter((l) => l !== '').map((l) => `      ${sanitize(l, true)}`));
        else out.push(`      ${field.name}: ${formatValue(field.before, field.name)} (Vault) → ${formatValue(field.after, field.name)} (config)`);
      }
    }
    out.push('');
  }
  if (r.notes.length > 0) {
    out.push(paint('bold', 'Credentials (not drift)'));
    for (const n of r.notes) out.push(`  ${paint('dim', 'i')} ${sanitize(n.address)}: ${sanitize(n.detail)}`);
    out.push('');
  }
  if (r.unmanaged_elsewhere.length > 0) {
    out.push(`Not managed (left alone, not drift): ${r.unmanaged_elsewhere.map((a) => sanitize(a)).join(', ')}`, '');
  }
  out.push(r.in_sync ? paint('green', summaryLine(r)) : paint('red', summaryLine(r)));
  return out.join('\n') + '\n';
}

/** The report as plain JSON data (schemas/drift.schema.json): keys sorted, sensitive fields masked. */
export function driftToJson(r: DriftReport): unknown {
  return sortKeysDeep({ ...r, findings: r.findings.map((f) => (f.fields ? { ...f, fields: f.fields.map(safeField) } : f)) });
}

export function renderDriftJson(r: DriftReport): string {
  return JSON.stringify(driftToJson(r), null, 2) + '\n';
}

/** `title`: the heading line (a tenant's report is headed by its namespace). */
export function renderDriftMarkdown(r: DriftReport, title = '### vault-gitops drift'): string {
  const out = [title, '', `**${summaryLine(r)}**`, ''];
  if (r.findings.length > 0) {
    out.push('| Class | Address | Detail |', '|---|---|---|');
    for (const f of r.findings) out.push(`| ${f.class} | ${mdCell(f.address)} | ${mdCell(f.detail)} |`);
    out.push('');
  }
  if (r.notes.length > 0) {
    out.push('Credentials (not drift):', '');
    for (const n of r.notes) out.push(`- ${mdCell(n.address)}: ${mdCell(n.detail)}`);
    out.push('');
  }
  return out.join('\n');
}
