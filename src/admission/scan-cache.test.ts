// The scan cache over real `triad image --format json` reports (policies/tests/reports: alpine 3.10
// with two secrets, a Ruby app with fixable CRITICAL advisories), alone and through the webhook.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { ScanCache, ScanCacheError, referenceKeys } from './scan-cache.ts';
import type { AdmissionWebhook } from './server.ts';
import { Client, REPO_POLICIES, TESTDATA, fixture, parseMetrics, reviewOf, startWebhook } from './testing/harness.ts';

const REPORTS = join(REPO_POLICIES, 'tests', 'reports');
const GEMS_DIGEST = `sha256:${'ab12'.repeat(16)}`;

/** A cache directory: the real reports (the Ruby one given a registry name, as a registry scan has), plus junk. */
function cacheDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'triad-scan-cache-'));
  const alpine = JSON.parse(readFileSync(join(REPORTS, 'alpine-310.json'), 'utf8'));
  writeFileSync(join(dir, 'alpine.json'), JSON.stringify(alpine));
  // An older scan of the same tag that found nothing: the newer one must win.
  writeFileSync(join(dir, 'alpine-old.json'), JSON.stringify({ ...alpine, secrets: [], createdAt: '2020-01-01T00:00:00.000Z' }));
  const gems = JSON.parse(readFileSync(join(REPORTS, 'gemfile.json'), 'utf8'));
  gems.target = 'registry:registry.example.com/ruby/gems:1.0';
  gems.inventory.image.repoDigests = [`registry.example.com/ruby/gems@${GEMS_DIGEST}`];
  writeFileSync(join(dir, 'gems.json'), JSON.stringify(gems));
  writeFileSync(join(dir, 'garbage.json'), '{"target": ');
  writeFileSync(join(dir, 'foreign.json'), '{"kind": "Pod"}');
  return dir;
}

describe('ScanCache', () => {
  test('reference keys are normalised as the Docker CLI does', () => {
    assert.deepEqual(referenceKeys('alpine:3.10'), { tagKey: 'docker.io/library/alpine:3.10', digest: undefined });
    assert.deepEqual(referenceKeys('registry:docker.io/library/alpine:3.10'), { tagKey: 'docker.io/library/alpine:3.10', digest: undefined });
    assert.equal(referenceKeys('nginx').tagKey, 'docker.io/library/nginx:latest');
    assert.deepEqual(referenceKeys('Not A Ref'), {});
  });

  test('lookup by tag and by digest; newest scan wins; junk files are warnings', () => {
    const cache = ScanCache.load(cacheDir());
    assert.equal(cache.size, 3);
    assert.equal(cache.warnings.length, 2);
    assert.match(cache.warnings.join('\n'), /garbage\.json: not JSON/);
    assert.match(cache.warnings.join('\n'), /foreign\.json: not a Triad scan report/);
    const a = cache.lookup('alpine:3.10');
    assert.equal(a?.secrets.length, 2, 'the newer scan');
    assert.equal(cache.lookup('docker.io/library/alpine:3.10'), a);
    assert.equal(cache.lookup('index.docker.io/library/alpine:3.10'), a);
    assert.equal(cache.lookup('alpine'), undefined, 'latest was never scanned');
    const gems = cache.lookup('registry.example.com/ruby/gems:1.0');
    assert.ok(gems && gems.vulnerabilities.length > 0);
    // The digest names the content: found whatever repository the pod pulls it from.
    assert.equal(cache.lookup(`mirror.internal:5000/other/name@${GEMS_DIGEST}`), gems);
    // A digest that was not scanned is not rescued by a matching tag.
    assert.equal(cache.lookup(`registry.example.com/ruby/gems:1.0@sha256:${'cd34'.repeat(16)}`), undefined);
  });

  test('a missing directory is an error naming it', () => {
    assert.throws(() => ScanCache.load('/nonexistent/scans'), (e: unknown) => e instanceof ScanCacheError && /\/nonexistent\/scans: ENOENT/.test(e.message));
  });
});

describe('image scans through the webhook', () => {
  let hook: AdmissionWebhook;
  let client: Client;
  before(async () => {
    hook = await startWebhook({ policyPaths: [REPO_POLICIES, join(TESTDATA, 'policies')], scanCache: cacheDir(), missingScan: 'warn' });
    client = await Client.for(hook);
  });
  after(async () => {
    client.close();
    await hook.close();
  });
  const podWith = (image: string, namespace = 'default') =>
    reviewOf({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec: { containers: [{ name: 'c', image }] } }, { namespace });

  test('the cached scan of a pod image feeds the image-scan policies (secrets in alpine:3.10)', async () => {
    const r = (await client.review(fixture('sighupio-alpine-3.10-pod.json'))).json().response;
    assert.equal(r.allowed, false);
    assert.match(r.status!.message, /\[image-no-secrets\/secrets\] image alpine:3\.10: 2 secrets in the image/);
  });

  test('found by digest: fixable CRITICAL vulnerabilities deny', async () => {
    const r = (await client.review(podWith(`registry.example.com/ruby/gems@${GEMS_DIGEST}`))).json().response;
    assert.equal(r.allowed, false);
    assert.match(r.status!.message, /\[vuln-no-fixable-critical\/criticalWithFix\] image registry\.example\.com\/ruby\/gems@sha256:[a-f0-9]+: \d+ CRITICAL vulnerabilities with a fix/);
  });

  test('no cached scan: the --missing-scan verdict (warn); a policy that requires a scan denies', async () => {
    const r = (await client.review(podWith('registry.k8s.io/pause:3.9'))).json().response;
    assert.ok(r.warnings?.some((w) => /\[triad-scan-required\/scanCached\] image registry\.k8s\.io\/pause:3\.9: no scan result/.test(w)), JSON.stringify(r));
    const s = (await client.review(podWith('registry.k8s.io/pause:3.9', 'scanned-only'))).json().response;
    assert.equal(s.allowed, false);
    assert.match(s.status!.message, /\[scan-required-here\/scanRequired\] image registry\.k8s\.io\/pause:3\.9: no scan result/);
    const m = parseMetrics((await client.send('GET', '/metrics')).text);
    assert.ok((m.get('triad_admission_scan_lookups_total{result="hit"}') ?? 0) >= 2);
    assert.ok((m.get('triad_admission_scan_lookups_total{result="miss"}') ?? 0) >= 2);
    assert.equal(m.get('triad_admission_scan_cache_reports'), 3);
  });
});
