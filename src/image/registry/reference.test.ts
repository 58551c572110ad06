// Reference normalisation (Docker CLI rules) and WWW-Authenticate parsing.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseChallenge } from './auth.ts';
import { isLoopbackHost, parseReference } from './reference.ts';

test('Docker Hub names: library/ prefix, registry-1.docker.io, default tag latest', () => {
  const r = parseReference('busybox');
  assert.equal(r.registry, 'docker.io');
  assert.equal(r.apiHost, 'registry-1.docker.io');
  assert.equal(r.repository, 'library/busybox');
  assert.equal(r.tag, 'latest');
  assert.equal(r.reference, 'latest');
  assert.equal(r.familiarName, 'busybox');
  assert.equal(parseReference('user/app:1.2').repository, 'user/app');
  assert.equal(parseReference('user/app:1.2').familiarName, 'user/app');
  assert.equal(parseReference('docker.io/nginx:1').repository, 'library/nginx');
  assert.equal(parseReference('index.docker.io/library/nginx').registry, 'docker.io');
  assert.equal(parseReference('docker.io/library/nginx').familiarName, 'nginx');
});

test('registry hosts: a first component with "." or ":" or localhost', () => {
  const r = parseReference('127.0.0.1:5000/test/busybox:1');
  assert.deepEqual([r.registry, r.apiHost, r.repository, r.tag], ['127.0.0.1:5000', '127.0.0.1:5000', 'test/busybox', '1']);
  assert.equal(r.familiarName, '127.0.0.1:5000/test/busybox');
  assert.equal(parseReference('localhost/x').registry, 'localhost');
  assert.equal(parseReference('ghcr.io/o/r').registry, 'ghcr.io');
  // No '.' or ':': a Docker Hub namespace, not a host.
  assert.equal(parseReference('myhost/x').registry, 'docker.io');
  assert.equal(parseReference('myhost/x').repository, 'myhost/x');
  assert.equal(parseReference('[::1]:5000/x').registry, '[::1]:5000');
});

test('digests win over tags; both kept', () => {
  const d = `sha256:${'a'.repeat(64)}`;
  const r = parseReference(`reg.example/x:1@${d}`);
  assert.equal(r.tag, '1');
  assert.equal(r.digest, d);
  assert.equal(r.reference, d);
  assert.equal(parseReference(`reg.example/x@${d}`).tag, undefined);
});

test('invalid references', () => {
  for (const bad of ['', 'UPPER', 'a//b', 'x:', 'x:-tag', `x@sha256:${'a'.repeat(63)}`, 'x@md5:abc', 'bad_host:5000:x/y', '-x']) {
    assert.throws(() => parseReference(bad), /invalid image reference/, bad);
  }
});

test('loopback hosts are plain http by default', () => {
  for (const h of ['127.0.0.1:5000', '127.1.2.3', 'localhost:80', 'LOCALHOST', '[::1]:5000']) assert.ok(isLoopbackHost(h), h);
  for (const h of ['ghcr.io', '10.0.0.1:5000', 'localhost.example.com', '128.0.0.1']) assert.ok(!isLoopbackHost(h), h);
});

test('WWW-Authenticate challenges', () => {
  assert.deepEqual(parseChallenge('Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:library/busybox:pull"'), {
    scheme: 'bearer',
    params: { realm: 'https://auth.docker.io/token', service: 'registry.docker.io', scope: 'repository:library/busybox:pull' },
  });
  assert.deepEqual(parseChallenge('Basic realm="Registry Realm"'), { scheme: 'basic', params: { realm: 'Registry Realm' } });
  assert.deepEqual(parseChallenge('Bearer realm=https://a/t, service=s'), { scheme: 'bearer', params: { realm: 'https://a/t', service: 's' } });
  assert.equal(parseChallenge(null), undefined);
});
