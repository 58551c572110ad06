// Builds small docker-save archives in tests from layer contents, so that whiteout, attribution and
// hostile-input cases are exact and readable. Real images come from ../shared/data and Debian.
import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import { gzipSync, zstdCompressSync } from 'node:zlib';
import tar from 'tar-stream';

export type FileSpec =
  | { path: string; content: string | Buffer; mode?: number }
  | { path: string; dir: true }
  | { path: string; symlink: string }
  | { path: string; hardlink: string };

export async function layerTar(files: FileSpec[]): Promise<Buffer> {
  const pack = tar.pack();
  const chunks: Buffer[] = [];
  pack.on('data', (c: unknown) => { chunks.push(c as Buffer); });
  const done = new Promise<void>((res, rej) => { pack.on('end', res); pack.on('error', rej); });
  for (const f of files) {
    if ('content' in f) {
      const body = typeof f.content === 'string' ? Buffer.from(f.content) : f.content;
      pack.entry({ name: f.path, size: body.length, mode: f.mode ?? 0o644 }, body);
    } else if ('dir' in f) pack.entry({ name: f.path, type: 'directory', mode: 0o755 });
    else if ('symlink' in f) pack.entry({ name: f.path, type: 'symlink', linkname: f.symlink });
    else pack.entry({ name: f.path, type: 'link', linkname: f.hardlink });
  }
  pack.finalize();
  await done;
  return Buffer.concat(chunks);
}

const sha = (b: Buffer) => 'sha256:' + createHash('sha256').update(b).digest('hex');

export interface ArchiveLayer {
  tar: Buffer;
  createdBy?: string;
  gzip?: boolean;
  zstd?: boolean;
}

/** Writes a docker-save (manifest.json) archive; returns the layers' diffIDs. */
export async function writeDockerArchive(file: string, layers: ArchiveLayer[], opts: { tags?: string[]; config?: object } = {}): Promise<string[]> {
  const diffIDs = layers.map((l) => sha(l.tar));
  const config = Buffer.from(JSON.stringify({
    architecture: 'amd64',
    os: 'linux',
    config: { Env: ['PATH=/usr/bin:/bin'] },
    rootfs: { type: 'layers', diff_ids: diffIDs },
    history: layers.map((l) => ({ created_by: l.createdBy ?? '/bin/sh -c #(nop) ADD file in /' })),
    ...opts.config,
  }));
  const configName = `${sha(config).slice(7)}.json`;
  const pack = tar.pack();
  const names: string[] = [];
  layers.forEach((l, i) => {
    const body = l.gzip ? gzipSync(l.tar) : l.zstd ? zstdCompressSync(l.tar) : l.tar;
    const name = `layer${i}/layer.tar`;
    names.push(name);
    pack.entry({ name, size: body.length }, body);
  });
  pack.entry({ name: configName, size: config.length }, config);
  const manifest = Buffer.from(JSON.stringify([{ Config: configName, RepoTags: opts.tags ?? ['test:latest'], Layers: names }]));
  pack.entry({ name: 'manifest.json', size: manifest.length }, manifest);
  pack.finalize();
  await pipeline(pack, createWriteStream(file));
  return diffIDs;
}
