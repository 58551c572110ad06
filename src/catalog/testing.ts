// Test support shared by the catalogers' tests: runs a cataloger the way the walker does
// (wants -> size bound -> parse -> finalize) over files taken from a host directory tree or from a
// real image archive. Image layers are read here with tar-stream directly so that these tests do
// not depend on the image readers being developed alongside.
import { lstatSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { gunzipSync } from 'node:zlib';
import tar from 'tar-stream';
import type { Cataloger, FileResult, FoundPackage, ParsedFile } from './cataloger.ts';

export interface TestFile {
  path: string;
  data: Buffer;
  /** File mode (default 0o644). */
  mode?: number;
}

/** In-memory file content, as the walker hands small files to catalogers. */
import { BufferContent as MemContent } from '../walker/content.ts';
export { MemContent };

export interface RunResult {
  packages: FoundPackage[];
  warnings: string[];
  files: ParsedFile[];
}

export async function runCataloger(c: Cataloger, files: TestFile[]): Promise<RunResult> {
  const parsed: ParsedFile[] = [];
  const warnings: string[] = [];
  for (const f of [...files].sort((a, b) => (a.path < b.path ? -1 : 1))) {
    const meta = { path: f.path, size: f.data.length, mode: f.mode ?? 0o644 };
    const limit = c.wants(meta);
    if (!limit || f.data.length > limit) continue;
    const result: FileResult = await c.parse(meta, new MemContent(f.data));
    if (result.warnings) warnings.push(...result.warnings.map((w) => `${f.path}: ${w}`));
    parsed.push({ meta, result });
  }
  const paths = new Set(files.map((f) => f.path));
  const exists = (p: string) => paths.has(p) || files.some((f) => f.path.startsWith(p + '/'));
  const packages = c.finalize ? await c.finalize({ files: parsed, exists }) : parsed.flatMap((f) => f.result.packages ?? []);
  return { packages, warnings, files: parsed };
}

/** Files of a host directory that the cataloger wants, as image paths under `prefix` (symlinks skipped). */
export function treeFiles(c: Cataloger, hostDir: string, prefix: string): TestFile[] {
  const out: TestFile[] = [];
  const walk = (dir: string, rel: string) => {
    for (const name of readdirSync(dir)) {
      const host = join(dir, name);
      const path = rel ? `${rel}/${name}` : name;
      const st = lstatSync(host);
      if (st.isDirectory()) walk(host, path);
      else if (st.isFile() && c.wants({ path, size: st.size, mode: st.mode })) out.push({ path, data: readFileSync(host) });
    }
  };
  walk(hostDir, prefix.replace(/^\/+|\/+$/g, ''));
  return out;
}

async function tarEntries(buf: Buffer, onFile: (name: string, type: string, body: () => Promise<Buffer>) => void): Promise<void> {
  const ex = tar.extract();
  const done = (async () => {
    for await (const entry of ex) {
      const chunks: Buffer[] = [];
      for await (const c of entry) chunks.push(c as Buffer);
      const data = Buffer.concat(chunks);
      onFile(entry.header.name.replace(/^\.?\/+/, ''), entry.header.type ?? 'file', async () => data);
    }
  })();
  Readable.from([buf]).pipe(ex);
  await done;
}

/** The squashed final filesystem of a docker-save or OCI archive, restricted to wanted files. */
export async function imageFiles(c: Cataloger, archive: string): Promise<TestFile[]> {
  const blobs = new Map<string, Buffer>();
  let outer = readFileSync(archive);
  // Some fixtures are `docker save | gzip` under a .tar name.
  if (outer[0] === 0x1f && outer[1] === 0x8b) outer = gunzipSync(outer);
  await tarEntries(outer, (name, type, body) => {
    if (type === 'file') void body().then((b) => blobs.set(name, b));
  });
  const json = (n: string) => JSON.parse(blobs.get(n)!.toString('utf8'));
  let layers: string[];
  if (blobs.has('manifest.json')) {
    layers = (json('manifest.json') as Array<{ Layers: string[] }>)[0]!.Layers;
  } else {
    const index = json('index.json');
    let m = json(`blobs/${index.manifests[0].digest.replace(':', '/')}`);
    if (m.manifests) m = json(`blobs/${m.manifests[0].digest.replace(':', '/')}`);
    layers = m.layers.map((l: { digest: string }) => `blobs/${l.digest.replace(':', '/')}`);
  }
  const fs = new Map<string, Buffer>();
  const remove = (p: string) => {
    for (const k of [...fs.keys()]) if (k === p || k.startsWith(p + '/')) fs.delete(k);
  };
  for (const l of layers) {
    let data = blobs.get(l)!;
    if (data[0] === 0x1f && data[1] === 0x8b) data = gunzipSync(data);
    const pending: Array<Promise<void>> = [];
    await tarEntries(data, (name, type, body) => {
      const path = name.replace(/\/+$/, '');
      const slash = path.lastIndexOf('/');
      const base = path.slice(slash + 1);
      if (base === '.wh..wh..opq') return remove(path.slice(0, Math.max(slash, 0)));
      if (base.startsWith('.wh.')) return remove(path.slice(0, slash + 1) + base.slice(4));
      if (type !== 'file') return;
      pending.push(body().then((b) => void (c.wants({ path, size: b.length, mode: 0o644 }) ? fs.set(path, b) : fs.delete(path))));
    });
    await Promise.all(pending);
  }
  return [...fs].map(([path, data]) => ({ path, data }));
}

/**
 * Feeds damaged copies of real files (truncated at many points, bytes flipped, garbage, empty,
 * deeply nested brackets) to `parse`; returns what threw. Deterministic: a fixed-seed generator.
 */
export async function damagedParses(c: Cataloger, samples: TestFile[]): Promise<string[]> {
  let seed = 42;
  const rand = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
  const failures: string[] = [];
  for (const s of samples) {
    const variants: Buffer[] = [Buffer.alloc(0), Buffer.from('\u0000\u00ff{[<'), Buffer.from('['.repeat(100_000)), Buffer.from('{"a":'.repeat(50_000))];
    for (let i = 1; i <= 8; i++) variants.push(s.data.subarray(0, Math.floor((s.data.length * i) / 9)));
    for (let i = 0; i < 8; i++) {
      const b = Buffer.from(s.data);
      for (let k = 0; k < 1 + b.length / 200; k++) b[Math.floor(rand() * b.length)] = Math.floor(rand() * 256);
      variants.push(b);
    }
    for (const [i, data] of variants.entries()) {
      try {
        await c.parse({ path: s.path, size: data.length, mode: 0o644 }, new MemContent(data));
      } catch (e) {
        failures.push(`${s.path} variant ${i}: ${(e as Error).message}`);
      }
    }
  }
  return failures;
}

/** name@version strings, sorted, for compact comparisons. */
export function ids(pkgs: FoundPackage[]): string[] {
  return pkgs.map((p) => `${p.name}@${p.version}`).sort();
}
