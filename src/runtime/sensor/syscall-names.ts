// Linux x86_64 constants the sensor turns into names (values from the kernel's uapi headers).
import type { NetActivity } from '../event.ts';

const OPEN_FLAGS: Array<[number, string]> = [
  [0x40, 'O_CREAT'],
  [0x80, 'O_EXCL'],
  [0x100, 'O_NOCTTY'],
  [0x200, 'O_TRUNC'],
  [0x400, 'O_APPEND'],
  [0x800, 'O_NONBLOCK'],
  [0x1000, 'O_DSYNC'],
  [0x2000, 'O_ASYNC'],
  [0x4000, 'O_DIRECT'],
  [0x10000, 'O_DIRECTORY'],
  [0x20000, 'O_NOFOLLOW'],
  [0x40000, 'O_NOATIME'],
  [0x80000, 'O_CLOEXEC'],
  [0x101000, 'O_SYNC'],
  [0x200000, 'O_PATH'],
  [0x410000, 'O_TMPFILE'],
];

/** Open flags as names; the access mode first (O_RDONLY / O_WRONLY / O_RDWR). */
export function openFlagNames(flags: number): string[] {
  if (!Number.isFinite(flags)) return [];
  const acc = flags & 3;
  const out = [acc === 0 ? 'O_RDONLY' : acc === 1 ? 'O_WRONLY' : acc === 2 ? 'O_RDWR' : 'O_ACCMODE'];
  for (const [bit, name] of OPEN_FLAGS) if ((flags & bit) === bit) out.push(name);
  return out;
}

/** Opened for writing: O_WRONLY, O_RDWR, O_CREAT or O_TRUNC. */
export function isWriteOpen(flags: number): boolean {
  return Number.isFinite(flags) && (flags & 0x243) !== 0;
}

export function familyName(af: number): NetActivity['family'] {
  return af === 10 ? 'ipv6' : af === 1 ? 'unix' : 'ipv4';
}

export function protocolName(p: number): NetActivity['protocol'] {
  return p === 6 ? 'tcp' : p === 17 ? 'udp' : undefined;
}
