// The benches' BIG image: ~2.0 GiB uncompressed in 14 layers of real Debian bookworm packages,
// chosen so that every language ecosystem Debian ships has installed packages a scanner must find
// (dpkg everywhere; Java jars and Maven poms; Python dist-info/egg-info; Ruby gemspecs; Node
// package.json under /usr/share/nodejs; PHP; Go and Rust binaries), plus the kind of bulk that
// dominates real images (a JDK, the Go toolchain with its ~10k source files, gcc, BLAS).
import { promises as fs } from 'node:fs';
import { ensureDebianImage, debianImageInfo, type DebianImage, type DebianRecipe } from '../test/infra/debian-image.ts';
import { capture } from './util.ts';

export const BIG_RECIPE: DebianRecipe = {
  name: 'bench-big',
  packages: [
    ['ca-certificates', 'curl', 'git', 'xz-utils'],
    ['default-jdk-headless'],
    ['maven', 'libguava-java', 'libcommons-lang3-java'],
    ['python3', 'python3-pip', 'python3-venv'],
    ['python3-numpy', 'python3-scipy', 'python3-requests', 'python3-yaml'],
    ['golang-go'],
    ['restic', 'age'],
    ['gcc', 'g++', 'make'],
    ['ruby-full', 'rake', 'ruby-nokogiri'],
    ['nodejs', 'npm'],
    ['php-cli', 'composer'],
    ['ripgrep', 'fd-find'],
  ],
  // A Go binary built in the image: its build info names a main module, like real Go services.
  extraDockerfile: [
    'RUN mkdir -p /src/hello && cd /src/hello && printf \'package main\\n\\nimport "fmt"\\n\\nfunc main() { fmt.Println("hi") }\\n\' > main.go \\',
    '    && go mod init example.com/hello && go build -o /usr/local/bin/hello . && rm -rf /src /root/.cache',
  ].join('\n'),
};

export interface BigImage extends DebianImage {
  /** Sum of the uncompressed layer tars. */
  uncompressedBytes: number;
  /** Size of the gzip OCI archive. */
  ociBytes: number;
  layers: number;
  /** How long its cold build took (when this cache entry was built), seconds. */
  buildSeconds?: number;
}

/** Builds the image on first use (~18 min), then returns it from .cache/images at once. */
export async function bigImage(): Promise<BigImage> {
  const img = await ensureDebianImage(BIG_RECIPE);
  // docker-archive layers are plain tars: their member sizes are the uncompressed layer sizes;
  // manifest.json lists the layers in order (a repeated layer is stored once, as a symlink).
  const manifest = JSON.parse(await capture('tar', ['-xOf', img.dockerArchive, 'manifest.json'])) as { Layers: string[] }[];
  const sizes = new Map<string, number>();
  for (const line of (await capture('tar', ['-tvf', img.dockerArchive])).split('\n')) {
    const f = line.trim().split(/\s+/);
    if (line.startsWith('-') && f.length >= 6) sizes.set(f[f.length - 1], Number(f[2]));
  }
  const layers = manifest[0].Layers.length;
  const uncompressedBytes = manifest[0].Layers.reduce((n, l) => n + (sizes.get(l) ?? 0), 0);
  const ociBytes = (await fs.stat(img.ociArchive)).size;
  return { ...img, uncompressedBytes, ociBytes, layers, buildSeconds: debianImageInfo(img)?.buildSeconds };
}

if (import.meta.main) {
  const img = await bigImage();
  console.log(JSON.stringify(img, null, 2));
}
