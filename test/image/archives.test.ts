// Every real archive in ../shared/data/images either opens and streams completely or fails with a
// one-line ImageInputError naming it; hostile archives never write outside Triad's temp dirs.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile, truncate } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { gzipSync } from 'node:zlib';
import { after, before, test } from 'node:test';
import type { Cataloger } from '../../src/catalog/cataloger.ts';
import { openImage } from '../../src/image/open.ts';
import { ImageInputError } from '../../src/image/source.ts';
import { FinalView } from '../../src/scan/squash.ts';
import { walkImage } from '../../src/walker/walk.ts';
import { layerTar, writeDockerArchive } from '../infra/make-archive.ts';
import { hasSharedData, sharedData } from '../shared-data.ts';

// Wants every file and spills everything above 8 bytes to disk, to exercise the temp-file path.
const greedy: Cataloger = { name: 'all', ecosystems: [], wants: () => 1 << 30, parse: async (_m, c) => ({ data: (await c.read(0, 16)).length }) };

let dir: string;
before(async () => { dir = await mkdtemp(join(tmpdir(), 'triad-arch-')); });
after(async () => { await rm(dir, { recursive: true, force: true }); });

function archives(root: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const n of readdirSync(d)) {
      const p = join(d, n);
      if (statSync(p).isDirectory()) walk(p);
      else if (p.endsWith('.tar') || p.endsWith('.tar.gz')) out.push(p);
    }
  };
  walk(root);
  return out.sort();
}

async function scanAll(ref: string, opts = {}) {
  const src = await openImage(ref, opts);
  try {
    const layers = await walkImage(src, [greedy], { memoryLimit: 8 });
    return { src, layers, view: new FinalView(layers) };
  } finally {
    await src.close();
  }
}

test('every archive in shared/data/images scans or fails with a clear error naming it', { skip: !hasSharedData('images') }, async () => {
  const files = archives(sharedData('images'));
  assert.ok(files.length > 40, `expected the shared image archives, found ${files.length}`);
  let ok = 0;
  const failures: string[] = [];
  for (const f of files) {
    try {
      const { src } = await scanAll(f);
      assert.ok(src.layers.length >= 1, f);
      ok++;
    } catch (e) {
      assert.ok(e instanceof ImageInputError, `${f}: not an ImageInputError: ${(e as Error).stack}`);
      assert.ok(e.message.startsWith(f), `${f}: message does not name the input: ${e.message}`);
      assert.ok(!e.message.includes('\n'), `${f}: multi-line error`);
      failures.push(`${relative(sharedData('images'), f)}: ${e.message.slice(f.length + 2)}`);
    }
  }
  // Most are real, well-formed images; the rest are deliberately broken or hand-edited fixtures.
  assert.ok(ok >= 40, `only ${ok} archives scanned:\n${failures.join('\n')}`);
});

test('multi-arch OCI layouts pick the requested platform', { skip: !hasSharedData('images') }, async () => {
  const d = sharedData('images/stereoscope/pkg/image/oci/testdata/multiplatform_oci_dir');
  const amd = await openImage(`oci:${d}`);
  const arm = await openImage(`oci:${d}`, { platform: 'linux/arm64' });
  assert.notEqual(amd.info.manifestDigest, arm.info.manifestDigest);
  assert.equal(amd.info.config.architecture, 'amd64');
  assert.equal(arm.info.config.architecture, 'arm64');
  await assert.rejects(openImage(`oci:${d}`, { platform: 'linux/s390x' }), /no image for platform linux\/s390x/);
  await amd.close();
  await arm.close();
});

test('containerd exports and Docker 25+ OCI-in-tar archives are read', { skip: !hasSharedData('images') }, async () => {
  const { view } = await scanAll(sharedData('images/snyk/test/fixtures/containerd-archives/alpine.tar'));
  assert.ok(view.has('lib/apk/db/installed'));
  const v25 = await scanAll(sharedData('images/go-containerregistry/pkg/v1/tarball/testdata/hello-world-v25.tar'));
  assert.ok(v25.view.has('hello'));
});

test('whiteout fixtures give the right final view', { skip: !hasSharedData('images') }, async () => {
  const wd = await scanAll(sharedData('images/go-containerregistry/pkg/v1/mutate/testdata/whiteout_dir.tar'));
  // Layers: a/foo, b/bar, .wh.a, a/baz  =>  a/baz and b/bar survive, a/foo is gone.
  assert.equal(wd.view.has('a/foo'), false);
  assert.equal(wd.view.has('a/baz'), true);
  assert.equal(wd.view.has('b/bar'), true);
  const ow = await scanAll(sharedData('images/osv-scalibr/artifact/image/layerscanning/image/testdata/overwrite-file.tar'));
  const top = ow.layers.length - 1;
  for (const [, e] of ow.view.entries) if (e.rec.type === 'file') assert.equal(e.layer, top);
});

