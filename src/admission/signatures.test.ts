// Image signatures in the webhook, over real HTTPS: a real registry (distribution) on 127.0.0.1 with
// images pushed by skopeo and signatures written in cosign's exact format, a policy with a
// verifyImages rule (key attestor). A signed image is admitted, an unsigned one is refused, the
// second review of an image is answered from the cache, and a registry that never answers costs
// the review only its signature budget (the policy's failurePolicy decides). The cache's LRU and
// TTL rules are checked on their own with a clock and a counting verifier.
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { registryUnavailable, startRegistry, type TestRegistry } from '../../test/infra/registry.ts';
import { hasSharedData, sharedData } from '../../test/shared-data.ts';
import { signatureManifest, signPayload, simpleSigningPayload } from '../signature/cosign-format.ts';
import { pushBlob, pushManifest } from '../signature/testing/push.ts';
import { COSIGN, type ImageVerification } from '../signature/types.ts';
import { SignatureCache } from './signatures.ts';
import type { AdmissionWebhook } from './server.ts';
import { Client, parseMetrics, reviewOf, startWebhook } from './testing/harness.ts';

const BUSYBOX = 'images/snyk/test/fixtures/docker-archives/skopeo-copy/busybox.tar';
const OCI_BUSYBOX = 'images/snyk/test/fixtures/oci-archives/busybox-1.31.1.tar';
const skip = registryUnavailable() ?? (hasSharedData(BUSYBOX) && hasSharedData(OCI_BUSYBOX) ? undefined : 'shared image fixtures absent');

const keys = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const pem = keys.publicKey.export({ type: 'spki', format: 'pem' }).toString();

function policyFile(failurePolicy: 'Fail' | 'Ignore'): string {
  const dir = mkdtempSync(join(tmpdir(), 'triad-adm-sig-'));
  writeFileSync(
    join(dir, 'signed.yaml'),
    `apiVersion: triad.dev/v1alpha1
kind: Policy
metadata: {name: signed-images}
spec:
  action: deny
  failurePolicy: ${failurePolicy}
  match: {kinds: [Workload]}
  verifyImages:
    - name: ci-key
      images: ["127.0.0.1:*"]
      attestors:
        - name: ci
          publicKey: |
${pem.trim().split('\n').map((l) => `            ${l}`).join('\n')}
`,
  );
  return dir;
}

const pod = (name: string, image: string) => reviewOf({ apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'apps' }, spec: { containers: [{ name: 'app', image }] } });

describe('webhook verifies signatures for verifyImages rules', { skip }, () => {
  let reg: TestRegistry;
  let hook: AdmissionWebhook;
  let client: Client;
  let signed = '';
  let unsigned = '';

  before(async () => {
    reg = await startRegistry();
    await reg.push(`docker-archive:${sharedData(BUSYBOX)}`, 'apps/signed:1');
    await reg.push(`oci-archive:${sharedData(OCI_BUSYBOX)}`, 'apps/unsigned:1');
    signed = `${reg.host}/apps/signed:1`;
    unsigned = `${reg.host}/apps/unsigned:1`;
    // The digest cosign signs: the manifest as the registry serves it.
    const res = await fetch(`http://${reg.host}/v2/apps/signed/manifests/1`, { method: 'HEAD', headers: { accept: 'application/vnd.oci.image.manifest.v1+json, application/vnd.docker.distribution.manifest.v2+json' } });
    const digest = res.headers.get('docker-content-digest')!;
    assert.match(digest, /^sha256:[a-f0-9]{64}$/);
    const payload = simpleSigningPayload(`${reg.host}/apps/signed`, digest);
    const art = signatureManifest(digest, [{ payload, annotations: { [COSIGN.signature]: signPayload(keys.privateKey, payload) } }]);
    for (const b of art.blobs.values()) await pushBlob(reg.host, 'apps/signed', b);
    await pushManifest(reg.host, 'apps/signed', art.tag, art.manifest);
    hook = await startWebhook({ policyPaths: [policyFile('Fail')], threads: 1, signatures: {} });
    client = await Client.for(hook);
  });
  after(async () => {
    client?.close();
    await hook?.close();
    await reg?.stop();
  });

  const metrics = async () => parseMetrics((await client.send('GET', '/metrics')).text);
  const sigCount = (m: Map<string, number>, result: string) => m.get(`triad_admission_signature_verifications_total{result="${result}"}`) ?? 0;

  test('a signed image is allowed; the second review of it is answered from the cache', async () => {
    const first = (await client.review(pod('a', signed))).json().response;
    assert.equal(first.allowed, true, JSON.stringify(first));
    let m = await metrics();
    assert.equal(sigCount(m, 'miss'), 1);
    assert.equal(sigCount(m, 'hit'), 0);
    const second = (await client.review(pod('b', signed))).json().response;
    assert.equal(second.allowed, true);
    m = await metrics();
    assert.equal(sigCount(m, 'miss'), 1, 'no second verification');
    assert.equal(sigCount(m, 'hit'), 1);
  });

  test('an unsigned image is denied, naming the image and why', async () => {
    const r = (await client.review(pod('c', unsigned))).json().response;
    assert.equal(r.allowed, false);
    assert.equal(r.status?.code, 403);
    assert.match(r.status!.message, /signed-images\/verifyImages\.ci-key/);
    assert.ok(r.status!.message.includes(`${unsigned}: `), r.status!.message);
    assert.match(r.status!.message, /no signatures found/);
  });

  test('concurrent reviews of a new image share one verification', async () => {
    const before = await metrics();
    const image = `${reg.host}/apps/signed@${(await fetch(`http://${reg.host}/v2/apps/signed/manifests/1`, { method: 'HEAD', headers: { accept: 'application/vnd.oci.image.manifest.v1+json, application/vnd.docker.distribution.manifest.v2+json' } })).headers.get('docker-content-digest')}`;
    const answers = await Promise.all(Array.from({ length: 8 }, (_, i) => client.review(pod(`d${i}`, image))));
    for (const a of answers) assert.equal(a.json().response.allowed, true, a.text);
    const m = await metrics();
    // One registry verification for the 8: the others join it while it runs, or hit the cache after it.
    assert.equal(sigCount(m, 'miss') - sigCount(before, 'miss'), 1);
    assert.equal(sigCount(m, 'hit') - sigCount(before, 'hit'), 7);
  });
});

