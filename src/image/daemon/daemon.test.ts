// Against a real Docker engine (a private dockerd started for the test unless one already runs):
// images are `docker load`ed from real archives, opened with openDaemonImage and read completely;
// tags and repo digests come from the Engine API; the temp spool is removed on close().
import assert from 'node:assert/strict';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { TarBlobStore } from '../archive/blob-store.ts';
import { openImageStore } from '../archive/archive-source.ts';
import { ImageInputError } from '../source.ts';
import { dockerUnavailable, startDocker, type TestDocker } from '../../../test/infra/docker.ts';
import { readAllLayers } from '../../../test/infra/read-image.ts';
import { registryUnavailable, startRegistry } from '../../../test/infra/registry.ts';
import { hasSharedData, sharedData } from '../../../test/shared-data.ts';
import { openRegistryImage } from '../registry/registry-source.ts';
import { openDaemonImage } from './daemon-source.ts';

const BUSYBOX = 'images/snyk/test/fixtures/docker-archives/skopeo-copy/busybox.tar';
const HELLO = 'images/snyk/test/fixtures/docker-archives/docker-save/hello-world.tar';
const skip = dockerUnavailable() ?? (hasSharedData(BUSYBOX) && hasSharedData(HELLO) ? undefined : 'shared image fixtures absent');

let d: TestDocker | undefined;
let busyboxId = '';
let spool: string;
const savedTmp = process.env.TMPDIR;

before(async () => {
  if (skip) return;
  d = await startDocker();
  const out = (await d.docker(['load', '-i', sharedData(BUSYBOX)])).stdout;
  busyboxId = /Loaded image ID: (sha256:[a-f0-9]{64})/.exec(out)?.[1] ?? '';
  assert.ok(busyboxId, out);
  await d.docker(['tag', busyboxId, 'triad-test/busybox:1']);
  await d.docker(['load', '-i', sharedData(HELLO)]);
  // The daemon source spools into os.tmpdir(): point it at a dir of our own to see it cleaned up.
  spool = await mkdtemp(join(tmpdir(), 'triad-daemon-test-'));
  process.env.TMPDIR = spool;
});
after(async () => {
  process.env.TMPDIR = savedTmp;
  if (d && !d.started) await d.docker(['rmi', '-f', 'triad-test/busybox:1'], { allowFail: true });
  await d?.stop();
  if (spool) await rm(spool, { recursive: true, force: true });
});

test('an image loaded into dockerd: tags from the API, layers identical to the archive, spool removed on close', { skip }, async () => {
  const src = await openDaemonImage('triad-test/busybox:1', { dockerHost: d!.host });
  try {
    assert.equal(src.info.sourceType, 'docker-daemon');
    assert.equal(src.info.ref, 'triad-test/busybox:1');
    assert.deepEqual(src.info.repoTags, ['triad-test/busybox:1']);
    assert.equal(src.info.configDigest, busyboxId);
    assert.equal((await readdir(spool)).length, 1);
    const { paths, entries } = await readAllLayers(src);
    assert.ok(paths.has('bin/busybox'));
    const archive = await openImageStore(await TarBlobStore.open(sharedData(BUSYBOX)), 'busybox.tar', 'docker-archive', 'linux/amd64');
    try {
      assert.deepEqual(src.layers.map((l) => l.diffID), archive.layers.map((l) => l.diffID));
      assert.deepEqual(entries, (await readAllLayers(archive)).entries);
    } finally {
      await archive.close();
    }
  } finally {
    await src.close();
  }
  assert.deepEqual(await readdir(spool), []);
});

test('a Docker 25 (OCI) save loaded into the daemon, opened by name and by ID', { skip }, async () => {
  const src = await openDaemonImage('hello-world', { dockerHost: d!.host });
  try {
    assert.deepEqual(src.info.repoTags, ['hello-world:latest']);
    assert.ok((await readAllLayers(src)).paths.has('hello'));
  } finally {
    await src.close();
  }
  const byId = await openDaemonImage(src.info.configDigest!, { dockerHost: d!.host });
  try {
    assert.deepEqual(byId.info.repoTags, ['hello-world:latest']);
    assert.deepEqual(byId.layers.map((l) => l.diffID), src.layers.map((l) => l.diffID));
  } finally {
    await byId.close();
  }
});

test('repo digests come from the daemon after a pull from a registry', { skip: skip ?? registryUnavailable() }, async () => {
  const reg = await startRegistry();
  try {
    await reg.push(`docker-archive:${sharedData(BUSYBOX)}`, 'test/busybox:1');
    const ref = `${reg.host}/test/busybox:1`;
    // 127.0.0.0/8 registries are insecure (plain http) for dockerd by default.
    await d!.docker(['pull', '-q', ref]);
    const fromRegistry = await openRegistryImage(ref, {});
    await fromRegistry.close();
    const src = await openDaemonImage(ref, { dockerHost: d!.host });
    try {
      assert.deepEqual(src.info.repoDigests, fromRegistry.info.repoDigests);
      assert.ok(src.info.repoTags.includes(ref));
      assert.deepEqual(src.layers.map((l) => l.diffID), fromRegistry.layers.map((l) => l.diffID));
    } finally {
      await src.close();
      await d!.docker(['rmi', ref], { allowFail: true });
    }
  } finally {
    await reg.stop();
  }
});

test('missing image and unreachable daemon are clear input errors', { skip }, async () => {
  await assert.rejects(openDaemonImage('triad-test/nope:1', { dockerHost: d!.host }), (e: Error) => {
    assert.ok(e instanceof ImageInputError);
    assert.equal(e.message, `triad-test/nope:1: image not found in the Docker daemon at ${d!.host}`);
    return true;
  });
  assert.deepEqual(await readdir(spool), []);
});

test('no daemon on the socket: a clear input error', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'triad-nodocker-'));
  try {
    const host = `unix://${join(dir, 'docker.sock')}`;
    await assert.rejects(openDaemonImage('busybox', { dockerHost: host }), (e: Error) => {
      assert.ok(e instanceof ImageInputError);
      assert.equal(e.message, `busybox: cannot connect to the Docker daemon at ${host} (ENOENT): is dockerd running?`);
      return true;
    });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  await assert.rejects(openDaemonImage('x', { dockerHost: 'ssh://host' }), /unsupported Docker host ssh:\/\/host/);
  await assert.rejects(openDaemonImage('../../containers/x', {}), /invalid image name/);
  await assert.rejects(openDaemonImage('x?all=1', {}), /invalid image name/);
});
