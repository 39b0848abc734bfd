// Every file format, read by its real consumer against the test server: Vault Agent (the server's
// own binary), vault-sidekick, and a shell sourcing the env file — after apply and after rotate.
import { lstat, readFile, readlink, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { allOutput, cli, configDir, uniq } from '../helpers/cli.js';
import { envLogin, kvSecret, sidekickFetch, sidekickMissing, vaultAgentLogin } from '../helpers/consumers.js';
import { vaultRequest } from '../helpers/vault-http.js';

const id = uniq('f');
const ar = `ar${id}`;
let kv: Awaited<ReturnType<typeof kvSecret>>;
const creds = (file: string) => `{ token_policies: [read-${id}], secret_id_ttl: 24h, credentials: { file: ${file} } }`;
const files = () => ({
  'vault.yaml': `${kv.policiesYaml}
auth:
  ${ar}:
    type: approle
    roles:
      agent: ${creds('{ path: out/agent, format: vault-agent }')}
      once: { token_policies: [read-${id}], secret_id_num_uses: 1, secret_id_ttl: 1h, credentials: { file: { path: out/once, format: vault-agent } } }
      sidekick: ${creds('{ path: out/sidekick.json, format: vault-sidekick }')}
      shell: ${creds('{ path: out/approle.env, format: env, env_names: { secret_id: APP_SECRET_ID } }')}
  userpass:
    type: userpass
    users:
      sk${id}: { token_policies: [read-${id}], credentials: { file: { path: out/user-sidekick.json, format: vault-sidekick } } }
      sh${id}: { token_policies: [read-${id}], credentials: { file: { path: out/user.env, format: env } } }
`,
});

let dir: string;
const out = (f: string) => join(dir, 'out', f);
const text = (f: string) => readFile(out(f), 'utf8');
/** Every secret value any delivery held, to grep the CLI's output for. */
const seen = new Set<string>();
const remember = async () => {
  for (const f of ['agent/secret_id', 'agent/role_id']) seen.add(await text(f));
  for (const f of ['sidekick.json', 'user-sidekick.json']) {
    const j = JSON.parse(await text(f)) as Record<string, string>;
    for (const k of ['secret_id', 'password']) if (j[k]) seen.add(j[k]);
  }
  for (const f of ['approle.env', 'user.env']) for (const m of (await text(f)).matchAll(/^(?:APP_SECRET_ID|VAULT_PASSWORD)='?([^'\n]*)'?$/gm)) seen.add(m[1]!);
};
const changed = async () => {
  const p = await cli(['plan', '-c', dir, '-o', 'json'], { cwd: dir });
  expect(p.code, p.stderr).toBe(0);
  return (JSON.parse(p.stdout) as { changes: Array<{ action: string; address: string; reason: string }> }).changes.filter((c) => c.action !== 'noop');
};

async function agentAndShellRead(): Promise<void> {
  const agent = await vaultAgentLogin(out('agent'), ar);
  expect(agent.token, agent.run.stderr).toBeDefined();
  const read = await vaultRequest('GET', kv.path, undefined, { token: agent.token! });
  expect(read.status).toBe(200);
  expect(read.json.data.data).toEqual(kv.data);

  const shell = await envLogin(out('approle.env'), kv.path, 'approle', { secret_id: 'APP_SECRET_ID' });
  expect(shell.data, shell.run.stderr).toEqual(kv.data);
  const userShell = await envLogin(out('user.env'), kv.path, 'userpass');
  expect(userShell.data, userShell.run.stderr).toEqual(kv.data);
}

async function sidekickReads(): Promise<void> {
  for (const f of ['sidekick.json', 'user-sidekick.json']) {
    const r = await sidekickFetch(out(f), kv.path);
    expect(r.data, `${f}: ${r.run.stdout}${r.run.stderr}`).toEqual(kv.data);
    expect(r.run.code).toBe(0);
  }
}

/** The vault-sidekick auth file as it was before rotate, to show the old secret_id is refused. */
let oldSidekickFile = '';

beforeAll(async () => {
  kv = await kvSecret(`read-${id}`);
  dir = await configDir(files());
});

describe('credential formats read by their real consumers', () => {
  it('apply delivers each format (0600, marker without secrets) and plans no credential change afterwards', async () => {
    const r = await cli(['apply', '-c', dir, '--auto-approve'], { cwd: dir });
    expect(r.code, r.stdout + r.stderr).toBe(0);
    await remember();
    for (const f of ['agent/role_id', 'agent/secret_id', 'sidekick.json', 'approle.env', 'user-sidekick.json', 'user.env']) {
      expect((await stat(out(f))).mode & 0o777, f).toBe(0o600);
    }
    expect(await readlink(out('agent/secret_id'))).toBe('..data/secret_id');
    const sidekick = JSON.parse(await text('sidekick.json')) as Record<string, unknown>;
    expect(sidekick).toMatchObject({ method: 'approle', login_path: `/v1/auth/${ar}/login` });
    expect(await text('approle.env')).toMatch(/^APP_SECRET_ID=/m);
    expect(await changed()).toEqual([]);
  });

  it('Vault Agent (vault-agent directory) and a shell (env files) log in with what was delivered and read the KV secret', async () => {
    await agentAndShellRead();
  });

  it.skipIf(sidekickMissing)('vault-sidekick logs in with the AppRole and userpass auth files and fetches the KV secret', async () => {
    await sidekickReads();
  });

  it('after rotate Vault Agent and the shell log in with the new credentials; the old secret_ids are gone', async () => {
    const before = { agent: await text('agent/secret_id'), sidekick: JSON.parse(await text('sidekick.json')).secret_id as string, dataDir: await readlink(out('agent/..data')) };
    oldSidekickFile = join(dir, 'old-sidekick.json');
    await writeFile(oldSidekickFile, await text('sidekick.json'), { mode: 0o600 });
    const r = await cli(['rotate', '-c', dir], { cwd: dir });
    expect(r.code, r.stdout + r.stderr).toBe(0);
    await remember();
    expect(await text('agent/secret_id')).not.toBe(before.agent);
    expect(await readlink(out('agent/..data'))).not.toBe(before.dataDir);
    for (const [role, sid] of [['agent', before.agent], ['sidekick', before.sidekick]] as const) {
      const old = await vaultRequest('POST', `auth/${ar}/role/${role}/secret-id/lookup`, { secret_id: sid });
      expect(old.json?.data ?? null).toBeNull();
    }
    await agentAndShellRead();
    expect(await changed()).toEqual([]);
  });

  it.skipIf(sidekickMissing)('after rotate vault-sidekick logs in with the new auth files and is refused with the old one', async () => {
    await sidekickReads();
    const old = await sidekickFetch(oldSidekickFile, kv.path);
    expect(old.data).toBeUndefined();
    expect(old.run.code).not.toBe(0);
  });

  it('status checks work in every format: a removed secret_id link is missing, an edited env file stale, a foreign directory not owned', async () => {
    await rm(out('agent/secret_id')); // what remove_secret_id_file_after_reading = true does
    const env = await text('user.env');
    await writeFile(out('user.env'), env.replace(/^VAULT_PASSWORD=.*$/m, 'VAULT_PASSWORD=edited-by-hand'));
    const sk = JSON.parse(await text('sidekick.json')) as Record<string, unknown>;
    await writeFile(out('sidekick.json'), JSON.stringify({ ...sk, role_id: 'not-the-role-id' }));
    expect((await changed()).map((c) => [c.address, c.reason]).sort()).toEqual(
      [
        [`auth/${ar}/roles/agent`, 'file out/agent: missing → will issue new credentials'],
        [`auth/${ar}/roles/sidekick`, expect.stringMatching(/^file out\/sidekick\.json: edited by hand/) as string],
        [`auth/userpass/users/sh${id}`, 'file out/user.env: edited by hand since it was delivered → will issue new credentials'],
      ].sort(),
    );
    const r = await cli(['apply', '-c', dir, '--auto-approve'], { cwd: dir });
    expect(r.code, r.stdout + r.stderr).toBe(0);
    await remember();
    expect((await lstat(out('agent/secret_id'))).isSymbolicLink()).toBe(true);
    expect(await changed()).toEqual([]);
    await agentAndShellRead();

    await writeFile(out('agent/notes.txt'), 'not ours');
    const foreign = (await changed()).find((c) => c.address === `auth/${ar}/roles/agent`);
    expect(foreign?.reason).toContain('not managed by vault-gitops');
    await rm(out('agent/notes.txt'));
  });

  it('single-use secret_ids: Vault Agent removes the secret_id it read, plan reports it missing, apply delivers a fresh one', async () => {
    for (let round = 0; round < 2; round++) {
      seen.add(await text('once/secret_id'));
      const agent = await vaultAgentLogin(out('once'), ar, true);
      expect(agent.token, agent.run.stderr).toBeDefined();
      expect((await vaultRequest('GET', kv.path, undefined, { token: agent.token! })).json.data.data).toEqual(kv.data);
      await expect(lstat(out('once/secret_id'))).rejects.toThrow(/ENOENT/);
      expect((await changed()).map((c) => [c.address, c.reason])).toEqual([[`auth/${ar}/roles/once`, 'file out/once: missing → will issue new credentials']]);
      const r = await cli(['apply', '-c', dir, '--auto-approve'], { cwd: dir });
      expect(r.code, r.stdout + r.stderr).toBe(0);
      expect(await changed()).toEqual([]);
    }
  });

  it('changing a file\'s format re-issues its credential in the new format', async () => {
    const yaml = await readFile(join(dir, 'vault.yaml'), 'utf8');
    await writeFile(join(dir, 'vault.yaml'), yaml.replace('{ path: out/sidekick.json, format: vault-sidekick }', '{ path: out/sidekick.json, format: json }'));
    expect((await changed()).map((c) => [c.address, c.reason])).toEqual([
      [`auth/${ar}/roles/sidekick`, 'file out/sidekick.json: edited by hand since it was delivered → will issue new credentials'],
    ]);
    const r = await cli(['apply', '-c', dir, '--auto-approve'], { cwd: dir });
    expect(r.code, r.stdout + r.stderr).toBe(0);
    const now = JSON.parse(await text('sidekick.json')) as Record<string, unknown>;
    expect(Object.keys(now).sort()).toEqual(['role_id', 'secret_id', 'vault_gitops']);
    seen.add(now.secret_id as string);
    expect(await changed()).toEqual([]);
  });

  it('never printed a delivered secret', () => {
    expect(seen.size).toBeGreaterThanOrEqual(11);
    for (const s of seen) expect(allOutput()).not.toContain(s);
  });
});
