import { X509Certificate } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { Type } from 'typebox';
import type { Config, Settings } from '../../core/model.js';
import { parseTtl } from '../../core/common/ttl.js';
import { duration, object, stringList } from '../shared/fields.js';
import { isFullScope } from '../shared/full-scope.js';
import { normaliseField } from '../shared/normalise.js';
import type { CheckContext, Kind } from '../kind.js';
import { confineConfigFile } from '../shared/config-files.js';
import { liveObject, placedEntries, placedObject, rule } from '../shared/support.js';
import { caPem, livePkiMounts, PKI_CA_CERT_FIELDS, PKI_SUBJECT_FIELDS } from './pki.js';
import { DEFAULT_BITS, rootCaSettings } from './pki-root-ca-settings.js';
import { pkiRootCaKind } from './pki-root-ca.js';
import { generateCsr, setSigned, signCsr } from './pki-intermediate-vault.js';

const KIND = 'pki-intermediate-ca';
const SUBJECT_SETS = Object.keys(PKI_SUBJECT_FIELDS);
const SETS: ReadonlySet<string> = new Set([...SUBJECT_SETS, 'alt_names', 'ip_sans', 'uri_sans']);

const schema = object(
  {
    signed_by: Type.String({
      minLength: 1,
      description: 'The pki mount of this config whose CA signs this one (`root/sign-intermediate` there), or `external`: a CA outside Vault signs the CSR written to `csr_file`.',
    }),
    csr_file: Type.String({ minLength: 1, description: '`signed_by: external`: where apply writes the CSR (public), relative to this YAML file, inside the config directory.' }),
    certificate_file: Type.String({
      minLength: 1,
      description: '`signed_by: external`: the signed certificate (PEM, then its chain), relative to this YAML file, inside the config directory; apply sets it as the default issuer.',
    }),
    common_name: Type.String({ minLength: 1, description: 'CN of the intermediate certificate.' }),
    alt_names: Type.String({ description: 'Comma-separated DNS names and email addresses.' }),
    ip_sans: stringList(),
    uri_sans: stringList(),
    other_sans: stringList(),
    ttl: duration('Validity of the intermediate certificate (capped by the signing mount).'),
    renew_before: duration('Re-sign (a new key and certificate) when the certificate expires within this window.'),
    not_before_duration: duration(),
    key_type: Type.String({ enum: ['rsa', 'ec', 'ed25519'], description: 'Key type of the key generated in the mount.' }),
    key_bits: Type.Integer({ minimum: 0, description: '0: the default for the key type (rsa 2048, ec 256).' }),
    ...PKI_CA_CERT_FIELDS,
    ...PKI_SUBJECT_FIELDS,
  },
  { required: ['signed_by', 'common_name'], description: 'An intermediate CA generated in this mount and signed by another pki mount of the config.' },
);

/** The compared shape: subject, key, signer, renewal; the rest are signing parameters (not readable back). */
function normaliseIntermediate(s: Settings): Settings {
  const keyType = typeof s.key_type === 'string' ? s.key_type : 'rsa';
  const bits = typeof s.key_bits === 'number' && s.key_bits > 0 ? s.key_bits : DEFAULT_BITS[keyType];
  const out: Settings = { common_name: s.common_name ?? null, signed_by: typeof s.signed_by === 'string' ? signerPath(s.signed_by) : null, key_type: keyType };
  if (s.certificate !== undefined) out.certificate = s.certificate;
  if (bits !== undefined) out.key_bits = bits;
  for (const f of [...SUBJECT_SETS, 'ip_sans', 'uri_sans']) if (s[f] !== undefined) out[f] = normaliseField(f, s[f], SETS);
  if (s.alt_names !== undefined) out.alt_names = normaliseField('alt_names', String(s.alt_names).split(','), SETS);
  if (s.renew_before !== undefined) out.renewal = 'not due';
  return out;
}

/** `signed_by` as a mount path: `/pki-root/` → `pki-root`. */
const signerPath = (v: unknown) => String(v).replace(/^\/+|\/+$/g, '');

/** `signed_by: external`: signed by a CA outside Vault, from a CSR written to a file. */
const EXTERNAL = 'external';
const isExternal = (s: Settings) => typeof s.signed_by === 'string' && signerPath(s.signed_by) === EXTERNAL;
const AWAITING = 'awaiting the signed certificate (certificate_file)';
const serialOf = (c: X509Certificate) => `serial ${c.serialNumber}`;

/**
 * An external intermediate's files, confined to the config directory: the CSR to write, and the
 * signed certificate's PEM with its serial once `certificate_file` names it.
 */
