// Wrapped and one-time AppRole secret_ids through the CLI against the test server: Vault Agent
// unwraps what vault-gitops delivered, and plan, drift and apply tell each state of the documented
// lifecycle apart (docs/credentials.md, "One-time and wrapped secret_ids") with their exit codes.
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { allOutput, cli, configDir, uniq } from '../helpers/cli.js';
import { kvSecret, vaultAgentLogin } from '../helpers/consumers.js';
import { vaultRequest } from '../helpers/vault-http.js';

const id = uniq('w');
const ar = `ow${id}`;
let kv: Awaited<ReturnType<typeof kvSecret>>;
const once = `token_policies: [read-${id}], secret_id_num_uses: 1, secret_id_ttl: 1h`;
const config = (extra = '') => `${kv.policiesYaml}
auth:
  ${ar}:
    type: approle
    roles:
      agent: { ${once}, credentials: { file: { path: out/agent, format: vault-agent }, wrap_ttl: 5m } }
      json: { ${once}, credentials: { file: { path: out/json.json }, wrap_ttl: 5m } }
      env: { ${once}, credentials: { file: { path: out/app.env, format: env }, wrap_ttl: 5m } }
      sidekick: { ${once}, credentials: { file: { path: out/sidekick.json, format: vault-sidekick }, wrap_ttl: 5m } }
      plain: { ${once}, credentials: { file: { path: out/plain.json } } }
${extra}`;

let dir: string;
const out = (f: string) => join(dir, 'out', f);
const text = (f: string) => readFile(out(f), 'utf8');
const jsonSecretId = async (f: string) => (JSON.parse(await text(f)) as { secret_id: string }).secret_id;
const jsonAccessor = async (f: string) => (JSON.parse(await text(f)) as { vault_gitops: { accessor: string } }).vault_gitops.accessor;
const envSecretId = async () => /^VAULT_SECRET_ID='?([^'\n]*)'?$/m.exec(await text('app.env'))![1]!;
/** Every wrapping token and secret_id of the run, to grep the CLI's output for. */
const seen = new Set<string>();
const remember = async () => {
  seen.add(await text('agent/secret_id'));
  seen.add(await jsonSecretId('json.json'));
  seen.add(await jsonSecretId('plain.json'));
  seen.add(await envSecretId());
  seen.add(await jsonSecretId('sidekick.json'));
};
const secretIdGone = async (role: string, accessor: string) => {
  const r = await vaultRequest('POST', `auth/${ar}/role/${role}/secret-id-accessor/lookup`, { secret_id_accessor: accessor });
  return r.status === 404 || !r.json?.data?.secret_id_accessor;
};

interface Drift {
  in_sync: boolean;
  findings: Array<{ class: string; address: string; detail: string }>;
  notes: Array<{ address: string; detail: string }>;
}
const drift = async (): Promise<{ code: number; report: Drift }> => {
  const r = await cli(['drift', '-c', dir, '-o', 'json'], { cwd: dir });
  return { code: r.code, report: JSON.parse(r.stdout) as Drift };
};
const note = (d: Drift, role: string) => d.notes.find((n) => n.address === `auth/${ar}/roles/${role}`)?.detail;
const finding = (d: Drift, role: string) => d.findings.find((n) => n.address === `auth/${ar}/roles/${role}`)?.detail;
interface PlanJson {
  changes: Array<{ address: string; action: string; reason: string; security: boolean; credentials?: string[] }>;
}
const plan = async (): Promise<{ code: number; plan: PlanJson }> => {
  const r = await cli(['plan', '-c', dir, '-o', 'json', '--detailed-exitcode'], { cwd: dir });
  return { code: r.code, plan: JSON.parse(r.stdout) as PlanJson };
};
const changed = (p: PlanJson) => p.changes.filter((c) => c.action !== 'noop').map((c) => c.address);

beforeAll(async () => {
  kv = await kvSecret(`read-${id}`);
  dir = await configDir({ 'vault.yaml': config() });
});

