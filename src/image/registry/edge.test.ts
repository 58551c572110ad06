// Registry behaviours a stock distribution server does not show on demand, reproduced by a small
// HTTP server in this process serving a real image (stereoscope's multi-platform OCI fixture):
// blob redirects to another host (the Authorization header must not follow), 429/503 with retries,
// schema 1 manifests, lying Docker-Content-Digest headers, oversized manifests, stalled servers.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { after, before, beforeEach, test } from 'node:test';
import { ImageInputError } from '../source.ts';
import { readAllLayers } from '../../../test/infra/read-image.ts';
import { hasSharedData, sharedData } from '../../../test/shared-data.ts';
import { openRegistryImage } from './registry-source.ts';

const DIR = 'images/stereoscope/pkg/image/oci/testdata/multiplatform_oci_dir';
const skip = hasSharedData(DIR) ? undefined : 'multiplatform OCI fixture absent';
const MANIFEST = 'sha256:e7c26a4b4d156fd9947ee82295b7b78acf7aa54b93b8f3e4b9f608179ffb20e8';
const CONFIG = 'sha256:549248a7ac95478805d9248e4ffdc778fc2404257d8c071848746e0100e08099';
const AUTH = 'Basic ' + Buffer.from('alice:pw').toString('base64');
const blob = (d: string) => readFileSync(sharedData(DIR, 'blobs', 'sha256', d.slice(7)));

interface Scenario {
  /** Answer this many manifest requests with this status first. */
  failFirst?: { count: number; status: number };
  manifest?: { body: Buffer | string; type: string; digestHeader?: string; chunked?: boolean };
  /** Accept the request and never answer. */
  hang?: 'manifest' | 'layer';
}

let scenario: Scenario = {};
const seen = { registry: [] as Array<{ url: string; auth?: string }>, storage: [] as Array<{ url: string; auth?: string }> };
let registry: Server;
let storage: Server;
let host = '';
let storageOrigin = '';

function listen(srv: Server, addr: string): Promise<number> {
  return new Promise((res) => srv.listen(0, addr, () => res((srv.address() as { port: number }).port)));
}

function registryHandler(req: IncomingMessage, res: ServerResponse): void {
  const url = req.url ?? '';
  seen.registry.push({ url, auth: req.headers.authorization });
  if (req.headers.authorization !== AUTH) {
    res.writeHead(401, { 'www-authenticate': 'Basic realm="fake"', 'content-type': 'application/json' });
    res.end('{"errors":[{"code":"UNAUTHORIZED","message":"authentication required"}]}');
    return;
  }
  const m = /^\/v2\/r\/(manifests|blobs|blobs-here)\/(.+)$/.exec(url);
  if (!m) return void res.writeHead(404).end();
  const [, kind, ref] = m as unknown as [string, string, string];
  if (kind === 'manifests') {
    if (scenario.hang === 'manifest') return;
    if (scenario.failFirst && scenario.failFirst.count > 0) {
      scenario.failFirst.count--;
      res.writeHead(scenario.failFirst.status, { 'retry-after': '0', 'content-type': 'application/json' });
      return void res.end(`{"errors":[{"code":"TOOMANYREQUESTS","message":"slow down"}]}`);
    }
    const mf = scenario.manifest ?? { body: blob(MANIFEST), type: 'application/vnd.oci.image.manifest.v1+json', digestHeader: MANIFEST };
    const headers: Record<string, string> = { 'content-type': mf.type };
    if (mf.digestHeader) headers['docker-content-digest'] = mf.digestHeader;
    if (!mf.chunked) headers['content-length'] = String(Buffer.byteLength(mf.body));
    res.writeHead(200, headers);
    if (mf.chunked) res.write(mf.body);
    return void res.end(mf.chunked ? undefined : mf.body);
  }
  // The config is redirected on the same host (credentials must stay), layers to "storage" on
  // another loopback address (credentials must go).
  if (kind === 'blobs' && ref === CONFIG) return void res.writeHead(307, { location: `/v2/r/blobs-here/${ref}` }).end();
  if (kind === 'blobs') return void res.writeHead(302, { location: `${storageOrigin}/bucket/${ref}?sig=x` }).end();
  res.writeHead(200, { 'content-type': 'application/octet-stream' }).end(blob(ref));
}

function storageHandler(req: IncomingMessage, res: ServerResponse): void {
  seen.storage.push({ url: req.url ?? '', auth: req.headers.authorization });
  const m = /^\/bucket\/(sha256:[a-f0-9]{64})\?sig=x$/.exec(req.url ?? '');
  if (!m) return void res.writeHead(403).end();
  const data = blob(m[1]!);
  if (scenario.hang === 'layer') {
    // Half the blob, then silence.
    res.writeHead(200, { 'content-length': String(data.length) });
    res.write(data.subarray(0, data.length >> 1));
    return;
  }
  res.writeHead(200, { 'content-length': String(data.length) }).end(data);
}

before(async () => {
  if (skip) return;
  registry = createServer(registryHandler);
  storage = createServer(storageHandler);
  host = `127.0.0.1:${await listen(registry, '127.0.0.1')}`;
  storageOrigin = `http://127.0.0.2:${await listen(storage, '127.0.0.2')}`;
});
after(() => {
  for (const s of [registry, storage]) {
    s?.closeAllConnections();
    s?.close();
  }
});
beforeEach(() => {
  scenario = {};
  seen.registry.length = 0;
  seen.storage.length = 0;
});

