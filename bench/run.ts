/**
 * `npm run bench`: the scale benchmark. For each N, against a fresh local dev server built by the
 * test harness: validate, first apply, no-change plan, plan --target of one object, plan after 1%
 * drift, apply of that drift — wall time, Vault requests, peak RSS — each next to its floor (the same
 * requests with plain keep-alive fetch, 16 at once). Also cold start, 429 handling, a CPU profile of
 * the no-change plan, and with `--compare terraform` OpenTofu/Terraform + terraform-provider-vault on
 * the same objects. Regenerates the measured section of docs/performance.md and bench/plan-time.svg. Never run by CI.
 *
 *   npm run bench -- --sizes 1000,10000,50000 --compare terraform --compare-sizes 1000 --server vault
 *
 * Restartable: each finished step is kept in bench/results/run/ and reused by the next run of the
 * same commit (--fresh starts over).
 *
 * Namespaces (`--namespaces 100x500`, TENANTSxOBJECTS): a platform config declaring that many
 * namespaces and as many tenant directories of bench/config.ts's mix (`namespace: t-NNN` each), one
 * `apply --tenants DIR --auto-approve` and one no-change `plan --tenants DIR` against the floor of the
 * same writes and reads in each namespace (X-Vault-Namespace). Always on an OpenBao dev server with a
 * single-node Raft store (bench/server.ts says why not the in-memory one; Vault
 * open source has no namespaces), whatever --server says; on by default (100x500) with
 * `--server openbao`, otherwise only when --namespaces is given. `--only namespaces` runs that step
 * alone (default 100x500) and rewrites only its part of the measured section, keeping the rest;
 * `--no-write-floor` leaves out the apply's floor (the step's second half, a second server):
 *
 *   npm run bench -- --only namespaces --namespaces 3x50
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateConfig, type Synthetic } from './config.js';
import { readFloor, runRequests } from './floor.js';
import { runProcess, type Run } from './process.js';
import { summariseProfile } from './profile.js';
import { placeNamespaces, placeSection, renderNamespaces, renderSection, REPORT_FILE, type NamespacesResult, type Results } from './report.js';
import { startServer, type BenchServer } from './server.js';
import { lineChart } from './svg.js';
import { compareRoles, findTerraform, providerOverride, secretsInState, writeCompareTf, writeCompareYaml, type TerraformTools } from './terraform.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const CLI = join(root, 'dist/bin/vault-gitops.js');
const CONCURRENCY = 16;
const STORE = join(root, 'bench/results/run');
const WORK = join(root, 'bench/results/work');

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 && process.argv[i + 1] !== undefined ? process.argv[i + 1]! : fallback;
}
const flag = (name: string) => process.argv.includes(`--${name}`);
const sizesArg = (s: string) => s.split(',').filter(Boolean).map(Number);
const log = (line: string) => process.stderr.write(`bench ${new Date().toISOString().slice(11, 19)}: ${line}\n`);

/** One finished step, kept so that a stopped run resumes where it was. */
async function step<T>(key: string, run: () => Promise<T>): Promise<T> {
  const file = join(STORE, `${key}.json`);
  if (existsSync(file)) {
    log(`${key}: kept from an earlier run of this commit`);
    return JSON.parse(readFileSync(file, 'utf8')) as T;
  }
  const started = Date.now();
  const value = await run();
  writeFileSync(file, JSON.stringify(value, null, 2));
  log(`${key}: done in ${Math.round((Date.now() - started) / 1000)} s`);
  return value;
}

