/**
 * The estate's parts for the eight original kinds: policies, auth and secrets mounts, userpass
 * users, AppRole roles, a PKI root CA, its URLs and roles.
 */
import { X509Certificate, randomBytes } from 'node:crypto';
import { mountSettings, wholeData, type EstatePart, type Json } from './part.js';

export const policies: EstatePart = {
  name: 'policies',
  async make(api) {
    const text = {
      'app-read': 'path "kv/data/app/*" {\n  capabilities = ["read", "list"]\n}\n',
      'team/ops': 'path "sys/mounts" {\n  capabilities = ["read"]\n}\npath "kv/data/ops/*" {\n  capabilities = ["create", "read", "update"]\n}\n',
    };
    for (const [name, policy] of Object.entries(text)) await api('PUT', `sys/policies/acl/${encodeURIComponent(name)}`, { policy });
    return {
      objects: Object.keys(text).map((name) => ({
        kind: 'policy',
        label: `policies/${name}`,
        read: `sys/policies/acl/${encodeURIComponent(name)}`,
        compare: (b: Json) => b.data.policy,
      })),
    };
  },
};

export const userpass: EstatePart = {
  name: 'userpass mount and users',
  async make(api) {
    await api('POST', 'sys/auth/people', { type: 'userpass', description: 'engineers', config: { default_lease_ttl: '30m', listing_visibility: 'unauth' } });
    const password = `pw-${randomBytes(12).toString('hex')}`;
    await api('POST', 'auth/people/users/dana', { password, token_policies: ['app-read'], token_ttl: '1h', token_bound_cidrs: ['10.1.2.3/32'] });
    await api('POST', 'auth/people/users/eli', { password, token_policies: ['team/ops', 'app-read'], token_max_ttl: '4h', token_type: 'service', token_no_default_policy: true });
    return {
      secrets: [password],
      objects: [
        { kind: 'auth-mount', label: 'auth/people', read: 'sys/auth', compare: (b: Json) => mountSettings(b, 'people') },
        // The password is a credential: it is never read, exported or copied (compared: every field Vault returns).
        ...['dana', 'eli'].map((u) => ({ kind: 'userpass-user', label: `auth/people/users/${u}`, read: `auth/people/users/${u}`, compare: wholeData })),
      ],
    };
  },
};

export const approle: EstatePart = {
  name: 'approle mount and roles',
  async make(api) {
    await api('POST', 'sys/auth/services', { type: 'approle', description: 'machines' });
    await api('POST', 'auth/services/role/payments', { token_policies: ['app-read'], secret_id_ttl: '24h', secret_id_num_uses: 3, token_ttl: '20m', token_max_ttl: '1h' });
    await api('POST', 'auth/services/role/batch', { token_policies: ['team/ops'], secret_id_bound_cidrs: ['10.0.0.0/8'], token_num_uses: 5, token_period: '1h' });
    const secretId = (await api('POST', 'auth/services/role/payments/secret-id', {})).data.secret_id as string;
    return {
      secrets: [secretId],
      objects: [
        { kind: 'auth-mount', label: 'auth/services', read: 'sys/auth', compare: (b: Json) => mountSettings(b, 'services') },
        // role_id and secret_ids are credentials: regenerated on the new server, not copied.
        ...['payments', 'batch'].map((r) => ({ kind: 'approle-role', label: `auth/services/roles/${r}`, read: `auth/services/role/${r}`, compare: wholeData })),
      ],
    };
  },
};

export const kvMount: EstatePart = {
  name: 'kv-v2 mount',
  async make(api) {
    await api('POST', 'sys/mounts/kv', { type: 'kv', options: { version: '2' }, description: 'service secrets', config: { max_lease_ttl: '720h' } });
    return { objects: [{ kind: 'secrets-mount', label: 'secrets/kv', read: 'sys/mounts', compare: (b: Json) => mountSettings(b, 'kv') }] };
  },
};

