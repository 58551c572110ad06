// Drift and fileless execution for exec events. A binary that exists in the container's overlay
// upper dir was written (or modified) after the container started: it is not part of the image.
// A memfd exe (memfd_create + execveat, or exec of /proc/self/fd/N) has no file at all.
import { lstatSync, readFileSync, readlinkSync } from 'node:fs';
import { posix } from 'node:path';
import type { RuntimeEvent } from '../event.ts';

const FD_PATH = /^\/(?:proc\/(?:self|thread-self|\d+)\/fd|dev\/fd)\/\d+$/;

export function isExecEvent(e: RuntimeEvent): boolean {
  return e.type === 'execve' || e.type === 'execveat';
}

/** The running exe as the kernel resolved it (container view, symlinks resolved), if readable. */
export function procExe(pid: number, procRoot = '/proc'): string | undefined {
  try {
    return readlinkSync(`${procRoot}/${pid}/exe`);
  } catch {
    return undefined;
  }
}

export function looksLikeMemfd(exe: string | undefined): boolean {
  if (!exe) return false;
  return exe.startsWith('memfd:') || exe.startsWith('/memfd:') || FD_PATH.test(exe);
}

/** True when `path` (a container path) is a regular file in the upper dir. */
export function inUpperDir(upperDir: string, path: string): boolean {
  if (!path.startsWith('/')) return false;
  const norm = posix.normalize(path);
  if (norm.includes('\0')) return false;
  try {
    const st = lstatSync(upperDir + norm);
    return st.isFile();
  } catch {
    return false;
  }
}

/**
 * Sets process.exeFromMemfd / exeFromUpperLayer on an exec event. `upperDir` is the container's
 * writable layer on the host (undefined for the host or when unknown: no drift verdict then);
 * `real` is /proc/<pid>/exe read as early as possible (short-lived processes vanish).
 */
export function markDrift(e: RuntimeEvent, upperDir: string | undefined, real: string | undefined): void {
  const p = e.process;
  const exe = p.exe;
  if (!p.exeFromMemfd && looksLikeMemfd(exe)) p.exeFromMemfd = true;
  if (real?.startsWith('/memfd:')) p.exeFromMemfd = true;
  if (!upperDir || p.exeFromMemfd || p.exeFromUpperLayer) return;
  const candidates: string[] = [];
  if (real && !real.startsWith('/memfd:')) candidates.push(real.replace(/ \(deleted\)$/, ''));
  if (exe?.startsWith('/')) candidates.push(exe);
  else if (exe && p.cwd?.startsWith('/')) candidates.push(posix.join(p.cwd, exe));
  for (const c of candidates) {
    if (inUpperDir(upperDir, c)) {
      p.exeFromUpperLayer = true;
      return;
    }
  }
}

export function readMountinfo(pid: number, procRoot = '/proc'): string | undefined {
  try {
    return readFileSync(`${procRoot}/${pid}/mountinfo`, 'utf8');
  } catch {
    return undefined;
  }
}
