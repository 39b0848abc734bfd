// The Kubernetes and GitHub auth kinds through the real CLI: apply → plan 0 changes; a changed
// field → one update; a snapshot plans the same offline; export → plan of the export 0 changes (once the reviewer JWT, which no export
// can carry, is given back); the reviewer JWT in no output, plan file or export. GitHub on OpenBao:
// the plan refuses the mount type before any write.
import { readFile, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Plan } from '../../../src/core/model.js';
import { allOutput, cli, configDir, uniq } from '../helpers/cli.js';
import { freshMountPath, serverEnv } from '../helpers/server.js';
import { vaultRequest } from '../helpers/vault-http.js';
import { disableReviewerJwtMounts } from '../helpers/reviewer-jwt-cleanup.js';

// A reviewer JWT cannot be exported: leave none for later files' whole-server export tests.
afterAll(disableReviewerJwtMounts);

const id = uniq('kg');
const JWT = `eyJreviewer.${id}.sentinel`;
const openbao = serverEnv().server === 'openbao';
const vars = ['--var', `reviewer_jwt=${JWT}`];
const KINDS = 'policy,auth-mount,kubernetes-auth-config,kubernetes-auth-role,github-auth-config,github-team-map,github-user-map';
let ca = '';

beforeAll(async () => {
  const pki = freshMountPath('kgca');
  await vaultRequest('POST', `sys/mounts/${pki}`, { type: 'pki' });
  ca = (await vaultRequest('POST', `${pki}/root/generate/internal`, { common_name: 'kube-ca', ttl: '24h' })).json.data.certificate as string;
});

const mine = (p: Plan) => p.changes.filter((c) => c.action !== 'noop' && c.address.includes(id));

function yaml(audience: string): string {
  const github = openbao
    ? ''
    : `  gh-${id}:
    type: github
    config: { organization: acme, organization_id: 42, token_ttl: 8h, token_policies: [app-${id}] }
    teams:
      engineering: { policies: [app-${id}] }
    users:
      octocat: { policies: "app-${id}, default" }
`;
  return `policies:
  app-${id}:
    policy: |
      path "secret/data/app/*" { capabilities = ["read"] }
auth:
  k8s-${id}:
    type: kubernetes
    config:
      kubernetes_host: https://10.0.0.1:6443
      kubernetes_ca_cert: |
${ca.split('\n').map((l) => `        ${l}`).join('\n')}
      disable_local_ca_jwt: true
      token_reviewer_jwt: \${var.reviewer_jwt}
    roles:
      web:
        bound_service_account_names: [web]
        bound_service_account_namespaces: apps
        bound_service_account_namespace_selector: { matchLabels: { vault: "yes" } }
        audience: ${audience}
        token_policies: [app-${id}]
        token_ttl: 1h
${github}prune: [auth/k8s-${id}/roles${openbao ? '' : `, auth/gh-${id}/teams`}]
`;
}

async function plan(dir: string, extra: string[] = []): Promise<Plan> {
  const r = await cli(['plan', '-c', dir, '-o', 'json', ...extra]);
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(r.stdout) as Plan;
}