function externalFiles(config: Config, path: readonly string[], value: Settings): { csr?: string; certPath?: string; pem?: string; serial?: string } {
  const out: { csr?: string; certPath?: string; pem?: string; serial?: string } = {};
  if (typeof value.csr_file === 'string') {
    const c = confineConfigFile(config, [...path, 'csr_file'], value.csr_file, 'write');
    if (c.ok) out.csr = c.path;
  }
  if (typeof value.certificate_file === 'string') {
    const c = confineConfigFile(config, [...path, 'certificate_file'], value.certificate_file, 'read');
    if (c.ok) {
      out.certPath = c.path;
      try {
        out.pem = readFileSync(c.path, 'utf8');
        out.serial = serialOf(new X509Certificate(out.pem));
      } catch {
        // Check reports an unreadable certificate.
      }
    }
  }
  return out;
}

const isSelfSigned = (c: X509Certificate) => c.issuer === c.subject && c.verify(c.publicKey);

/** Which mount's CA issued `cert`, among `cas`; a description in parentheses when none did. */
function signerOf(cert: X509Certificate, mount: string, cas: ReadonlyMap<string, X509Certificate>): string {
  if (isSelfSigned(cert)) return '(self-signed: a root CA, not an intermediate)';
  for (const [m, ca] of cas) if (m !== mount && cert.checkIssued(ca) && cert.verify(ca.publicKey)) return m;
  return `(a CA outside this config: ${cert.issuer.replace(/\n/g, ', ')})`;
}

function renewal(cert: X509Certificate, window: unknown, now: number): string {
  const seconds = typeof window === 'string' || typeof window === 'number' ? parseTtl(window) : undefined;
  const expires = Date.parse(cert.validTo);
  return seconds !== undefined && expires - now <= seconds * 1000 ? `due: expires ${new Date(expires).toISOString()}` : 'not due';
}

/** The addresses of the CAs the config declares: `secrets/MOUNT/root_ca`, `secrets/MOUNT/intermediate`. */
function caAddresses(config: Config): string[] {
  return [pkiRootCaKind, pkiIntermediateCaKind].flatMap((k) => placedEntries(config, k).map((e) => e.address));
}

/** The pki mounts whose CA a read needs: declared intermediates and their signers, or every one (export). */
function mountsToRead(config: Config, live: Record<string, string>): string[] {
  const wanted = new Set(placedEntries(config, pkiIntermediateCaKind).flatMap((e) => [e.mount ?? '', signerPath(e.value.signed_by)]));
  return livePkiMounts(config, live).filter((m) => isFullScope(config) || wanted.has(m));
}

/**
 * A pki mount's intermediate CA: a key generated inside the mount (it never leaves Vault), signed by
 * another pki mount of the config, set as the mount's default issuer with its chain. Compared: the
 * subject, the key and the signer (read from the certificate); a difference re-signs with a new key,
 * which replaces the mount's issuing CA: destructive (--allow-destroy).
 */
