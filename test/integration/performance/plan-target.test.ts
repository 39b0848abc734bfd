import { describe, expect, it } from 'vitest';
import type { Plan } from '../../../src/core/model.js';
import { cli, configDir, uniq } from '../helpers/cli.js';
import { vaultRequest } from '../helpers/vault-http.js';

const id = uniq('t');
const ar = `ar${id}`;
const policies = Array.from({ length: 12 }, (_, i) => `${id}-p${i}`);
const roles = Array.from({ length: 6 }, (_, i) => `r${i}`);
const text = (p: string) => `path "secret/data/${p}/*" { capabilities = ["read"] }`;

const config = (pols: string[]) => ({
  'vault.yaml': [
    'policies:',
    ...pols.flatMap((p) => [`  ${p}:`, '    policy: |', `      ${text(p)}`]),
    'auth:',
    `  ${ar}:`,
    '    type: approle',
    '    roles:',
    ...roles.map((r) => `      ${r}: { token_policies: [${policies[0]}], token_ttl: 1h }`),
  ].join('\n'),
});

/**
 * The plan as JSON and how many requests the run made (its --debug summary), retries left out: other
 * files enabling audit devices on the shared server make Vault fail a request now and then.
 */
async function plan(dir: string, ...extra: string[]) {
  const r = await cli(['plan', '-c', dir, '-o', 'json', '--debug', ...extra], { cwd: dir });
  expect(r.code, r.stderr).toBe(0);
  const [, sent, retries] = /debug: (\d+) Vault requests .*, (\d+) retries/.exec(r.stderr) ?? [];
  const requests = Number(sent) - Number(retries);
  return { plan: JSON.parse(r.stdout) as Plan, requests, stderr: r.stderr };
}
const changed = (p: Plan) => p.changes.filter((c) => c.action !== 'noop').map((c) => `${c.action} ${c.address}`).sort();

describe('plan --target', () => {
  it('plans exactly the targets, reading only their collections and members', async () => {
    const dir = await configDir(config(policies));
    expect((await cli(['apply', '-c', dir, '--auto-approve'], { cwd: dir })).code).toBe(0);
    // Drift: two policies and one role changed behind the tool's back; one policy removed from the config.
    for (const p of [policies[3]!, policies[4]!]) await vaultRequest('POST', `sys/policies/acl/${p}`, { policy: 'path "x" { capabilities = ["deny"] }' });
    await vaultRequest('POST', `auth/${ar}/role/r2`, { token_ttl: '2h' });
    const trimmed = await configDir(config(policies.filter((p) => p !== policies[5])));

    const all = await plan(trimmed);
    expect(changed(all.plan)).toEqual(
      [`update policies/${policies[3]}`, `update policies/${policies[4]}`, `update auth/${ar}/roles/r2`, `delete policies/${policies[5]}`].sort(),
    );

    const one = await plan(trimmed, '--target', `policy/${policies[3]}`);
    expect(changed(one.plan)).toEqual([`update policies/${policies[3]}`]);
    expect(one.plan.changes[0]!.fields.map((f) => f.name)).toEqual(['policy']);
    expect(one.plan.unmanaged).toEqual([]);

    const byAddress = await plan(trimmed, '--target', `auth/${ar}/roles/r*`, '--target', `policy/${policies[5]}`);
    expect(changed(byAddress.plan)).toEqual([`delete policies/${policies[5]}`, `update auth/${ar}/roles/r2`].sort());

    // The whole plan reads every declared policy and every role; a target reads one LIST per collection and its members.
    expect(all.requests).toBeGreaterThanOrEqual(policies.length + roles.length);
    expect(one.requests).toBeLessThanOrEqual(all.requests - policies.length - roles.length + 1);
    expect(byAddress.requests).toBeLessThan(all.requests - policies.length + 2);
  });

  it('warns about a target that matches nothing, and refuses a malformed one or --out', async () => {
    const dir = await configDir(config(policies));
    const none = await plan(dir, '--target', 'policy/no-such-policy');
    expect(none.plan.changes).toEqual([]);
    expect(none.stderr).toContain('warning: --target policy/no-such-policy matches no object');
    const bad = await cli(['plan', '-c', dir, '--target', 'policy'], { cwd: dir });
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('--target policy: expected KIND/NAME or an address');
    const out = await cli(['plan', '-c', dir, '--target', 'policy/x', '--out', `${dir}/p.json`], { cwd: dir });
    expect(out.code).toBe(1);
    expect(out.stderr).toContain('cannot be combined with --target');
  });
});
