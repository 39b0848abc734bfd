import type { TProperties } from 'typebox';
import type { Config, MountConfig } from '../../core/model.js';
import { VaultApiError } from '../../core/errors.js';
import type { VaultPort } from '../../core/ports.js';
import { Type } from 'typebox';
import { stringList, stringSet } from '../shared/fields.js';

/** Subject fields of a certificate (root CA parameters and role constraints alike). */
export const PKI_SUBJECT_FIELDS = {
  ou: stringSet(),
  organization: stringSet(),
  country: stringSet(),
  locality: stringSet(),
  province: stringSet(),
  street_address: stringSet(),
  postal_code: stringSet(),
} satisfies TProperties;

/** What a CA certificate carries besides its subject, as root/generate and root/sign-intermediate take it. */
export const PKI_CA_CERT_FIELDS = {
  signature_bits: Type.Integer({ minimum: 0 }),
  use_pss: Type.Boolean(),
  max_path_length: Type.Integer({ minimum: -1 }),
  exclude_cn_from_sans: Type.Boolean(),
  permitted_dns_domains: stringList(),
  excluded_dns_domains: stringList(),
  permitted_ip_ranges: stringList(),
  excluded_ip_ranges: stringList(),
  permitted_email_addresses: stringList(),
  excluded_email_addresses: stringList(),
  permitted_uri_domains: stringList(),
  excluded_uri_domains: stringList(),
} satisfies TProperties;

/** The pki mounts the config declares, with their config. */
export function pkiMounts(config: Config): Array<[string, MountConfig]> {
  return Object.entries(config.secrets).filter(([, m]) => m.type === 'pki');
}

/** The declared pki mounts that exist live (nothing to read inside the others yet). */
export function livePkiMounts(config: Config, live: Record<string, string>): string[] {
  return pkiMounts(config)
    .filter(([path]) => live[path] === 'pki')
    .map(([path]) => path);
}

/** The mount's CA certificate answer; undefined when it has none (Vault answers 400 "no default issuer"). */
export async function readCa(vault: VaultPort, mount: string) {
  try {
    return await vault.read(`${mount}/cert/ca`);
  } catch (err) {
    if (err instanceof VaultApiError && err.status === 400) return undefined;
    throw err;
  }
}

/** The mount's CA certificate (PEM), or undefined. */
export async function caPem(vault: VaultPort, mount: string): Promise<string | undefined> {
  const pem = ((await readCa(vault, mount))?.data as { certificate?: unknown } | undefined)?.certificate;
  return typeof pem === 'string' && pem.trim() !== '' ? pem : undefined;
}
