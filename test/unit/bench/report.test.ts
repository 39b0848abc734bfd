import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { Run } from '../../../bench/process.js';
import { placeNamespaces, placeSection, renderNamespaces, renderSection, REPORT_FILE, type NamespacesResult, type Results } from '../../../bench/report.js';
import { brokenLinks } from '../docs/markdown-links.js';

const root = fileURLToPath(new URL('../../../', import.meta.url));

const run = (ms: number, requests?: number): Run => ({ ms, code: 0, requests, rssMb: 100, byMethod: { GET: 3 }, phases: { started: 150, loaded: 400, session: 410, planned: ms - 20, applied: ms - 20 } });

/** One bench run's results, small and made up: only their shape matters here. */
const results: Results = {
  date: '2026-01-01',
  commit: 'abc1234',
  machine: '2 cores',
  sizes: [1000, 10000].map((n) => ({
    n,
    validate: run(n / 2),
    yaml: { ms: n / 4, rssMb: 90, bytes: n * 100 },
    apply: run(n * 3, n + 3),
    applyFloorMs: n * 3,
    plan: run(n, n + 3),
    planFloor: { ms: n, requests: n },
    target: run(600, 6),
    planDrift: run(n, n + 3),
    applyDrift: run(n, n + 20),
    converged: true,
    drifted: n / 100,
  })),
  compare: [],
  limited: { ...run(4000, 1000), rate: 300, objects: 1000, retries: 10 },
  cold: { versionMs: 200, validateMs: 300 },
  profileN: 10000,
  minutes: 1,
};

const load = { before: 0.5, mean: 1.8, max: 2.1 };
const namespaces: NamespacesResult = {
  tenants: 100,
  each: 500,
  objects: 50000,
  server: 'openbao 2.4.0',
  machine: '2 cores',
  apply: run(150000, 50800),
  applyFloorMs: 140000,
  plan: run(40000, 50500),
  planFloor: { ms: 30000, requests: 50400 },
  converged: true,
  load: { apply: load, plan: load, floor: load },
};

describe('the bench report', () => {
  it(`renders into ${REPORT_FILE} with links that resolve from there`, () => {
    const page = placeSection(readFileSync(`${root}/${REPORT_FILE}`, 'utf8'), renderSection(results));
    expect(page).toContain('(../bench/plan-time.svg)');
    expect(brokenLinks(root, REPORT_FILE, page)).toEqual([]);
  });

  it('replaces only what is between the markers, and keeps the page around them', () => {
    const page = '# Performance\n\nHow to read this.\n\n<!-- bench:start -->\nold figures\n<!-- bench:end -->\n\nAfter.\n';
    expect(placeSection(page, 'new figures')).toBe('# Performance\n\nHow to read this.\n\n<!-- bench:start -->\nnew figures\n<!-- bench:end -->\n\nAfter.\n');
    expect(placeSection(undefined, 'x')).toBe('# Performance\n\n<!-- bench:start -->\nx\n<!-- bench:end -->\n');
    expect(placeSection('# Performance\n', 'x')).toBe('# Performance\n\n<!-- bench:start -->\nx\n<!-- bench:end -->\n');
  });

  it(`${REPORT_FILE} holds a section the bench wrote: its fixed prose is what renderSection writes now`, () => {
    const committed = readFileSync(`${root}/${REPORT_FILE}`, 'utf8').split('<!-- bench:start -->\n')[1]!;
    const fixed = renderSection(results).split('\n\nMeasured ')[0]!;
    expect(committed.startsWith(fixed)).toBe(true);
  });

  it('renders the namespaces row with its floor ratio between its own markers in the section', () => {
    const section = renderSection({ ...results, namespaces });
    expect(section).toContain('<!-- bench:namespaces:start -->\n**Many namespaces in one run**');
    expect(section).toContain('| 100 × 500 = 50,000 | first apply: `apply -c PLATFORM --tenants DIR --auto-approve` | 150.00 s | 3000 µs | 50,800 (1.02) | 1.07× | 100 MB |');
    expect(section).toContain('| 100 × 500 = 50,000 | plan, no changes: `plan --tenants DIR --detailed-exitcode` (exit 0) | 40.00 s | 800 µs | 50,500 (1.01) | 1.33× | 100 MB |');
    const noFloor = renderNamespaces({ ...namespaces, applyFloorMs: undefined, load: { apply: load, plan: load } }, results);
    expect(noFloor).toContain('| 50,800 (1.02) | not measured | 100 MB |');
    expect(noFloor).not.toContain('during the write floor');
  });

  it('a run without namespaces keeps the page\'s namespaces part; a run of that step alone replaces only it', () => {
    const part = renderNamespaces(namespaces, results);
    const withPart = placeSection(undefined, renderSection({ ...results, namespaces }));
    expect(placeSection(withPart, renderSection(results))).toBe(withPart);
    expect(placeSection(undefined, renderSection(results))).toContain('Many namespaces in one run: not measured yet');

    const without = placeSection(undefined, renderSection(results)).replace(/<!-- bench:namespaces:start -->[^]*<!-- bench:namespaces:end -->\n\n/, '');
    const placed = placeNamespaces(without, part);
    expect(placed).toBe(withPart);
    const again = placeNamespaces(placed, renderNamespaces({ ...namespaces, converged: false }, results));
    expect(again).toBe(withPart.replace('exits 0): yes', 'exits 0): **NO**'));
  });
});
