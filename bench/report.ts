/**
 * The Performance page's measured section (docs/performance.md, between the bench markers),
 * regenerated whole from one bench run's results. Its links are relative to docs/.
 */
import { PART_ENTRIES } from '../src/core/state/state-parts.js';
import type { Run } from './process.js';

interface SizeResult {
  n: number;
  validate: Run;
  /** The yaml package's parse of the same files alone, in a fresh process. */
  yaml?: { ms: number; rssMb: number; bytes: number };
  apply: Run;
  applyFloorMs: number;
  plan: Run;
  planFloor: { ms: number; requests: number };
  target: Run;
  planDrift: Run;
  applyDrift: Run;
  converged: boolean;
  drifted: number;
  profile?: { totalMs: number; buckets: Array<[string, number]> };
}

interface CompareResult {
  n: number;
  roles: number;
  ours: { apply: Run; plan: Run; secretsDelivered: number; secretsInStateOrPlan: number };
  theirs: { apply: Run; plan: Run; perpetual?: string; secretsInState: { count: number; fields: string[] } };
}

type Load = { before: number; mean: number; max: number };

/** `--namespaces TxN`: one run of T tenant directories of N objects each, in T namespaces (OpenBao). */
export interface NamespacesResult {
  tenants: number;
  each: number;
  /** Objects in all the tenant directories (their mounts included; the namespaces not). */
  objects: number;
  /** The server and its version, e.g. "openbao 2.4.0". */
  server: string;
  /** Cores, memory, Node. */
  machine: string;
  apply: Run;
  /** Absent when the run left it out (--no-write-floor). */
  applyFloorMs?: number;
  plan: Run;
  planFloor: { ms: number; requests: number };
  converged: boolean;
  /** The 1-minute load average while each step ran (floor: the write floor): at its start, its mean and maximum (sampled every 5 s). */
  load: { apply: Load; plan: Load; floor?: Load };
}

export interface Results {
  date: string;
  commit: string;
  machine: string;
  sizes: SizeResult[];
  compare: CompareResult[];
  /** Absent when the run measured no namespaces: the page's earlier namespaces part is kept. */
  namespaces?: NamespacesResult;
  tools?: string;
  limited: Run & { rate: number; objects: number };
  /** nodeMs: `node -e 0`, Node's own start-up (runs from before it was measured lack it). */
  cold: { versionMs: number; validateMs: number; nodeMs?: number };
  profileN: number;
  minutes: number;
}

const s = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
const x = (a: number, b: number) => `${(a / b).toFixed(2)}×`;
const perObj = (ms: number, n: number) => `${((ms * 1000) / n).toFixed(0)} µs`;
const num = (n: number) => n.toLocaleString('en-US');
const mb = (r: { rssMb?: number }) => (r.rssMb ? `${r.rssMb} MB` : '—');
const yes = (ok: boolean) => (ok ? 'met' : '**not met**');

function scaleTable(sizes: SizeResult[]): string[] {
  const rows = ['| N | step | wall | per object | requests (per object) | vs floor | peak RSS |', '|---:|---|---:|---:|---:|---:|---:|'];
  for (const r of sizes) {
    const row = (step: string, run: Run, floor?: number) =>
      rows.push(`| ${num(r.n)} | ${step} | ${s(run.ms)} | ${perObj(run.ms, r.n)} | ${run.requests !== undefined ? `${num(run.requests)} (${(run.requests / r.n).toFixed(2)})` : '—'} | ${floor ? x(run.ms, floor) : '—'} | ${mb(run)} |`);
    row('validate', r.validate);
    row('first apply (create all)', r.apply, r.applyFloorMs);
    row('plan, no changes', r.plan, r.planFloor.ms);
    rows.push(`| ${num(r.n)} | plan --target one policy | ${s(r.target.ms)} | — | ${r.target.requests ?? '—'} | — | ${mb(r.target)} |`);
    row(`plan after 1% drift (${num(r.drifted)} policies)`, r.planDrift, r.planFloor.ms);
    row('apply of the drift', r.applyDrift);
    rows.push(`| ${num(r.n)} | floor: same GETs (plan) / same writes (apply), plain fetch | ${s(r.planFloor.ms)} / ${r.applyFloorMs ? s(r.applyFloorMs) : 'not measured (--no-write-floor)'} | ${perObj(r.planFloor.ms, r.n)} | ${num(r.planFloor.requests)} | | |`);
  }
  return rows;
}

const NS_START = '<!-- bench:namespaces:start -->';
const NS_END = '<!-- bench:namespaces:end -->';
const NS_UNMEASURED = 'Many namespaces in one run: not measured yet (`npm run bench -- --only namespaces` measures 100 namespaces × 500 objects on OpenBao).';