describe('a registry that never answers: the review waits only its signature budget', { skip: registryUnavailable() }, () => {
  let silent: Server;
  const sockets: Socket[] = [];
  before(async () => {
    // A real TCP listener that accepts and never responds (a hung registry).
    silent = createServer((s) => sockets.push(s));
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', () => r()));
  });
  after(async () => {
    for (const s of sockets) s.destroy();
    await new Promise<void>((r) => silent.close(() => r()));
  });

  for (const mode of ['Fail', 'Ignore'] as const) {
    test(`failurePolicy ${mode}`, async () => {
      const hook = await startWebhook({ policyPaths: [policyFile(mode)], threads: 1, timeoutMs: 2000, signatures: { budgetMs: 300 } });
      const client = await Client.for(hook);
      try {
        const port = (silent.address() as { port: number }).port;
        const t0 = performance.now();
        const r = (await client.review(pod('hang', `127.0.0.1:${port}/apps/hang:1`))).json().response;
        const ms = performance.now() - t0;
        assert.ok(ms < 1500, `answered in ${ms.toFixed(0)} ms: within the signature budget, before the review budget`);
        if (mode === 'Fail') {
          assert.equal(r.allowed, false);
          assert.match(r.status!.message, /could not be verified/);
        } else {
          assert.equal(r.allowed, true);
          assert.ok(Object.keys(r.auditAnnotations ?? {}).some((k) => k.startsWith('error.signed-images')), JSON.stringify(r));
        }
        const m = parseMetrics((await client.send('GET', '/metrics')).text);
        assert.equal(m.get('triad_admission_signature_verifications_total{result="timeout"}'), 1);
        assert.equal(m.get('triad_admission_failures_total{reason="timeout"}') ?? 0, 0, 'the review itself did not time out');
      } finally {
        client.close();
        await hook.close();
      }
    });
  }
});

describe('SignatureCache', () => {
  const result = (image: string, verified: boolean): ImageVerification => ({ image, digest: '', verified, required: 1, signers: [], reasons: [], found: verified ? 1 : 0 });
  const key = [{ type: 'key' as const, name: 'k', publicKey: pem }];

  test('TTL: verified results live ttlMs, failed ones failedTtlMs; LRU evicts the least recently used', async () => {
    let now = 0;
    const calls: string[] = [];
    const cache = new SignatureCache({ size: 2, ttlMs: 1000, failedTtlMs: 100, now: () => now, verify: async (image) => (calls.push(image), result(image, image !== 'bad')) });
    await cache.lookup('good', key, {}).result;
    await cache.lookup('bad', key, {}).result;
    assert.equal(cache.lookup('good', key, {}).hit, true);
    now = 150;
    assert.equal(cache.lookup('good', key, {}).hit, true);
    const again = cache.lookup('bad', key, {});
    assert.equal(again.hit, false, 'a failed result expires after failedTtlMs');
    await again.result;
    assert.deepEqual(calls, ['good', 'bad', 'bad']);
    // "good" was used before "bad": a third image evicts "good".
    await cache.lookup('third', key, {}).result;
    assert.equal(cache.entries, 2);
    assert.equal(cache.lookup('bad', key, {}).hit, true);
    assert.equal(cache.lookup('good', key, {}).hit, false);
    now = 2000;
    assert.equal(cache.lookup('third', key, {}).hit, false, 'a verified result expires after ttlMs');
  });

  test('different attestors or required counts are different entries; a throwing verifier is a failed result', async () => {
    let n = 0;
    const cache = new SignatureCache({ verify: async () => (n++, Promise.reject(new Error('boom'))) });
    const r = await cache.lookup('x', key, {}).result;
    assert.equal(r.verified, false);
    assert.match(r.reasons[0]!, /x: boom/);
    await cache.lookup('x', key, { required: 2 }).result;
    await cache.lookup('x', [{ ...key[0]!, name: 'other' }], {}).result;
    assert.equal(n, 3);
  });
});
