import { X509Certificate } from 'node:crypto';
import { Type } from 'typebox';
import { duration, object, stringList } from '../shared/fields.js';
import type { Kind } from '../kind.js';
import { isFullScope } from '../shared/full-scope.js';
import { normaliseSettings } from '../shared/normalise.js';
import { livePkiMounts, PKI_CA_CERT_FIELDS, PKI_SUBJECT_FIELDS, readCa } from './pki.js';
import { rootCaSettings } from './pki-root-ca-settings.js';
import { compact, liveObject, placedEntries, placedObject, rule, warnOverMountMax } from '../shared/support.js';


const schema = object(
  {
    common_name: Type.String({ minLength: 1, description: 'CN of the root certificate.' }),
    alt_names: Type.String({ description: "Comma-separated DNS names and email addresses (a string in Vault's API)." }),
    ip_sans: stringList(),
    uri_sans: stringList(),
    other_sans: stringList(),
    ttl: duration('Validity of the root certificate.'),
    not_after: Type.String({ description: 'Fixed expiry, YYYY-MM-ddTHH:MM:SSZ.' }),
    not_before_duration: duration(),
    format: Type.String({ enum: ['pem', 'der', 'pem_bundle'] }),
    private_key_format: Type.String({ enum: ['', 'der', 'pem', 'pkcs8'] }),
    key_type: Type.String({ enum: ['rsa', 'ec', 'ed25519'] }),
    key_bits: Type.Integer({ minimum: 0 }),
    ...PKI_CA_CERT_FIELDS,
    ...PKI_SUBJECT_FIELDS,
    serial_number: Type.String(),
    issuer_name: Type.String(),
    key_name: Type.String(),
  },
  { required: ['common_name'], description: '<mount>/root/generate/internal parameters; generated only when the mount has no CA.' },
);

/**
 * A pki mount's root CA, generated inside Vault (`root/generate/internal`) when the mount has none;
 * the private key never leaves Vault. Its settings are creation parameters: once a CA exists only
 * `common_name` is compared (read from the certificate), and a differing one is reported, never
 * replaced automatically: replacing a root CA is a rotation an operator plans.
 */
export const pkiRootCaKind: Kind = {
  name: 'pki-root-ca',
  title: 'PKI root CAs',
  phase: 1,
  sensitiveFields: [],
  securityFields: ['common_name'],
  deletable: false,
  destroyCode: 'pki-ca',
  destroyNote: (obj) => `destroys the CA private key of ${obj.mount}/`,
  placement: { in: 'secrets', key: ['root_ca'], mountTypes: ['pki'], shape: 'single', schema, description: 'pki: the root CA, generated inside Vault.' },
  docs: {
    summary:
      "A pki mount's root CA, generated inside Vault when the mount has none: the private key never leaves Vault. The settings are creation parameters; once the CA exists only `common_name` is compared, and a different one is reported, never replaced (a rotation is an operator's plan).",
    api: ['MOUNT/root/generate/internal', 'MOUNT/cert/ca'],
    example: `secrets:
  pki:
    type: pki
    tune: { max_lease_ttl: 87600h }
    root_ca:
      common_name: Example Root CA
      ttl: 87600h
`,
  },

  desired(config) {
    return placedEntries(config, pkiRootCaKind).map((e) => placedObject(config, pkiRootCaKind, e, { settings: e.value, dependsOn: [`secrets/${e.mount}`] }));
  },

  check(ctx) {
    for (const e of placedEntries(ctx.config, pkiRootCaKind)) warnOverMountMax(ctx, e, ['ttl'], 'certificates');
  },

  async readLive(vault, scope) {
    const declared = new Set(placedEntries(scope.config, pkiRootCaKind).map((e) => e.mount));
    const found = await Promise.all(
      livePkiMounts(scope.config, scope.mounts.secrets)
        .filter((mount) => declared.has(mount))
        .map(async (mount) => {
          const body = await readCa(vault, mount);
          const pem = (body?.data as { certificate?: string } | undefined)?.certificate;
          if (!pem) return undefined;
          const cert = new X509Certificate(pem);
          // An export reads every pki mount: one holding an intermediate (signed elsewhere) has no root CA.
          if (isFullScope(scope.config) && !(cert.issuer === cert.subject && cert.verify(cert.publicKey))) return undefined;
          // Everything the certificate tells (for export); normalise compares only common_name.
          return { ...liveObject('pki-root-ca', `secrets/${mount}/root_ca`, rootCaSettings(cert), mount), identity: cert.serialNumber };
        }),
    );
    return found.filter((x) => x !== undefined);
  },

  // What the certificate tells of its creation parameters, so applying the export elsewhere makes
  // a CA like this one (subject, key, lifetime); only common_name is compared, so no diff here.
  export: (obj) => (typeof obj.settings.common_name === 'string' ? obj.settings : undefined),

  /** Only the identity of the CA is comparable after creation. */
  normalise(settings) {
    return normaliseSettings({ common_name: settings.common_name });
  },

  async identify(vault, obj) {
    const pem = ((await readCa(vault, obj.mount ?? ''))?.data as { certificate?: string } | undefined)?.certificate;
    return pem ? new X509Certificate(pem).serialNumber : undefined;
  },

  async create(ctx, obj) {
    // Sent twice, Vault would make a second issuer and key in the mount.
    const mount = obj.mount ?? '';
    await ctx.vault.writeOnce(`${mount}/root/generate/internal`, compact(obj.settings), async () => !!((await readCa(ctx.vault, mount))?.data as { certificate?: string } | undefined)?.certificate);
  },

  async update(_ctx, obj) {
    throw new Error(
      `${obj.address}: the mount already has a root CA with another common_name; vault-gitops does not replace a CA. ` +
        `Rotate it by hand (pki/root/rotate) or change common_name back`,
    );
  },

  async delete() {
    // Never deletes a CA: not deletable.
  },

  access(config) {
    const mounts = placedEntries(config, pkiRootCaKind).map((e) => e.mount);
    return {
      plan: mounts.map((mount) => rule(`${mount}/cert/ca`, 'read')),
      apply: mounts.map((mount) => rule(`${mount}/root/generate/internal`, 'create', 'update')),
    };
  },
};
