/**
 * The one check every fault scenario ends with (soft assertions: one run reports every property that broke). After the fault, the operator re-runs apply; then:
 *   - the re-run succeeds and a plan afterwards is empty (`plan --detailed-exitcode` exits 0);
 *   - every delivered credential logs in (AppRole login with the file's role_id + secret_id);
 *   - no orphaned secret_id: each role's secret_id accessors in Vault are exactly the one delivered;
 *   - the sink directory holds the credential files and nothing else (no temp file left);
 *   - the state lock is free;
 *   - no delivered secret appears in anything the CLI printed in this file.
 */
import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { expect } from 'vitest';
import { allOutput, cli, type CliResult } from '../../helpers/cli.js';
import type { StateRecord } from '../../../../src/core/state/state.js';
import { cliEnv, targetRequest, type VaultTarget, type Workload } from './workload.js';

interface Delivered {
  role_id: string;
  secret_id: string;
  vault_gitops?: { accessor?: string };
}

/** The state record of the workload (undefined when none was written yet). */
export async function stateRecord(w: Workload, target: VaultTarget): Promise<StateRecord | undefined> {
  const [mount, ...rest] = w.statePath.split('/');
  const res = await targetRequest(target, 'GET', `${mount}/data/${rest.join('/')}`);
  if (res.status === 404) return undefined;
  expect(res.status, `reading the state record ${w.statePath}`).toBe(200);
  return (res.body as { data: { data: StateRecord } }).data.data;
}

async function inBatches<T>(items: T[], size: number, each: (item: T) => Promise<void>): Promise<void> {
  for (let i = 0; i < items.length; i += size) await Promise.all(items.slice(i, i + size).map(each));
}

/**
 * A failure an operator can act on: exit 1, the cause named (in the error, or in the apply report's
 * line for each failed change), no stack trace, no "internal error".
 */
export function expectCleanFailure(r: CliResult, cause: RegExp): void {
  const text = r.stdout + r.stderr;
  expect(r.code, text).toBe(1);
  expect(text).toMatch(cause);
  expect(text).not.toMatch(/^\s+at .+:\d+:\d+\)?$/m);
  expect(text).not.toContain('internal error');
}

/**
 * A run that died (SIGKILL, or failed while Vault could not take the release) leaves its lock
 * behind. What the operator does: the next apply fails at once naming that run and the
 * `force-unlock ID` to use; force-unlock it. Nothing to do when the lock is free.
 */
export async function unlockAfterDeadRun(w: Workload, target: VaultTarget, deadPid: number): Promise<void> {
  const held = (await stateRecord(w, target))?.lock;
  if (!held) return;
  expect(held.owner, 'the lock is held by another run than the one that died').toMatch(new RegExp(`pid ${deadPid}$`));
  const env = cliEnv(target);
  const blocked = await cli(w.args('apply', '--lock-timeout', '0s'), { cwd: w.dir, env });
  expectCleanFailure(blocked, new RegExp(`held by .*pid ${deadPid}[^]*force-unlock ${held.id}`));
  const unlock = await cli(['force-unlock', held.id, '--state-path', w.statePath], { env });
  expect(unlock.code, unlock.stderr).toBe(0);
}

async function readDelivered(w: Workload, role: string): Promise<Delivered> {
  return JSON.parse(await readFile(join(w.sinkDir, `${role}.json`), 'utf8')) as Delivered;
}

async function logsIn(w: Workload, target: VaultTarget, role: string, cred: Delivered): Promise<void> {
  const login = await targetRequest(target, 'POST', `auth/${w.mount}/login`, { role_id: cred.role_id, secret_id: cred.secret_id }, null);
  expect.soft(login.status, `${role}: the delivered role_id + secret_id do not log in`).toBe(200);
  if (login.status === 200) await targetRequest(target, 'POST', 'auth/token/revoke-self', undefined, (login.body as { auth: { client_token: string } }).auth.client_token);
}

/** Every credential file there is logs in (right after a fault, before any re-run: nothing delivered was destroyed). */
export async function expectDeliveredLogIn(w: Workload, target: VaultTarget): Promise<void> {
  const roles = w.roles.filter((r) => existsSync(join(w.sinkDir, `${r}.json`)));
  await inBatches(roles, 16, async (role) => logsIn(w, target, role, await readDelivered(w, role)));
}

/** Every role's credential is delivered and logs in, its secret_id is the role's only one, and no temp file is left. Returns the secret_ids. */
export async function expectCredentialsIntact(w: Workload, target: VaultTarget): Promise<string[]> {
  const files = (await readdir(w.sinkDir)).sort();
  expect.soft(files, 'the sink directory holds exactly one credential file per role (no temp file)').toEqual(w.roles.map((r) => `${r}.json`).sort());
  const secrets: string[] = [];
  await inBatches(w.roles, 16, async (role) => {
    if (!files.includes(`${role}.json`)) return;
    const cred = await readDelivered(w, role);
    secrets.push(cred.secret_id);
    await logsIn(w, target, role, cred);
    const listed = await targetRequest(target, 'GET', `auth/${w.mount}/role/${role}/secret-id?list=true`);
    const accessors = listed.status === 404 ? [] : (listed.body as { data: { keys: string[] } }).data.keys;
    expect.soft(accessors, `${role}: secret_id accessors in Vault vs the one delivered (others are orphans)`).toEqual([cred.vault_gitops?.accessor]);
  });
  return secrets;
}

export async function expectConverged(w: Workload, target: VaultTarget): Promise<void> {
  const env = cliEnv(target);
  const rerun = await cli(w.args('apply', '--lock-timeout', '0s'), { cwd: w.dir, env });
  expect(rerun.code, `the re-run failed:\n${rerun.stdout}\n${rerun.stderr}`).toBe(0);
  const plan = await cli(w.args('plan', '--detailed-exitcode'), { cwd: w.dir, env });
  expect.soft(plan.code, `the plan after the re-run is not empty:\n${plan.stdout}\n${plan.stderr}`).toBe(0);
  const secrets = await expectCredentialsIntact(w, target);
  expect.soft((await stateRecord(w, target))?.lock, 'the state lock is still held').toBeUndefined();
  const printed = allOutput();
  for (const s of secrets) expect.soft(printed.includes(s), 'a delivered secret_id was printed').toBe(false);
}
