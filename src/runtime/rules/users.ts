// user.name / group.name: Falco resolves ids through the passwd/group files of the process's own
// root (a container's /etc/passwd, not the host's). We do the same through /proc/<pid>/root, read
// once per container and cached; uid 0 is "root" everywhere.

import { closeSync, fstatSync, openSync, readSync } from 'node:fs';

const MAX_FILE = 1 << 20;
const MAX_CACHED_ROOTS = 4096;

export interface IdResolver {
  userName(uid: number, pid: number, containerId: string | undefined): string | undefined;
  groupName(gid: number, pid: number, containerId: string | undefined): string | undefined;
}

/** Reads at most MAX_FILE bytes: a hostile container can put anything in its /etc/passwd. */
function readSmall(path: string): string | undefined {
  let fd: number | undefined;
  try {
    fd = openSync(path, 'r');
    const size = Math.min(fstatSync(fd).size || MAX_FILE, MAX_FILE);
    const buf = Buffer.alloc(size);
    const n = readSync(fd, buf, 0, size, 0);
    return buf.subarray(0, n).toString('utf8');
  } catch {
    return undefined;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/** name:x:id:... lines → id → name (first name wins, as getpwuid does). */
export function parseIdFile(text: string): Map<number, string> {
  const out = new Map<number, string>();
  for (const line of text.split('\n')) {
    if (line.startsWith('#')) continue;
    const parts = line.split(':');
    if (parts.length < 3) continue;
    const id = Number(parts[2]);
    if (parts[0] && Number.isInteger(id) && !out.has(id)) out.set(id, parts[0]);
  }
  return out;
}

export class ProcRootIdResolver implements IdResolver {
  private readonly users = new Map<string, Map<number, string>>();
  private readonly groups = new Map<string, Map<number, string>>();

  userName(uid: number, pid: number, containerId: string | undefined): string | undefined {
    if (uid === 0) return 'root';
    return this.table(this.users, 'passwd', pid, containerId).get(uid);
  }

  groupName(gid: number, pid: number, containerId: string | undefined): string | undefined {
    if (gid === 0) return 'root';
    return this.table(this.groups, 'group', pid, containerId).get(gid);
  }

  private table(cache: Map<string, Map<number, string>>, file: string, pid: number, containerId: string | undefined): Map<number, string> {
    // Unattributed processes are looked up per pid only once too (keyed by pid), but never cached
    // beyond the bound: recordings replayed long after the fact have no /proc to read.
    const key = containerId ?? `pid:${pid}`;
    let table = cache.get(key);
    if (table) return table;
    const root = containerId === 'host' || pid <= 0 ? '' : `/proc/${pid}/root`;
    const text = readSmall(`${root}/etc/${file}`);
    table = text === undefined ? new Map() : parseIdFile(text);
    if (cache.size >= MAX_CACHED_ROOTS) cache.delete(cache.keys().next().value!);
    cache.set(key, table);
    return table;
  }
}

/** Only what the event itself says: root for 0, nothing else (tests, replays of old recordings). */
export const ROOT_ONLY_RESOLVER: IdResolver = {
  userName: (uid) => (uid === 0 ? 'root' : undefined),
  groupName: (gid) => (gid === 0 ? 'root' : undefined),
};
