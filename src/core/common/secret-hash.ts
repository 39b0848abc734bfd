// A write-only value (a client secret, a database password) is never stored, and never hashed fast:
// the state record keeps a salted scrypt hash of it, so a later plan can tell that the value in the
// config changed without anyone being able to guess it back from the record.
import { randomBytes, scryptSync, timingSafeEqual } from 'node:crypto';

const N = 16384;
const R = 8;
const P = 1;
const FORMAT = /^scrypt\$(\d+)\$(\d+)\$(\d+)\$([A-Za-z0-9+/]{22,}={0,2})\$([A-Za-z0-9+/]{43}=)$/;

const derive = (value: string, salt: Buffer, n: number, r: number, p: number) => scryptSync(value, salt, 32, { N: n, r, p, maxmem: 256 * n * r + 1024 * 1024 });

/** `scrypt$N$r$p$salt$hash` (base64) of `value` with a fresh random salt. */
export function hashSecret(value: string): string {
  const salt = randomBytes(16);
  return `scrypt$${N}$${R}$${P}$${salt.toString('base64')}$${derive(value, salt, N, R, P).toString('base64')}`;
}

export function isSecretHash(text: string): boolean {
  const m = FORMAT.exec(text);
  return m !== null && Number(m[1]) <= 1 << 20 && Number(m[2]) <= 16 && Number(m[3]) <= 4;
}

/** Whether `value` is the one `hash` was made of; undefined when `hash` is not one of ours. */
export function secretMatches(value: string, hash: string): boolean | undefined {
  if (!isSecretHash(hash)) return undefined;
  const [, n, r, p, salt, expected] = FORMAT.exec(hash)!;
  const want = Buffer.from(expected!, 'base64');
  return timingSafeEqual(derive(value, Buffer.from(salt!, 'base64'), Number(n), Number(r), Number(p)), want);
}
