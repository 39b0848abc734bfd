// Namespaces through the CLI, against the real servers: root-namespace-only kinds refused offline in
// a tenant's config (both servers: nothing is sent), and on OpenBao (the one test server with
// namespaces) custom_metadata updated key by key with PATCH, and a parent and its child removed in one apply.
import { describe, expect, it } from 'vitest';
import { apiPath } from '../../../src/kinds/sys/namespace.js';
import { cli, configDir, uniq } from '../helpers/cli.js';
import { serverEnv } from '../helpers/server.js';
import { vaultRequest } from '../helpers/vault-http.js';

const openbao = serverEnv().server === 'openbao';
const id = uniq('nsa');
// Each describe its own state record: one config's record must not claim another's namespaces.
const stateOf = (what: string) => `vault-gitops/ns-api-${what}-${id}`;

interface PlanJson {
  changes: Array<{ address: string; action: string; fields: Array<{ name: string; before: unknown; after: unknown }> }>;
  unmanaged: Array<{ address: string }>;
}

const plan = async (state: string, dir: string) => {
  const r = await cli(['plan', '-c', dir, '-o', 'json', '--detailed-exitcode'], { cwd: dir, env: { VAULT_GITOPS_STATE_PATH: state } });
  return { ...r, json: r.stdout ? (JSON.parse(r.stdout) as PlanJson) : undefined };
};
const apply = (state: string, dir: string, extra: string[] = []) => cli(['apply', '-c', dir, '--auto-approve', ...extra], { cwd: dir, env: { VAULT_GITOPS_STATE_PATH: state } });
const platform = (namespaces: Record<string, Record<string, string>>) =>
  configDir({ 'vault.yaml': `namespaces:\n${Object.entries(namespaces).map(([n, m]) => `  ${n}:\n    custom_metadata: ${JSON.stringify(m)}\n`).join('')}` });

describe('a root-namespace-only kind in a tenant config', () => {
  const policy = `p-${id}`;
  const tenant = () =>
    configDir({
      'vault.yaml': `namespace: t-${id}\npolicies:\n  ${policy}:\n    policy: 'path "kv/*" { capabilities = ["read"] }'\naudit:\n  file:\n    type: file\n    options: { file_path: /tmp/audit-${id}.log }\n`,
    });

  it('is an error at its file:line:col saying to move it to the platform config; exit 1 with nothing sent, on any server', async () => {
    const dir = await tenant();
    for (const args of [['validate'], ['plan'], ['apply', '--auto-approve']]) {
      const r = await cli([...args, '-c', dir], { cwd: dir });
      expect(r.code, r.stdout + r.stderr).toBe(1);
      expect(r.stderr).toContain(`vault.yaml:6:3: error: audit.file: audit devices are root-namespace-only: \`file\` cannot be in namespace t-${id}, which this config manages (\`namespace:\` at `);
      expect(r.stderr).toContain('hint: move it to the platform config (the root namespace: a config without `namespace:`), or remove it');
      expect(r.stderr).not.toMatch(/\n\s+at /);
    }
    // Refused before any request: the same with no server at all.
    const offline = await cli(['apply', '-c', dir, '--auto-approve'], { cwd: dir, env: { VAULT_ADDR: 'http://127.0.0.1:1' } });
    expect(offline.code).toBe(1);
    expect(offline.stderr).toContain('audit devices are root-namespace-only');
    expect((await vaultRequest('GET', `sys/policies/acl/${policy}`)).status).toBe(404);
    expect((await vaultRequest('GET', `t-${id}/sys/policies/acl/${policy}`)).status).not.toBe(200);
  });

  it('is valid in the platform (root) config', async () => {
    const dir = await configDir({ 'vault.yaml': `audit:\n  file:\n    type: file\n    options: { file_path: /tmp/audit-${id}.log }\n` });
    const r = await cli(['validate', '-c', dir], { cwd: dir });
    expect(r.code, r.stderr).toBe(0);
  });
});

