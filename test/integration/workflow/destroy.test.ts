// The destruction guard and the state record as untrusted input, against the real server:
// - a config that lost a file (or all of them) plans the deletion of mounts holding data; apply
//   refuses it (exit 1, banner, nothing deleted) unless --allow-destroy, saved plans included;
// - deletes run last and not at all when a create/update failed;
// - the state record is checked: a corrupt one is an error (never reset), one owned by another
//   config is refused, and an entry added by hand never deletes an object vault-gitops did not make.
import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { allOutput, cli, configDir, uniq } from '../helpers/cli.js';
import { serverEnv, vaultClient } from '../helpers/server.js';
import type { StateRecord } from '../../../src/core/state/state.js';

const id = uniq('ds');
const kv = `kv-${id}`;
const pki = `pki-${id}`;
const ar = `ar-${id}`;
const pol = (n: string) => `${n}-${id}`;
const vault = vaultClient();
afterAll(() => vault.close());

const MOUNTS = `
secrets:
  ${kv}:
    type: kv
    options: { version: "2" }
  ${pki}:
    type: pki
    root_ca: { common_name: Destroy Test Root, ttl: 24h }
auth:
  ${ar}:
    type: approle
    roles:
      web: { token_ttl: 1h }
`;
const policies = (names: string[]) =>
  `policies:\n${names.map((n) => `  ${pol(n)}:\n    policy: |\n      path "secret/data/${n}/*" { capabilities = ["read"] }\n`).join('')}`;

const exists = async (path: string) => (await vault.read(path)) !== undefined;
const mounted = async (path: string) => `${path}/` in (((await vault.read('sys/mounts'))?.data ?? {}) as Record<string, unknown>);
const authMounted = async (path: string) => `${path}/` in (((await vault.read('sys/auth'))?.data ?? {}) as Record<string, unknown>);

function freshState(): { path: string; read: () => Promise<StateRecord | undefined>; write: (data: unknown) => Promise<void> } {
  const name = `destroy-${uniq('s')}`;
  return {
    path: `vault-gitops/${name}`,
    read: async () => ((await vault.read(`vault-gitops/data/${name}`))?.data as { data?: StateRecord } | undefined)?.data,
    write: async (data) => {
      await vault.write('sys/mounts/vault-gitops', { type: 'kv', options: { version: '2' } }).catch(() => undefined);
      await vault.write(`vault-gitops/data/${name}`, { data });
    },
  };
}

const apply = (dir: string, state: string, extra: string[] = [], env: NodeJS.ProcessEnv = {}) =>
  cli(['apply', '-c', dir, '--auto-approve', '--state-path', state, ...extra], { cwd: dir, env });