test('path traversal and symlink escapes write nothing outside the temp dir', { skip: !hasSharedData('images') }, async () => {
  const escape = await readFile(sharedData('images/osv-scalibr/artifact/image/unpack/testdata/escape.tar'));
  const file = join(dir, 'escape-image.tar');
  await writeDockerArchive(file, [{ tar: escape }, { tar: await layerTar([{ path: '../../../../tmp/triad-escaped', content: 'pwned' }, { path: 'escape/poc2.txt', content: 'x' }]) }]);
  const before = existsSync('/tmp/poc.txt');
  const { view } = await scanAll(`docker-archive:${file}`);
  assert.equal(existsSync('/tmp/triad-escaped'), false);
  assert.equal(existsSync('/tmp/poc2.txt'), false);
  assert.equal(existsSync('/tmp/poc.txt'), before);
  // '..' is clamped at the image root, and the symlink chain never leaves the image.
  assert.ok(view.has('tmp/triad-escaped'));
  assert.equal(view.entries.get('escape')!.rec.type, 'symlink');
  const cyc = await scanAll(sharedData('images/osv-scalibr/artifact/image/layerscanning/image/testdata/symlink-cycle.tar'));
  for (const p of cyc.view.entries.keys()) cyc.view.resolve(p); // bounded: returns, never hangs
});

test('broken archives fail with exit-2 errors naming the image and the layer', async () => {
  const good = await layerTar([{ path: 'etc/hostname', content: 'x\n' }]);
  // Truncated layer.
  const t1 = join(dir, 'trunc.tar');
  await writeDockerArchive(t1, [{ tar: gzipSync(Buffer.concat([good, good])).subarray(0, 60), createdBy: 'x' }]);
  await assert.rejects(scanAll(`docker-archive:${t1}`), (e: Error) => e instanceof ImageInputError && /trunc\.tar/.test(e.message));
  // Wrong diffID.
  const t2 = join(dir, 'digest.tar');
  await writeDockerArchive(t2, [{ tar: good }], { config: { rootfs: { type: 'layers', diff_ids: ['sha256:' + '0'.repeat(64)] } } });
  await assert.rejects(scanAll(`docker-archive:${t2}`), /layer 0 .*diffID mismatch/);
  // ... unless verification is off on purpose.
  await scanAll(`docker-archive:${t2}`, { verifyDigests: false });
  // A manifest that points nowhere.
  const t3 = join(dir, 'nowhere.tar');
  await writeFile(join(dir, 'manifest.json'), JSON.stringify([{ Config: 'missing.json', Layers: ['x/layer.tar'] }]));
  execFileSync('tar', ['-cf', t3, '-C', dir, 'manifest.json']);
  await assert.rejects(openImage(t3), /config missing\.json is missing/);
  // Not an archive at all; a truncated outer archive.
  const t4 = join(dir, 'junk.tar');
  await writeFile(t4, Buffer.alloc(4096, 7));
  await assert.rejects(openImage(t4), (e: Error) => e instanceof ImageInputError && /junk\.tar: not a tar archive/.test(e.message));
  const t5 = join(dir, 'cut.tar');
  await writeDockerArchive(t5, [{ tar: good }]);
  await truncate(t5, 1500);
  await assert.rejects(openImage(t5), /truncated/);
  await assert.rejects(openImage(join(dir, 'does-not-exist.tar')), /no such file/);
});

test('a decompression bomb is stopped at the layer size limit', async () => {
  // 1 GiB of zeros inside a tar entry compresses to ~1 MiB of gzip.
  const { readTarLayer } = await import('../../src/image/layer-reader.ts');
  const { Readable } = await import('node:stream');
  const zlib = await import('node:zlib');
  const header = (await layerTar([{ path: 'big', content: Buffer.alloc(0) }])).subarray(0, 512);
  header.write('00010000000\0', 124, 'latin1'); // size field: 1 GiB
  let sum = 0;
  header.fill(0x20, 148, 156);
  for (const b of header) sum += b;
  header.write(sum.toString(8).padStart(6, '0') + '\0 ', 148, 'latin1');
  const gz = zlib.createGzip();
  const src = Readable.from((function* () { yield header; for (let i = 0; i < 1024; i++) yield Buffer.alloc(1 << 20); })()).pipe(gz);
  await assert.rejects(
    readTarLayer(src, { label: 'bomb layer', limits: { maxLayerBytes: 64 << 20, maxEntries: 10 } }, async () => {}),
    /bomb layer exceeds the size limit/,
  );
});

test('gzip, zstd and uncompressed layers in one image, whatever the file name says', async () => {
  const file = join(dir, 'mixed.tar');
  await writeDockerArchive(file, [
    { tar: await layerTar([{ path: 'a', content: 'plain' }]) },
    { tar: await layerTar([{ path: 'b', content: 'gzip' }]), gzip: true },
    { tar: await layerTar([{ path: 'c', content: 'zstd' }]), zstd: true },
  ]);
  const { view, layers } = await scanAll(`docker-archive:${file}`);
  assert.deepEqual(['a', 'b', 'c'].map((p) => view.entries.get(p)?.layer), [0, 1, 2]);
  assert.ok(layers.every((l) => l.bytes >= 1024));
});