/**
 * The namespaces part of the section (kept between its own markers, so a run of that step alone
 * rewrites it and nothing else): `apply`/`plan --tenants` over many tenant directories against the
 * floor of the same writes and reads in every namespace.
 */
export function renderNamespaces(r: NamespacesResult, when: { date: string; commit: string }): string {
  const shape = `${num(r.tenants)} × ${num(r.each)}`;
  const load = (l: Load) => `${l.before.toFixed(1)} at its start, ${l.mean.toFixed(1)} on average, ${l.max.toFixed(1)} at most`;
  const reqs = (run: Run) => (run.requests !== undefined ? `${num(run.requests)} (${(run.requests / r.objects).toFixed(2)})` : '—');
  const rows = [
    '| namespaces × objects | step | wall | per object | requests (per object) | vs floor | peak RSS |',
    '|---:|---|---:|---:|---:|---:|---:|',
    `| ${shape} = ${num(r.objects)} | first apply: \`apply -c PLATFORM --tenants DIR --auto-approve\` | ${s(r.apply.ms)} | ${perObj(r.apply.ms, r.objects)} | ${reqs(r.apply)} | ${r.applyFloorMs ? x(r.apply.ms, r.applyFloorMs) : 'not measured'} | ${mb(r.apply)} |`,
    `| ${shape} = ${num(r.objects)} | plan, no changes: \`plan --tenants DIR --detailed-exitcode\` (exit ${r.plan.code}) | ${s(r.plan.ms)} | ${perObj(r.plan.ms, r.objects)} | ${reqs(r.plan)} | ${x(r.plan.ms, r.planFloor.ms)} | ${mb(r.plan)} |`,
    `| ${shape} = ${num(r.objects)} | floor: same GETs (plan) / same writes (apply), plain fetch | ${s(r.planFloor.ms)} / ${r.applyFloorMs ? s(r.applyFloorMs) : 'not measured (--no-write-floor)'} | ${perObj(r.planFloor.ms, r.objects)} | ${num(r.planFloor.requests)} | | |`,
  ];
  return [
    `**Many namespaces in one run** (\`--namespaces ${r.tenants}x${r.each}\`; on by default with \`--server openbao\`, and \`npm run bench -- --only namespaces\` measures this part alone, keeping the rest of the section).`,
    `Measured ${when.date} (commit ${when.commit}) on ${r.machine}, ${r.server} dev server with a single-node Raft store on disk (not the dev server's in-memory one, whose every transaction copies all it stores: at this size that, not the client, would be the time): a platform config declaring ${num(r.tenants)} namespaces and ${num(r.tenants)} tenant directories of ${num(r.each)} objects each (the mix above, \`namespace: t-NNN\`), planned and applied by one process, four tenants at a time, within one client's \`--concurrency 16\` for all of them.`,
    'Its floor: the same namespaces, mounts and object writes (each phase 16 at once) on a second fresh server of the same kind, and the same LISTs and GETs in every namespace (`X-Vault-Namespace`) with one pool of 16 on the applied one.',
    `Load average (1 min) during the apply: ${load(r.load.apply)}; during the plan: ${load(r.load.plan)}${r.load.floor ? `; during the write floor: ${load(r.load.floor)}` : ''}. Converged (the no-change plan after the apply exits 0): ${r.converged ? 'yes' : '**NO**'}.`,
    '',
    ...rows,
  ].join('\n');
}

/** The text between `start` and `end` in `text`, or undefined without both markers. */
function between(text: string, start: string, end: string): string | undefined {
  const from = text.indexOf(start);
  const to = text.indexOf(end, from);
  return from < 0 || to < 0 ? undefined : text.slice(from + start.length, to);
}

/** `text` with what is between the markers replaced by `inner` (assumes both are there). */
function replaceBetween(text: string, start: string, end: string, inner: string): string {
  const from = text.indexOf(start);
  const to = text.indexOf(end, from);
  return `${text.slice(0, from)}${start}\n${inner.trim()}\n${text.slice(to)}`;
}

/**
 * `page` with only its namespaces part replaced by `part`. A page without one gets it where
 * renderSection puts it (before the chart, after the scale table), else at the end of the section.
 */
