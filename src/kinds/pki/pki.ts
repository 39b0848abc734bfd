import type { TProperties } from 'typebox';
import type { Config, MountConfig } from '../../core/model.js';
import { stringSet } from '../shared/fields.js';

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
