// IPv4/IPv6 addresses and CIDR networks for fd.ip / fd.net comparisons (Falco's PT_IPADDR/PT_IPNET).

import { isIPv4, isIPv6 } from 'node:net';

/** Address as 16 bytes (IPv4 mapped into ::ffff:0:0/96 so both families compare in one space). */
export function ipBytes(text: string): Uint8Array | undefined {
  if (isIPv4(text)) {
    const out = new Uint8Array(16);
    out[10] = 0xff;
    out[11] = 0xff;
    text.split('.').forEach((p, i) => (out[12 + i] = Number(p)));
    return out;
  }
  if (!isIPv6(text)) return undefined;
  let s = text;
  const v4 = s.match(/(\d+\.\d+\.\d+\.\d+)$/);
  let tail: number[] = [];
  if (v4) {
    const b = ipBytes(v4[1]!)!;
    tail = [(b[12]! << 8) | b[13]!, (b[14]! << 8) | b[15]!];
    s = s.slice(0, -v4[1]!.length) + '0:0';
  }
  const [head, rest] = s.includes('::') ? s.split('::') : [s, undefined];
  const hs = head ? head.split(':') : [];
  const rs = rest !== undefined && rest !== '' ? rest.split(':') : [];
  const fill = rest !== undefined ? 8 - hs.length - rs.length : 0;
  const groups = [...hs, ...Array(fill).fill('0'), ...rs].map((g) => parseInt(g, 16));
  if (tail.length) groups.splice(6, 2, ...tail);
  const out = new Uint8Array(16);
  groups.forEach((g, i) => {
    out[i * 2] = g >> 8;
    out[i * 2 + 1] = g & 0xff;
  });
  return out;
}

/** Canonical text of an address, so "::1" and "0:0::1" compare equal. */
export function canonicalIp(text: string): string | undefined {
  const b = ipBytes(text);
  return b ? Buffer.from(b).toString('hex') : undefined;
}

export interface Cidr {
  bytes: Uint8Array;
  prefix: number;
}

export function parseCidr(text: string): Cidr | undefined {
  const [addr, len] = text.split('/');
  const bytes = ipBytes(addr ?? '');
  if (!bytes) return undefined;
  const v4 = isIPv4(addr!);
  const max = v4 ? 32 : 128;
  const n = len === undefined ? max : /^\d+$/.test(len) ? Number(len) : NaN;
  if (!(n >= 0 && n <= max)) return undefined;
  return { bytes, prefix: v4 ? n + 96 : n };
}

export function cidrContains(net: Cidr, ip: Uint8Array): boolean {
  let bits = net.prefix;
  for (let i = 0; i < 16 && bits > 0; i++, bits -= 8) {
    const mask = bits >= 8 ? 0xff : (0xff << (8 - bits)) & 0xff;
    if ((net.bytes[i]! & mask) !== (ip[i]! & mask)) return false;
  }
  return true;
}