export function placeNamespaces(page: string | undefined, part: string): string {
  if (page !== undefined && between(page, NS_START, NS_END) !== undefined) return replaceBetween(page, NS_START, NS_END, part);
  const block = `${NS_START}\n${part}\n${NS_END}`;
  const section = page !== undefined ? between(page, START, END) : undefined;
  if (page === undefined || section === undefined) return placeSection(page, block);
  const chart = section.indexOf('\n![');
  const inner = chart < 0 ? `${section.trimEnd()}\n${block}\n` : `${section.slice(0, chart + 1)}${block}\n${section.slice(chart)}`;
  return replaceBetween(page, START, END, inner);
}

/** Cost per object at each N against the smallest N: linear growth reads as about 1×. */
function growth(sizes: SizeResult[]): string {
  if (sizes.length < 2) return '';
  const base = sizes[0]!;
  const each = (pick: (r: SizeResult) => number) => sizes.map((r) => `${x(pick(r) / r.n, pick(base) / base.n)} at ${num(r.n)}`).join(', ');
  return `Growth: time per object against N = ${num(base.n)} — no-change plan ${each((r) => r.plan.ms)}; first apply ${each((r) => r.apply.ms)}; validate ${each((r) => r.validate.ms)}. About 1× at every N is linear growth; below 1× is the fixed start-up cost spread over more objects.`;
}

/** Where a CLI run's wall time went, from its phase marks (src/cli/phases.ts). */
function phaseSplit(run: Run, last: 'planned' | 'applied', floorMs?: number): string {
  const p = run.phases;
  if (!p?.started || !p.loaded || !p.session || !p[last]) return '';
  const parts = [
    `start-up ${s(p.started)}`,
    `loading the config ${s(p.loaded - p.started)}`,
    `token lookup ${s(p.session - p.loaded)}`,
    `${last === 'planned' ? 'reading Vault and planning' : 'state lock, reading, planning and writing'} ${s(p[last] - p.session)}${floorMs ? ` (${x(p[last] - p.session, floorMs)} the floor)` : ''}`,
    `the rest ${s(run.ms - p[last])}`,
  ];
  return parts.join(' + ');
}

function planCause(r: SizeResult): string {
  const split = phaseSplit(r.plan, 'planned', r.planFloor.ms);
  const yaml = r.yaml ? `; the yaml package's parse of the ${(r.yaml.bytes / 1e6).toFixed(1)} MB config alone takes ${s(r.yaml.ms)}` : '';
  return split ? `${split}${yaml}` : '';
}

function applyCause(r: SizeResult): string {
  const by = r.apply.byMethod ?? {};
  const reads = by.GET ?? 0;
  const writes = (r.apply.requests ?? 0) - reads;
  return `${num(writes)} writes and ${num(reads)} reads for ${num(r.n)} objects; ${phaseSplit(r.apply, 'applied', r.applyFloorMs)}`;
}

function startupCause(all: Results): string {
  const first = all.sizes[0]?.plan.phases?.started;
  const node = all.cold.nodeMs !== undefined ? `Node itself starts in ${s(all.cold.nodeMs)} (\`node -e 0\`), the rest of \`--version\` is evaluating the bundle; ` : '';
  const mark = first !== undefined ? `the CLI's first line runs ${s(first)} after its process starts (the ${num(all.sizes[0]!.n)}-object plan's phase mark); ` : '';
  return `${node}${mark}\`validate\` adds loading and checking the examples (${s(all.cold.validateMs - all.cold.versionMs)})`;
}