describe('destruction guard', () => {
  const state = freshState();
  let dir: string;

  it('setup: mounts holding data (KV secret, PKI CA) and policies, applied', async () => {
    dir = await configDir({ 'mounts.yaml': MOUNTS, 'policies.yaml': policies(['a', 'b']) });
    const r = await apply(dir, state.path);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    await vault.write(`${kv}/data/app`, { data: { password: 'kept-in-kv-1234' } });
    expect(await exists(`${pki}/cert/ca`)).toBe(true);
  });

  it('a deleted config file: apply --auto-approve refuses (exit 1, banner first, nothing deleted)', async () => {
    await rm(join(dir, 'mounts.yaml'));
    const r = await apply(dir, state.path);
    expect(r.code, r.stdout + r.stderr).toBe(1);
    expect(r.stdout.trimStart().startsWith('!! DESTRUCTIVE PLAN: apply refuses it without --allow-destroy')).toBe(true);
    expect(r.stdout).toContain(`secrets/${kv}: destroys all data stored under ${kv}/`);
    expect(r.stdout).toContain(`secrets/${pki}: destroys the CA private key under ${pki}/`);
    expect(r.stdout).toContain(`auth/${ar}: disables auth/${ar}/`);
    expect(r.stderr).toMatch(/apply refused: the plan is destructive .*nothing was changed/);
    expect(r.stderr).toContain('--allow-destroy');
    expect(r.stderr).not.toMatch(/\n\s+at .*\(/);
    expect(await mounted(kv)).toBe(true);
    expect(await mounted(pki)).toBe(true);
    expect(await authMounted(ar)).toBe(true);
    expect(await exists(`auth/${ar}/role/web`)).toBe(true);
    expect(await exists(`${kv}/data/app`)).toBe(true);
    expect((await state.read())?.last_apply?.result).toBe('ok');
  });

  it('plan -o json and -o markdown carry the destroys too', async () => {
    const json = await cli(['plan', '-c', dir, '-o', 'json', '--state-path', state.path], { cwd: dir });
    expect(json.code, json.stderr).toBe(0);
    const p = JSON.parse(json.stdout) as { format_version: string; destroys: Array<{ address: string; code: string; what: string }> };
    expect(p.format_version).toBe('3');
    expect(p.destroys.map((d) => [d.address, d.code])).toEqual([
      [`auth/${ar}`, 'auth-mount'],
      [`secrets/${kv}`, 'secrets-mount'],
      [`secrets/${pki}`, 'secrets-mount'],
      ['*', 'bulk'],
    ]);
    const md = await cli(['plan', '-c', dir, '-o', 'markdown', '--state-path', state.path], { cwd: dir });
    const lines = md.stdout.split('\n');
    expect(lines.slice(0, 4)).toEqual(['### vault-gitops plan', '', '> [!CAUTION]', '> **DESTRUCTIVE PLAN**: `apply` refuses it without `--allow-destroy`.']);
    expect(md.stdout).toContain(`destroys all data stored under ${kv}/`);
  });

  it('a saved plan with destroys is refused without --allow-destroy, and applies with it', async () => {
    const file = join(dir, 'plan.json');
    const made = await cli(['plan', '-c', dir, '--out', file, '--state-path', state.path], { cwd: dir });
    expect(made.code, made.stderr).toBe(0);
    const refused = await cli(['apply', file, '-c', dir, '--state-path', state.path], { cwd: dir });
    expect(refused.code).toBe(1);
    expect(refused.stdout).toContain('!! DESTRUCTIVE PLAN');
    expect(refused.stderr).toMatch(/apply refused: the plan is destructive/);
    expect(await mounted(kv)).toBe(true);

    // Editing the destroys out of the file does not get it through: the guard reads the fresh plan.
    const text = JSON.parse(await readFile(file, 'utf8')) as Record<string, unknown>;
    await writeFile(file, JSON.stringify({ ...text, destroys: [] }));
    const edited = await cli(['apply', file, '-c', dir, '--state-path', state.path], { cwd: dir });
    expect(edited.code).toBe(1);
    expect(await mounted(kv)).toBe(true);

    await writeFile(file, JSON.stringify(text));
    const allowed = await cli(['apply', file, '-c', dir, '--allow-destroy', '--state-path', state.path], { cwd: dir });
    expect(allowed.code, allowed.stdout + allowed.stderr).toBe(0);
    expect(await mounted(kv)).toBe(false);
    expect(await mounted(pki)).toBe(false);
    expect(await authMounted(ar)).toBe(false);
    expect(await exists(`sys/policies/acl/${pol('a')}`)).toBe(true);
  });

  it('an empty config directory deletes nothing without --allow-destroy', async () => {
    const s = freshState();
    const full = await configDir({ 'policies.yaml': policies(['e1', 'e2', 'e3']) });
    expect((await apply(full, s.path)).code).toBe(0);
    const empty = await configDir({});
    const r = await apply(empty, s.path);
    expect(r.code).toBe(1);
    for (const n of ['e1', 'e2', 'e3']) expect(await exists(`sys/policies/acl/${pol(n)}`)).toBe(true);
    // With the flag the guard lets it through (or the loader still refuses a config with no objects).
    const ok = await apply(empty, s.path, ['--allow-destroy']);
    if (ok.code === 0) for (const n of ['e1', 'e2', 'e3']) expect(await exists(`sys/policies/acl/${pol(n)}`)).toBe(false);
  });

  it('deletes run last, and not at all when a create or update failed', async () => {
    const s = freshState();
    const pkiB = `pkib-${id}`;
    const first = await configDir({ 'policies.yaml': policies(['keep', 'drop']) });
    expect((await apply(first, s.path)).code).toBe(0);
    const broken = `secrets:\n  ${pkiB}:\n    type: pki\n    roles:\n      broken: { key_type: ec, key_bits: 1234 }\n`;
    const second = await configDir({ 'policies.yaml': policies(['keep']), 'pki.yaml': broken });
    const r = await apply(second, s.path);
    expect(r.code).toBe(1);
    expect(r.stdout + r.stderr).toMatch(new RegExp(`policies/${pol('drop')}.*skipped: not deleted because 1 create/update failed`));
    expect(await exists(`sys/policies/acl/${pol('drop')}`)).toBe(true);
    // The record still claims it, so the next (fixed) run deletes it.
    expect(Object.keys((await s.read())?.objects ?? {})).toContain(`policies/${pol('drop')}`);
    const fixed = await configDir({ 'policies.yaml': policies(['keep']), 'pki.yaml': broken.replace('1234', '256') });
    const again = await apply(fixed, s.path);
    expect(again.code, again.stdout + again.stderr).toBe(0);
    expect(await exists(`sys/policies/acl/${pol('drop')}`)).toBe(false);
    expect(await mounted(pkiB)).toBe(true);
  });
});

describe('the state record as untrusted input', () => {
  it('an entry added by hand never deletes a mount vault-gitops did not create', async () => {
    const s = freshState();
    const hand = `hand-${id}`;
    const dir = await configDir({ 'policies.yaml': policies(['h']) });
    expect((await apply(dir, s.path)).code).toBe(0);
    await vault.write(`sys/mounts/${hand}`, { type: 'kv', options: { version: '2' } });
    await vault.write(`${hand}/data/x`, { data: { v: '1' } });
    const record = (await s.read())!;
    const entry = { kind: 'secrets-mount', hash: null, applied_at: new Date().toISOString(), created: true };
    // Without an identity, and with a made-up one: both are left alone.
    for (const forged of [entry, { ...entry, identity: 'kv_00000000' }]) {
      await s.write({ ...record, objects: { ...record.objects, [`secrets/${hand}`]: forged } });
      const p = await cli(['plan', '-c', dir, '-o', 'json', '--state-path', s.path], { cwd: dir });
      const plan = JSON.parse(p.stdout) as { changes: Array<{ action: string }>; unmanaged: Array<{ address: string; note?: string }> };
      expect(plan.changes.filter((c) => c.action === 'delete')).toEqual([]);
      expect(plan.unmanaged.find((u) => u.address === `secrets/${hand}`)?.note).toMatch(/left alone/);
      const r = await apply(dir, s.path, ['--allow-destroy']);
      expect(r.code, r.stdout + r.stderr).toBe(0);
      expect(r.stdout).toMatch(new RegExp(`secrets/${hand} \\((the state record holds no identity|not the object vault-gitops created)`));
      expect(await mounted(hand)).toBe(true);
      expect(await exists(`${hand}/data/x`)).toBe(true);
    }
    // The foreign entry is dropped from the record by that apply.
    expect(Object.keys((await s.read())!.objects)).not.toContain(`secrets/${hand}`);
  });

  it('records each created mount and role with its live identity, and deletes it while that identity holds', async () => {
    const s = freshState();
    const m = `idm-${id}`;
    const dir = await configDir({ 'vault.yaml': `auth:\n  ${m}:\n    type: approle\n    roles:\n      r1: { token_ttl: 1h }\n` });
    expect((await apply(dir, s.path)).code).toBe(0);
    const rec = (await s.read())!;
    const accessor = ((await vault.read('sys/auth'))?.data as Record<string, { accessor: string }>)[`${m}/`]!.accessor;
    const roleId = ((await vault.read(`auth/${m}/role/r1/role-id`))?.data as { role_id: string }).role_id;
    expect(rec.objects[`auth/${m}`]).toMatchObject({ created: true, identity: accessor });
    expect(rec.objects[`auth/${m}/roles/r1`]).toMatchObject({ created: true, identity: roleId });
    expect(rec.format_version).toBe('2');
    expect(rec.owner).toEqual(expect.any(String));

    const gone = await configDir({ 'policies.yaml': policies(['idp']) });
    expect((await apply(gone, s.path)).code).toBe(1);
    expect(await authMounted(m)).toBe(true);
    const r = await apply(gone, s.path, ['--allow-destroy']);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(await authMounted(m)).toBe(false);
  });

  it('an old record (format 1, no identities, no owner) is upgraded by the next apply', async () => {
    const s = freshState();
    const m = `old-${id}`;
    await vault.write(`sys/mounts/${m}`, { type: 'kv', options: { version: '2' } });
    await s.write({ format_version: '1', objects: { [`secrets/${m}`]: { kind: 'secrets-mount', hash: null, applied_at: '2026-01-01T00:00:00Z', created: true } } });
    const dir = await configDir({ 'vault.yaml': `secrets:\n  ${m}:\n    type: kv\n    options: { version: "2" }\n` });
    const r = await apply(dir, s.path);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    const rec = (await s.read())!;
    expect(rec.format_version).toBe('2');
    expect(rec.owner).toEqual(expect.any(String));
    const accessor = ((await vault.read('sys/mounts'))?.data as Record<string, { accessor: string }>)[`${m}/`]!.accessor;
    expect(rec.objects[`secrets/${m}`]).toMatchObject({ created: true, identity: accessor });
  });

  it('a corrupt record is an error saying how to repair it; it is never reset', async () => {
    const s = freshState();
    const dir = await configDir({ 'policies.yaml': policies(['c']) });
    expect((await apply(dir, s.path)).code).toBe(0);
    const good = (await s.read())!;
    const corrupt = { ...good, objects: { ...good.objects, 'policies/x': { kind: 'bogus', hash: 'abc', created: 'yes' } } };
    await s.write(corrupt);
    for (const args of [['apply', '-c', dir, '--auto-approve'], ['plan', '-c', dir]]) {
      const r = await cli([...args, '--state-path', s.path], { cwd: dir });
      expect(r.code).toBe(1);
      expect(r.stderr).toContain(`the state record ${s.path} is not valid`);
      expect(r.stderr).toContain('objects["policies/x"].kind');
      expect(r.stderr).toMatch(/vault kv rollback -mount=vault-gitops -version=\d+ /);
      expect(r.stderr).not.toMatch(/\n\s+at .*\(/);
    }
    expect(await s.read()).toEqual(corrupt);
    // A record whose objects went missing is not read as "manages nothing".
    await s.write({ format_version: '2', owner: good.owner });
    const r = await apply(dir, s.path);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('objects: must be an object');
    expect(await s.read()).toEqual({ format_version: '2', owner: good.owner });
  });

  it('two configs sharing one state path: the second is refused, naming both; nothing of the first is deleted', async () => {
    const s = freshState();
    const a = await configDir({ 'policies.yaml': policies(['owner-a']) });
    const b = await configDir({ 'policies.yaml': policies(['owner-b']) });
    const noId = { VAULT_GITOPS_STATE_ID: '' };
    expect((await apply(a, s.path, [], noId)).code).toBe(0);
    for (const args of [['apply', '-c', b, '--auto-approve', '--allow-destroy'], ['plan', '-c', b]]) {
      const r = await cli([...args, '--state-path', s.path], { cwd: b, env: noId });
      expect(r.code).toBe(1);
      expect(r.stderr).toContain(`the state record ${s.path} belongs to the config ${JSON.stringify(a)}, not to this one (${JSON.stringify(b)})`);
      expect(r.stderr).toContain('--state-path');
    }
    expect(await exists(`sys/policies/acl/${pol('owner-a')}`)).toBe(true);
    expect(await exists(`sys/policies/acl/${pol('owner-b')}`)).toBe(false);
    // Explicit ids: the same rule.
    const r = await apply(b, s.path, ['--state-id', 'payments-prod'], noId);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('"payments-prod"');
    expect(allOutput()).not.toContain(serverEnv().VAULT_TOKEN);
    expect(allOutput()).not.toContain('kept-in-kv-1234');
  });
});
