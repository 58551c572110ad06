// bpftrace attaches tracepoints through tracefs; on this kind of VM nothing mounts it at boot.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';

export const TRACEFS = '/sys/kernel/tracing';

/** Mounts tracefs on /sys/kernel/tracing unless it (or debugfs' tracing dir) is already there. */
export function ensureTracefs(): void {
  if (existsSync(`${TRACEFS}/events`) || existsSync('/sys/kernel/debug/tracing/events')) return;
  const mount = ['/usr/bin/mount', '/bin/mount', '/usr/sbin/mount', '/sbin/mount'].find((p) => existsSync(p));
  if (!mount) throw new Error(`tracefs is not mounted on ${TRACEFS} and no mount binary was found`);
  try {
    execFileSync(mount, ['-t', 'tracefs', 'nodev', TRACEFS], { stdio: ['ignore', 'ignore', 'pipe'] });
  } catch (e) {
    const stderr = (e as { stderr?: Buffer }).stderr?.toString().trim();
    throw new Error(`cannot mount tracefs on ${TRACEFS}: ${stderr || (e as Error).message}`);
  }
}