describe.skipIf(!openbao)('custom_metadata updates (PATCH) on OpenBao', () => {
  const ns = `m-${id}`;
  const state = stateOf('metadata');
  const steps: Array<[string, Record<string, string>, { before: unknown; after: unknown }]> = [
    ['adds a key', { owner: 'team-a', tier: 'gold' }, { before: { owner: 'team-a' }, after: { owner: 'team-a', tier: 'gold' } }],
    ['changes a key', { owner: 'team-b', tier: 'gold' }, { before: { owner: 'team-a', tier: 'gold' }, after: { owner: 'team-b', tier: 'gold' } }],
    ['removes a key', { tier: 'gold' }, { before: { owner: 'team-b', tier: 'gold' }, after: { tier: 'gold' } }],
    ['removes the last key', {}, { before: { tier: 'gold' }, after: {} }],
  ];

  it('creates the namespace with its metadata', async () => {
    const dir = await platform({ [ns]: { owner: 'team-a' } });
    const r = await apply(state, dir);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect((await vaultRequest('GET', `sys/namespaces/${ns}`)).json.data.custom_metadata).toEqual({ owner: 'team-a' });
  });

  for (const [what, metadata, field] of steps) {
    it(`${what}: the plan shows exactly that, apply makes it, the next plan is empty`, async () => {
      const before = (await vaultRequest('GET', `sys/namespaces/${ns}`)).json.data.id as string;
      const dir = await platform({ [ns]: metadata });
      const p = await plan(state, dir);
      expect(p.code, p.stderr).toBe(2);
      expect(p.json!.changes).toEqual([expect.objectContaining({ address: `namespaces/${ns}`, action: 'update', fields: [expect.objectContaining({ name: 'custom_metadata', ...field })] })]);
      const r = await apply(state, dir);
      expect(r.code, r.stdout + r.stderr).toBe(0);
      const live = (await vaultRequest('GET', `sys/namespaces/${ns}`)).json.data;
      expect(live.custom_metadata ?? {}).toEqual(metadata);
      expect(live.id).toBe(before); // updated in place, not deleted and made again
      expect((await plan(state, dir)).code).toBe(0);
    });
  }
});

describe.skipIf(!openbao)('the platform token policy-for prints, on OpenBao', () => {
  const state = stateOf('least');
  const [top, nested, stays] = [`l-${id}`, `l-${id}/n`, `s-${id}`];

  /** A token with exactly what `policy-for --mode apply` prints for the config, and the env to run it. */
  async function platformToken(dir: string, name: string): Promise<NodeJS.ProcessEnv> {
    const policy = await cli(['policy-for', '--mode', 'apply', '-c', dir], { cwd: dir, env: { VAULT_ADDR: 'http://127.0.0.1:1', VAULT_GITOPS_STATE_PATH: state } });
    expect(policy.code, policy.stderr).toBe(0);
    expect((await vaultRequest('POST', `sys/policies/acl/${name}-${id}`, { policy: policy.stdout })).status).toBe(204);
    const token = (await vaultRequest('POST', 'auth/token/create', { policies: [`${name}-${id}`], ttl: '10m' })).json.auth.client_token as string;
    return { VAULT_GITOPS_STATE_PATH: state, VAULT_TOKEN: token };
  }

  it('plans and applies a metadata change (PATCH)', async () => {
    expect((await apply(state, await platform({ [top]: { v: '1' }, [nested]: {}, [stays]: {} }))).code).toBe(0);
    const dir = await platform({ [top]: { v: '2' }, [nested]: {}, [stays]: {} });
    const env = await platformToken(dir, 'ns-platform');
    const changed = await cli(['apply', '-c', dir, '--auto-approve'], { cwd: dir, env });
    expect(changed.code, changed.stdout + changed.stderr).toBe(0);
    expect((await vaultRequest('GET', apiPath(top))).json.data.custom_metadata).toEqual({ v: '2' });
    const none = await cli(['plan', '-c', dir, '--detailed-exitcode'], { cwd: dir, env });
    expect(none.code, none.stdout + none.stderr).toBe(0);
  });

  it('deletes a namespace and the one nested in it, in one apply', async () => {
    const dir = await platform({ [stays]: {} });
    const env = await platformToken(dir, 'ns-platform-after');
    const r = await cli(['apply', '-c', dir, '--auto-approve', '--allow-destroy'], { cwd: dir, env });
    expect(r.code, r.stdout + r.stderr).toBe(0);
    for (const n of [top, nested]) expect((await vaultRequest('GET', apiPath(n))).status, n).toBe(404);
    const none = await cli(['plan', '-c', dir, '--detailed-exitcode'], { cwd: dir, env });
    expect(none.code, none.stdout + none.stderr).toBe(0);
  });
});

