// Against a real registry (distribution 2.8) on loopback without auth: images pushed with skopeo
// from real archives (Docker schema 2, OCI, multi-platform OCI index) are opened and every layer is
// read; missing repositories/tags and a blob corrupted on the registry's disk fail clearly.
import assert from 'node:assert/strict';
import { chmod, open } from 'node:fs/promises';
import { after, before, test } from 'node:test';
import { TarBlobStore } from '../archive/blob-store.ts';
import { openImageStore } from '../archive/archive-source.ts';
import { ImageInputError } from '../source.ts';
import { registryUnavailable, startRegistry, type TestRegistry } from '../../../test/infra/registry.ts';
import { readAllLayers } from '../../../test/infra/read-image.ts';
import { freePort } from '../../../test/infra/util.ts';
import { hasSharedData, sharedData } from '../../../test/shared-data.ts';
import { openRegistryImage } from './registry-source.ts';

const BUSYBOX = 'images/snyk/test/fixtures/docker-archives/skopeo-copy/busybox.tar';
const OCI_BUSYBOX = 'images/snyk/test/fixtures/oci-archives/busybox-1.31.1.tar';
const MULTI = 'images/stereoscope/pkg/image/oci/testdata/multiplatform_oci_dir';

const skip = registryUnavailable() ?? (hasSharedData(BUSYBOX) ? undefined : 'shared image fixtures absent');
let reg: TestRegistry;

before(async () => {
  if (skip) return;
  reg = await startRegistry();
  await reg.push(`docker-archive:${sharedData(BUSYBOX)}`, 'test/busybox:1');
  await reg.push(`docker-archive:${sharedData(BUSYBOX)}`, 'test/corrupt:1');
  await reg.push(`oci-archive:${sharedData(OCI_BUSYBOX)}`, 'test/oci-busybox:1.31.1');
  await reg.push(`oci:${sharedData(MULTI)}:latest`, 'test/multi:latest', { all: true });
});
after(async () => {
  await reg?.stop();
});

test('Docker schema 2 image: manifest, config and every layer match the archive it was pushed from', { skip }, async () => {
  const src = await openRegistryImage(`${reg.host}/test/busybox:1`, {});
  try {
    assert.equal(src.info.sourceType, 'registry');
    assert.equal(src.info.config.architecture, 'amd64');
    assert.match(src.info.manifestDigest ?? '', /^sha256:[a-f0-9]{64}$/);
    assert.deepEqual(src.info.repoTags, [`${reg.host}/test/busybox:1`]);
    assert.deepEqual(src.info.repoDigests, [`${reg.host}/test/busybox@${src.info.manifestDigest}`]);
    assert.equal(src.layers[0]!.mediaType, 'application/vnd.docker.image.rootfs.diff.tar.gzip');
    const { paths, entries } = await readAllLayers(src);
    assert.ok(paths.has('bin/busybox'));
    // The same image read from the archive: skopeo recompressed the layers, the content is the same.
    const archive = await openImageStore(await TarBlobStore.open(sharedData(BUSYBOX)), 'busybox.tar', 'docker-archive', 'linux/amd64');
    try {
      assert.deepEqual(src.layers.map((l) => l.diffID), archive.layers.map((l) => l.diffID));
      assert.equal(src.info.configDigest, archive.info.configDigest);
      assert.deepEqual(entries, (await readAllLayers(archive)).entries);
    } finally {
      await archive.close();
    }
  } finally {
    await src.close();
  }
});

test('by digest: same image, and the digest is verified', { skip }, async () => {
  const byTag = await openRegistryImage(`${reg.host}/test/busybox:1`, {});
  await byTag.close();
  const digest = byTag.info.manifestDigest!;
  const src = await openRegistryImage(`${reg.host}/test/busybox@${digest}`, {});
  try {
    assert.equal(src.info.manifestDigest, digest);
    assert.deepEqual(src.info.repoTags, []);
    assert.ok((await readAllLayers(src)).paths.has('bin/busybox'));
  } finally {
    await src.close();
  }
  // tag@digest: the digest wins, as with docker pull.
  const both = await openRegistryImage(`${reg.host}/test/busybox:whatever@${digest}`, {});
  await both.close();
  assert.equal(both.info.manifestDigest, digest);
});

