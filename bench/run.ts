/**
 * `npm run bench`: the scale benchmark. For each N, against a local dev server built by the test
 * harness: validate, first apply, no-change plan, plan after 1% drift, apply of that drift — wall
 * time, Vault requests, peak RSS — each next to its floor (the same requests with plain fetch). Also
 * cold start and 429 handling. Writes bench/results/*.json and the README table. Never run by CI.
 *   npm run bench -- --n 1000,10000 --server vault
 */
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateConfig, type Synthetic } from './config.js';
import { readFloor, runRequests } from './floor.js';
import { startServer, type BenchServer } from './server.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const CLI = join(root, 'dist/src/cli/main.js');
const CONCURRENCY = 16;

interface Run {
  ms: number;
  code: number;
  requests?: number;
  retries?: number;
  rssMb?: number;
}

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 && process.argv[i + 1] ? process.argv[i + 1]! : fallback;
}

async function cli(args: string[], env: NodeJS.ProcessEnv, cwd: string): Promise<Run> {
  const stats = join(cwd, `stats-${Date.now()}-${Math.random()}.json`);
  const started = performance.now();
  const code = await new Promise<number>((r) => {
    const child = spawn(process.execPath, [CLI, ...args], { cwd, env: { ...process.env, ...env, VAULT_GITOPS_STATS_FILE: stats, NO_COLOR: '1' }, stdio: ['ignore', 'ignore', 'ignore'] });
    child.on('close', (c) => r(c ?? -1));
  });
  const ms = performance.now() - started;
  try {
    const s = JSON.parse(readFileSync(stats, 'utf8')) as { total: number; retries: number; maxRssKb: number };
    return { ms, code, requests: s.total, retries: s.retries, rssMb: Math.round(s.maxRssKb / 1024) };
  } catch {
    return { ms, code };
  }
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
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

async function benchN(n: number, serverName: string, work: string) {
  const server: BenchServer = await startServer(root, serverName);
  const env = { VAULT_ADDR: server.addr, VAULT_TOKEN: server.token, VAULT_GITOPS_STATE_PATH: 'secret/vault-gitops/state' };
  try {
    const cfg = generateConfig(join(work, `config-${n}`), n);
    const c = ['-c', cfg.dir, '--concurrency', String(CONCURRENCY)];
    const validate = await cli(['validate', '-c', cfg.dir], env, work);

    // The floor of a first apply: the same writes on a second, identical server.
    const floorServer = await startServer(root, serverName);
    for (const [path, type] of [['sys/auth/approle', 'approle'], ['sys/auth/userpass', 'userpass'], ['sys/mounts/pki', 'pki']] as const) {
      await runRequests(floorServer.addr, floorServer.token, [{ method: 'POST', path, body: { type } }], 1);
    }
    const applyFloorMs = await runRequests(floorServer.addr, floorServer.token, writeRequests(cfg), CONCURRENCY);
    await floorServer.stop();

    const apply = await cli(['apply', ...c, '--auto-approve'], env, work);
    const plan = await cli(['plan', ...c], env, work);
    const planFloor = await readFloor(server.addr, server.token, CONCURRENCY);

    const drifted = cfg.policies.slice(0, Math.max(1, Math.floor(cfg.objects / 100)));
    await runRequests(server.addr, server.token, drifted.map((p) => ({ method: 'POST', path: `sys/policies/acl/${p}`, body: { policy: 'path "x" { capabilities = ["deny"] }' } })), CONCURRENCY);
    const planDrift = await cli(['plan', ...c, '--detailed-exitcode'], env, work);
    const applyDrift = await cli(['apply', ...c, '--auto-approve'], env, work);
    const again = await cli(['plan', ...c, '--detailed-exitcode'], env, work);
    return { n: cfg.objects, validate, apply, applyFloorMs, plan, planFloor, planDrift, applyDrift, converged: again.code === 0, drifted: drifted.length };
  } finally {
    await server.stop();
  }
}

/** A rate-limit quota makes Vault answer 429; the tool backs off and finishes. */
async function bench429(serverName: string, work: string) {
  const server = await startServer(root, serverName);
  try {
    const env = { VAULT_ADDR: server.addr, VAULT_TOKEN: server.token, VAULT_MAX_RETRIES: '10', VAULT_GITOPS_STATE_PATH: 'secret/vault-gitops/state' };
    const cfg = generateConfig(join(work, 'config-429'), 1000);
    await cli(['apply', '-c', cfg.dir, '--auto-approve'], env, work);
    await runRequests(server.addr, server.token, [{ method: 'POST', path: 'sys/quotas/rate-limit/bench', body: { rate: 300, interval: '1s' } }], 1);
    const limited = await cli(['plan', '-c', cfg.dir, '--detailed-exitcode'], env, work);
    return { rate: 300, objects: cfg.objects, ...limited };
  } finally {
    await server.stop();
  }
}

async function coldStart(work: string) {
  const examples = ['-c', join(root, 'config-examples/base'), '-c', join(root, 'config-examples/environments/production')];
  const version: number[] = [];
  const validate: number[] = [];
  for (let i = 0; i < 5; i++) {
    version.push((await cli(['--version'], {}, work)).ms);
    validate.push((await cli(['validate', ...examples], {}, work)).ms);
  }
  return { versionMs: median(version), validateMs: median(validate) };
}

const s = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
const ratio = (a: number, b: number) => `${(a / b).toFixed(2)}×`;

async function main() {
  const ns = arg('n', '1000,10000').split(',').map(Number);
  const serverName = arg('server', 'vault');
  const work = mkdtempSync(join(tmpdir(), 'vault-gitops-bench-'));
  try {
    const results = [];
    for (const n of ns) {
      process.stderr.write(`bench: N=${n}…\n`);
      results.push(await benchN(n, serverName, work));
    }
    process.stderr.write('bench: 429 handling, cold start…\n');
    const limited = await bench429(serverName, work);
    const cold = await coldStart(work);
    const probe = await startServer(root, serverName);
    const serverVersion = `${serverName} ${probe.version}`;
    await probe.stop();

    const date = new Date().toISOString().slice(0, 10);
    const machine = `${cpus().length} cores, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}, ${serverVersion} dev server (in-memory), concurrency ${CONCURRENCY}`;
    const rows = ['| N | step | wall | requests | vs floor | peak RSS |', '|---:|---|---:|---:|---:|---:|'];
    for (const r of results) {
      const row = (step: string, run: { ms: number; requests?: number; rssMb?: number }, floor?: number) =>
        rows.push(`| ${r.n} | ${step} | ${s(run.ms)} | ${run.requests ?? '—'} | ${floor ? ratio(run.ms, floor) : '—'} | ${run.rssMb ? `${run.rssMb} MB` : '—'} |`);
      row('validate', r.validate);
      row('first apply (create all)', r.apply, r.applyFloorMs);
      row('plan, no changes', r.plan, r.planFloor.ms);
      row(`plan after 1% drift (${r.drifted} policies)`, r.planDrift, r.planFloor.ms);
      row('apply of the drift', r.applyDrift);
      rows.push(`| ${r.n} | floor: same GETs (plan) / same writes (apply), plain fetch | ${s(r.planFloor.ms)} / ${s(r.applyFloorMs)} | ${r.planFloor.requests} | | |`);
    }
    const table = [
      `Measured ${date} on ${machine}. Wall times are whole CLI processes (Node start-up and config loading included).`,
      '',
      ...rows,
      '',
      `Cold start (median of 5): \`--version\` ${s(cold.versionMs)}, \`validate\` of config-examples (base + production) ${s(cold.validateMs)}.`,
      `429s: with a \`sys/quotas/rate-limit\` of ${limited.rate}/s, a no-change plan of ${limited.objects} objects took ${s(limited.ms)}, retried ${limited.retries ?? '?'} requests and exited ${limited.code} (0 = succeeded, no changes).`,
      `Every run converged: ${results.every((r) => r.converged) ? 'yes' : 'NO'}.`,
    ].join('\n');

    mkdirSync(join(root, 'bench/results'), { recursive: true });
    writeFileSync(join(root, `bench/results/${date}.json`), JSON.stringify({ machine, results, cold, limited }, null, 2));
    const readme = readFileSync(join(root, 'README.md'), 'utf8');
    const start = '<!-- bench:start -->';
    const end = '<!-- bench:end -->';
    const block = `${start}\n${table}\n${end}`;
    const next = readme.includes(start) ? readme.replace(new RegExp(`${start}[\\s\\S]*${end}`), block) : `${readme.trimEnd()}\n\n## Performance\n\n${block}\n`;
    writeFileSync(join(root, 'README.md'), next);
    console.log(table);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

await main();