describe('Kubernetes and GitHub auth through the CLI', () => {
  it('apply, plan 0, a changed field updates, export plans 0, and the reviewer JWT is never shown', async () => {
    const dir = await configDir({ 'c.yaml': yaml('vault') });
    const applied = await cli(['apply', '-c', dir, '--auto-approve', ...vars]);
    expect(applied.code, applied.stderr).toBe(0);
    expect(mine(await plan(dir, vars))).toEqual([]);
    expect((await vaultRequest('GET', `auth/k8s-${id}/config`)).json.data.token_reviewer_jwt_set).toBe(true);
    if (!openbao) expect((await vaultRequest('GET', `auth/gh-${id}/map/users/octocat`)).json.data.value).toBe(`app-${id},default`);

    await writeFile(join(dir, 'c.yaml'), yaml('vault-2'));
    const planFile = join(await configDir({}), 'plan.json');
    const changed = await plan(dir, [...vars, '--out', planFile]);
    expect(mine(changed).map((c) => [c.action, c.address, c.fields.map((f) => f.name)])).toEqual([['update', `auth/k8s-${id}/roles/web`, ['audience']]]);
    const updated = await cli(['apply', '-c', dir, '--auto-approve', ...vars]);
    expect(updated.code, updated.stderr).toBe(0);
    expect(mine(await plan(dir, vars))).toEqual([]);
    expect((await cli(['plan', '-c', dir, ...vars])).stdout).not.toContain(JWT); // the text renderer too

    // Offline: a snapshot of the live state plans the same.
    const snapshot = join(await configDir({}), 'snapshot.json');
    const snap = await cli(['snapshot', '--out', snapshot]);
    expect(snap.code, snap.stderr).toBe(0);
    expect(mine(await plan(dir, [...vars, '--against', snapshot]))).toEqual([]);
    expect(await readFile(snapshot, 'utf8')).not.toContain(JWT);

    const out = await configDir({});
    const exp = await cli(['export', '--kinds', KINDS, '--out', out]);
    expect(exp.code, exp.stderr).toBe(0);
    expect(exp.stderr).toContain(`auth/k8s-${id}/config: token_reviewer_jwt is set in Vault and cannot be exported`);
    const exportedText = (await Promise.all((await readdir(out, { recursive: true })).filter((f) => f.endsWith('.yaml')).map((f) => readFile(join(out, f), 'utf8')))).join('\n');
    expect(exportedText).not.toContain(JWT);
    expect(exportedText).not.toContain('token_reviewer_jwt_set');

    // Without the JWT, the export plans to clear it: the one difference an export cannot avoid.
    const bare = await plan(out);
    expect(mine(bare).map((c) => [c.address, c.fields.map((f) => [f.name, f.before, f.after])])).toEqual([[`auth/k8s-${id}/config`, [['token_reviewer_jwt_set', true, false]]]]);
    // Given back as the export's warning says: 0 changes.
    const authFile = join(out, 'auth.yaml');
    const doc = parse(await readFile(authFile, 'utf8')) as { auth: Record<string, { config: Record<string, unknown> }> };
    doc.auth[`k8s-${id}`]!.config.token_reviewer_jwt = '${var.reviewer_jwt}';
    await writeFile(authFile, stringify(doc));
    expect(mine(await plan(out, vars))).toEqual([]);

    // A new reviewer JWT alone is exactly one masked change (its salted hash in the state record); apply writes it.
    const JWT2 = `${JWT}-2`;
    const vars2 = ['--var', `reviewer_jwt=${JWT2}`];
    expect(mine(await plan(dir, vars2)).map((c) => [c.action, c.address, c.fields])).toEqual([
      ['update', `auth/k8s-${id}/config`, [{ name: 'token_reviewer_jwt', before: '(sensitive)', after: '(sensitive)', sensitive: true }]],
    ]);
    const rewritten = await cli(['apply', '-c', dir, '--auto-approve', '--debug', ...vars2]);
    expect(rewritten.code, rewritten.stderr).toBe(0);
    expect(rewritten.stderr).toMatch(new RegExp(`debug: (POST|PUT) auth/k8s-${id}/config → 20`));
    expect(mine(await plan(dir, vars2))).toEqual([]);

    expect(allOutput()).not.toContain(JWT);
    expect(await readFile(planFile, 'utf8')).not.toContain(JWT);
  });

  it.skipIf(!openbao)('OpenBao has no github auth: the plan refuses the mount type before any write', async () => {
    const dir = await configDir({ 'c.yaml': `auth:\n  gh-${id}:\n    type: github\n    config: { organization: acme, organization_id: 42 }\n` });
    const r = await cli(['plan', '-c', dir], { env: { VAULT_GITOPS_STATE_PATH: `vault-gitops/gh-${id}` } });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('auth method type `github` is not in the plugin catalog');
  });
});