const creds = { username: 'alice', password: 'pw', retryBaseMs: 5 };

test('redirects: Authorization kept on the same host, dropped for the storage host', { skip }, async () => {
  const src = await openRegistryImage(`${host}/r:1`, creds);
  try {
    assert.equal(src.info.configDigest, CONFIG);
    const { paths } = await readAllLayers(src);
    assert.ok(paths.has('linux/amd64/README.md'));
  } finally {
    await src.close();
  }
  assert.ok(seen.registry.some((r) => r.url.startsWith('/v2/r/blobs-here/') && r.auth === AUTH));
  assert.equal(seen.storage.length, 1);
  assert.equal(seen.storage[0]!.auth, undefined);
});

test('429/503 are retried with backoff, then reported', { skip }, async () => {
  scenario.failFirst = { count: 2, status: 503 };
  const src = await openRegistryImage(`${host}/r:1`, creds);
  await src.close();
  assert.equal(seen.registry.filter((r) => r.url.includes('/manifests/') && r.auth).length, 3);
  scenario.failFirst = { count: 10, status: 429 };
  await assert.rejects(openRegistryImage(`${host}/r:1`, { ...creds, retries: 2 }), /registry 127\.0\.0\.1:\d+: rate limited \(HTTP 429, gave up after 3 attempts\): slow down/);
  scenario.failFirst = { count: 10, status: 500 };
  await assert.rejects(openRegistryImage(`${host}/r:1`, { ...creds, retries: 1 }), /HTTP 500 for manifests\/1: TOOMANYREQUESTS slow down/);
});

test('schema 1 manifests are rejected with a clear error', { skip }, async () => {
  scenario.manifest = { body: JSON.stringify({ schemaVersion: 1, name: 'r', tag: '1', fsLayers: [], history: [] }), type: 'application/vnd.docker.distribution.manifest.v1+prettyjws' };
  await assert.rejects(openRegistryImage(`${host}/r:1`, creds), (e: Error) => {
    assert.ok(e instanceof ImageInputError);
    assert.match(e.message, /manifest 1 is Docker image manifest schema 1, which is deprecated and not supported/);
    return true;
  });
});

test('a Docker-Content-Digest that does not match the content, or a wrong @digest, fails', { skip }, async () => {
  const other = `sha256:${'1'.repeat(64)}`;
  scenario.manifest = { body: blob(MANIFEST), type: 'application/vnd.oci.image.manifest.v1+json', digestHeader: other };
  await assert.rejects(openRegistryImage(`${host}/r:1`, creds), new RegExp(`manifest digest mismatch: content is ${MANIFEST}, registry says ${other}`));
  scenario.manifest = { body: blob(MANIFEST), type: 'application/vnd.oci.image.manifest.v1+json' };
  await assert.rejects(openRegistryImage(`${host}/r@${other}`, creds), new RegExp(`manifest digest mismatch: content is ${MANIFEST}, expected ${other}`));
  const src = await openRegistryImage(`${host}/r@${MANIFEST}`, creds);
  await src.close();
});

test('manifests over 4 MiB are refused', { skip }, async () => {
  const body = Buffer.alloc(4 * 1024 * 1024 + 1, 0x20);
  scenario.manifest = { body, type: 'application/vnd.oci.image.manifest.v1+json' };
  await assert.rejects(openRegistryImage(`${host}/r:1`, creds), /manifest 1 is too large \(4194305 bytes, limit 4194304\)/);
  // Without a Content-Length the limit is enforced while reading.
  scenario.manifest = { body, type: 'application/vnd.oci.image.manifest.v1+json', chunked: true };
  await assert.rejects(openRegistryImage(`${host}/r:1`, creds), /manifest 1 is too large \(more than 4194304 bytes\)/);
});

test('OCI artifacts that are not container images are refused', { skip }, async () => {
  const m = JSON.parse(blob(MANIFEST).toString());
  m.config.mediaType = 'application/vnd.cncf.helm.config.v1+json';
  scenario.manifest = { body: JSON.stringify(m), type: 'application/vnd.oci.image.manifest.v1+json' };
  await assert.rejects(openRegistryImage(`${host}/r:1`, creds), /is not a container image \(config media type application\/vnd\.cncf\.helm\.config\.v1\+json\)/);
});

test('timeouts: no response, and a blob download that stalls', { skip }, async () => {
  scenario.hang = 'manifest';
  await assert.rejects(openRegistryImage(`${host}/r:1`, { ...creds, timeoutMs: 300, retries: 0 }), /cannot reach 127\.0\.0\.1:\d+: no response within 300 ms/);
  scenario.hang = 'layer';
  const src = await openRegistryImage(`${host}/r:1`, { ...creds, timeoutMs: 300, retries: 0 });
  try {
    await assert.rejects(src.readLayer(0, async () => {}), /layer 0 \(sha256:[a-f0-9]{64}\): no data for 300 ms/);
  } finally {
    await src.close();
  }
});
