// The access part of a plan, shown before the field diffs: privileged findings first (a banner),
// then per principal the path rules whose capabilities change and the login bindings that change,
// then trust outside policies. Pure functions of plan.access_changes, as text or markdown lines.
import type { AccessChanges, BindingChange, CapabilityChange, PrincipalAccessChange, TrustChange } from '../core/model.js';
import { formatValue, sanitize, type Paint } from './common.js';
import { mdCell, mdText } from './markdown-escape.js';

export const PRIVILEGED_TITLE = 'PRIVILEGED ACCESS CHANGES';
export const PRIVILEGED_HINT = 'a second reviewer should approve them (`plan --fail-on privileged` exits 3)';
export const ACCESS_TITLE = 'Access changes';

const STATUS_SYMBOL: Readonly<Record<PrincipalAccessChange['status'], string>> = { added: '+', removed: '-', changed: '~' };
const STATUS_NOTE: Readonly<Record<PrincipalAccessChange['status'], string>> = { added: 'new principal', removed: 'removed principal', changed: '' };

const caps = (xs: readonly string[]) => (xs.length > 0 ? xs.join(', ') : '(none)');

/** One line per privileged capability change: `auth/approle/roles/a gains sudo on sys/audit/*: sudo, sys/`. */
export function privilegedFindings(a: AccessChanges | undefined): string[] {
  if (!a) return [];
  return a.principals.flatMap((p) => p.capabilities.filter((c) => c.privileged.length > 0).map((c) => sanitize(`${p.address} gains ${c.gained.join(', ')} on ${c.pattern}: ${c.privileged.join(', ')}`)));
}

function principalHead(p: PrincipalAccessChange): string {
  const notes = [STATUS_NOTE[p.status], p.default_policy && p.status !== 'changed' ? 'and the default policy' : '', p.unread_policies ? `policies not read, left out: ${p.unread_policies.join(', ')}` : ''].filter(Boolean);
  return sanitize(`${p.address}${notes.length > 0 ? ` (${notes.join('; ')})` : ''}`);
}

function capabilityText(p: PrincipalAccessChange, c: CapabilityChange): string {
  const delta = [...c.gained.map((x) => `+${x}`), ...c.lost.map((x) => `-${x}`)].join(' ');
  if (p.status === 'added') return sanitize(`${c.pattern}: ${caps(c.after)}`);
  if (p.status === 'removed') return sanitize(`${c.pattern}: ${caps(c.before)} (lost)`);
  return sanitize(`${c.pattern}: ${caps(c.before)} → ${caps(c.after)}${delta ? ` (${delta})` : ''}`);
}

const bindingValue = (b: BindingChange, which: 'before' | 'after') => (which in b ? formatValue(b[which]) : '(not set)');
const bindingText = (b: BindingChange) => sanitize(`${b.field}: ${bindingValue(b, 'before')} → ${bindingValue(b, 'after')}`);

function trustFieldText(f: NonNullable<TrustChange['fields']>[number]): string {
  return sanitize(`${f.name}: ${formatValue(f.before)} → ${formatValue(f.after)}`);
}

function trustHead(t: TrustChange): string {
  const more = t.namespaces && t.namespaces.length > 0 ? `: ${t.namespaces.slice(0, 20).join(', ')}${t.namespaces.length > 20 ? ', …' : ''}` : '';
  return sanitize(`${t.address}: ${t.what}${more}`);
}

