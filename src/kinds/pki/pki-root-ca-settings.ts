import type { X509Certificate } from 'node:crypto';
import type { Settings } from '../../core/model.js';

/** OpenSSL's short attribute names (as node:crypto prints a subject) → root/generate parameters. */
const SUBJECT_FIELDS: Record<string, string> = {
  C: 'country',
  ST: 'province',
  L: 'locality',
  street: 'street_address',
  postalCode: 'postal_code',
  O: 'organization',
  OU: 'ou',
  serialNumber: 'serial_number',
};

/** Vault's key size when key_bits is 0 (its default). */
export const DEFAULT_BITS: Record<string, number> = { rsa: 2048, ec: 256 };
const CURVE_BITS: Record<string, number> = { prime256v1: 256, secp224r1: 224, secp384r1: 384, secp521r1: 521 };
/** Vault backdates notBefore by not_before_duration (default 30s); the lifetime is ttl plus that. */
const DEFAULT_BACKDATE_S = 30;

/** `C=DE\nO=Org\nOU=a + OU=b\nCN=x` → [['C','DE'], ['O','Org'], ['OU','a'], ['OU','b'], ['CN','x']]. */
function subjectAttributes(subject: string): Array<[string, string]> {
  return subject
    .split('\n')
    .flatMap((line) => line.split(' + '))
    .map((pair): [string, string] => {
      const eq = pair.indexOf('=');
      return [pair.slice(0, eq), pair.slice(eq + 1)];
    })
    .filter(([k]) => k !== '');
}

/** `DNS:a, email:b, IP Address:c, URI:d` (values quoted as JSON when they hold separators). */
function subjectAltNames(san: string | undefined): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  for (const m of (san ?? '').matchAll(/(DNS|email|IP Address|URI):("(?:[^"\\]|\\.)*"|[^,]*)(?:, |$)/g)) {
    const raw = m[2] ?? '';
    out.push([m[1] ?? '', raw.startsWith('"') ? (JSON.parse(raw) as string) : raw]);
  }
  return out;
}

function keySettings(cert: X509Certificate): Settings {
  const { asymmetricKeyType: type, asymmetricKeyDetails: d } = cert.publicKey;
  if (type === 'ed25519') return { key_type: 'ed25519' };
  const bits = type === 'rsa' ? d?.modulusLength : CURVE_BITS[d?.namedCurve ?? ''];
  if ((type !== 'rsa' && type !== 'ec') || bits === undefined) return {};
  return { ...(type === 'rsa' ? {} : { key_type: type }), ...(bits === DEFAULT_BITS[type] ? {} : { key_bits: bits }) };
}

/**
 * The ttl root/generate was given, as the largest whole unit (`43800h`, `90m`): the lifetime less
 * the backdating, to the minute (Vault truncates both dates to the second, so it is off by one).
 */
function ttlOf(cert: X509Certificate): string | undefined {
  const seconds = (Date.parse(cert.validTo) - Date.parse(cert.validFrom)) / 1000 - DEFAULT_BACKDATE_S;
  const minutes = Math.round(seconds / 60);
  if (minutes <= 0) return seconds > 0 ? `${Math.round(seconds)}s` : undefined;
  return minutes % 60 === 0 ? `${minutes / 60}h` : `${minutes}m`;
}

/**
 * What a CA certificate tells of the root/generate parameters that made it, Vault's defaults left
 * out: subject, SANs (the CN, which Vault adds itself, left out), key type and size, and ttl.
 * Not recoverable from node:crypto: max_path_length, name constraints, signature_bits, use_pss.
 */
export function rootCaSettings(cert: X509Certificate): Settings {
  const out: Record<string, unknown> = {};
  let cn: string | undefined;
  for (const [attr, value] of subjectAttributes(cert.subject)) {
    if (attr === 'CN') cn = value;
    const field = SUBJECT_FIELDS[attr];
    if (field === 'serial_number') out[field] = value;
    else if (field !== undefined) out[field] = [...((out[field] as string[] | undefined) ?? []), value];
  }
  const sans = subjectAltNames(cert.subjectAltName).filter(([, v]) => v !== cn);
  const alt = sans.filter(([t]) => t === 'DNS' || t === 'email').map(([, v]) => v);
  const ips = sans.filter(([t]) => t === 'IP Address').map(([, v]) => v);
  const uris = sans.filter(([t]) => t === 'URI').map(([, v]) => v);
  const ttl = ttlOf(cert);
  return {
    common_name: cn ?? null,
    ...out,
    ...(alt.length ? { alt_names: alt.join(',') } : {}),
    ...(ips.length ? { ip_sans: ips } : {}),
    ...(uris.length ? { uri_sans: uris } : {}),
    ...keySettings(cert),
    ...(ttl === undefined ? {} : { ttl }),
  };
}
