// Test helpers shared by the OS catalogers' tests (osrelease, dpkg, apk): in-memory file content,
// a miniature of the framework's wants -> parse -> finalize flow, Trivy's txtar fixtures, and a
// reader that pulls files out of the real image archives in ../shared/data/images.
// Not a test file itself (no .test.ts suffix), and not used by production code.
import { createReadStream, readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { Readable } from 'node:stream';
import tar from 'tar-stream';
import type { OSInfo } from '../../model/types.ts';
import type { Cataloger, FileContent, FileMeta, FoundPackage, ParsedFile } from '../cataloger.ts';

export function bufferContent(buf: Buffer): FileContent {
  return {
    size: buf.length,
    read: async (offset: number, length: number) => buf.subarray(offset, offset + length),
    readAll: async () => buf,
  };
}

export function fileMeta(path: string, size: number): FileMeta {
  return { path, size, mode: 0o644 };
}

export interface CatalogRun {
  packages: FoundPackage[];
  parsed: ParsedFile[];
  warnings: string[];
}

/**
 * Runs a cataloger the way the framework does over a final filesystem given as path -> content:
 * wants() with its size bound, parse() per file, then finalize() over the parsed files in path order.
 */
export async function runCataloger(c: Cataloger, files: Iterable<[string, Buffer | string]>, os?: OSInfo): Promise<CatalogRun> {
  const parsed: ParsedFile[] = [];
  const paths = new Set<string>();
  for (const [path, data] of files) {
    paths.add(path);
    const buf = typeof data === 'string' ? Buffer.from(data) : data;
    const meta = fileMeta(path, buf.length);
    const bound = c.wants(meta);
    if (!bound || buf.length > bound) continue;
    parsed.push({ meta, result: await c.parse(meta, bufferContent(buf)) });
  }
  parsed.sort((a, b) => (a.meta.path < b.meta.path ? -1 : a.meta.path > b.meta.path ? 1 : 0));
  const warnings = parsed.flatMap((p) => p.result.warnings ?? []);
  const packages = c.finalize
    ? await c.finalize({ files: parsed, os, exists: (p) => paths.has(p) })
    : parsed.flatMap((p) => p.result.packages ?? []);
  return { packages, parsed, warnings };
}

/** Reads a txtar archive (golang.org/x/tools/txtar: "-- name --" lines separate files). */
export function readTxtar(file: string): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  let name: string | undefined;
  let body: string[] = [];
  const flush = () => {
    if (name !== undefined) out.set(name, Buffer.from(body.length ? body.join('\n') + '\n' : ''));
  };
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    const m = /^-- (.+) --$/.exec(line);
    if (m) {
      flush();
      name = m[1].trim();
      body = [];
    } else if (name !== undefined) body.push(line);
  }
  if (body.length && body[body.length - 1] === '') body.pop();
  flush();
  return out;
}

async function tarEntries(src: Readable, visit: (name: string, type: string, data: Buffer) => void): Promise<void> {
  const ex = tar.extract();
  src.pipe(ex);
  for await (const entry of ex) {
    const chunks: Buffer[] = [];
    for await (const c of entry) chunks.push(c as Buffer);
    visit(entry.header.name.replace(/^\.?\//, ''), entry.header.type ?? 'file', Buffer.concat(chunks));
  }
}

/**
 * Extracts the regular files whose (normalised) path satisfies `want` from a docker-save or OCI
 * image archive, applying layers in manifest order (later layers win; file whiteouts delete).
 * Enough for fixtures; the real image reader lives in src/image.
 */
export async function readImageFiles(archive: string, want: (path: string) => boolean): Promise<Map<string, Buffer>> {
  const members = new Map<string, Buffer>();
  await tarEntries(createReadStream(archive), (name, type, data) => {
    if (type === 'file') members.set(name, data);
  });
  const json = (n: string) => JSON.parse(members.get(n)!.toString('utf8'));
  let layers: string[];
  if (members.has('manifest.json')) {
    layers = json('manifest.json')[0].Layers;
  } else {
    const index = json('index.json');
    const blob = (d: string) => `blobs/${d.replace(':', '/')}`;
    const manifest = json(blob(index.manifests[0].digest));
    layers = manifest.layers.map((l: { digest: string }) => blob(l.digest));
  }
  const out = new Map<string, Buffer>();
  for (const l of layers) {
    let data = members.get(l);
    if (!data) throw new Error(`${archive}: layer ${l} missing`);
    if (data[0] === 0x1f && data[1] === 0x8b) data = gunzipSync(data);
    await tarEntries(Readable.from([data]), (name, type, body) => {
      const base = name.slice(name.lastIndexOf('/') + 1);
      if (base.startsWith('.wh.')) {
        out.delete(name.slice(0, name.length - base.length) + base.slice(4));
      } else if (type === 'file' && want(name)) out.set(name, body);
    });
  }
  return out;
}
