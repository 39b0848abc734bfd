/**
 * A config that creates a new policy and a new AppRole (on a new mount) delivering to one sink, and
 * the checks that a run refused it at plan time having written nothing to Vault:
 *   const o = newAppRole('file: { path: out/web.json }');   // o.yaml, o.mount, o.policy, o.at
 *   await refusedByEveryCommand(dir, o, 'file: file out/web.json: exists …', 'set credentials.file.adopt: …');
 * `o.at` is where the error stands: `vault.yaml:13:11: error: auth.MOUNT.roles.web.credentials.`
 * (the sink's key on line 13, column 11), followed by the sink type.
 */
import { expect } from 'vitest';
import { cli, uniq, type CliResult } from './cli.js';
import { vaultRequest } from './vault-http.js';

export interface NewAppRole {
  mount: string;
  policy: string;
  yaml: string;
  at: string;
}

export function newAppRole(sink: string): NewAppRole {
  const n = uniq('');
  const mount = `ar${n}`;
  const policy = `pol-${n}`;
  const yaml = `
policies:
  ${policy}:
    policy: |
      path "secret/data/${policy}/*" { capabilities = ["read"] }
auth:
  ${mount}:
    type: approle
    roles:
      web:
        token_policies: [${policy}]
        credentials:
          ${sink}
`;
  return { mount, policy, yaml, at: `vault.yaml:13:11: error: auth.${mount}.roles.web.credentials.` };
}

/** Vault has neither the policy nor the mount (and so no role), as before the run. */
export async function nothingInVault(o: NewAppRole): Promise<void> {
  expect((await vaultRequest('GET', `sys/policies/acl/${o.policy}`)).status).toBe(404);
  const auth = await vaultRequest('GET', 'sys/auth');
  expect(Object.keys(auth.json.data ?? auth.json)).not.toContain(`${o.mount}/`);
  expect((await vaultRequest('GET', `auth/${o.mount}/role/web`)).status).not.toBe(200);
}

/** The plan error: at the config's credentials, what is wrong, the fix, that nothing was written, no stack. */
export function refusedAtPlan(r: CliResult, o: NewAppRole, message: string, hint: string): void {
  expect(r.code, r.stdout + r.stderr).toBe(1);
  expect(r.stderr).toContain(`${o.at}${message}`);
  expect(r.stderr).toContain(`  hint: ${hint}`);
  expect(r.stderr).toMatch(/1 error in the configuration; nothing was written to Vault\.$/m);
  expect(r.stderr).not.toMatch(/\n\s+at .+:\d+:\d+/);
}

/** plan, drift and apply of the config in `dir` all refuse it the same way, and Vault gets nothing. */
export async function refusedByEveryCommand(dir: string, o: NewAppRole, message: string, hint: string, env: NodeJS.ProcessEnv = {}): Promise<void> {
  for (const args of [['plan'], ['drift'], ['apply', '--auto-approve']]) {
    refusedAtPlan(await cli([...args, '-c', dir], { cwd: dir, env }), o, message, hint);
  }
  await nothingInVault(o);
}

/** The AppRole's delivered credential logs in. */
export async function logsIn(o: NewAppRole, creds: { role_id?: string; secret_id?: string }): Promise<void> {
  expect((await vaultRequest('POST', `auth/${o.mount}/login`, { role_id: creds.role_id, secret_id: creds.secret_id }, { token: null })).status).toBe(200);
}