export const pkiIntermediateCaKind: Kind = {
  name: KIND,
  title: 'PKI intermediate CAs',
  phase: 1,
  sensitiveFields: [],
  securityFields: ['common_name', 'signed_by', 'key_type', 'key_bits', 'renewal'],
  deletable: false,
  destroyCode: 'pki-ca',
  updateDestroyNote: (obj) => `replaces the issuing CA of ${obj.mount}/: a new key and certificate become its default issuer (certificates issued before keep the old chain)`,
  placement: { in: 'secrets', key: ['intermediate'], mountTypes: ['pki'], shape: 'single', schema, description: 'pki: an intermediate CA signed by another pki mount of the config.' },
  docs: {
    summary:
      "A pki mount's intermediate CA: its key is generated inside the mount (`intermediate/generate/internal`, never leaving Vault), signed by another pki mount of the config (`root/sign-intermediate`) and set with its chain as the mount's default issuer. Subject, key and signer are compared with the certificate; a difference, or expiry within `renew_before`, re-signs with a new key: destructive, `apply` needs `--allow-destroy`. A CA bundle published from the mount carries the chain (the intermediate, then the root). `signed_by: external`: the CSR is written to `csr_file` for a CA outside Vault to sign, and the certificate a later config names in `certificate_file` is set (both confined to the config directory).",
    api: ['MOUNT/intermediate/generate/internal', 'SIGNER/root/sign-intermediate', 'MOUNT/intermediate/set-signed', 'MOUNT/config/issuers', 'MOUNT/cert/ca'],
    example: `secrets:
  pki-root:
    type: pki
    tune: { max_lease_ttl: 87600h }
    root_ca: { common_name: Example Root CA, ttl: 87600h }
  pki:
    type: pki
    tune: { max_lease_ttl: 43800h }
    intermediate:
      signed_by: pki-root
      common_name: Example Issuing CA
      ttl: 43800h
      renew_before: 720h
`,
    defaults: { key_type: 'rsa', key_bits: 0 },
    guide: 'kinds/pki-intermediate.md',
  },

  desired(config) {
    return placedEntries(config, pkiIntermediateCaKind).map((e) => {
      if (isExternal(e.value)) {
        const files = externalFiles(config, e.path, e.value);
        // The paths apply uses (confined); the certificate's serial is what is compared.
        const settings: Settings = { ...e.value, certificate: files.serial ?? AWAITING, ...(files.csr ? { csr_path: files.csr } : {}), ...(files.certPath ? { certificate_path: files.certPath } : {}) };
        return placedObject(config, pkiIntermediateCaKind, e, { settings, dependsOn: [`secrets/${e.mount}`] });
      }
      const signer = signerPath(e.value.signed_by);
      const signerCa = caAddresses(config).filter((a) => a.startsWith(`secrets/${signer}/`));
      return placedObject(config, pkiIntermediateCaKind, e, { settings: e.value, dependsOn: [`secrets/${e.mount}`, ...(config.secrets[signer] ? [`secrets/${signer}`] : []), ...signerCa] });
    });
  },

  check(ctx) {
    for (const e of placedEntries(ctx.config, pkiIntermediateCaKind)) {
      const at = [...e.path, 'signed_by'];
      if (ctx.broken(at)) continue;
      if (isExternal(e.value)) {
        checkExternal(ctx, e.path, e.value);
        continue;
      }
      for (const f of ['csr_file', 'certificate_file']) {
        if (e.value[f] !== undefined) ctx.error([...e.path, f], `${f} is for an intermediate signed outside Vault`, 'set signed_by: external, or remove it');
      }
      const signer = signerPath(e.value.signed_by);
      const cas = caAddresses(ctx.config);
      if (signer === e.mount) ctx.error(at, 'an intermediate CA cannot be signed by its own mount', 'name the pki mount holding the root CA');
      else if (ctx.config.secrets[signer]?.type !== 'pki') ctx.error(at, `signed_by names ${ctx.shown(at, signer)}, which is not a pki mount of this config`, 'declare the signing pki mount (with its root_ca) under secrets');
      else if (!cas.some((a) => a.startsWith(`secrets/${signer}/`))) ctx.warn(at, `pki mount ${signer} declares no root_ca nor intermediate`, 'it must hold a CA in Vault when applying');
      if (cas.includes(`secrets/${e.mount}/root_ca`)) ctx.error(e.path, 'a pki mount has either a root_ca or an intermediate, not both', 'put the intermediate in a mount of its own', 'key');
    }
  },

  async readLive(vault, scope) {
    const entries = placedEntries(scope.config, pkiIntermediateCaKind);
    const declared = new Map(entries.map((e) => [e.mount ?? '', e.value]));
    const full = isFullScope(scope.config);
    const cas = new Map<string, X509Certificate>();
    await Promise.all(
      mountsToRead(scope.config, scope.mounts.secrets).map(async (m) => {
        const pem = await caPem(vault, m);
        if (pem !== undefined) cas.set(m, new X509Certificate(pem));
      }),
    );
    const now = Date.now();
    // An external intermediate waiting for its certificate: the CSR written, a key in the mount, no CA yet.
    const waiting = await Promise.all(
      entries
        .filter((e) => isExternal(e.value) && e.value.certificate_file === undefined && !cas.has(e.mount ?? ''))
        .map(async (e) => {
          const csr = externalFiles(scope.config, e.path, e.value).csr;
          const keys = await vault.list(`${e.mount}/keys`).catch(() => []);
          if (csr === undefined || !existsSync(csr) || keys.length === 0) return [];
          return [liveObject(KIND, `secrets/${e.mount}/intermediate`, { ...normaliseIntermediate(e.value), certificate: AWAITING }, e.mount)];
        }),
    );
    const set = [...cas]
      .filter(([m, cert]) => (full ? !isSelfSigned(cert) : declared.has(m)))
      .map(([m, cert]) => {
        const value = declared.get(m);
        // Everything the certificate tells (ttl, for export), the compared fields in their compared shape.
        const signer = signerOf(cert, m, cas);
        const external = value !== undefined && isExternal(value) && signer.startsWith('(a CA outside');
        const told = { ...rootCaSettings(cert), signed_by: external ? EXTERNAL : signer };
        const settings: Settings = { ...told, ...normaliseIntermediate(told), ...(external ? { certificate: serialOf(cert) } : {}) };
        if (value?.renew_before !== undefined) settings.renewal = renewal(cert, value.renew_before, now);
        return { ...liveObject(KIND, `secrets/${m}/intermediate`, settings, m), identity: cert.serialNumber };
      });
    return [...set, ...waiting.flat()];
  },

  normalise: normaliseIntermediate,

  export(obj, _all, out) {
    const s = obj.settings;
    if (typeof s.signed_by !== 'string' || s.signed_by.startsWith('(')) {
      out.warnings.push(`secrets/${obj.mount}/intermediate: signed ${String(s.signed_by).replace(/^\(|\)$/g, '')}; not exported (declare it with signed_by: external and its certificate_file)`);
      return undefined;
    }
    const { renewal: _renewal, key_type, key_bits, alt_names, ...rest } = s;
    const keyDefault = key_type === 'rsa' && key_bits === DEFAULT_BITS.rsa;
    return { ...rest, ...(Array.isArray(alt_names) ? { alt_names: alt_names.join(',') } : {}), ...(keyDefault ? {} : { key_type, key_bits }) };
  },

  async identify(vault, obj) {
    const pem = await caPem(vault, obj.mount ?? '');
    return pem ? new X509Certificate(pem).serialNumber : undefined;
  },

  async create(ctx, obj) {
    const mount = obj.mount ?? '';
    if (isExternal(obj.settings)) {
      const { csr_path: csrPath, certificate_path: certPath } = obj.settings;
      if (typeof certPath === 'string') await setSigned(ctx.vault, mount, readFileSync(certPath, 'utf8'));
      else if (typeof csrPath === 'string') {
        const csr = await generateCsr(ctx.vault, mount, obj.settings);
        mkdirSync(dirname(csrPath), { recursive: true });
        writeFileSync(csrPath, csr, { mode: 0o644 });
      }
      else throw new Error(`secrets/${mount}/intermediate: no csr_file to write the CSR to`);
      return;
    }
    const csr = await generateCsr(ctx.vault, mount, obj.settings);
    await setSigned(ctx.vault, mount, await signCsr(ctx.vault, signerPath(obj.settings.signed_by), csr, obj.settings));
  },

  /** Any difference re-signs: a new key and certificate (the plan marks it destructive). */
  async update(ctx, obj) {
    await pkiIntermediateCaKind.create(ctx, obj);
  },

  async delete() {
    // Never deletes a CA: not deletable.
  },

  access(config) {
    const entries = placedEntries(config, pkiIntermediateCaKind).map((e) => ({ mount: e.mount ?? '', signer: isExternal(e.value) ? undefined : signerPath(e.value.signed_by) }));
    return {
      plan: entries.flatMap(({ mount, signer }) => [rule(`${mount}/cert/ca`, 'read'), signer ? rule(`${signer}/cert/ca`, 'read') : rule(`${mount}/keys`, 'list')]),
      apply: entries.flatMap(({ mount, signer }) => [
        rule(`${mount}/intermediate/generate/internal`, 'update'),
        ...(signer ? [rule(`${signer}/root/sign-intermediate`, 'update')] : []),
        rule(`${mount}/intermediate/set-signed`, 'update'),
        rule(`${mount}/issuer/*`, 'read'),
        rule(`${mount}/config/issuers`, 'update'),
      ]),
    };
  },
};

