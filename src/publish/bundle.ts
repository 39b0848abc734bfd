// The CA bundle of a publish entry, read from Vault: the mount's default CA (`<mount>/cert/ca`),
// then every other issuer of the mount (a rotation leaves the old and the new one side by side, an
// imported intermediate is one more), then the same for each `sources` mount. Expired
// certificates are left out, duplicates once; the order is stable so that an unchanged CA never
// shows as a change.
import { X509Certificate } from 'node:crypto';
import type { Vault } from '../adapters/vault.js';
import { VaultApiError } from '../core/errors.js';
import type { PublishEntry } from '../core/plan/ca-bundles.js';

type Json = Record<string, unknown>;

function certificateOf(body: Json | undefined): string | undefined {
  const c = (body?.data as { certificate?: unknown } | undefined)?.certificate;
  return typeof c === 'string' && c.trim() !== '' ? c : undefined;
}

/** The mount's default CA, or undefined when it has none (400 "no default issuer") or no mount (404). */
async function defaultCa(vault: Vault, mount: string): Promise<string | undefined> {
  try {
    return certificateOf(await vault.read(`${mount}/cert/ca`));
  } catch (err) {
    if (err instanceof VaultApiError && err.status === 400) return undefined;
    throw err;
  }
}

async function issuerCertificates(vault: Vault, mount: string): Promise<string[]> {
  const ids = await vault.list(`${mount}/issuers`);
  const pems = await Promise.all(ids.map(async (id) => certificateOf(await vault.read(`${mount}/issuer/${encodeURIComponent(id)}`))));
  return pems.filter((p): p is string => p !== undefined);
}

/** All certificates of one mount, default first. */
async function mountCertificates(vault: Vault, mount: string): Promise<string[]> {
  const first = await defaultCa(vault, mount);
  if (first === undefined) return [];
  return [first, ...(await issuerCertificates(vault, mount))];
}

/** Canonical PEMs, expired and repeated ones dropped, in the order given. */
export function bundleOf(pems: readonly string[], now: Date): string | undefined {
  const seen = new Set<string>();
  const out: string[] = [];
  for (const pem of pems) {
    const cert = new X509Certificate(pem);
    if (Date.parse(cert.validTo) <= now.getTime() || seen.has(cert.fingerprint256)) continue;
    seen.add(cert.fingerprint256);
    out.push(cert.toString().trim() + '\n');
  }
  return out.length > 0 ? out.join('') : undefined;
}

/** The entry's bundle; undefined while its own mount has no CA yet. */
export async function readBundle(vault: Vault, entry: Pick<PublishEntry, 'mount' | 'sources'>, now: Date = new Date()): Promise<string | undefined> {
  const own = await mountCertificates(vault, entry.mount);
  if (own.length === 0) return undefined;
  const others = await Promise.all(entry.sources.map((m) => mountCertificates(vault, m)));
  return bundleOf([...own, ...others.flat()], now);
}