/**
 * A root CA cannot be copied: its private key never leaves the server (root/generate/internal), so
 * apply generates a new CA. Equal means the same CA as clients and operators see it: subject, key
 * algorithm and size, CA constraint, self-signed, and lifetime (to the day). Serial, key and the
 * validity dates necessarily differ.
 */
function caIdentity(body: Json): unknown {
  const pem = body?.data?.certificate as string | undefined;
  if (!pem) return undefined;
  const cert = new X509Certificate(pem);
  const days = Math.round((Date.parse(cert.validTo) - Date.parse(cert.validFrom)) / 86_400_000);
  const { asymmetricKeyType: key, asymmetricKeyDetails: d } = cert.publicKey;
  return { subject: cert.subject, ca: cert.ca, selfSigned: cert.issuer === cert.subject, key, size: d?.namedCurve ?? d?.modulusLength, days };
}

export const pki: EstatePart = {
  name: 'pki mount, root CA, URLs and roles',
  async make(api) {
    await api('POST', 'sys/mounts/pki', { type: 'pki', description: 'internal TLS', config: { max_lease_ttl: '87600h' } });
    await api('POST', 'pki/root/generate/internal', { common_name: 'Estate Root CA', organization: 'Estate', ttl: '43800h', key_type: 'ec', key_bits: 384 });
    await api('POST', 'pki/config/urls', { issuing_certificates: ['https://vault.example.com/v1/pki/ca'], crl_distribution_points: ['https://vault.example.com/v1/pki/crl'] });
    await api('POST', 'pki/roles/web', { allowed_domains: ['web.example.com'], allow_subdomains: true, allow_localhost: false, key_type: 'ec', key_bits: 256, max_ttl: '24h' });
    await api('POST', 'pki/roles/internal', { allowed_domains: ['svc.cluster.local'], allow_bare_domains: true, allow_subdomains: true, ttl: '1h', max_ttl: '72h', client_flag: false, organization: ['Estate'] });
    return {
      objects: [
        { kind: 'secrets-mount', label: 'secrets/pki', read: 'sys/mounts', compare: (b: Json) => mountSettings(b, 'pki') },
        {
          kind: 'pki-root-ca',
          label: 'secrets/pki/root_ca',
          read: 'pki/cert/ca',
          compare: caIdentity,
        },
        { kind: 'pki-urls', label: 'secrets/pki/urls', read: 'pki/config/urls', compare: wholeData },
        ...['web', 'internal'].map((r) => ({ kind: 'pki-role', label: `secrets/pki/roles/${r}`, read: `pki/roles/${r}`, compare: wholeData })),
      ],
    };
  },
};

/** An issuing CA in a mount of its own, signed by the root of `pki` (the part before this one). */
export const pkiIntermediate: EstatePart = {
  name: 'pki intermediate CA signed by the root mount',
  async make(api) {
    await api('POST', 'sys/mounts/pki-issuing', { type: 'pki', description: 'issuing CA', config: { max_lease_ttl: '43800h' } });
    const csr = (await api('POST', 'pki-issuing/intermediate/generate/internal', { common_name: 'Estate Issuing CA', organization: 'Estate', key_type: 'ec', key_bits: 256 })).data.csr as string;
    const signed = (await api('POST', 'pki/root/sign-intermediate', { csr, common_name: 'Estate Issuing CA', ttl: '8760h', use_csr_values: true })).data;
    await api('POST', 'pki-issuing/intermediate/set-signed', { certificate: `${signed.certificate}\n${signed.issuing_ca}` });
    return {
      objects: [
        { kind: 'secrets-mount', label: 'secrets/pki-issuing', read: 'sys/mounts', compare: (b: Json) => mountSettings(b, 'pki-issuing') },
        {
          kind: 'pki-intermediate-ca',
          label: 'secrets/pki-issuing/intermediate',
          read: 'pki-issuing/cert/ca',
          compare: (b: Json) => b?.data?.certificate && { ...(caIdentity(b) as object), issuer: new X509Certificate(b.data.certificate as string).issuer },
        },
      ],
    };
  },
};