/** `signed_by: external`: a csr_file to write, a certificate_file to read, both confined to the config directory. */
function checkExternal(ctx: CheckContext, path: readonly string[], value: Settings): void {
  if (value.csr_file === undefined && value.certificate_file === undefined) ctx.error([...path, 'signed_by'], 'an intermediate signed outside Vault needs csr_file (where apply writes the CSR) or certificate_file', 'add csr_file: a path inside the config directory');
  for (const [f, use] of [
    ['csr_file', 'write'],
    ['certificate_file', 'read'],
  ] as const) {
    const v = value[f];
    if (typeof v !== 'string' || ctx.broken([...path, f])) continue;
    const c = confineConfigFile(ctx.config, [...path, f], v, use);
    if (!c.ok) {
      ctx.error([...path, f], c.missing ? `cannot read ${f} ${c.shown}: no such file` : `${f} ${ctx.shown([...path, f], v, String)} ${c.problem}`, c.hint);
      continue;
    }
    if (f !== 'certificate_file') continue;
    try {
      const cert = new X509Certificate(readFileSync(c.path, 'utf8'));
      if (!cert.ca) ctx.error([...path, f], `${f} ${c.shown} is not a CA certificate`, 'have the signer set basicConstraints CA:true');
    } catch {
      ctx.error([...path, f], `${f} ${c.shown} is not a PEM certificate`, 'the signed certificate first, then its chain, PEM-encoded');
    }
  }
}
