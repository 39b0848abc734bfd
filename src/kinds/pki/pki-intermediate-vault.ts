// Vault calls that make a pki mount's intermediate CA: a key and CSR generated inside the mount
// (`intermediate/generate/internal`: the private key never leaves Vault), the CSR signed by another
// pki mount of the same server (`root/sign-intermediate`), the certificate and its chain set back
// (`intermediate/set-signed`) and made the mount's default issuer.
import { X509Certificate } from 'node:crypto';
import type { VaultPort } from '../../core/ports.js';
import type { Settings } from '../../core/model.js';
import { compact } from '../shared/support.js';
import { caPem } from './pki.js';

type Json = Record<string, unknown>;

/** The CSR's subject and key: what the intermediate mount generates. */
const CSR_FIELDS = ['common_name', 'alt_names', 'ip_sans', 'uri_sans', 'other_sans', 'key_type', 'key_bits', 'exclude_cn_from_sans', 'ou', 'organization', 'country', 'locality', 'province', 'street_address', 'postal_code'];
/** What the signing mount decides (the CSR's subject is taken as generated: use_csr_values). */
const SIGN_FIELDS = [
  'ttl',
  'max_path_length',
  'signature_bits',
  'use_pss',
  'not_before_duration',
  'permitted_dns_domains',
  'excluded_dns_domains',
  'permitted_ip_ranges',
  'excluded_ip_ranges',
  'permitted_email_addresses',
  'excluded_email_addresses',
  'permitted_uri_domains',
  'excluded_uri_domains',
];

const pick = (s: Settings, fields: readonly string[]) => compact(Object.fromEntries(fields.filter((f) => s[f] !== undefined).map((f) => [f, s[f]])));
const pems = (v: unknown): string[] => (Array.isArray(v) ? v : [v]).filter((p): p is string => typeof p === 'string' && p.trim() !== '');

/** Generates a key and CSR in `mount`; the CSR (public) is returned, the key stays in Vault. */
export async function generateCsr(vault: VaultPort, mount: string, settings: Settings): Promise<string> {
  const answer = (await vault.write(`${mount}/intermediate/generate/internal`, pick(settings, CSR_FIELDS)))?.data as Json | undefined;
  const csr = answer?.csr;
  if (typeof csr !== 'string' || csr.trim() === '') throw new Error(`${mount}/intermediate/generate/internal returned no CSR`);
  return csr;
}

/** Has `signer` sign the CSR; the certificate followed by its chain (issuer first), PEM. */
export async function signCsr(vault: VaultPort, signer: string, csr: string, settings: Settings): Promise<string> {
  const body = { ...pick(settings, SIGN_FIELDS), common_name: settings.common_name, csr, use_csr_values: true, format: 'pem' };
  const data = (await vault.write(`${signer}/root/sign-intermediate`, body))?.data as Json | undefined;
  const [certificate] = pems(data?.certificate);
  if (certificate === undefined) throw new Error(`${signer}/root/sign-intermediate returned no certificate`);
  const seen = new Set([certificate.trim()]);
  const chain = [...pems(data?.ca_chain), ...pems(data?.issuing_ca)].filter((p) => !seen.has(p.trim()) && seen.add(p.trim()));
  return [certificate, ...chain].map((p) => p.trim()).join('\n') + '\n';
}

/** Sets the signed certificate (with its chain) in `mount` and makes it the default issuer. */
export async function setSigned(vault: VaultPort, mount: string, bundle: string): Promise<void> {
  const serial = new X509Certificate(bundle).serialNumber;
  const isSet = async () => {
    const pem = await caPem(vault, mount);
    return pem !== undefined && new X509Certificate(pem).serialNumber === serial;
  };
  const answer = (await vault.writeOnce(`${mount}/intermediate/set-signed`, { certificate: bundle }, isSet))?.data as Json | undefined;
  const imported = Array.isArray(answer?.imported_issuers) ? (answer.imported_issuers as unknown[]).map(String) : [];
  for (const id of imported) {
    const issuer = (await vault.read(`${mount}/issuer/${encodeURIComponent(id)}`))?.data as Json | undefined;
    const pem = pems(issuer?.certificate)[0];
    if (pem !== undefined && new X509Certificate(pem).serialNumber === serial) {
      await vault.write(`${mount}/config/issuers`, { default: id });
      return;
    }
  }
  if (!(await isSet())) throw new Error(`${mount}: the signed intermediate was imported but is not the default issuer`);
}
