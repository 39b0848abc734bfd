/**
 * Issue 13: a first apply makes one request per object it creates (one more per secret_id it
 * issues) plus a fixed number for the run itself; nothing is read back per object. Counted from the
 * CLI's --debug request log on a server of this file's own, so that no other file's objects are read.
 * A plan afterwards reads each object once, and its access changes (issue 22) cost no request.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Plan } from '../../../src/core/model.js';
import { apiRequest, DevServer } from '../../servers/dev-server.js';
import { cli, configDir } from '../helpers/cli.js';
import { serverEnv } from '../helpers/server.js';

const name = serverEnv().server;
const tls = serverEnv().VAULT_CACERT !== undefined;
let server: DevServer;

const policies = Array.from({ length: 12 }, (_, i) => `svc-${i}`);
const roles = policies;
const delivered = roles.slice(0, 4);
/** A role_id the config pins goes in the create request too. */
const PINNED = 'c0ffee00-1234-4abc-8def-000000000001';
const users = ['eng-0', 'eng-1', 'eng-2'];
const pkiRoles = ['web', 'grpc'];
const mounts = ['sys/auth/approle', 'sys/auth/userpass', 'sys/mounts/pki'];

const config = {
  'vault.yaml': [
    'policies:',
    ...policies.flatMap((p) => [`  ${p}:`, '    policy: |', `      path "secret/data/${p}/*" { capabilities = ["read"] }`]),
    'auth:',
    '  approle:',
    '    type: approle',
    '    roles:',
    ...roles.map((r) => {
      const sink = delivered.includes(r) ? `, credentials: { file: { path: out/${r}.json } }` : '';
      return `      ${r}: { token_policies: [${r}], token_ttl: 1h, secret_id_ttl: 720h${sink} }`;
    }),
    `      pinned: { token_policies: [default], role_id: ${PINNED}, credentials: { file: { path: out/pinned.json } } }`,
    '  userpass:',
    '    type: userpass',
    '    users:',
    ...users.map((u) => `      ${u}: { token_policies: [default], credentials: { file: { path: out/${u}.json } } }`),
    'secrets:',
    '  pki:',
    '    type: pki',
    '    roles:',
    ...pkiRoles.map((r) => `      ${r}: { allowed_domains: [${r}.svc.cluster.local], allow_subdomains: true, max_ttl: 72h }`),
  ].join('\n'),
};

/** The one write each object's create is. */
const objectWrites = [
  ...mounts,
  ...policies.map((p) => `sys/policies/acl/${p}`),
  ...[...roles, 'pinned'].map((r) => `auth/approle/role/${r}`),
  ...users.map((u) => `auth/userpass/users/${u}`),
  ...pkiRoles.map((r) => `pki/roles/${r}`),
].map((p) => `POST ${p}`);

/** What the run itself costs, whatever the number of objects. */
const RUN_REQUESTS = [
  'GET auth/token/lookup-self', // the token's TTL, watched for the run
  'GET sys/mounts', // the state record's KV mount
  'GET secret/data/vault-gitops/state', // the record and its version, under the lock
  'GET secret/metadata/vault-gitops/state',
  'POST secret/data/vault-gitops/state', // lock taken (the record created)
  'POST secret/data/vault-gitops/state', // intent
  'POST secret/data/vault-gitops/state', // results
  'POST secret/data/vault-gitops/state', // lock released
  'GET sys/auth', // the live mount tables
  'GET sys/mounts',
  'GET sys/plugins/catalog/auth?list=true', // the new mounts' types exist
  'GET sys/plugins/catalog/secret?list=true',
  'GET sys/policies/acl?list=true', // the live policies (Vault's own two: listed, not read)
  'GET sys/auth', // the new mounts' accessors (their identities), one table per section
  'GET sys/mounts',
].sort();

/** What a plan of the applied config reads, whatever its access changes. */
const PLAN_REQUESTS = [
  'GET auth/token/lookup-self',
  'GET secret/data/vault-gitops/state', // the ownership record, read without the lock
  'GET sys/auth',
  'GET sys/mounts',
  'GET sys/policies/acl?list=true',
  ...policies.map((p) => `GET sys/policies/acl/${p}`),
  'GET auth/approle/role?list=true',
  ...[...roles, 'pinned'].map((r) => `GET auth/approle/role/${r}`),
  'GET auth/userpass/users?list=true',
  ...users.map((u) => `GET auth/userpass/users/${u}`),
  'GET pki/roles?list=true',
  ...pkiRoles.map((r) => `GET pki/roles/${r}`),
  'GET pki/config/urls',
  // Each delivered AppRole credential checked against Vault (the pinned role_id also against the config).
  ...[...delivered, 'pinned'].flatMap((r) => [`GET auth/approle/role/${r}/role-id`, `GET auth/approle/role/${r}/secret-id?list=true`, `POST auth/approle/role/${r}/secret-id/lookup`]),
  'GET auth/approle/role/pinned/role-id',
].sort();

