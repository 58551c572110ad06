// A plain root filesystem directory (an unpacked image, a chroot, or the host's own '/') as a
// one-layer image. Symlinks are reported, never followed, so nothing outside the directory is read.
import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import type { ImageInfo, Layer } from '../../model/types.ts';
import type { EntryVisitor, ImageSource, LayerEntry, LayerReadStats } from '../source.ts';

/** Pseudo filesystems and volatile dirs that never hold installed software. */
const SKIP_AT_HOST_ROOT = new Set(['proc', 'sys', 'dev', 'run', 'tmp', 'var/tmp', 'var/lib/docker', 'var/lib/containerd', 'var/cache']);

export class RootfsSource implements ImageSource {
  readonly info: ImageInfo;
  readonly layers: Layer[];
  private readonly root: string;
  private readonly skip: Set<string>;
  private constructor(root: string, ref: string) {
    this.root = root;
    this.skip = root === '/' ? SKIP_AT_HOST_ROOT : new Set(['proc', 'sys', 'dev']);
    this.info = { ref, sourceType: 'rootfs', repoTags: [], repoDigests: [], config: {}, history: [] };
    this.layers = [{ index: 0, diffID: `rootfs:${root}`, createdBy: `rootfs ${root}` }];
  }

  static async open(dir: string, ref: string): Promise<RootfsSource> {
    const root = await fs.realpath(dir);
    const st = await fs.stat(root);
    if (!st.isDirectory()) throw new Error(`${ref}: not a directory`);
    return new RootfsSource(root, ref);
  }

  async readLayer(index: number, visit: EntryVisitor): Promise<LayerReadStats> {
    if (index !== 0) throw new Error(`${this.info.ref}: rootfs has a single layer`);
    let bytes = 0;
    let entries = 0;
    const rootDev = (await fs.lstat(this.root)).dev;
    const walk = async (rel: string, depth: number): Promise<void> => {
      if (depth > 64) return;
      let dir;
      try {
        dir = await fs.opendir(join(this.root, rel));
      } catch {
        return; // unreadable directory: permissions or a race with a running system
      }
      for await (const d of dir) {
        const path = rel ? `${rel}/${d.name}` : d.name;
        if (this.skip.has(path)) continue;
        let st;
        try {
          st = await fs.lstat(join(this.root, path));
        } catch {
          continue;
        }
        entries++;
        const base = { path, size: 0, mode: st.mode & 0o7777, uid: st.uid, gid: st.gid };
        if (st.isSymbolicLink()) {
          let linkname = '';
          try {
            linkname = await fs.readlink(join(this.root, path));
          } catch {
            /* vanished */
          }
          await visit({ ...base, type: 'symlink', linkname }, null);
        } else if (st.isDirectory()) {
          await visit({ ...base, type: 'dir' }, null);
          // Other filesystems mounted below the root (host scans) are not part of it.
          if (st.dev === rootDev || this.root !== '/') await walk(path, depth + 1);
        } else if (st.isFile()) {
          // No stream: the walker reads wanted files in place through hostPath, so the hundreds
          // of thousands of files nobody asked for are never even opened.
          const e: LayerEntry = { ...base, type: 'file', size: st.size, hostPath: join(this.root, path) };
          bytes += st.size;
          await visit(e, null);
        } else {
          await visit({ ...base, type: 'other' }, null);
        }
      }
    };
    await walk('', 0);
    return { bytes, entries };
  }

  async close(): Promise<void> {}
}
