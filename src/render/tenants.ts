// What the plan and drift renderings of a run over the platform and its tenants share (`--tenants`,
// docs/namespaces.md): the JSON document around each config's own plan or report, the markdown
// sections headed by namespace, and the line naming the tenants in each state.
import { TENANTS_FORMAT_VERSION, type TenantResult, type TenantsRun } from '../core/plan/tenants.js';
import { TOOL_VERSION } from '../core/version.js';
import { fence, mdText } from './markdown-escape.js';

/** How the document names a config's result: `plan` or `report`, and the status of a tenant that has one. */
export interface ResultNaming {
  key: 'plan' | 'report';
  done: 'planned' | 'checked';
}

/**
 * The run as one JSON document: the platform's result and every tenant's, each exactly its own format
 * (`toJson`), with the namespace and directory it is of; a failed tenant carries its error instead.
 */
export function tenantsDocument<T>(run: TenantsRun<T>, naming: ResultNaming, toJson: (result: T) => unknown, head: Record<string, unknown>): string {
  const { key, done } = naming;
  const doc = {
    format_version: TENANTS_FORMAT_VERSION,
    tool_version: TOOL_VERSION,
    ...head,
    platform: { dirs: run.platform.dirs, namespace: run.platform.namespace, [key]: toJson(run.platform.result) },
    tenants: run.tenants.map((t) =>
      'result' in t ? { dir: t.dir, namespace: t.namespace, status: done, [key]: toJson(t.result) } : { dir: t.dir, namespace: t.namespace, status: 'failed', error: t.error },
    ),
  };
  return JSON.stringify(doc, null, 2) + '\n';
}

/** The namespaces of the tenants whose result `has` (changes, drift), and of those that failed. */
export function tenantsWith<T>(run: TenantsRun<T>, has: (result: T) => boolean): { with: string[]; failed: string[] } {
  const ok = (t: TenantResult<T>): t is Extract<TenantResult<T>, { result: T }> => 'result' in t;
  return {
    with: run.tenants.filter(ok).filter((t) => has(t.result)).map((t) => t.namespace),
    failed: run.tenants.filter((t) => !ok(t)).map((t) => t.namespace),
  };
}

const namespaceName = (namespace: string) => (namespace === '' ? 'the root namespace' : `namespace ${namespace}`);

/** A section heading: whose result follows (the platform, or a tenant's namespace) and from which directory. */
export function sectionTitle(who: 'platform' | 'tenant', namespace: string, dirs: readonly string[]): string {
  const name = who === 'platform' ? `Platform (${namespaceName(namespace)})` : `Namespace ${namespace}`;
  return `### ${mdText(`${name}: ${dirs.join(', ')}`)}`;
}

/** A failed tenant's section: its heading, then its error, fenced (a config mistake keeps its file:line:col). */
export function failedSection(t: { dir: string; namespace: string; error: string }, what: string): string {
  return [sectionTitle('tenant', t.namespace, [t.dir]), '', `❌ **${what} failed:**`, '', ...fence('text', t.error.split('\n')), ''].join('\n');
}

/** `team-a, team-b/apps` as markdown, or `none`. */
export function namespaceList(namespaces: readonly string[]): string {
  return namespaces.length === 0 ? 'none' : namespaces.map(mdText).join(', ');
}

/**
 * The sections' markdown within `budget` characters: whole when they fit; else the budget is shared,
 * each short section keeping its all and the long ones splitting the rest (a section renders itself
 * shortened to its share, as `renderMarkdown` does, never below its banners).
 */
export function fitSections(sections: ReadonlyArray<(maxLength?: number) => string>, budget: number): string[] {
  const full = sections.map((render) => render());
  if (full.reduce((n, s) => n + s.length + 1, 0) <= budget) return full;
  const out = [...full];
  let left = budget;
  let count = sections.length;
  for (const i of full.map((_, i) => i).sort((x, y) => full[x]!.length - full[y]!.length)) {
    const share = Math.floor(left / count--) - 1;
    if (full[i]!.length > share) out[i] = sections[i]!(Math.max(0, share));
    left -= out[i]!.length + 1;
  }
  return out;
}
