// The Kubernetes auth kinds (config and roles) against the real server, driven through the kind
// modules: write → read back → normalised equal to the declared, updates, prune, export.
import { generateKeyPairSync } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError } from '../../../src/core/errors.js';
import { kubernetesAuthConfigKind } from '../../../src/kinds/auth/kubernetes/kubernetes-auth-config.js';
import { kubernetesAuthRoleKind } from '../../../src/kinds/auth/kubernetes/kubernetes-auth-role.js';
import { freshMountPath, serverEnv, vaultClient } from '../helpers/server.js';
import { vaultRequest } from '../helpers/vault-http.js';
import { applyKind, authConfig, exportOf, fieldsOf, liveSettings, planKind } from './kind-harness.js';
import { disableReviewerJwtMounts } from '../helpers/reviewer-jwt-cleanup.js';

// A reviewer JWT cannot be exported: leave none for later files' whole-server export tests.
afterAll(disableReviewerJwtMounts);

const vault = vaultClient();
const openbao = serverEnv().server === 'openbao';
const JWT = `reviewer-jwt-sentinel-${Date.now()}`;
const pem = () => generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({ type: 'spki', format: 'pem' }).toString();
let ca = '';

async function mount(prefix: string): Promise<string> {
  const path = freshMountPath(prefix);
  expect((await vaultRequest('POST', `sys/auth/${path}`, { type: 'kubernetes' })).status).toBe(204);
  return path;
}

beforeAll(async () => {
  // A real CA certificate: Vault checks kubernetes_ca_cert holds one.
  const pki = freshMountPath('k8sca');
  await vaultRequest('POST', `sys/mounts/${pki}`, { type: 'pki' });
  ca = (await vaultRequest('POST', `${pki}/root/generate/internal`, { common_name: 'kube-test-ca', ttl: '24h' })).json.data.certificate as string;
  ca += '\n'; // YAML block scalars end in a newline; Vault keeps the text as given
});

afterAll(() => vault.close());

