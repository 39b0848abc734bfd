// Proves the harness: a real dev server answers the API calls vault-gitops depends on.
import { X509Certificate } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { VaultApiError, VaultConnectionError } from '../../../src/core/errors.js';
import { Vault } from '../../../src/adapters/vault.js';
import { resolveVaultOptions } from '../../../src/adapters/vault-options.js';
import { freshMountPath, serverEnv, vaultClient } from '../helpers/server.js';

const root = vaultClient();
afterAll(() => root.close());

type Json = Record<string, unknown>;
const data = (body: Json | undefined): Json => (body?.data ?? {}) as Json;
const auth = (body: Json | undefined): Json => (body?.auth ?? {}) as Json;

describe('test server', () => {
  it('is the server and transport this run asked for', async () => {
    const env = serverEnv();
    expect(env.server).toBe(process.env.VAULT_GITOPS_TEST_SERVER || 'vault');
    expect(process.env.VAULT_ADDR).toBe(env.VAULT_ADDR);
    expect(process.env.VAULT_TOKEN).toBe(env.VAULT_TOKEN);
    const health = (await root.read('sys/health')) as Json;
    expect(health).toMatchObject({ initialized: true, sealed: false, version: env.version });
    if (process.env.VAULT_GITOPS_TEST_TLS === '1') {
      expect(env.VAULT_ADDR).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
      expect(env.VAULT_CACERT).toBeTruthy();
    } else {
      expect(env.VAULT_ADDR).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect(env.VAULT_CACERT).toBeUndefined();
    }
  });

  it.runIf(process.env.VAULT_GITOPS_TEST_TLS === '1')('rejects a client that does not trust its CA', async () => {
    const { VAULT_ADDR, VAULT_TOKEN } = serverEnv();
    const untrusting = new Vault({ ...resolveVaultOptions({ vaultAddr: VAULT_ADDR, vaultToken: VAULT_TOKEN }, {}), maxRetries: 0 });
    try {
      await expect(untrusting.read('sys/health')).rejects.toBeInstanceOf(VaultConnectionError);
    } finally {
      untrusting.close();
    }
  });
});

describe('smoke: the API calls vault-gitops makes', () => {
  it('writes and reads an ACL policy', async () => {
    const name = freshMountPath('policy');
    const policy = `path "secret/data/${name}/*" {\n  capabilities = ["read", "list"]\n}\n`;
    await root.write(`sys/policies/acl/${name}`, { policy });
    const read = await root.read(`sys/policies/acl/${name}`);
    expect(data(read)).toMatchObject({ name, policy });
    expect(await root.list('sys/policies/acl')).toContain(name);
  });

  it('enables userpass, creates a user and logs in as that user', async () => {
    const path = freshMountPath('userpass');
    const policy = freshMountPath('reader');
    await root.write(`sys/policies/acl/${policy}`, { policy: 'path "sys/mounts" { capabilities = ["read"] }' });
    await root.write(`sys/auth/${path}`, { type: 'userpass' });
    expect(Object.keys(data(await root.read('sys/auth')))).toContain(`${path}/`);

    await root.write(`auth/${path}/users/alice`, { password: 'correct horse battery', token_policies: [policy] });
    expect(data(await root.read(`auth/${path}/users/alice`))).toMatchObject({ token_policies: [policy] });

    const anonymous = vaultClient('');
    try {
      await expect(anonymous.write(`auth/${path}/login/alice`, { password: 'wrong' })).rejects.toBeInstanceOf(VaultApiError);
      const login = auth(await anonymous.write(`auth/${path}/login/alice`, { password: 'correct horse battery' }));
      expect(login.policies).toEqual(expect.arrayContaining(['default', policy]));
      expect(login.metadata).toMatchObject({ username: 'alice' });

      const alice = vaultClient(String(login.client_token));
      try {
        expect(data(await alice.read('auth/token/lookup-self'))).toMatchObject({ display_name: `${path}-alice` });
        await expect(alice.read('sys/policies/acl')).rejects.toMatchObject({ status: 403 });
      } finally {
        alice.close();
      }
    } finally {
      anonymous.close();
    }
  });

  it('enables approle, issues a secret ID and logs in with it', async () => {
    const path = freshMountPath('approle');
    await root.write(`sys/auth/${path}`, { type: 'approle' });
    await root.write(`auth/${path}/role/ci`, { token_policies: ['default'], secret_id_ttl: '10m', token_ttl: '5m' });
    const roleId = String(data(await root.read(`auth/${path}/role/ci/role-id`)).role_id);
    expect(roleId).toMatch(/^[0-9a-f-]{36}$/);

    const issued = data(await root.write(`auth/${path}/role/ci/secret-id`, {}));
    expect(issued.secret_id).toMatch(/^[0-9a-f-]{36}$/);
    expect(issued.secret_id_ttl).toBe(600);
    expect(await root.list(`auth/${path}/role/ci/secret-id`)).toContain(issued.secret_id_accessor);

    const anonymous = vaultClient('');
    try {
      const login = auth(await anonymous.write(`auth/${path}/login`, { role_id: roleId, secret_id: issued.secret_id }));
      expect(login.client_token).toBeTruthy();
      expect(login.lease_duration).toBe(300);
    } finally {
      anonymous.close();
    }
  });

  it('mounts PKI and generates a root CA', async () => {
    const path = freshMountPath('pki');
    await root.write(`sys/mounts/${path}`, { type: 'pki', config: { max_lease_ttl: '87600h' } });
    const cn = `${path}.test.internal`;
    const generated = data(await root.write(`${path}/root/generate/internal`, { common_name: cn, ttl: '8760h', key_type: 'ec' }));
    const cert = new X509Certificate(String(generated.certificate));
    expect(cert.ca).toBe(true);
    expect(cert.subject).toContain(`CN=${cn}`);
    expect(cert.issuer).toBe(cert.subject);
    expect(cert.verify(cert.publicKey)).toBe(true);
    expect(generated.private_key).toBeUndefined(); // internal: the key never leaves the server

    const issuers = await root.list(`${path}/issuers`);
    expect(issuers).toHaveLength(1);
    const issuer = data(await root.read(`${path}/issuer/${issuers[0]}`));
    expect(new X509Certificate(String(issuer.certificate)).fingerprint256).toBe(cert.fingerprint256);
  });
});
