// Authentication against real registries on loopback: htpasswd (Basic) and token (Bearer, with a
// token server in this process), credentials given directly, from a Docker config.json `auths`
// entry, and from a credential helper; wrong or missing credentials fail with clear errors.
import assert from 'node:assert/strict';
import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { ImageInputError } from '../source.ts';
import { readAllLayers } from '../../../test/infra/read-image.ts';
import { registryUnavailable, startRegistry, type TestRegistry } from '../../../test/infra/registry.ts';
import { hasSharedData, sharedData } from '../../../test/shared-data.ts';
import { openRegistryImage } from './registry-source.ts';

const BUSYBOX = 'images/snyk/test/fixtures/docker-archives/skopeo-copy/busybox.tar';
const fixtures = hasSharedData(BUSYBOX) ? undefined : 'shared image fixtures absent';
const skipBasic = registryUnavailable('basic') ?? fixtures;
const skipToken = registryUnavailable('token') ?? fixtures;
const users = { alice: 's3cret' };

let basic: TestRegistry | undefined;
let token: TestRegistry | undefined;
let tokenOAuth: TestRegistry | undefined;
let dir: string;

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'triad-auth-test-'));
  // Keep the user's own ~/.docker/config.json out of these tests.
  process.env.DOCKER_CONFIG = join(dir, 'no-docker-config');
  const src = `docker-archive:${sharedData(BUSYBOX)}`;
  if (!skipBasic) {
    basic = await startRegistry({ auth: 'basic', users });
    await basic.push(src, 'test/busybox:1', { creds: 'alice:s3cret' });
  }
  if (!skipToken) {
    token = await startRegistry({ auth: 'token', users });
    await token.push(src, 'test/busybox:1', { creds: 'alice:s3cret' });
    tokenOAuth = await startRegistry({ auth: 'token', users, tokenField: 'access_token' });
    await tokenOAuth.push(src, 'test/busybox:1', { creds: 'alice:s3cret' });
  }
});
after(async () => {
  await Promise.all([basic?.stop(), token?.stop(), tokenOAuth?.stop()]);
  await rm(dir, { recursive: true, force: true });
});

async function openAndRead(ref: string, opts: Parameters<typeof openRegistryImage>[1]): Promise<number> {
  const src = await openRegistryImage(ref, opts);
  try {
    const { paths } = await readAllLayers(src);
    assert.ok(paths.has('bin/busybox'));
    return paths.size;
  } finally {
    await src.close();
  }
}

function rejectsInput(p: Promise<unknown>, re: RegExp): Promise<void> {
  return assert.rejects(p, (e: Error) => {
    assert.ok(e instanceof ImageInputError, `not an ImageInputError: ${e.stack}`);
    assert.match(e.message, re);
    return true;
  });
}

test('basic auth: username/password', { skip: skipBasic }, async () => {
  assert.ok((await openAndRead(`${basic!.host}/test/busybox:1`, { username: 'alice', password: 's3cret' })) > 300);
});