describe.skipIf(!openbao)('a parent namespace and its child removed together on OpenBao', () => {
  const state = stateOf('nested');
  const parent = `p-${id}`;
  const child = `${parent}/c`;
  const grandchild = `${child}/g`;
  const keep = `k-${id}`;

  it('are deleted in one apply with --allow-destroy, children first; the next plan is empty; without it nothing is deleted', async () => {
    const all = await platform({ [parent]: {}, [child]: { owner: 'c' }, [grandchild]: {}, [keep]: {} });
    expect((await apply(state, all)).code).toBe(0);
    // Something inside the child, as a tenant would have.
    expect((await vaultRequest('POST', `${child}/sys/policies/acl/app`, { policy: 'path "kv/*" { capabilities = ["read"] }' })).status).toBe(204);

    const without = await platform({ [keep]: {} });
    const refused = await apply(state, without);
    expect(refused.code).toBe(1);
    expect(refused.stdout + refused.stderr).toContain(`deletes namespace ${child} with everything in it (namespaces ${grandchild})`);
    for (const n of [parent, child, grandchild]) expect((await vaultRequest('GET', apiPath(n))).status, n).toBe(200);

    const destroyed = await apply(state, without, ['--allow-destroy']);
    expect(destroyed.code, destroyed.stdout + destroyed.stderr).toBe(0);
    for (const n of [parent, child, grandchild]) expect((await vaultRequest('GET', apiPath(n))).status, n).toBe(404);
    expect((await vaultRequest('GET', `sys/namespaces/${keep}`)).status).toBe(200);
    const record = (await vaultRequest('GET', state.replace('/', '/data/'))).json.data.data as { objects: Record<string, unknown> };
    expect(Object.keys(record.objects).filter((a) => a.startsWith('namespaces/'))).toEqual([`namespaces/${keep}`]);
    const next = await plan(state, without);
    expect(next.code, next.stdout + next.stderr).toBe(0);
  });

  it('a child vault-gitops did not create keeps its parent: the server refuses the delete, apply says so and exits 1', async () => {
    const owner = `q-${id}`;
    expect((await apply(state, await platform({ [keep]: {}, [owner]: {} }))).code).toBe(0);
    expect((await vaultRequest('POST', `${owner}/sys/namespaces/by-hand`, {})).status).toBe(200);
    const without = await platform({ [keep]: {} });
    const p = await plan(state, without);
    expect(p.json!.changes.filter((c) => c.action !== 'noop').map((c) => [c.address, c.action])).toEqual([[`namespaces/${owner}`, 'delete']]);
    expect(p.json!.unmanaged.map((u) => u.address)).toContain(`namespaces/${owner}/by-hand`);
    const r = await apply(state, without, ['--allow-destroy']);
    expect(r.code).toBe(1);
    expect(r.stdout + r.stderr).toContain('containing child namespaces');
    expect((await vaultRequest('GET', apiPath(`${owner}/by-hand`))).status).toBe(200);
  });
});