/** vault-gitops as a whole process; requests and peak RSS from its stats file. */
async function cli(args: string[], env: NodeJS.ProcessEnv, cwd: string, expect: number | number[] = 0, nodeArgs: string[] = []): Promise<Run> {
  const stats = join(cwd, `stats-${Date.now()}-${Math.random()}.json`);
  const run = await runProcess(process.execPath, [...nodeArgs, CLI, ...args], { cwd, env: { ...env, VAULT_GITOPS_STATS_FILE: stats, NO_COLOR: '1' } });
  const ok = Array.isArray(expect) ? expect.includes(run.code) : run.code === expect;
  if (!ok) throw new Error(`vault-gitops ${args.join(' ')} exited ${run.code}:\n${run.tail}`);
  delete run.tail;
  delete run.out;
  if (existsSync(stats)) {
    const s = JSON.parse(readFileSync(stats, 'utf8')) as { total: number; retries: number; maxRssKb: number; byMethod: Record<string, number>; phases?: Record<string, number> };
    Object.assign(run, { requests: s.total, retries: s.retries, rssMb: Math.round(s.maxRssKb / 1024), byMethod: s.byMethod, phases: s.phases });
    rmSync(stats);
  }
  return run;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

/** The run with the median wall time of `times` runs (one at the largest sizes, where noise is small). */
async function medianRun<T extends { ms: number }>(times: number, run: () => Promise<T>): Promise<T & { samples: number[] }> {
  const runs: T[] = [];
  for (let i = 0; i < times; i++) runs.push(await run());
  const sorted = [...runs].sort((a, b) => a.ms - b.ms);
  return { ...sorted[Math.floor(sorted.length / 2)]!, samples: runs.map((r) => Math.round(r.ms)) };
}

/**
 * The yaml package's parse of the generated files alone, in a fresh process as the CLI does it: the
 * part of loading that is the library's, not ours. Wall milliseconds and the process's peak RSS.
 */
async function yamlParse(dir: string): Promise<{ ms: number; rssMb: number; bytes: number }> {
  const code = [
    "const { parseDocument, LineCounter } = require('yaml');",
    "const { readdirSync, readFileSync } = require('node:fs');",
    'const dir = process.argv[1]; let bytes = 0;',
    'const texts = readdirSync(dir).map((f) => readFileSync(dir + "/" + f, "utf8"));',
    'const t = performance.now();',
    'for (const text of texts) { bytes += text.length; parseDocument(text, { lineCounter: new LineCounter(), uniqueKeys: false }); }',
    'console.log(JSON.stringify({ ms: performance.now() - t, rssMb: Math.round(process.resourceUsage().maxRSS / 1024), bytes }));',
  ].join('\n');
  const r = await runProcess(process.execPath, ['--input-type=commonjs', '-e', code, dir], { cwd: root, env: {} });
  if (r.code !== 0) throw new Error(`yaml parse measurement failed:\n${r.tail}`);
  return JSON.parse((r.out ?? '').trim().split('\n').at(-1)!) as { ms: number; rssMb: number; bytes: number };
}

/** The writes a first apply makes, as plain requests (mounts excluded: made before timing). */
function writeRequests(cfg: Synthetic) {
  return [
    ...cfg.policies.map((p) => ({ method: 'POST', path: `sys/policies/acl/${p}`, body: { policy: `path "secret/data/${p}/*" { capabilities = ["read", "list"] }` } })),
    ...cfg.roles.map((r) => ({ method: 'POST', path: `auth/approle/role/${r}`, body: { token_policies: [r], token_ttl: '1h', token_max_ttl: '4h', secret_id_ttl: '720h', token_bound_cidrs: ['10.0.0.0/8'] } })),
    ...cfg.users.map((u) => ({ method: 'POST', path: `auth/userpass/users/${u}`, body: { password: `p-${u}-0123456789abcdef`, token_policies: ['default'], token_ttl: '8h' } })),
    ...cfg.pkiRoles.map((r) => ({ method: 'POST', path: `pki/roles/${r}`, body: { allowed_domains: [`${r}.svc.cluster.local`], allow_subdomains: true, max_ttl: '72h' } })),
  ];
}

const envFor = (server: BenchServer) => ({ VAULT_ADDR: server.addr, VAULT_TOKEN: server.token, VAULT_GITOPS_STATE_PATH: 'secret/vault-gitops/state' });

async function benchN(n: number, serverName: string, profile: boolean) {
  const work = join(WORK, `n-${n}`);
  rmSync(work, { recursive: true, force: true });
  const cfg = generateConfig(join(work, 'config'), n);
  const c = ['-c', cfg.dir, '--concurrency', String(CONCURRENCY)];
  // Below 50,000 objects each timed step is run three times and its median kept: one run of a second
  // or two is at the mercy of the machine's other work.
  const times = n >= 50000 ? 1 : 3;
  const validate = await medianRun(times, () => cli(['validate', '-c', cfg.dir], {}, work));
  const yaml = await yamlParse(cfg.dir);

  // The floor of a first apply: the same writes on a second, identical server.
  const floorServer = await startServer(root, serverName);
  let applyFloorMs: number;
  try {
    for (const [path, type] of [['sys/auth/approle', 'approle'], ['sys/auth/userpass', 'userpass'], ['sys/mounts/pki', 'pki']] as const) {
      await runRequests(floorServer.addr, floorServer.token, [{ method: 'POST', path, body: { type } }], 1);
    }
    applyFloorMs = await runRequests(floorServer.addr, floorServer.token, writeRequests(cfg), CONCURRENCY);
  } finally {
    await floorServer.stop();
  }

  const server = await startServer(root, serverName);
  const env = envFor(server);
  try {
    const apply = await cli(['apply', ...c, '--auto-approve'], env, work);
    const plan = await medianRun(times, () => cli(['plan', ...c, '--detailed-exitcode'], env, work));
    const planFloor = await medianRun(times, () => readFloor(server.addr, server.token, CONCURRENCY));
    const target = await cli(['plan', ...c, '--detailed-exitcode', '--target', `policy/${cfg.policies[7] ?? cfg.policies[0]}`], env, work);
    let profileSummary;
    if (profile) {
      const dir = join(work, 'profile');
      await cli(['plan', ...c], env, work, 0, ['--cpu-prof', `--cpu-prof-dir=${dir}`]);
      profileSummary = summariseProfile(join(dir, readdirSync(dir)[0]!));
    }
    const drifted = cfg.policies.slice(0, Math.max(1, Math.floor(cfg.objects / 100)));
    await runRequests(server.addr, server.token, drifted.map((p) => ({ method: 'POST', path: `sys/policies/acl/${p}`, body: { policy: 'path "x" { capabilities = ["deny"] }' } })), CONCURRENCY);
    const planDrift = await cli(['plan', ...c, '--detailed-exitcode'], env, work, 2);
    const applyDrift = await cli(['apply', ...c, '--auto-approve'], env, work);
    const again = await cli(['plan', ...c, '--detailed-exitcode'], env, work, [0, 2]);
    return { n: cfg.objects, validate, yaml, apply, applyFloorMs, plan, planFloor, target, planDrift, applyDrift, converged: again.code === 0, drifted: drifted.length, profile: profileSummary };
  } finally {
    await server.stop();
    rmSync(work, { recursive: true, force: true });
  }
}

/** The 1-minute load average every 5 s while `run` runs: how busy the machine was during a step. */
async function underLoad<T>(run: () => Promise<T>): Promise<{ value: T; load: { before: number; mean: number; max: number } }> {
  const samples = [loadavg()[0]!];
  const timer = setInterval(() => samples.push(loadavg()[0]!), 5000);
  try {
    const value = await run();
    samples.push(loadavg()[0]!);
    return { value, load: { before: samples[0]!, mean: samples.reduce((a, b) => a + b, 0) / samples.length, max: Math.max(...samples) } };
  } finally {
    clearInterval(timer);
  }
}

/** `--namespaces 100x500`: tenants × objects per tenant. */
function nsShape(value: string): { tenants: number; each: number } {
  const m = /^(\d+)x(\d+)$/.exec(value);
  if (!m || Number(m[1]) < 1 || Number(m[2]) < 50) throw new Error(`--namespaces takes TENANTSxOBJECTS (for example 100x500, at least 50 objects each: bench/config.ts's mix), not ${JSON.stringify(value)}`);
  return { tenants: Number(m[1]), each: Number(m[2]) };
}

/**
 * Many namespaces in one run: the platform config creates them, every tenant directory fills its
 * own, four tenants at a time within the one client's --concurrency. Floors: the same LISTs and
 * GETs in every namespace with one pool of 16 on the applied server; the same namespaces, mounts and
 * writes on a second fresh one (each phase 16 at once, timed together).
 */
async function benchNamespaces(tenants: number, each: number): Promise<NamespacesResult> {
  const work = join(WORK, `ns-${tenants}x${each}`);
  rmSync(work, { recursive: true, force: true });
  const names = Array.from({ length: tenants }, (_, i) => `t-${String(i).padStart(3, '0')}`);
  const platform = join(work, 'platform');
  mkdirSync(platform, { recursive: true });
  writeFileSync(join(platform, 'namespaces.yaml'), ['namespaces:', ...names.map((ns) => `  ${ns}: {}`)].join('\n') + '\n');
  const tenantsDir = join(work, 'tenants');
  const cfgs = names.map((ns) => {
    const cfg = generateConfig(join(tenantsDir, ns), each);
    writeFileSync(join(cfg.dir, 'namespace.yaml'), `namespace: ${ns}\n`);
    return cfg;
  });
  const objects = cfgs.reduce((n, cfg) => n + cfg.objects, 0);
  const c = ['-c', platform, '--tenants', tenantsDir, '--concurrency', String(CONCURRENCY)];

  const machine = `${cpus().length} cores, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}`;
  const key = `namespaces-${tenants}x${each}`;
  try {
    // The tool first, then its write floor: each half is kept on its own, so a run stopped in the
    // second resumes there.
    const tool = await step(`${key}-tool`, async () => {
      const server = await startServer(root, 'openbao', 'raft');
      // Each namespace keeps its state record in its own vault-gitops/ mount (the default state path).
      const env = { VAULT_ADDR: server.addr, VAULT_TOKEN: server.token };
      try {
        const apply = await underLoad(() => cli(['apply', ...c, '--auto-approve'], env, work));
        const plan = await underLoad(() => cli(['plan', ...c, '--detailed-exitcode'], env, work, [0, 2]));
        const planFloor = await readFloor(server.addr, server.token, CONCURRENCY, names);
        return { server: `openbao ${server.version}`, apply, plan, planFloor };
      } finally {
        await server.stop();
      }
    });
    // --no-write-floor: the tool's half alone (for a run that must stop before its write floor is done).
    const floor = flag('no-write-floor') ? undefined : await step(`${key}-floor`, async () => {
      const server = await startServer(root, 'openbao', 'raft');
      const mounts = [['sys/auth/approle', 'approle'], ['sys/auth/userpass', 'userpass'], ['sys/mounts/pki', 'pki']] as const;
      const phases = [
        names.map((ns) => ({ method: 'POST', path: `sys/namespaces/${ns}`, body: {} })),
        names.flatMap((namespace) => mounts.map(([path, type]) => ({ method: 'POST', path, body: { type }, namespace }))),
        cfgs.flatMap((cfg, i) => writeRequests(cfg).map((r) => ({ ...r, namespace: names[i] }))),
      ];
      try {
        return await underLoad(async () => {
          let ms = 0;
          for (const reqs of phases) ms += await runRequests(server.addr, server.token, reqs, CONCURRENCY);
          return ms;
        });
      } finally {
        await server.stop();
      }
    });
    return {
      tenants,
      each,
      objects,
      server: tool.server,
      machine,
      apply: tool.apply.value,
      applyFloorMs: floor?.value,
      plan: tool.plan.value,
      planFloor: tool.planFloor,
      converged: tool.plan.value.code === 0,
      load: { apply: tool.apply.load, plan: tool.plan.load, floor: floor?.load },
    };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/** A rate-limit quota makes Vault answer 429; the tool backs off and finishes. */
async function bench429(serverName: string) {
  const work = join(WORK, '429');
  const server = await startServer(root, serverName);
  try {
    const env = { ...envFor(server), VAULT_MAX_RETRIES: '10' };
    const cfg = generateConfig(join(work, 'config'), 1000);
    await cli(['apply', '-c', cfg.dir, '--auto-approve'], env, work);
    await runRequests(server.addr, server.token, [{ method: 'POST', path: 'sys/quotas/rate-limit/bench', body: { rate: 300, interval: '1s' } }], 1);
    const limited = await cli(['plan', '-c', cfg.dir, '--detailed-exitcode'], env, work, [0, 2]);
    return { rate: 300, objects: cfg.objects, ...limited };
  } finally {
    await server.stop();
    rmSync(work, { recursive: true, force: true });
  }
}

async function coldStart() {
  mkdirSync(WORK, { recursive: true });
  const examples = ['-c', join(root, 'config-examples/base'), '-c', join(root, 'config-examples/environments/production')];
  const version: number[] = [];
  const validate: number[] = [];
  const node: number[] = [];
  for (let i = 0; i < 5; i++) {
    node.push((await runProcess(process.execPath, ['-e', '0'], { cwd: WORK })).ms);
    version.push((await cli(['--version'], {}, WORK)).ms);
    validate.push((await cli(['validate', ...examples], {}, WORK)).ms);
  }
  return { versionMs: median(version), validateMs: median(validate), nodeMs: median(node) };
}

/** Requests the server's file audit device logged so far. */
function audited(file: string): number {
  if (!existsSync(file)) return 0;
  return readFileSync(file, 'utf8').split('\n').filter((l) => l.includes('"type":"request"')).length;
}

async function withAudit(serverName: string, work: string, name: string) {
  const server = await startServer(root, serverName);
  const file = join(work, `${name}-audit.log`);
  await runRequests(server.addr, server.token, [{ method: 'POST', path: 'sys/audit/bench', body: { type: 'file', options: { file_path: file } } }], 1);
  return { server, requests: () => audited(file) };
}

/** The same objects with vault-gitops and with Terraform, each on its own fresh server. */
async function compareN(n: number, serverName: string, tools: TerraformTools) {
  const work = join(WORK, `compare-${n}`);
  rmSync(work, { recursive: true, force: true });
  mkdirSync(work, { recursive: true });
  try {
    // vault-gitops
    const yamlDir = join(work, 'yaml');
    writeCompareYaml(yamlDir, n);
    const vg = await withAudit(serverName, work, 'vg');
    let ours;
    try {
      const env = envFor(vg.server);
      const c = ['-c', yamlDir, '--concurrency', String(CONCURRENCY), '--sink-root', yamlDir];
      const r0 = vg.requests();
      const apply = await cli(['apply', ...c, '--auto-approve'], env, yamlDir);
      const r1 = vg.requests();
      const plan = await cli(['plan', ...c, '--detailed-exitcode', '-o', 'json'], env, yamlDir);
      const r2 = vg.requests();
      // Secrets: the delivered secret_ids must appear nowhere but in their files.
      const secretIds = compareRoles(n).map((r) => (JSON.parse(readFileSync(join(yamlDir, 'out', `${r}.json`), 'utf8')) as { secret_id: string }).secret_id);
      const record = await fetch(`${vg.server.addr}/v1/secret/data/vault-gitops/state`, { headers: { 'X-Vault-Token': vg.server.token } }).then((res) => res.text());
      const planFile = join(work, 'vg-plan.json');
      await cli(['plan', ...c, '--out', planFile], env, yamlDir);
      const exposed = [record, readFileSync(planFile, 'utf8')].reduce((k, text) => k + secretIds.filter((s) => text.includes(s)).length, 0);
      ours = { apply: { ...apply, requests: r1 - r0 }, plan: { ...plan, requests: r2 - r1 }, secretsDelivered: secretIds.length, secretsInStateOrPlan: exposed };
    } finally {
      await vg.server.stop();
    }

    // Terraform / OpenTofu
    const tfDir = join(work, 'tf');
    writeCompareTf(tfDir, n);
    const rc = providerOverride(tools, work);
    const tf = await withAudit(serverName, work, 'tf');
    try {
      const env = { ...envFor(tf.server), TF_CLI_CONFIG_FILE: rc, TF_IN_AUTOMATION: '1', CHECKPOINT_DISABLE: '1', TF_INPUT: '0' };
      const run = async (args: string[], expect: number[]) => {
        const r = await runProcess(tools.cli, args, { cwd: tfDir, env, sampleTree: true });
        if (!expect.includes(r.code)) throw new Error(`${tools.cli} ${args.join(' ')} exited ${r.code}:\n${r.tail}\n${r.out}`);
        return r;
      };
      const r0 = tf.requests();
      const { out: _applied, tail: _t1, ...apply } = await run(['apply', '-auto-approve', '-no-color'], [0]);
      const r1 = tf.requests();
      // Exit 2: the plan right after apply still shows changes (a perpetual diff), named in the table.
      const { out: planned, tail: _t2, ...plan } = await run(['plan', '-detailed-exitcode', '-no-color'], [0, 2]);
      const r2 = tf.requests();
      const perpetual = plan.code === 2 ? (/Plan: .*/.exec(planned ?? '')?.[0] ?? 'changes') : undefined;
      const state = secretsInState(join(tfDir, 'terraform.tfstate'));
      return { n, roles: compareRoles(n).length, ours, theirs: { apply: { ...apply, requests: r1 - r0 }, plan: { ...plan, requests: r2 - r1 }, perpetual, secretsInState: state } };
    } finally {
      await tf.server.stop();
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/** The kept steps, emptied unless they are of this commit (without changes) and server; the commit. */
function openStore(serverName: string): string {
  const commit = commitId();
  const meta = { commit, server: serverName };
  const metaFile = join(STORE, 'meta.json');
  const kept = existsSync(metaFile) ? (JSON.parse(readFileSync(metaFile, 'utf8')) as typeof meta) : undefined;
  if (flag('fresh') || !kept || kept.commit !== commit || kept.server !== serverName || commit.endsWith('+changes')) rmSync(STORE, { recursive: true, force: true });
  mkdirSync(STORE, { recursive: true });
  writeFileSync(metaFile, JSON.stringify(meta));
  return commit;
}

function commitId(): string {
  try {
    const head = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: root, encoding: 'utf8' }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--', 'src', 'bench', 'schemas', ':(exclude)bench/plan-time.svg'], { cwd: root, encoding: 'utf8' }).trim();
    return dirty ? `${head}+changes` : head;
  } catch {
    return 'unknown';
  }
}

/** The Performance page's section and the chart from one run's results: a pure rendering, so `--report-only` redoes it from the saved results. */
function publish(all: Results): void {
  const svg = lineChart('No-change plan: wall time against N', [
    { label: 'vault-gitops', color: '#1f77b4', points: all.sizes.map((r) => ({ n: r.n, seconds: r.plan.ms / 1000 })) },
    { label: 'floor (plain fetch)', color: '#2ca02c', dashed: true, points: all.sizes.map((r) => ({ n: r.n, seconds: r.planFloor.ms / 1000 })) },
    ...(all.compare.length > 0
      ? [
          { label: 'vault-gitops (compare set)', color: '#9467bd', points: all.compare.map((r) => ({ n: r.n + r.roles, seconds: r.ours.plan.ms / 1000 })) },
          { label: (all.tools ?? 'OpenTofu').split(' ').slice(0, 2).join(' '), color: '#d62728', points: all.compare.map((r) => ({ n: r.n + r.roles, seconds: r.theirs.plan.ms / 1000 })) },
        ]
      : []),
  ]);
  writeFileSync(join(root, 'bench/plan-time.svg'), svg);

  const page = join(root, REPORT_FILE);
  mkdirSync(dirname(page), { recursive: true });
  writeFileSync(page, placeSection(existsSync(page) ? readFileSync(page, 'utf8') : undefined, renderSection(all)));
}

/** `--only namespaces`: the namespaces step alone, its part of the measured section rewritten and the rest kept. */
async function onlyNamespaces(shape: { tenants: number; each: number }, serverName: string) {
  const commit = openStore(serverName);
  const ns = await benchNamespaces(shape.tenants, shape.each);
  const date = new Date().toISOString().slice(0, 10);
  const result = { date, commit, namespaces: ns };
  writeFileSync(join(root, `bench/results/${date}-namespaces.json`), JSON.stringify(result, null, 2));
  const page = join(root, REPORT_FILE);
  writeFileSync(page, placeNamespaces(existsSync(page) ? readFileSync(page, 'utf8') : undefined, renderNamespaces(ns, result)));
  log(`${REPORT_FILE}: its namespaces part written, the rest kept`);
}

async function main() {
  const started = Date.now();
  // Before anything of ours runs: other work on the machine then is what makes figures unreliable
  // (the bench itself keeps a server and a client busy, about 2 of load, while it runs).
  const loadBefore = loadavg()[0]!;
  if (flag('report-only')) {
    const saved = arg('results', '') || join(root, 'bench/results', readdirSync(join(root, 'bench/results')).filter((f) => /^\d{4}-\d{2}-\d{2}\.json$/.test(f)).sort().at(-1) ?? 'none.json');
    publish(JSON.parse(readFileSync(saved, 'utf8')) as Results);
    log(`${REPORT_FILE} (its measured section) and bench/plan-time.svg written again from ${saved}`);
    return;
  }
  const only = arg('only', '');
  if (only !== '' && only !== 'namespaces') throw new Error('--only takes one value: namespaces');
  if (only === 'namespaces') return onlyNamespaces(nsShape(arg('namespaces', '100x500')), arg('server', 'vault'));
  const sizes = sizesArg(arg('sizes', arg('n', '1000,10000,50000')));
  const compareSizes = flag('compare') ? sizesArg(arg('compare-sizes', '1000')) : [];
  if (flag('compare') && arg('compare', '') !== 'terraform') throw new Error('--compare takes one value: terraform');
  const serverName = arg('server', 'vault');
  const profileN = sizes.includes(10000) ? 10000 : Math.max(...sizes);
  const tools = compareSizes.length > 0 ? findTerraform() : undefined;
  const nsArg = arg('namespaces', serverName === 'openbao' ? '100x500' : '');
  const namespaces = nsArg ? nsShape(nsArg) : undefined;

  const commit = openStore(serverName);

  const results: Results['sizes'] = [];
  for (const n of sizes) {
    log(`N=${n}…`);
    results.push(await step(`n-${n}`, () => benchN(n, serverName, n === profileN)));
  }
  const compare: Results['compare'] = [];
  for (const n of compareSizes) {
    log(`--compare terraform at N=${n} (${tools!.name}, terraform-provider-vault ${tools!.providerVersion})…`);
    compare.push(await step(`compare-${n}`, () => compareN(n, serverName, tools!)));
  }
  let nsResult: NamespacesResult | undefined;
  if (namespaces) {
    log(`${namespaces.tenants} namespaces × ${namespaces.each} objects (OpenBao)…`);
    nsResult = await benchNamespaces(namespaces.tenants, namespaces.each);
  }
  log('429 handling, cold start…');
  const limited = await step('429', () => bench429(serverName));
  const cold = await step('cold', () => coldStart());
  const probe = await startServer(root, serverName);
  const serverVersion = `${serverName} ${probe.version}`;
  await probe.stop();

  // Other work on the machine inflates every figure: the report says how busy it was.
  const busy = loadBefore > 1 ? ' (**the machine was busy: these figures are not representative; re-run on a quiet machine**)' : '';
  const machine = `${cpus().length} cores, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}, ${serverVersion} dev server (in-memory), concurrency ${CONCURRENCY}, load average ${loadBefore.toFixed(1)} when the run started${busy}`;
  const all: Results = {
    date: new Date().toISOString().slice(0, 10),
    commit,
    machine,
    sizes: results,
    compare,
    namespaces: nsResult,
    tools: tools ? `${tools.name} + terraform-provider-vault ${tools.providerVersion}` : undefined,
    limited,
    cold,
    profileN,
    minutes: Math.round((Date.now() - started) / 6000) / 10,
  };
  writeFileSync(join(root, `bench/results/${all.date}.json`), JSON.stringify(all, null, 2));
  publish(all);
  log(`${REPORT_FILE} (its measured section) and bench/plan-time.svg written; ${all.minutes} min in all`);
}

// Stopped with Ctrl-C: exit through process.exit so the servers' exit handlers kill them.
for (const sig of ['SIGINT', 'SIGTERM'] as const) process.once(sig, () => process.exit(130));
await main();