describe('wrapped and one-time secret_ids', () => {
  it('apply delivers a wrapping token in every format, made at the role’s secret-id path; drift and plan are quiet and say it waits', async () => {
    const r = await cli(['apply', '-c', dir, '--auto-approve'], { cwd: dir });
    expect(r.code, r.stdout + r.stderr).toBe(0);
    await remember();
    const tokens = [
      ['agent', await text('agent/secret_id')],
      ['json', await jsonSecretId('json.json')],
      ['env', await envSecretId()],
      ['sidekick', await jsonSecretId('sidekick.json')],
    ] as const;
    for (const [role, token] of tokens) {
      const wrap = await vaultRequest('POST', 'sys/wrapping/lookup', { token });
      expect(wrap.status, role).toBe(200);
      expect(wrap.json.data.creation_path).toBe(`auth/${ar}/role/${role}/secret-id`);
    }
    // The marker keeps the secret_id's accessor, which Vault knows.
    expect(await secretIdGone('json', await jsonAccessor('json.json'))).toBe(false);

    const d = await drift();
    expect(d.code).toBe(0);
    expect(d.report.in_sync).toBe(true);
    for (const role of ['agent', 'json', 'env', 'sidekick']) expect(note(d.report, role)).toMatch(/wrapped, not yet unwrapped \(the wrapping token expires at /);
    expect(note(d.report, 'plain')).toBeUndefined();
    const p = await plan();
    expect(p.code).toBe(0);
    expect(changed(p.plan)).toEqual([]);
  });

  it('Vault Agent unwraps and logs in; afterwards the used-up secret_ids are in sync for drift, plan and apply', async () => {
    const agent = await vaultAgentLogin(out('agent'), ar, false, `auth/${ar}/role/agent/secret-id`);
    expect(agent.token, agent.run.stderr).toBeDefined();
    const read = await vaultRequest('GET', kv.path, undefined, { token: agent.token! });
    expect(read.json.data.data).toEqual(kv.data);
    const plainLogin = await vaultRequest('POST', `auth/${ar}/login`, { role_id: JSON.parse(await text('plain.json')).role_id, secret_id: await jsonSecretId('plain.json') }, { token: null });
    expect(plainLogin.status).toBe(200);

    const d = await drift();
    expect(d.code, JSON.stringify(d.report.findings)).toBe(0);
    for (const role of ['agent', 'plain']) expect(note(d.report, role)).toMatch(/used up by a login \(or expired and removed by Vault\); `rotate --select auth\/.*` issues a fresh one/);
    const p = await plan();
    expect(p.code).toBe(0);
    expect(changed(p.plan)).toEqual([]);
    const text1 = (await cli(['plan', '-c', dir], { cwd: dir })).stdout;
    expect(text1).toContain('Credentials (nothing to do):');
    expect(text1).toContain(`auth/${ar}/roles/agent: file out/agent: used up by a login`);

    const before = await text('agent/secret_id');
    const a = await cli(['apply', '-c', dir, '--auto-approve'], { cwd: dir });
    expect(a.code, a.stdout + a.stderr).toBe(0);
    expect(await text('agent/secret_id')).toBe(before);
  });

  it('a secret_id unwrapped by someone else and never used: drift exits 2, plan flags it as security, apply replaces it and destroys it', async () => {
    const token = await jsonSecretId('json.json');
    const accessor = await jsonAccessor('json.json');
    const stolen = await vaultRequest('POST', 'sys/wrapping/unwrap', undefined, { token });
    expect(stolen.status).toBe(200);
    seen.add(stolen.json.data.secret_id as string);

    const d = await drift();
    expect(d.code).toBe(2);
    expect(finding(d.report, 'json')).toBe(
      'role_id + secret_id → file out/json.json (unwrapped, but its secret_id was never used to log in: the consumer failed, or someone else unwrapped it → will issue new credentials)',
    );
    expect(d.report.findings.map((f) => f.address)).toEqual([`auth/${ar}/roles/json`]);
    const p = await plan();
    expect(p.code).toBe(2);
    expect(p.plan.changes.find((c) => c.address === `auth/${ar}/roles/json`)).toMatchObject({ action: 'update', security: true });

    const a = await cli(['apply', '-c', dir, '--auto-approve'], { cwd: dir });
    expect(a.code, a.stdout + a.stderr).toBe(0);
    await remember();
    expect(await jsonSecretId('json.json')).not.toBe(token);
    expect(await secretIdGone('json', accessor)).toBe(true);
    const refused = await vaultRequest('POST', `auth/${ar}/login`, { role_id: JSON.parse(await text('json.json')).role_id, secret_id: stolen.json.data.secret_id }, { token: null });
    expect(refused.status).toBe(400);
    expect((await drift()).code).toBe(0);
  });

  it('rotate --select gives a deploy a fresh wrapped secret_id the agent logs in with, and destroys the one it replaces', async () => {
    const envAccessor = /"accessor":"([^"]+)"/.exec(await text('app.env'))![1]!;
    const oldEnvToken = await envSecretId();
    const r = await cli(['rotate', '-c', dir, '--select', `auth/${ar}/roles/agent`, '--select', `auth/${ar}/roles/env`], { cwd: dir });
    expect(r.code, r.stdout + r.stderr).toBe(0);
    await remember();
    expect(await secretIdGone('env', envAccessor)).toBe(true);
    // The old wrapping token still unwraps until its TTL, but only to a destroyed secret_id.
    const old = await vaultRequest('POST', 'sys/wrapping/unwrap', undefined, { token: oldEnvToken });
    expect(old.status).toBe(200);
    seen.add(old.json.data.secret_id as string);
    const login = await vaultRequest('POST', `auth/${ar}/login`, { role_id: /^VAULT_ROLE_ID=(.*)$/m.exec(await text('app.env'))![1], secret_id: old.json.data.secret_id }, { token: null });
    expect(login.status).toBe(400);
    const agent = await vaultAgentLogin(out('agent'), ar, false, `auth/${ar}/role/agent/secret-id`);
    expect(agent.token, agent.run.stderr).toBeDefined();
    const d = await drift();
    expect(d.code, JSON.stringify(d.report.findings)).toBe(0);
    expect(note(d.report, 'agent')).toMatch(/used up by a login/);
    expect(note(d.report, 'env')).toMatch(/wrapped, not yet unwrapped/);
  });

  it('a wrapping token that expires unused is drift (exit 2) and apply delivers a fresh one', async () => {
    await writeFile(join(dir, 'vault.yaml'), config(`      late: { ${once}, credentials: { file: { path: out/late.json }, wrap_ttl: 2s } }\n`));
    const a = await cli(['apply', '-c', dir, '--auto-approve'], { cwd: dir });
    expect(a.code, a.stdout + a.stderr).toBe(0);
    const token = await jsonSecretId('late.json');
    seen.add(token);
    await new Promise((r) => setTimeout(r, 3000));
    const d = await drift();
    expect(d.code).toBe(2);
    expect(finding(d.report, 'late')).toBe(
      'role_id + secret_id → file out/late.json (not used before its wrapping token expired (never unwrapped in time, or unwrapped and never used) → will issue new credentials)',
    );
    const p = await plan();
    expect(p.code).toBe(2);
    expect(changed(p.plan)).toEqual([`auth/${ar}/roles/late`]);
    const again = await cli(['apply', '-c', dir, '--auto-approve'], { cwd: dir });
    expect(again.code, again.stdout + again.stderr).toBe(0);
    const fresh = await jsonSecretId('late.json');
    seen.add(fresh);
    expect(fresh).not.toBe(token);
  });

  it('no output of the run contains a wrapping token or a secret_id', () => {
    const all = allOutput();
    expect(seen.size).toBeGreaterThan(8);
    for (const s of seen) {
      expect(s.length).toBeGreaterThan(20);
      expect(all.includes(s)).toBe(false);
    }
  });
});