describe('kubernetes auth config', () => {
  it('is created, reads back equal (0 changes), and shows only whether the reviewer JWT is set', async () => {
    const path = await mount('k8s');
    const keys = [pem(), pem()];
    const config = authConfig({
      [path]: { type: 'kubernetes', config: { kubernetes_host: 'https://10.0.0.1:6443', kubernetes_ca_cert: ca, pem_keys: keys, disable_local_ca_jwt: true, token_reviewer_jwt: JWT } },
    });
    const created = await applyKind(vault, kubernetesAuthConfigKind, config);
    expect(created.map((c) => `${c.action} ${c.address}`)).toEqual([`create auth/${path}/config`]);
    expect(JSON.stringify(created)).not.toContain(JWT);
    expect(fieldsOf(created[0]).token_reviewer_jwt?.after).toBe('(sensitive)');
    expect(await planKind(vault, kubernetesAuthConfigKind, config)).toEqual([]);

    const live = await liveSettings(vault, kubernetesAuthConfigKind, config, `auth/${path}/config`);
    expect(live).toMatchObject({ kubernetes_host: 'https://10.0.0.1:6443', kubernetes_ca_cert: ca.trim(), token_reviewer_jwt_set: true, disable_local_ca_jwt: true, disable_iss_validation: true });
    expect(live?.pem_keys).toEqual(keys.map((k) => k.trim()).sort());
    expect(JSON.stringify(live)).not.toContain(JWT);
  });

  it('an update changes one field and keeps what the config leaves out; an undeclared JWT shows as a change', async () => {
    const path = await mount('k8s');
    // Made by hand, with an issuer the config does not declare.
    await vaultRequest('POST', `auth/${path}/config`, { kubernetes_host: 'https://old:6443', kubernetes_ca_cert: ca, issuer: 'https://issuer.example', token_reviewer_jwt: JWT });
    const declared = { kubernetes_host: 'https://new:6443', kubernetes_ca_cert: ca, token_reviewer_jwt: JWT };
    const config = authConfig({ [path]: { type: 'kubernetes', config: declared } });
    const changes = await planKind(vault, kubernetesAuthConfigKind, config);
    expect(changes.map((c) => c.action)).toEqual(['update']);
    expect(Object.keys(fieldsOf(changes[0]))).toEqual(['kubernetes_host']);
    await applyKind(vault, kubernetesAuthConfigKind, config);
    expect(await planKind(vault, kubernetesAuthConfigKind, config)).toEqual([]);
    const data = (await vaultRequest('GET', `auth/${path}/config`)).json.data;
    expect(data).toMatchObject({ kubernetes_host: 'https://new:6443', issuer: 'https://issuer.example', token_reviewer_jwt_set: true });

    // The JWT cannot be kept (Vault never returns it): leaving it out is a visible change to "not set".
    const without = authConfig({ [path]: { type: 'kubernetes', config: { kubernetes_host: 'https://new:6443', kubernetes_ca_cert: ca } } });
    const clears = await planKind(vault, kubernetesAuthConfigKind, without);
    expect(fieldsOf(clears[0])).toEqual({ token_reviewer_jwt_set: { before: true, after: false } });
    await applyKind(vault, kubernetesAuthConfigKind, without);
    expect((await vaultRequest('GET', `auth/${path}/config`)).json.data.token_reviewer_jwt_set).toBe(false);
    expect(await planKind(vault, kubernetesAuthConfigKind, without)).toEqual([]);
  });

  it('export leaves out defaults and the JWT, and the export plans 0 changes', async () => {
    const path = await mount('k8s');
    await vaultRequest('POST', `auth/${path}/config`, { kubernetes_host: 'https://k:6443', kubernetes_ca_cert: ca, disable_iss_validation: false, issuer: 'https://kubernetes.default.svc' });
    const probe = authConfig({ [path]: { type: 'kubernetes' } });
    const live = await kubernetesAuthConfigKind.readLive(vault, { config: probe, desired: [], mounts: { auth: { [path]: 'kubernetes' }, secrets: {} } });
    const { values, warnings } = exportOf(kubernetesAuthConfigKind, live);
    const exported = values.config!;
    expect(warnings).toEqual([]);
    expect(exported).toEqual({ kubernetes_host: 'https://k:6443', kubernetes_ca_cert: ca.trim(), disable_iss_validation: false, issuer: 'https://kubernetes.default.svc' });
    expect(await planKind(vault, kubernetesAuthConfigKind, authConfig({ [path]: { type: 'kubernetes', config: exported } }))).toEqual([]);
  });

  it('use_annotations_as_alias_metadata round-trips on Vault; OpenBao, which lacks it, is refused with the field named', async () => {
    const path = await mount('k8s');
    const config = authConfig({ [path]: { type: 'kubernetes', config: { kubernetes_host: 'https://k:6443', kubernetes_ca_cert: ca, use_annotations_as_alias_metadata: true } } });
    if (!openbao) {
      await applyKind(vault, kubernetesAuthConfigKind, config);
      expect((await vaultRequest('GET', `auth/${path}/config`)).json.data.use_annotations_as_alias_metadata).toBe(true);
      expect(await planKind(vault, kubernetesAuthConfigKind, config)).toEqual([]);
      return;
    }
    const create = await applyKind(vault, kubernetesAuthConfigKind, config).catch((e: unknown) => e);
    expect(create).toBeInstanceOf(ConfigError);
    expect((create as ConfigError).message).toContain('use_annotations_as_alias_metadata: this server\'s kubernetes auth method does not support it');
    // Once a config exists, the plan itself says so, before any write.
    const plan = await planKind(vault, kubernetesAuthConfigKind, config).catch((e: unknown) => e);
    expect(plan).toBeInstanceOf(ConfigError);
  });
});

