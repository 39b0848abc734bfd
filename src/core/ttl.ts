/**
 * Parses a duration the way Vault does (parseutil.ParseDurationSecond): a number of seconds
 * (number or digit string), or a Go duration with units s/m/h and Vault's extra `d` (days),
 * e.g. "1h30m", "720h", "10d". Returns seconds (rounded down) or undefined when invalid.
 */
export function parseTtl(v: string | number): number | undefined {
  if (typeof v === 'number') return Number.isFinite(v) && v >= 0 ? Math.floor(v) : undefined;
  const s = v.trim();
  if (s === '') return undefined;
  if (/^\d+$/.test(s)) return Number(s);
  const unit: Record<string, number> = { ns: 1e-9, us: 1e-6, µs: 1e-6, ms: 1e-3, s: 1, m: 60, h: 3600, d: 86400 };
  const re = /(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h|d)/gy;
  let total = 0;
  let pos = 0;
  for (let m = re.exec(s); m; m = re.exec(s)) {
    total += Number(m[1]) * (unit[m[2]!] ?? 0);
    pos = re.lastIndex;
  }
  return pos === s.length ? Math.floor(total) : undefined;
}
