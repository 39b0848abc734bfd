// Every kind inside a namespace, on OpenBao (the one test server with namespaces): each kind's reference
// example (Kind.docs.example), in a tenant config of its own namespace, applies and then plans no
// change, except the kinds that say they are root-namespace-only (Kind.rootOnly): `validate` refuses
// those at the object, and the server indeed refuses their API inside a namespace. The outside
// services some examples name are the harness's: PostgreSQL, a kube-apiserver, a local JWKS.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KINDS } from '../../../src/kinds/registry.js';
import type { Kind } from '../../../src/kinds/kind.js';
import { allOutput, cli, configDir, uniq } from '../helpers/cli.js';
import { startOidcProvider, type OidcProvider } from '../helpers/oidc-provider.js';
import { serverEnv } from '../helpers/server.js';
import { vaultRequest } from '../helpers/vault-http.js';
import { startKube, type KubeServer } from '../../servers/kube.js';
import { startPostgres, type PostgresServer } from '../../servers/postgres.js';

const openbao = serverEnv().server === 'openbao';
const id = uniq('nk');
const nsOf = (kind: Kind) => `${kind.name}-${id}`;
const bootstrap = `vr-${uniq('pw')}`;
/** OpenBao 2.4 has no GitHub auth method, in any namespace (docs/kinds/kubernetes-github.md). */
const NOT_ON_OPENBAO = new Set(['github-auth-config', 'github-team-map', 'github-user-map']);

let pg: PostgresServer;
let kube: KubeServer;
let idp: OidcProvider;
let varFile: string;

/** The example with the outside services it names pointed at the harness's. */
function example(kind: Kind): string {
  const pem = () => Buffer.from(kube.caData, 'base64').toString('utf8').trim().split('\n').map((l) => `        ${l}`).join('\n');
  return kind
    .docs!.example.replace('https://token.actions.githubusercontent.com/.well-known/jwks', `${idp.issuer}/jwks`)
    .replace('bound_issuer: https://token.actions.githubusercontent.com', `bound_issuer: ${idp.issuer}`)
    .replace(/kubernetes_ca_cert: \|\n(?: {8}.*\n)+/, () => `kubernetes_ca_cert: |\n${pem()}\n`)
    .replace(/ {8}username: vault\n/, '')
    .replace(
      /connection_url: postgresql:\/\/\{\{username\}\}:\{\{password\}\}@db\.example\.com:5432\/app/,
      () => `connection_url: "postgresql://{{username}}:{{password}}@127.0.0.1:${pg.port}/app?sslmode=disable"\n        username: vaultroot\n        password: \${var.db_password}\n        rotate_root: false`,
    );
}

const run = (args: string[], dir: string) => cli([...args, '-c', dir, '--var-file', varFile], { cwd: dir, env: { KUBECONFIG: kube.kubeconfigPath, VAULT_GITOPS_STATE_PATH: `vault-gitops/kinds-${id}` } });

describe.skipIf(!openbao)('every kind inside a namespace (OpenBao)', () => {
  beforeAll(async () => {
    [pg, kube, idp] = await Promise.all([startPostgres(), startKube(), startOidcProvider()]);
    for (const sql of ['CREATE DATABASE app', `CREATE ROLE vaultroot WITH LOGIN CREATEROLE PASSWORD '${bootstrap}'`, "CREATE ROLE reporting WITH LOGIN PASSWORD 'initial'"]) {
      expect(pg.psql(sql).stderr).toBe('');
    }
    expect((await kube.request('POST', '/api/v1/namespaces', { metadata: { name: 'trusting', labels: { trust: 'example' } } })).status).toBe(201);
    const vars = await configDir({});
    varFile = join(vars, 'vars.yaml');
    await writeFile(varFile, `db_password: ${bootstrap}\n`, { mode: 0o600 });
    const platform = await configDir({ 'vault.yaml': `namespaces:\n${KINDS.map((k) => `  ${nsOf(k)}: {}\n`).join('')}` });
    const created = await cli(['apply', '-c', platform, '--auto-approve'], { cwd: platform });
    expect(created.code, created.stdout + created.stderr).toBe(0);
  }, 600_000);

  afterAll(async () => {
    await Promise.all([pg?.stop(), kube?.stop(), idp?.close()]);
  }, 60_000);

  for (const kind of KINDS.filter((k) => NOT_ON_OPENBAO.has(k.name))) {
    it(`${kind.name}: not on OpenBao at all; refused at its mount type, in a namespace as in the root`, async () => {
      for (const head of [`namespace: ${nsOf(kind)}\n`, '']) {
        const dir = await configDir({ 'vault.yaml': `${head}${example(kind)}` });
        const r = await run(['plan'], dir);
        expect(r.code, r.stdout + r.stderr).toBe(1);
        expect(r.stderr).toMatch(/error: auth\.github\.type: auth method type `github` is not in the plugin catalog/);
      }
    });
  }

  for (const kind of KINDS.filter((k) => !k.rootOnly && !NOT_ON_OPENBAO.has(k.name))) {
    it(`${kind.name}: its example applies in a namespace, and then plans no change`, async () => {
      const dir = await configDir({ 'vault.yaml': `namespace: ${nsOf(kind)}\n${example(kind)}` });
      const applied = await run(['apply', '--auto-approve'], dir);
      expect(applied.code, applied.stdout + applied.stderr).toBe(0);
      const planned = await run(['plan', '--detailed-exitcode'], dir);
      expect(planned.code, planned.stdout + planned.stderr).toBe(0);
    });
  }

  for (const kind of KINDS.filter((k) => k.rootOnly)) {
    it(`${kind.name}: root-namespace-only; validate refuses it in a namespace, as the server would`, async () => {
      const dir = await configDir({ 'vault.yaml': `namespace: ${nsOf(kind)}\n${example(kind)}` });
      for (const args of [['validate'], ['apply', '--auto-approve']]) {
        const r = await run(args, dir);
        expect(r.code, r.stdout + r.stderr).toBe(1);
        expect(r.stderr).toMatch(new RegExp(`vault\\.yaml:3:3: error: [\\w.-]+: ${kind.title.toLowerCase()} are root-namespace-only: .* cannot be in namespace ${nsOf(kind)}`));
      }
      const api = kind.docs!.api[0]!.replace('NAME', 'probe');
      const answer = await vaultRequest('GET', `${nsOf(kind)}/${api}`);
      expect([answer.status, answer.json?.errors]).toEqual([400, ['operation unavailable in namespaces']]);
    });
  }

  it('no secret of the runs was printed', () => {
    expect(allOutput()).not.toContain(bootstrap);
  });
});
