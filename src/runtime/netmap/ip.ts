// IP addresses as the network map and baselines need them: one canonical text per address (so the
// same peer never shows up twice), CIDR prefixes, and loopback detection. IPv4-mapped IPv6
// addresses (::ffff:10.0.0.1, what dual-stack sockets report) are IPv4 addresses.
import { isIP } from 'node:net';

export interface ParsedIp {
  family: 4 | 6;
  /** Canonical text: dotted quad, or fully compressed lower-case IPv6 without zone. */
  address: string;
}

const MAPPED_V4 = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i;

/** Parses and canonicalises an address; undefined for anything that is not one IP. */
export function parseIp(raw: unknown): ParsedIp | undefined {
  if (typeof raw !== 'string' || raw.length === 0 || raw.length > 64) return undefined;
  let s = raw.trim();
  if (s.startsWith('[') && s.endsWith(']')) s = s.slice(1, -1);
  const zone = s.indexOf('%');
  if (zone >= 0) s = s.slice(0, zone);
  const mapped = MAPPED_V4.exec(s);
  if (mapped && isIP(mapped[1]!) === 4) s = mapped[1]!;
  const fam = isIP(s);
  if (fam === 4) return { family: 4, address: s.split('.').map((o) => String(Number(o))).join('.') };
  if (fam === 6) return { family: 6, address: formatV6(v6ToBigInt(s)) };
  return undefined;
}

function v4ToInt(a: string): number {
  return a.split('.').reduce((n, o) => n * 256 + Number(o), 0);
}

function intToV4(n: number): string {
  return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
}

function v6ToBigInt(a: string): bigint {
  let s = a.toLowerCase();
  // An embedded IPv4 tail (::ffff:1.2.3.4 was handled above; 64:ff9b::1.2.3.4 is not) becomes two groups.
  const tail = /(\d+\.\d+\.\d+\.\d+)$/.exec(s);
  if (tail) {
    const n = v4ToInt(tail[1]!);
    s = s.slice(0, -tail[1]!.length) + `${(n >>> 16).toString(16)}:${(n & 0xffff).toString(16)}`;
  }
  const [head, rest] = s.split('::') as [string, string | undefined];
  const h = head ? head.split(':') : [];
  const r = rest ? rest.split(':') : [];
  const groups = rest === undefined ? h : [...h, ...new Array(8 - h.length - r.length).fill('0'), ...r];
  return groups.reduce((n, g) => (n << 16n) | BigInt(parseInt(g || '0', 16)), 0n);
}

function formatV6(n: bigint): string {
  const groups: number[] = [];
  for (let i = 7; i >= 0; i--) groups.push(Number((n >> BigInt(i * 16)) & 0xffffn));
  // RFC 5952: compress the longest run (≥ 2) of zero groups, the first one on a tie.
  let best = -1;
  let bestLen = 1;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) { i++; continue; }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen) { best = i; bestLen = j - i; }
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (best < 0) return hex.join(':');
  return `${hex.slice(0, best).join(':')}::${hex.slice(best + bestLen).join(':')}`;
}

/** The network of `address` with `prefix` bits, as CIDR text (prefix clamped to the family's size). */
export function cidrOf(ip: ParsedIp, prefix?: number): string {
  const max = ip.family === 4 ? 32 : 128;
  const p = Math.max(0, Math.min(max, Math.floor(prefix ?? max)));
  if (ip.family === 4) {
    const mask = p === 0 ? 0 : (0xffffffff << (32 - p)) >>> 0;
    return `${intToV4((v4ToInt(ip.address) & mask) >>> 0)}/${p}`;
  }
  const mask = p === 0 ? 0n : ((1n << 128n) - 1n) ^ ((1n << BigInt(128 - p)) - 1n);
  return `${formatV6(v6ToBigInt(ip.address) & mask)}/${p}`;
}

/** Parses `a.b.c.d/n` or `v6/n`; undefined when malformed. */
export function parseCidr(raw: unknown): { ip: ParsedIp; prefix: number } | undefined {
  if (typeof raw !== 'string' || raw.length > 64) return undefined;
  const slash = raw.indexOf('/');
  const ip = parseIp(slash < 0 ? raw : raw.slice(0, slash));
  if (!ip) return undefined;
  const max = ip.family === 4 ? 32 : 128;
  if (slash < 0) return { ip, prefix: max };
  const ptext = raw.slice(slash + 1);
  if (!/^\d{1,3}$/.test(ptext) || Number(ptext) > max) return undefined;
  return { ip, prefix: Number(ptext) };
}

export function isLoopback(ip: ParsedIp): boolean {
  return ip.family === 4 ? ip.address.startsWith('127.') : ip.address === '::1';
}
