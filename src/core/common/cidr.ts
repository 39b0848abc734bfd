// CIDR blocks as Vault parses `*_bound_cidrs` (go-sockaddr over Go's net.ParseCIDR / ParseIP):
// an IPv4 or IPv6 address, optionally with a prefix length in range. Vault keeps host bits
// (`10.0.0.1/8` is stored as written and matches 10.0.0.0/8) and writes a single address
// without its /32 or /128. Anything else that sockaddr would take — a port, a path it reads as a
// UNIX socket — never matches a client address, so it is refused here.

export type CidrResult = { ok: true; canonical: string; hostBits: boolean; network: string } | { ok: false; problem: string };

const IPV4_OCTET = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)$/;

function ipv4Bits(s: string): bigint | undefined {
  const parts = s.split('.');
  if (parts.length !== 4 || !parts.every((p) => IPV4_OCTET.test(p))) return undefined;
  return parts.reduce((acc, p) => (acc << 8n) | BigInt(Number(p)), 0n);
}

/** The 128 bits of an IPv6 address (no zone), or undefined. */
function ipv6Bits(s: string): bigint | undefined {
  if (!/^[0-9a-fA-F:.]+$/.test(s) || s.includes(':::')) return undefined;
  let text = s;
  if (text.includes('.')) {
    // An IPv4 tail (`::ffff:10.0.0.1`) is the last two groups.
    const i = text.lastIndexOf(':');
    const v4 = i < 0 ? undefined : ipv4Bits(text.slice(i + 1));
    if (v4 === undefined) return undefined;
    text = `${text.slice(0, i + 1)}${(v4 >> 16n).toString(16)}:${(v4 & 0xffffn).toString(16)}`;
  }
  const halves = text.split('::');
  if (halves.length > 2) return undefined;
  const parse = (h: string): bigint[] | undefined => {
    if (h === '') return [];
    const groups = h.split(':');
    if (!groups.every((g) => /^[0-9a-fA-F]{1,4}$/.test(g))) return undefined;
    return groups.map((g) => BigInt(parseInt(g, 16)));
  };
  const head = parse(halves[0]!);
  const rest = halves.length === 2 ? parse(halves[1]!) : [];
  if (!head || !rest) return undefined;
  const written = [...head, ...rest];
  const groups = halves.length === 2 ? [...head, ...Array<bigint>(Math.max(0, 8 - written.length)).fill(0n), ...rest] : written;
  if (groups.length !== 8 || (halves.length === 2 && written.length > 7)) return undefined;
  return groups.reduce((acc, g) => (acc << 16n) | g, 0n);
}

/** RFC 5952 text (as Go prints it): lower case, the first longest run of two or more zero groups as `::`. */
function ipv6Text(bits: bigint): string {
  const groups = Array.from({ length: 8 }, (_, i) => Number((bits >> BigInt(112 - 16 * i)) & 0xffffn));
  let best = -1;
  let bestLen = 1;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen) {
      best = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (best < 0) return hex.join(':');
  return `${hex.slice(0, best).join(':')}::${hex.slice(best + bestLen).join(':')}`;
}

function ipv4Text(bits: bigint): string {
  return [24n, 16n, 8n, 0n].map((s) => String((bits >> s) & 0xffn)).join('.');
}

// Configs repeat the same few blocks on thousands of roles; the big-integer arithmetic is done once each.
const parsed = new Map<string, Readonly<CidrResult>>();

/** Parses one CIDR block or address the way Vault accepts it for bound CIDRs. */
export function parseCidr(raw: string): Readonly<CidrResult> {
  let r = parsed.get(raw);
  if (r === undefined) parsed.set(raw, (r = parseOnce(raw)));
  return r;
}

function parseOnce(raw: string): CidrResult {
  const s = raw.trim();
  if (s === '') return { ok: false, problem: 'is empty' };
  const slash = s.indexOf('/');
  const addr = slash < 0 ? s : s.slice(0, slash);
  const prefixText = slash < 0 ? undefined : s.slice(slash + 1);
  const v4 = ipv4Bits(addr);
  const v6 = v4 === undefined ? ipv6Bits(addr) : undefined;
  if (v4 === undefined && v6 === undefined) {
    return { ok: false, problem: /^\d+(\.\d+){3}$/.test(addr) ? 'is not an IPv4 address (octets are 0-255, without leading zeros)' : 'is not an IPv4 or IPv6 address' };
  }
  if (v6 !== undefined && v6 >> 32n === 0xffffn) {
    return { ok: false, problem: 'is an IPv4-mapped IPv6 address: write the IPv4 form (Vault stores it as IPv4)' };
  }
  const width = v4 !== undefined ? 32 : 128;
  let prefix = width;
  if (prefixText !== undefined) {
    if (!/^\d{1,3}$/.test(prefixText) || Number(prefixText) > width) {
      return { ok: false, problem: `has prefix length /${prefixText}: it must be 0 to ${width} for an ${width === 32 ? 'IPv4' : 'IPv6'} address` };
    }
    prefix = Number(prefixText);
  }
  const bits = (v4 ?? v6)!;
  const hostMask = (1n << BigInt(width - prefix)) - 1n;
  const text = width === 32 ? ipv4Text : ipv6Text;
  const canonical = prefix === width ? text(bits) : `${text(bits)}/${prefix}`;
  return { ok: true, canonical, hostBits: (bits & hostMask) !== 0n, network: `${text(bits & ~hostMask)}/${prefix}` };
}
