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

/** Linux capability numbers (include/uapi/linux/capability.h) → names, as Falco prints them. */
const CAPS = [
  'CHOWN', 'DAC_OVERRIDE', 'DAC_READ_SEARCH', 'FOWNER', 'FSETID', 'KILL', 'SETGID', 'SETUID', 'SETPCAP', 'LINUX_IMMUTABLE',
  'NET_BIND_SERVICE', 'NET_BROADCAST', 'NET_ADMIN', 'NET_RAW', 'IPC_LOCK', 'IPC_OWNER', 'SYS_MODULE', 'SYS_RAWIO', 'SYS_CHROOT', 'SYS_PTRACE',
  'SYS_PACCT', 'SYS_ADMIN', 'SYS_BOOT', 'SYS_NICE', 'SYS_RESOURCE', 'SYS_TIME', 'SYS_TTY_CONFIG', 'MKNOD', 'LEASE', 'AUDIT_WRITE',
  'AUDIT_CONTROL', 'SETFCAP', 'MAC_OVERRIDE', 'MAC_ADMIN', 'SYSLOG', 'WAKE_ALARM', 'BLOCK_SUSPEND', 'AUDIT_READ', 'PERFMON', 'BPF',
  'CHECKPOINT_RESTORE',
].map((c) => `CAP_${c}`);
const capCache = new Map<number, string[]>();

/** A capability bit mask (e.g. /proc/<pid>/status CapEff, or the kernel's cap_effective) as names;
 *  unknown bits as CAP_<n>. Masks repeat (a few per container), so results are cached (bounded). */
export function capabilityNames(mask: number): string[] {
  const hit = capCache.get(mask);
  if (hit) return hit;
  const out: string[] = [];
  // Capabilities go up to bit 63; JS bit operators are 32-bit, so split the mask.
  const lo = mask % 0x1_0000_0000;
  const hi = Math.floor(mask / 0x1_0000_0000);
  for (let bit = 0; bit < 64; bit++) {
    const set = bit < 32 ? (lo >>> bit) & 1 : (hi >>> (bit - 32)) & 1;
    if (set) out.push(CAPS[bit] ?? `CAP_${bit}`);
  }
  if (capCache.size >= 256) capCache.clear();
  capCache.set(mask, out);
  return out;
}