/** The text plan's access block (empty when the plan changes no access): the privileged banner, then the section. */
export function accessText(a: AccessChanges | undefined, paint: Paint): string[] {
  if (!a) return [];
  const out: string[] = [];
  const privileged = privilegedFindings(a);
  if (privileged.length > 0) {
    out.push(paint('red', paint('bold', `!! ${PRIVILEGED_TITLE}: ${PRIVILEGED_HINT.replace(/`/g, '')}`)));
    for (const line of privileged) out.push(`  ${paint('red', '!')} ${line}`);
    out.push('');
  }
  out.push(paint('bold', `${ACCESS_TITLE}:`));
  const ordered = [...a.principals].sort((x, y) => Number(y.privileged.length > 0) - Number(x.privileged.length > 0) || (x.address < y.address ? -1 : 1));
  for (const p of ordered) {
    out.push(`  ${paint(p.privileged.length > 0 ? 'red' : 'yellow', STATUS_SYMBOL[p.status])} ${principalHead(p)}`);
    for (const c of p.capabilities) {
      const mark = c.privileged.length > 0 ? `${paint('red', '!')} ` : '  ';
      out.push(`    ${mark}${capabilityText(p, c)}${c.privileged.length > 0 ? `  ${paint('red', `[privileged: ${sanitize(c.privileged.join(', '))}]`)}` : ''}`);
    }
    for (const b of p.bindings ?? []) out.push(`      ${bindingText(b)}${b.widened ? `  ${paint('magenta', `[widened: ${sanitize(b.widened)}]`)}` : ''}`);
  }
  for (const t of a.trust) {
    out.push(`  ${paint('magenta', '~')} ${trustHead(t)}  ${paint('magenta', '[trust]')}`);
    for (const f of t.fields ?? []) out.push(`      ${trustFieldText(f)}`);
  }
  for (const n of a.not_compared ?? []) out.push(`  ${paint('yellow', '?')} not compared: ${sanitize(n)}`);
  out.push('');
  return out;
}

/** The markdown banner of privileged findings (a GitHub "warning" alert), never shortened away; at most `maxLines` of them listed. */
export function privilegedBanner(a: AccessChanges | undefined, maxLines = 50): string[] {
  const findings = privilegedFindings(a);
  if (findings.length === 0) return [];
  const more = findings.length > maxLines ? [`> - … ${findings.length - maxLines} more (the full list is in \`vault-gitops plan\`'s output)`] : [];
  return ['> [!WARNING]', `> **${PRIVILEGED_TITLE}**: ${PRIVILEGED_HINT}.`, ...findings.slice(0, maxLines).map((f) => `> - ${mdCell(f)}`), ...more, ''];
}

/** The markdown access section: one table row per changed path rule or binding, then trust. `maxRows` caps the table. */
export function accessMarkdown(a: AccessChanges | undefined, maxRows = 200): string[] {
  if (!a) return [];
  const rows: string[] = [];
  const ordered = [...a.principals].sort((x, y) => Number(y.privileged.length > 0) - Number(x.privileged.length > 0) || (x.address < y.address ? -1 : 1));
  for (const p of ordered) {
    const who = `${STATUS_SYMBOL[p.status]} ${mdCell(principalHead(p))}`;
    for (const c of p.capabilities) {
      const note = c.privileged.length > 0 ? `⚠️ privileged: ${mdCell(c.privileged.join(', '))}` : '';
      rows.push(`| ${who} | ${mdCell(c.pattern)} | ${mdCell(caps(c.before))} | ${mdCell(caps(c.after))} | ${note} |`);
    }
    for (const b of p.bindings ?? []) {
      rows.push(`| ${who} | ${mdCell(b.field)} (binding) | ${mdCell(bindingValue(b, 'before'))} | ${mdCell(bindingValue(b, 'after'))} | ${b.widened ? `widened: ${mdCell(b.widened)}` : ''} |`);
    }
    if (p.capabilities.length === 0 && !p.bindings) rows.push(`| ${who} | | | | |`);
  }
  const out = [`#### ${ACCESS_TITLE}`, ''];
  if (rows.length > 0) {
    out.push('| Principal | Path rule or binding | Before | After | |', '|---|---|---|---|---|', ...rows.slice(0, maxRows));
    if (rows.length > maxRows) out.push(`| … ${rows.length - maxRows} more | | | | |`);
    out.push('');
  }
  for (const t of a.trust) {
    out.push(`- 🔑 ${mdText(trustHead(t))}`);
    for (const f of t.fields ?? []) out.push(`  - ${mdText(trustFieldText(f))}`);
  }
  for (const n of a.not_compared ?? []) out.push(`- ❔ not compared: ${mdText(n)}`);
  if (a.trust.length > 0 || a.not_compared) out.push('');
  return out;
}