function goals(all: Results): string[] {
  const rows = ['| goal (issue 13) | measured | | where the time goes (measured) |', '|---|---|---|---|'];
  for (const r of all.sizes) {
    const ratio = r.plan.ms / r.planFloor.ms;
    rows.push(`| no-change plan ≤ 1.2× its floor at N = ${num(r.n)} | ${x(r.plan.ms, r.planFloor.ms)} (${s(r.plan.ms)} vs ${s(r.planFloor.ms)}) | ${yes(ratio <= 1.2)} | ${planCause(r)} |`);
  }
  for (const r of all.sizes) {
    const ratio = r.apply.ms / r.applyFloorMs;
    const perChange = (r.apply.requests ?? 0) / r.n;
    rows.push(`| first apply ≤ 1.1× its write floor, one request per object, N = ${num(r.n)} | ${x(r.apply.ms, r.applyFloorMs)}, ${perChange.toFixed(2)} requests per object | ${yes(ratio <= 1.1 && perChange <= 1.05)} | ${applyCause(r)} |`);
  }
  const ten = all.sizes.find((r) => r.n === 10000);
  if (ten) {
    const yaml = ten.yaml ? `the yaml package's parse of the ${(ten.yaml.bytes / 1e6).toFixed(1)} MB config alone: ${s(ten.yaml.ms)}, peak RSS ${ten.yaml.rssMb} MB` : '';
    rows.push(`| validate of 10,000 objects < 0.5 s | ${s(ten.validate.ms)} | ${yes(ten.validate.ms < 500)} | start-up ${s(all.cold.versionMs)}; ${yaml} |`);
    const steps: Array<[string, Run]> = [['no-change plan', ten.plan], ['first apply', ten.apply], ['plan --target', ten.target], ['plan after drift', ten.planDrift], ['apply of the drift', ten.applyDrift]];
    const peak = Math.max(...steps.map(([, r]) => r.rssMb ?? 999));
    rows.push(`| peak RSS at 10,000 objects < 200 MB | ${steps.map(([name, r]) => `${mb(r)} (${name})`).join(', ')} | ${yes(peak < 200)} | ${yaml} |`);
  }
  rows.push(`| start-up < 0.3 s | \`--version\` ${s(all.cold.versionMs)}, \`validate\` of config-examples ${s(all.cold.validateMs)} | ${yes(all.cold.validateMs < 300)} | ${startupCause(all)} |`);
  const big = all.sizes.at(-1);
  if (big) {
    // Above PART_ENTRIES objects the ownership record is read in parts: a targeted plan reads them all.
    const parts = big.n > PART_ENTRIES ? Math.ceil(big.n / PART_ENTRIES) : 0;
    const own = (big.target.requests ?? 1e9) - parts;
    rows.push(
      `| \`plan --target\` reads only what it needs (N = ${num(big.n)}) | ${big.target.requests ?? '?'} requests (${own} for the target, ${parts} for the ownership record's parts), ${s(big.target.ms)} (whole plan: ${num(big.plan.requests ?? 0)}, ${s(big.plan.ms)}) | ${yes(own <= 10)} | ${phaseSplit(big.target, 'planned')} |`,
    );
  }
  return rows;
}

function compareTable(all: Results): string[] {
  if (all.compare.length === 0) {
    return ['Not measured in this run: `npm run bench -- --compare terraform` adds it (see "OpenTofu/Terraform side by side" below).'];
  }
  const rows = [
    `| N policies + N/10 AppRole roles (with a secret_id each) | vault-gitops | ${all.tools} | ratio |`,
    '|---|---:|---:|---:|',
  ];
  for (const c of all.compare) {
    const label = `${num(c.n)} + ${num(c.roles)}`;
    rows.push(`| ${label}: first apply | ${s(c.ours.apply.ms)}, ${num(c.ours.apply.requests ?? 0)} requests | ${s(c.theirs.apply.ms)}, ${num(c.theirs.apply.requests ?? 0)} requests | ${x(c.theirs.apply.ms, c.ours.apply.ms)} faster |`);
    const diff = c.theirs.perpetual ? ` — after its own apply it still plans changes (${c.theirs.perpetual})` : '';
    rows.push(`| ${label}: plan right after apply | ${s(c.ours.plan.ms)}, ${num(c.ours.plan.requests ?? 0)} requests, no changes | ${s(c.theirs.plan.ms)}, ${num(c.theirs.plan.requests ?? 0)} requests${diff} | ${x(c.theirs.plan.ms, c.ours.plan.ms)} faster |`);
    rows.push(`| ${label}: peak RSS | ${mb(c.ours.apply)} | ${mb(c.theirs.apply)} (CLI + provider) | ${x(c.theirs.apply.rssMb ?? 0, c.ours.apply.rssMb ?? 1)} less |`);
    rows.push(
      `| ${label}: secrets at rest | ${c.ours.secretsInStateOrPlan} of ${num(c.ours.secretsDelivered)} delivered secret_ids in the state record or a saved plan | ${num(c.theirs.secretsInState.count)} in plain text in terraform.tfstate (${c.theirs.secretsInState.fields.join(', ') || 'none'}) | |`,
    );
  }
  return rows;
}

function profileSummary(all: Results): string[] {
  const r = all.sizes.find((x) => x.n === all.profileN);
  if (!r?.profile) return [];
  const top = r.profile.buckets.slice(0, 10).map(([b, ms]) => `${b} ${Math.round(ms)} ms (${Math.round((ms / r.profile!.totalMs) * 100)}%)`);
  return [
    `**Where the time goes** (\`node --cpu-prof\` of the no-change plan at N = ${num(r.n)}, ${Math.round(r.profile.totalMs)} ms of samples): ${top.join('; ')}.`,
    'Idle is time spent waiting for Vault with nothing to do (the reads themselves); the config is parsed by the `yaml` package and converted with a source position for every key (our core/).',
  ];
}