test('OCI image manifest pushed from an oci-archive', { skip }, async () => {
  const src = await openRegistryImage(`${reg.host}/test/oci-busybox:1.31.1`, {});
  try {
    assert.match(src.layers[0]!.mediaType ?? '', /^application\/vnd\.oci\.image\.layer\.v1\.tar/);
    const { paths, entries } = await readAllLayers(src);
    assert.ok(paths.has('bin/busybox'));
    assert.ok(entries[0]! > 300, `entries ${entries}`);
  } finally {
    await src.close();
  }
});

test('multi-platform index: the platform is chosen (linux/amd64 by default) and the index digest is the repo digest', { skip: skip ?? (hasSharedData(MULTI) ? undefined : 'multiplatform fixture absent') }, async () => {
  for (const [platform, want] of [[undefined, 'amd64'], ['linux/arm64', 'arm64']] as const) {
    const src = await openRegistryImage(`${reg.host}/test/multi`, platform ? { platform } : {});
    try {
      assert.equal(src.info.config.architecture, want);
      assert.notEqual(src.info.repoDigests[0], `${reg.host}/test/multi@${src.info.manifestDigest}`);
      const { paths } = await readAllLayers(src);
      assert.ok(paths.has(`linux/${want}/README.md`), [...paths].join(' '));
    } finally {
      await src.close();
    }
  }
  await assert.rejects(openRegistryImage(`${reg.host}/test/multi`, { platform: 'linux/s390x' }), (e: Error) => {
    assert.ok(e instanceof ImageInputError);
    assert.match(e.message, /no image for platform linux\/s390x \(available: linux\/amd64, linux\/arm64\)/);
    return true;
  });
});

test('missing repository, tag or digest: clear input errors naming the image and registry', { skip }, async () => {
  await assert.rejects(openRegistryImage(`${reg.host}/foo`, {}), (e: Error) => {
    assert.ok(e instanceof ImageInputError);
    assert.equal(e.message, `${reg.host}/foo: registry ${reg.host}: repository foo not found`);
    return true;
  });
  await assert.rejects(openRegistryImage(`${reg.host}/test/busybox:nope`, {}), (e: Error) => {
    assert.ok(e instanceof ImageInputError);
    assert.equal(e.message, `${reg.host}/test/busybox:nope: registry ${reg.host}: tag nope not found in repository test/busybox (tags: 1)`);
    return true;
  });
  const zero = `sha256:${'0'.repeat(64)}`;
  await assert.rejects(openRegistryImage(`${reg.host}/test/busybox@${zero}`, {}), /manifest sha256:0{64} not found in repository test\/busybox/);
});

test('a layer blob corrupted on the registry disk fails with a digest mismatch', { skip }, async () => {
  const src = await openRegistryImage(`${reg.host}/test/corrupt:1`, {});
  try {
    const digest = src.layers[0]!.digest!;
    // Rewrite the gzip header's MTIME: still valid gzip with the same content, but other bytes.
    const file = reg.blobPath(digest);
    await chmod(file, 0o644);
    const fh = await open(file, 'r+');
    const b = Buffer.alloc(4);
    await fh.read(b, 0, 4, 4);
    b[0] = b[0]! ^ 0xff;
    await fh.write(b, 0, 4, 4);
    await fh.close();
    await assert.rejects(src.readLayer(0, async () => {}), (e: Error) => {
      assert.match(e.message, new RegExp(`layer 0 \\(${digest}\\): digest mismatch: blob is sha256:[a-f0-9]{64}, expected ${digest}`));
      return true;
    });
  } finally {
    await src.close();
  }
});

test('invalid references are rejected before any request', async () => {
  await assert.rejects(openRegistryImage('127.0.0.1:1/UPPER/case', {}), /invalid repository name/);
  await assert.rejects(openRegistryImage('127.0.0.1:1/x@sha256:abc', {}), /unsupported digest/);
});

test('nothing listening: a clear connection error after bounded retries', async () => {
  const port = await freePort();
  const t0 = Date.now();
  await assert.rejects(openRegistryImage(`127.0.0.1:${port}/x:y`, { retries: 2, retryBaseMs: 10 }), (e: Error) => {
    assert.equal(e.message, `127.0.0.1:${port}/x:y: registry 127.0.0.1:${port}: cannot reach 127.0.0.1:${port}: ECONNREFUSED`);
    return true;
  });
  // Bounded, not timed: two retries at 10 ms base take well under a second; 30 s leaves room for a
  // loaded CI machine while still catching unbounded retrying (which would hit the test timeout).
  assert.ok(Date.now() - t0 < 30_000);
});