describe('kubernetes auth roles', () => {
  const role = {
    bound_service_account_names: ['web', 'api'],
    bound_service_account_namespaces: 'prod, staging',
    bound_service_account_namespace_selector: { matchLabels: { 'vault-access': 'yes' } },
    audience: 'vault',
    alias_name_source: 'serviceaccount_name',
    token_ttl: '1h',
    token_max_ttl: '4h',
    token_policies: ['app-read', 'app-write'],
    token_bound_cidrs: ['10.0.0.1/32', '10.1.0.0/16'],
  };

  it('are created, read back equal, update one field, export to 0 changes, and are pruned', async () => {
    const path = await mount('k8s');
    const config = authConfig({ [path]: { type: 'kubernetes', roles: { app: role, other: { bound_service_account_names: '*', bound_service_account_namespaces: ['*'] } } } });
    const created = await applyKind(vault, kubernetesAuthRoleKind, config);
    expect(created.map((c) => c.action)).toEqual(['create', 'create']);
    expect(await planKind(vault, kubernetesAuthRoleKind, config)).toEqual([]);
    const stored = (await vaultRequest('GET', `auth/${path}/role/app`)).json.data;
    expect(stored).toMatchObject({ audience: 'vault', token_ttl: 3600, bound_service_account_namespaces: ['prod', 'staging'], alias_name_source: 'serviceaccount_name' });
    expect(JSON.parse(stored.bound_service_account_namespace_selector)).toEqual({ matchLabels: { 'vault-access': 'yes' } });

    const changed = authConfig({ [path]: { type: 'kubernetes', roles: { app: { ...role, audience: 'vault-2' }, other: { bound_service_account_names: '*', bound_service_account_namespaces: ['*'] } } } });
    const update = await planKind(vault, kubernetesAuthRoleKind, changed);
    expect(update.map((c) => `${c.action} ${c.address}`)).toEqual([`update auth/${path}/roles/app`]);
    expect(fieldsOf(update[0])).toEqual({ audience: { before: 'vault', after: 'vault-2' } });
    await applyKind(vault, kubernetesAuthRoleKind, changed);
    expect(await planKind(vault, kubernetesAuthRoleKind, changed)).toEqual([]);

    const live = await kubernetesAuthRoleKind.readLive(vault, { config: changed, desired: [], mounts: { auth: { [path]: 'kubernetes' }, secrets: {} } });
    const exported = exportOf(kubernetesAuthRoleKind, live, ['app-read', 'app-write']).values;
    expect(exported.other).toEqual({ bound_service_account_names: ['*'], bound_service_account_namespaces: ['*'] });
    expect(exported.app).toMatchObject({ audience: 'vault-2', token_ttl: 3600, bound_service_account_namespace_selector: { matchLabels: { 'vault-access': 'yes' } } });
    expect(exported.app).not.toHaveProperty('alias_name_source', 'serviceaccount_uid');
    expect(await planKind(vault, kubernetesAuthRoleKind, authConfig({ [path]: { type: 'kubernetes', roles: exported } }))).toEqual([]);

    const pruned = authConfig({ [path]: { type: 'kubernetes', roles: { app: { ...role, audience: 'vault-2' } } } }, [`auth/${path}/roles`]);
    const gone = await applyKind(vault, kubernetesAuthRoleKind, pruned);
    expect(gone.map((c) => `${c.action} ${c.address}`)).toEqual([`delete auth/${path}/roles/other`]);
    expect((await vaultRequest('GET', `auth/${path}/role/other`)).status).toBe(404);
    expect(await planKind(vault, kubernetesAuthRoleKind, pruned)).toEqual([]);
  });

  it('a selector written by hand as YAML compares equal to the same selector declared as an object', async () => {
    const path = await mount('k8s');
    await vaultRequest('POST', `auth/${path}/role/sel`, { bound_service_account_names: ['a'], bound_service_account_namespace_selector: 'matchLabels:\n  team: blue\n' });
    const config = authConfig({ [path]: { type: 'kubernetes', roles: { sel: { bound_service_account_names: 'a', bound_service_account_namespace_selector: { matchLabels: { team: 'blue' } } } } } });
    expect(await planKind(vault, kubernetesAuthRoleKind, config)).toEqual([]);
  });
});