const requestsOf = (stderr: string) => [...stderr.matchAll(/^debug: ([A-Z]+ \S+) → \d+ \(\d+ms\)$/gm)].map((m) => m[1]!).sort();

const api = (method: string, path: string, body?: unknown) => apiRequest(server.info, method, path, { body, timeoutMs: 30_000 });

beforeAll(async () => {
  server = await DevServer.start(name, { tls });
  // A fresh dev server's KV v2 mount answers 400 for a moment while it upgrades; a retry would count.
  for (let i = 0; i < 100 && (await api('GET', 'secret/data/vault-gitops/probe')).status !== 404; i++) await new Promise((r) => setTimeout(r, 100));
}, 120_000);

afterAll(async () => {
  await server?.stop();
});

describe(`first apply on ${name}: one request per object`, () => {
  it('creates each object with one write, issues each secret_id with one more, and reads nothing back', async () => {
    const dir = await configDir(config);
    const env = { VAULT_ADDR: server.info.addr, VAULT_TOKEN: server.info.token, VAULT_CACERT: server.info.caCert ?? '', VAULT_GITOPS_STATE_PATH: 'secret/vault-gitops/state' };
    const r = await cli(['apply', '-c', dir, '--auto-approve', '--debug'], { cwd: dir, env });
    expect(r.code, r.stderr).toBe(0);
    const requests = [...r.stderr.matchAll(/^debug: ([A-Z]+ \S+) → \d+ \(\d+ms\)$/gm)].map((m) => m[1]!);
    expect(r.stderr).toMatch(new RegExp(`^debug: ${requests.length} Vault requests .*, 0 retries$`, 'm'));

    const issues = [...delivered, 'pinned'].map((role) => `POST auth/approle/role/${role}/secret-id`);
    const rest = [...requests];
    for (const expected of [...objectWrites, ...issues]) {
      const at = rest.indexOf(expected);
      expect(at, `${expected} was not sent`).toBeGreaterThanOrEqual(0);
      rest.splice(at, 1);
    }
    expect(rest.sort()).toEqual(RUN_REQUESTS);
    expect(requests.length).toBe(objectWrites.length + issues.length + RUN_REQUESTS.length);

    // The role_ids it made are the live ones: delivered, and recorded as the roles' identities.
    const record = JSON.stringify((await api('GET', 'secret/data/vault-gitops/state')).body);
    const roleId = async (role: string) => ((await api('GET', `auth/approle/role/${role}/role-id`)).body as { data: { role_id: string } }).data.role_id;
    expect(await roleId('pinned')).toBe(PINNED);
    for (const role of [...roles, 'pinned']) {
      const live = await roleId(role);
      expect(record).toContain(live);
      if (role === 'pinned' || delivered.includes(role)) expect(JSON.parse(await readFile(join(dir, 'out', `${role}.json`), 'utf8'))).toMatchObject({ role_id: live });
    }
    // The access section (every role and user above is a new principal) was computed at no request either.
    expect(r.stdout).toContain('Access changes:');

    // Then a plan: one read per object and per delivered credential; its access section costs none,
    // whether there is none (nothing changed) or a policy change reaches a role.
    const again = await cli(['plan', '-c', dir, '--detailed-exitcode', '-o', 'json', '--debug'], { cwd: dir, env });
    expect(again.code, again.stdout + again.stderr).toBe(0);
    expect(JSON.parse(again.stdout)).not.toHaveProperty('access_changes');
    expect(requestsOf(again.stderr)).toEqual(PLAN_REQUESTS);
    const widened = await configDir({ 'vault.yaml': config['vault.yaml'].replace('"secret/data/svc-0/*" { capabilities = ["read"] }', '"secret/data/svc-0/*" { capabilities = ["read", "list"] }') });
    const changed = await cli(['plan', '-c', widened, '-o', 'json', '--debug'], { cwd: dir, env });
    expect(changed.code, changed.stderr).toBe(0);
    expect((JSON.parse(changed.stdout) as Plan).access_changes?.principals.map((p) => `${p.address} +${p.capabilities[0]!.gained.join()}`)).toEqual(['auth/approle/roles/svc-0 +list']);
    expect(requestsOf(changed.stderr)).toEqual(PLAN_REQUESTS);
  });
});
