// The CA-bundle part of a plan: copies in Kubernetes namespaces apply would create, update or
// remove, and objects under a copy's name it must leave alone. Pure.
import { countCopyChanges, type CaBundleChange } from '../core/plan/ca-bundles.js';
import { ACTION_STYLES, ACTION_SYMBOLS, sanitize, type Paint } from './common.js';

export const CA_BUNDLES_TITLE = 'CA bundles in Kubernetes';

/** `CA bundles: 3 to publish, 1 to update, 0 to remove; 1 left alone (not ours).` */
export function copySummaryLine(changes: readonly CaBundleChange[]): string {
  const c = countCopyChanges(changes);
  const refused = c.refused > 0 ? `; ${c.refused} left alone (not ours)` : '';
  return `CA bundles: ${c.create} to publish, ${c.update} to update, ${c.delete} to remove${refused}.`;
}

export function copyLine(c: CaBundleChange): string {
  return `${sanitize(c.namespace)}/${sanitize(c.object)} (${sanitize(c.address)}): ${sanitize(c.reason)}`;
}

/** The text plan's section; empty when the config publishes nothing. */
export function renderCopiesText(changes: readonly CaBundleChange[] | undefined, paint: Paint): string[] {
  if (!changes) return [];
  const out: string[] = [];
  if (changes.length > 0) {
    out.push(paint('bold', CA_BUNDLES_TITLE));
    for (const c of changes) {
      const [style, symbol] = c.action === 'refused' ? (['magenta', '!'] as const) : [ACTION_STYLES[c.action], ACTION_SYMBOLS[c.action]];
      out.push(`  ${paint(style, symbol)} ${copyLine(c)}`);
    }
    out.push('');
  }
  out.push(copySummaryLine(changes));
  return out;
}
