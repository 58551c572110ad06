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
export function markDrift(e: RuntimeEvent, upperDir: string | undefined, real: string | undefined | (() => string | undefined)): void {
  const p = e.process;
  const exe = p.exe;
  if (!p.exeFromMemfd && looksLikeMemfd(exe)) p.exeFromMemfd = true;
  // /proc/<pid>/exe costs a syscall per exec: read it only when the event's exe is not conclusive
  // (empty or relative: fexecve/execveat) or a container's upper dir must be checked.
  let realExe: string | undefined;
  let read = false;
  const getReal = () => {
    if (!read) {
      realExe = typeof real === 'function' ? real() : real;
      read = true;
    }
    return realExe;
  };
  if (!p.exeFromMemfd && (!exe || !exe.startsWith('/') || typeof real === 'string') && getReal()?.startsWith('/memfd:')) p.exeFromMemfd = true;
  if (!upperDir || p.exeFromMemfd || p.exeFromUpperLayer) return;
  // The event's own path first (one lstat); the kernel's canonical path when symlinks may differ.
  if (exe?.startsWith('/') && inUpperDir(upperDir, exe)) {
    p.exeFromUpperLayer = true;
    return;
  }
  const r = getReal();
  if (r?.startsWith('/memfd:')) {
    p.exeFromMemfd = true;
    return;
  }
  const candidates: string[] = [];
  if (r) candidates.push(r.replace(/ \(deleted\)$/, ''));
  if (exe && !exe.startsWith('/') && p.cwd?.startsWith('/')) candidates.push(posix.join(p.cwd, exe));
  if (candidates.some((c) => inUpperDir(upperDir, c))) p.exeFromUpperLayer = true;
}

export function readMountinfo(pid: number, procRoot = '/proc'): string | undefined {
  try {
    return readFileSync(`${procRoot}/${pid}/mountinfo`, 'utf8');
  } catch {
    return undefined;
  }
}
