// A plan reads the text of declared policies only: the server's other policies (made by hand, or
// by other tools) are listed once and never read one by one, whether they are left alone
// (unmanaged) or deleted by name (prune).
import { afterAll, describe, expect, it } from 'vitest';
import type { Plan } from '../../../src/core/model.js';
import { cli, configDir, uniq } from '../helpers/cli.js';
import { vaultRequest } from '../helpers/vault-http.js';

const id = uniq('up');
const hand = Array.from({ length: 30 }, (_, i) => `${id}-hand-${i}`);
const mine = `${id}-mine`;
const statePath = `vault-gitops/unmanaged-${id}`;

afterAll(async () => {
  for (const p of [...hand, mine]) await vaultRequest('DELETE', `sys/policies/acl/${p}`);
});

/** The plan as JSON, and the policies it read one by one (from --debug). */
async function plan(dir: string) {
  const r = await cli(['plan', '-c', dir, '-o', 'json', '--debug', '--state-path', statePath], { cwd: dir });
  expect(r.code, r.stderr).toBe(0);
  // A set: a read retried (another file's audit device failing it on the shared server) is one read.
  const read = [...new Set([...r.stderr.matchAll(/^debug: GET sys\/policies\/acl\/(\S+) → \d+/gm)].map((m) => m[1]))];
  return { plan: JSON.parse(r.stdout) as Plan, read };
}

describe('policies the config does not declare', () => {
  it('are listed, not read: left alone, or deleted by name under prune', async () => {
    for (const p of hand) expect((await vaultRequest('POST', `sys/policies/acl/${p}`, { policy: 'path "x/*" { capabilities = ["read"] }' })).status).toBe(204);
    const yaml = (prune: boolean) => `policies:\n  ${mine}:\n    policy: |\n      path "secret/data/${id}/*" { capabilities = ["read"] }\n${prune ? 'prune: [policies]\n' : ''}`;

    const left = await plan(await configDir({ 'c.yaml': yaml(false) }));
    expect(left.read).toEqual([]); // the declared one is not created yet, so not in the listing
    expect(left.plan.changes.filter((c) => c.action !== 'noop').map((c) => `${c.action} ${c.address}`)).toEqual([`create policies/${mine}`]);
    const unmanaged = new Set(left.plan.unmanaged.map((u) => u.address));
    for (const p of hand) expect(unmanaged.has(`policies/${p}`)).toBe(true);

    const dir = await configDir({ 'c.yaml': yaml(false) });
    expect((await cli(['apply', '-c', dir, '--auto-approve', '--state-path', statePath], { cwd: dir })).code).toBe(0);
    expect((await plan(dir)).read).toEqual([mine]);

    const pruned = await plan(await configDir({ 'c.yaml': yaml(true) }));
    expect(pruned.read).toEqual([mine]);
    const deletes = pruned.plan.changes.filter((c) => c.action === 'delete').map((c) => c.address);
    for (const p of hand) expect(deletes).toContain(`policies/${p}`);
  });
});
