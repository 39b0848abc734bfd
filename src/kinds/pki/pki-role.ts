import { Type } from 'typebox';
import { exportableFields, exportedSettings } from '../shared/export.js';
import { cidrList, duration, genericName, object, stringList, stringSet } from '../shared/fields.js';
import type { Kind } from '../kind.js';
import { normaliserFor } from '../shared/normalise.js';
import { livePkiMounts, PKI_SUBJECT_FIELDS, pkiMounts } from './pki.js';
import { checkGenericName, compact, listAndRead, liveObject, placedEntries, placedObject, rule, warnOverMountMax } from '../shared/support.js';

const schema = object(
  {
    ttl: duration(),
    max_ttl: duration(),
    allow_localhost: Type.Boolean(),
    allowed_domains: stringSet(),
    allowed_domains_template: Type.Boolean(),
    allow_bare_domains: Type.Boolean(),
    allow_subdomains: Type.Boolean(),
    allow_glob_domains: Type.Boolean(),
    allow_wildcard_certificates: Type.Boolean(),
    allow_any_name: Type.Boolean(),
    enforce_hostnames: Type.Boolean(),
    allow_ip_sans: Type.Boolean(),
    allowed_ip_sans_cidr: cidrList('OpenBao only.'),
    allowed_uri_sans: stringSet(),
    allowed_uri_sans_template: Type.Boolean(),
    allowed_other_sans: stringSet(),
    allowed_serial_numbers: stringSet(),
    allowed_user_ids: stringSet(),
    server_flag: Type.Boolean(),
    client_flag: Type.Boolean(),
    code_signing_flag: Type.Boolean(),
    email_protection_flag: Type.Boolean(),
    key_type: Type.String({ enum: ['rsa', 'ec', 'ed25519', 'any'] }),
    key_bits: Type.Integer({ minimum: 0 }),
    signature_bits: Type.Integer({ minimum: 0 }),
    use_pss: Type.Boolean(),
    key_usage: stringSet(),
    ext_key_usage: stringSet(),
    ext_key_usage_oids: stringSet(),
    use_csr_common_name: Type.Boolean(),
    use_csr_sans: Type.Boolean(),
    ...PKI_SUBJECT_FIELDS,
    generate_lease: Type.Boolean(),
    no_store: Type.Boolean(),
    no_store_metadata: Type.Boolean({ description: 'Vault Enterprise only.' }),
    require_cn: Type.Boolean(),
    cn_validations: stringList(),
    policy_identifiers: stringSet(),
    basic_constraints_valid_for_non_ca: Type.Boolean(),
    not_before_duration: duration(),
    not_after: Type.String(),
    issuer_ref: Type.String(),
    allow_token_displayname: Type.Boolean(),
    serial_number_source: Type.String({ enum: ['json-csr', 'json'] }),
    allow_globs_in_identity_templates: Type.Boolean({ description: 'OpenBao only.' }),
    not_after_bound: Type.String({ description: 'OpenBao only.' }),
    not_before_bound: Type.String({ description: 'OpenBao only.' }),
  },
  { description: '<mount>/roles/<name> parameters.' },
);
const normalise = normaliserFor(schema);

/** What Vault fills in for a role field nobody set (left out of an export). */
const DEFAULTS = {
  allow_localhost: true,
  allowed_domains_template: false,
  allow_bare_domains: false,
  allow_subdomains: false,
  allow_glob_domains: false,
  allow_wildcard_certificates: true,
  allow_any_name: false,
  enforce_hostnames: true,
  allow_ip_sans: true,
  allowed_uri_sans_template: false,
  server_flag: true,
  client_flag: true,
  code_signing_flag: false,
  email_protection_flag: false,
  key_type: 'rsa',
  key_bits: 2048,
  use_pss: false,
  key_usage: ['DigitalSignature', 'KeyAgreement', 'KeyEncipherment'],
  use_csr_common_name: true,
  use_csr_sans: true,
  generate_lease: false,
  no_store: false,
  no_store_metadata: false,
  require_cn: true,
  cn_validations: ['email', 'hostname'],
  basic_constraints_valid_for_non_ca: false,
  not_before_duration: 30,
  issuer_ref: 'default',
  allow_token_displayname: false,
  allow_globs_in_identity_templates: false,
  serial_number_source: 'json-csr',
};
const exported = exportableFields(schema);

/** PKI roles. A role write replaces the whole role, so every write sends every declared field. */
export const pkiRoleKind: Kind = {
  name: 'pki-role',
  title: 'PKI roles',
  phase: 2,
  sensitiveFields: [],
  securityFields: ['allowed_domains', 'allow_any_name', 'allow_subdomains', 'allow_glob_domains', 'allow_ip_sans', 'enforce_hostnames'],
  deletable: true,
  placement: { in: 'secrets', key: ['roles'], mountTypes: ['pki'], shape: 'map', schema, names: genericName(), allowEmpty: true, description: 'pki: roles by name.' },
  docs: {
    summary: 'A role of a pki mount: which certificates it issues (names, SANs, key type, usages, lifetime). A write replaces the whole role.',
    api: ['MOUNT/roles/NAME'],
    example: `secrets:
  pki:
    type: pki
    roles:
      web:
        allowed_domains: [example.com]
        allow_subdomains: true
        max_ttl: 72h
`,
    defaults: DEFAULTS,
  },

  desired(config) {
    return placedEntries(config, pkiRoleKind).map((e) => placedObject(config, pkiRoleKind, e, { settings: e.value, dependsOn: [`secrets/${e.mount}`] }));
  },

  async readLive(vault, scope) {
    const perMount = await Promise.all(
      livePkiMounts(scope.config, scope.mounts.secrets).map(async (mount) => {
        const items = await listAndRead(vault, `${mount}/roles`, (n) => `${mount}/roles/${encodeURIComponent(n)}`);
        return items.map((i) => liveObject('pki-role', `secrets/${mount}/roles/${i.name}`, normalise(i.data), mount));
      }),
    );
    return perMount.flat();
  },

  normalise,

  export: (obj) => exportedSettings(obj.settings, exported, DEFAULTS),

  check(ctx) {
    for (const e of placedEntries(ctx.config, pkiRoleKind)) {
      warnOverMountMax(ctx, e, ['ttl', 'max_ttl'], 'certificates');
      checkGenericName(ctx, e, 'role name');
    }
  },

  async create(ctx, obj) {
    await ctx.vault.write(`${obj.mount}/roles/${encodeURIComponent(obj.name)}`, compact(obj.settings));
  },

  async update(ctx, obj) {
    await ctx.vault.write(`${obj.mount}/roles/${encodeURIComponent(obj.name)}`, compact(obj.settings));
  },

  async delete(ctx, obj) {
    await ctx.vault.delete(`${obj.mount}/roles/${encodeURIComponent(obj.name)}`);
  },

  access(config) {
    const mounts = pkiMounts(config);
    return {
      plan: mounts.map(([mount]) => rule(`${mount}/roles/*`, 'read', 'list')),
      apply: [
        ...placedEntries(config, pkiRoleKind).map((e) => rule(`${e.mount}/roles/${e.name}`, 'create', 'update')),
        ...mounts.map(([mount]) => rule(`${mount}/roles/*`, 'delete')),
      ],
    };
  },
};
