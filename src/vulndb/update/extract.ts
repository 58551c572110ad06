// Turns a downloaded artefact into the path an importer reads: a file as is, gzip decompressed, a
// tar.gz or zip unpacked into a directory. Archives are hostile: entry names are confined to the
// target directory, links and devices are skipped, and entry counts and total bytes are bounded.

import { createReadStream, createWriteStream, promises as fs } from 'node:fs';
import { dirname, join, normalize, sep } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Readable, Transform } from 'node:stream';
import { createGunzip } from 'node:zlib';
import type { UpstreamSource } from '../importer.ts';
import { readTar } from '../../image/tar-reader.ts';
import { isDirectory as isZipDir, openZipEntry, readZipDirectory } from '../../catalog/binary/zip.ts';
import { openFileContent } from '../../catalog/binary/source.ts';

export interface ExtractLimits {
  maxEntries: number;
  maxTotalBytes: number;
}

export const DEFAULT_EXTRACT_LIMITS: ExtractLimits = { maxEntries: 2_000_000, maxTotalBytes: 16 * 1024 ** 3 };

/** A relative path inside the target, or undefined for names that would escape it. */
function safeRelative(name: string): string | undefined {
  const n = normalize(name.replace(/\\/g, '/')).replace(/^(\.\/)+/, '');
  if (!n || n === '.' || n.startsWith('/') || n.split('/').includes('..')) return undefined;
  return n.replace(/\/+$/, '');
}

async function writeEntry(root: string, rel: string, body: AsyncIterable<Buffer> | Readable): Promise<void> {
  const target = join(root, rel);
  if (!target.startsWith(root + sep)) return;
  await fs.mkdir(dirname(target), { recursive: true });
  await pipeline(body instanceof Readable ? body : Readable.from(body), createWriteStream(target, { mode: 0o644 }));
}

async function untarGz(file: string, dest: string, limits: ExtractLimits): Promise<void> {
  let total = 0;
  const src = createReadStream(file).pipe(createGunzip());
  await readTar(src as AsyncIterable<Buffer>, { maxEntries: limits.maxEntries, maxMetaBytes: 1024 * 1024 }, async (h, body) => {
    if (h.type !== 'file' || !body) return;
    const rel = safeRelative(h.name);
    if (!rel) return;
    total += h.size;
    if (total > limits.maxTotalBytes) throw new Error(`archive expands beyond ${limits.maxTotalBytes} bytes`);
    await writeEntry(dest, rel, body);
  });
}

async function unzip(file: string, dest: string, limits: ExtractLimits): Promise<void> {
  const src = await openFileContent(file);
  try {
    const dir = await readZipDirectory(src, { maxEntries: limits.maxEntries, maxCentralDirectory: 256 * 1024 * 1024 });
    let total = 0;
    for (const e of dir.entries) {
      if (isZipDir(e)) continue;
      const rel = safeRelative(e.name);
      if (!rel) continue;
      total += e.uncompressedSize;
      if (total > limits.maxTotalBytes) throw new Error(`archive expands beyond ${limits.maxTotalBytes} bytes`);
      const { source } = await openZipEntry(src, e, Math.min(limits.maxTotalBytes, 2 ** 31 - 1));
      const buf = await source.read(0, source.size);
      await writeEntry(dest, rel, Readable.from([buf]));
    }
  } finally {
    await src.close();
  }
}

/** The single top-level directory of an unpacked archive (GitHub's "repo-main/"), else the root. */
async function contentRoot(dir: string): Promise<string> {
  const names = (await fs.readdir(dir)).filter((n) => !n.startsWith('.'));
  if (names.length === 1 && (await fs.stat(join(dir, names[0]!))).isDirectory()) return join(dir, names[0]!);
  return dir;
}

/** Prepares `file` (downloaded for `up`) under `workDir`; returns the path to import. Throws naming the file. */
export async function prepareArtefact(up: UpstreamSource, file: string, workDir: string, limits = DEFAULT_EXTRACT_LIMITS): Promise<string> {
  try {
    switch (up.kind) {
      case 'file':
        return file;
      case 'gzip': {
        const out = join(workDir, up.name.replace(/\.gz$/, '') || 'data');
        let total = 0;
        const cap = new Transform({
          transform(chunk: Buffer, _enc, cb) {
            total += chunk.length;
            cb(total > limits.maxTotalBytes ? new Error(`expands beyond ${limits.maxTotalBytes} bytes`) : null, chunk);
          },
        });
        await pipeline(createReadStream(file), createGunzip(), cap, createWriteStream(out));
        return out;
      }
      case 'tar.gz':
      case 'zip': {
        const dest = join(workDir, `${up.name}.d`);
        await fs.mkdir(dest, { recursive: true });
        if (up.kind === 'zip') await unzip(file, dest, limits);
        else await untarGz(file, dest, limits);
        return contentRoot(dest);
      }
      default:
        throw new Error(`unknown artefact kind ${JSON.stringify((up as { kind: unknown }).kind)}`);
    }
  } catch (e) {
    throw new Error(`${up.name}: cannot unpack the download: ${(e as Error).message}`);
  }
}