test('basic auth: wrong or missing credentials are clear errors', { skip: skipBasic }, async () => {
  const ref = `${basic!.host}/test/busybox:1`;
  await rejectsInput(openRegistryImage(ref, { username: 'alice', password: 'wrong' }), new RegExp(`^${ref}: registry ${basic!.host}: unauthorized: the registry rejected the credentials from the given username/password for test/busybox$`));
  await rejectsInput(openRegistryImage(ref, {}), /registry 127\.0\.0\.1:\d+: unauthorized: authentication required for test\/busybox \(no credentials found/);
});

test('basic auth: credentials from a Docker config.json auths entry (key with scheme and path)', { skip: skipBasic }, async () => {
  const cfg = join(dir, 'basic-config.json');
  const auth = Buffer.from('alice:s3cret').toString('base64');
  await writeFile(cfg, JSON.stringify({ auths: { 'other.example:5000': { auth: 'eDp5' }, [`http://${basic!.host}/v2/`]: { auth } } }));
  await openAndRead(`${basic!.host}/test/busybox:1`, { dockerConfig: cfg });
  // The same through $DOCKER_CONFIG (a directory holding config.json).
  const d = join(dir, 'docker-config-dir');
  await rm(d, { recursive: true, force: true });
  await import('node:fs/promises').then((fs) => fs.mkdir(d));
  await writeFile(join(d, 'config.json'), JSON.stringify({ auths: { [basic!.host]: { auth } } }));
  const saved = process.env.DOCKER_CONFIG;
  process.env.DOCKER_CONFIG = d;
  try {
    await openAndRead(`${basic!.host}/test/busybox:1`, {});
  } finally {
    process.env.DOCKER_CONFIG = saved;
  }
  await rejectsInput(openRegistryImage(`${basic!.host}/test/busybox:1`, { dockerConfig: join(dir, 'missing.json') }), /cannot read docker config .*missing\.json/);
});

test('basic auth: credentials from a credential helper (credHelpers, then credsStore)', { skip: skipBasic }, async () => {
  const bin = join(dir, 'bin');
  await import('node:fs/promises').then((fs) => fs.mkdir(bin, { recursive: true }));
  const log = join(dir, 'helper.log');
  // A helper following the docker-credential-helpers protocol: server URL on stdin, JSON on stdout.
  const helper = join(bin, 'docker-credential-triadtest');
  await writeFile(helper, `#!/bin/sh\nread url\necho "$1 $url" >> ${log}\nif [ "$url" = "${basic!.host}" ]; then\n  echo '{"ServerURL":"'$url'","Username":"alice","Secret":"s3cret"}'\nelse\n  echo "credentials not found in native keychain"; exit 1\nfi\n`);
  await chmod(helper, 0o755);
  const savedPath = process.env.PATH;
  process.env.PATH = `${bin}:${savedPath}`;
  try {
    const cfg = join(dir, 'helper-config.json');
    await writeFile(cfg, JSON.stringify({ credHelpers: { [basic!.host]: 'triadtest' } }));
    await openAndRead(`${basic!.host}/test/busybox:1`, { dockerConfig: cfg });
    await writeFile(cfg, JSON.stringify({ credsStore: 'triadtest' }));
    await openAndRead(`${basic!.host}/test/busybox:1`, { dockerConfig: cfg });
    assert.equal((await readFile(log, 'utf8')).trim(), `get ${basic!.host}\nget ${basic!.host}`);
    await writeFile(cfg, JSON.stringify({ credsStore: 'not-installed-helper' }));
    await rejectsInput(openRegistryImage(`${basic!.host}/test/busybox:1`, { dockerConfig: cfg }), /credential helper docker-credential-not-installed-helper is not installed/);
  } finally {
    process.env.PATH = savedPath;
  }
});

test('token auth: bearer token from the realm with basic credentials, scoped to the repository', { skip: skipToken }, async () => {
  token!.tokenRequests.length = 0;
  await openAndRead(`${token!.host}/test/busybox:1`, { username: 'alice', password: 's3cret' });
  // One token for the manifest, config and layers: it is cached, not fetched per request.
  assert.deepEqual(token!.tokenRequests, [{ user: 'alice', scope: ['repository:test/busybox:pull'], service: 'triad-test-registry' }]);
});

test('token auth: token servers answering with access_token (OAuth2 style)', { skip: skipToken }, async () => {
  await openAndRead(`${tokenOAuth!.host}/test/busybox:1`, { username: 'alice', password: 's3cret' });
});

test('token auth: wrong credentials and anonymous access are clear errors', { skip: skipToken }, async () => {
  const ref = `${token!.host}/test/busybox:1`;
  await rejectsInput(openRegistryImage(ref, { username: 'alice', password: 'nope' }), /registry 127\.0\.0\.1:\d+: unauthorized: token server 127\.0\.0\.1:\d+ rejected the credentials from the given username\/password$/);
  // The token server hands anonymous callers a token without access: the registry still says 401.
  await rejectsInput(openRegistryImage(ref, {}), /unauthorized: authentication required for test\/busybox/);
});
