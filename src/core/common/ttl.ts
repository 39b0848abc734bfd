/**
 * Durations the way Vault parses them (go-secure-stdlib parseutil.ParseDurationSecond):
 * - a number, or a string of digits: seconds (`3600`, `"3600"`);
 * - an integer followed by `d`: whole days (`"10d"`; `"1.5d"` and `"1d12h"` are rejected, as Vault does);
 * - otherwise a Go duration: one or more `<number><unit>` with units ns, us, µs, ms, s, m, h
 *   (`"90m"`, `"1h30m"`, `"1.5h"`, `"720h"`).
 * Negative durations are rejected (Vault refuses them for every TTL we manage).
 */
export function parseTtl(v: string | number): number | undefined {
  if (typeof v === 'number') return Number.isFinite(v) && v >= 0 ? Math.floor(v) : undefined;
  if (typeof v !== 'string') return undefined;
  if (v === '') return 0;
  if (/^\+?\d+$/.test(v)) return Number(v.replace('+', ''));
  if (v.endsWith('d')) {
    const days = v.slice(0, -1);
    return /^\+?\d+$/.test(days) ? Number(days.replace('+', '')) * 86400 : undefined;
  }
  return parseGoDuration(v);
}

const UNIT_SECONDS: Record<string, number> = { ns: 1e-9, us: 1e-6, µs: 1e-6, μs: 1e-6, ms: 1e-3, s: 1, m: 60, h: 3600 };

/** Go's time.ParseDuration (without sign: negative is never valid here), in whole seconds. */
function parseGoDuration(s: string): number | undefined {
  let rest = s.startsWith('+') ? s.slice(1) : s;
  if (rest === '0') return 0;
  if (rest === '') return undefined;
  let total = 0;
  while (rest !== '') {
    const m = /^(\d*)(?:\.(\d*))?(ns|us|µs|μs|ms|s|m|h)/.exec(rest);
    if (!m) return undefined;
    const whole = m[1] ?? '';
    const frac = m[2];
    if (whole === '' && (frac === undefined || frac === '')) return undefined;
    const num = Number(`${whole === '' ? '0' : whole}${frac ? `.${frac}` : ''}`);
    total += num * (UNIT_SECONDS[m[3]!] ?? 0);
    rest = rest.slice(m[0].length);
  }
  return Math.floor(total + 1e-9);
}

/**
 * What parseTtl accepts, as a JSON Schema pattern for the string form (the schema's duration fields
 * carry it, so a duration is checked by its type wherever it sits): empty, digits, digits + `d`, or
 * Go duration terms. A unit test holds it to parseTtl.
 */
export const DURATION_BODY = String.raw`\+?([0-9]+d?|(([0-9]+(\.[0-9]*)?|\.[0-9]+)(ns|us|µs|μs|ms|s|m|h))+)`;
export const DURATION_PATTERN = `^(${DURATION_BODY})?$`;

/** One line telling how to write a duration. */
export const TTL_HINT = 'use seconds (3600), a Go duration with units s, m, h ("90m", "1h30m", "720h"), or whole days ("10d")';