/** The compared tool's name ("OpenTofu" or "Terraform"), or both when this run compared none. */
const product = (all: Results) => all.tools?.split(' ')[0] ?? 'OpenTofu/Terraform';

export function renderSection(all: Results): string {
  return [
    '`npm run bench` (never part of CI, never a timed test) generates synthetic configs of N objects in the',
    'proportions of a services organisation (per service × environment one policy + one AppRole = 90%,',
    'userpass users 5%, PKI roles 5%), starts a fresh local dev server for each N from the test harness,',
    'and measures each step as a whole CLI process next to its **floor**: the same Vault requests, 16 at',
    'once, over keep-alive with plain `fetch` and no tool code. `npm run bench -- --sizes 1000,10000` picks',
    'the sizes (default 1,000, 10,000 and 50,000); `--compare terraform` adds OpenTofu/Terraform on the same',
    'objects; a run stopped half-way resumes with the steps it finished (`--fresh` starts over; `--report-only` renders this section again from the saved results). This',
    'section and [bench/plan-time.svg](../bench/plan-time.svg) are regenerated whole; raw results go to `bench/results/`.',
    '',
    `Measured ${all.date} (commit ${all.commit}) on ${all.machine}; the run took ${all.minutes} min. Wall times include Node start-up and config loading. Below 50,000 objects, validate, the no-change plan and its floor are each the median of three runs. The floor runs inside the bench's own, already warm process; the CLI is a fresh process every time, so start-up, module loading and the JIT's warm-up count against it only.`,
    '',
    ...goals(all),
    '',
    ...scaleTable(all.sizes),
    '',
    growth(all.sizes),
    '',
    NS_START,
    all.namespaces ? renderNamespaces(all.namespaces, all) : '',
    NS_END,
    '',
    `![No-change plan: wall time against N, vault-gitops and its floor (and ${product(all)} where compared)](../bench/plan-time.svg)`,
    '',
    ...profileSummary(all),
    '',
    `**${product(all)} side by side** (each tool on its own fresh dev server with a file audit device counting requests; defaults as a new user would run them):`,
    '',
    ...compareTable(all),
    '',
    'To run the comparison: OpenTofu or Terraform (`VAULT_GITOPS_TERRAFORM=/path/to/tofu`, else the OpenTofu',
    '`scripts/opentofu.sh` builds from its module source into `~/.cache/vault-gitops/bin`, else `tofu` or',
    '`terraform` on PATH; `go install` refuses OpenTofu\'s replace directives, so the script builds inside a',
    'copy of the module) and terraform-provider-vault (`VAULT_GITOPS_TFVP=/path/to/provider`, else',
    '`~/.cache/vault-gitops/bin/terraform-provider-vault-vX.Y.Z/terraform-provider-vault_X.Y.Z`): the Go module',
    'proxy does not serve its current releases and the project ships no recipe for it, so build it yourself from its public source).',
    '`--compare-sizes 1000,3000` picks the sizes (default 1,000).',
    '',
    `429s: with a \`sys/quotas/rate-limit\` of ${all.limited.rate}/s, a no-change plan of ${num(all.limited.objects)} objects took ${s(all.limited.ms)}, retried ${all.limited.retries ?? '?'} requests and exited ${all.limited.code} (0 = succeeded, no changes).`,
    `Every run converged (plan after apply shows no changes): ${all.sizes.every((r) => r.converged) ? 'yes' : '**NO**'}.`,
  ].join('\n');
}

/** The page the section is rendered into, relative to the repository root. */
export const REPORT_FILE = 'docs/performance.md';
const START = '<!-- bench:start -->';
const END = '<!-- bench:end -->';

/**
 * `page` (the Performance page's text, undefined when there is none yet) with everything between
 * the bench markers replaced by `section`; the prose around the markers is kept as written. A page
 * without markers gets the section appended. A section whose namespaces part is empty gets the
 * page's earlier one.
 */
export function placeSection(page: string | undefined, section: string): string {
  // A run without the namespaces step keeps the page's earlier namespaces part.
  if (between(section, NS_START, NS_END)?.trim() === '') {
    const kept = page !== undefined ? between(page, NS_START, NS_END)?.trim() : undefined;
    section = replaceBetween(section, NS_START, NS_END, kept || NS_UNMEASURED);
  }
  const block = `${START}\n${section}\n${END}`;
  if (page === undefined) return `# Performance\n\n${block}\n`;
  const from = page.indexOf(START);
  const to = page.indexOf(END, from);
  if (from < 0 || to < 0) return `${page.trimEnd()}\n\n${block}\n`;
  return `${page.slice(0, from)}${block}${page.slice(to + END.length)}`;
}
