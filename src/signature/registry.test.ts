// Key-based cosign signatures against a real registry (distribution 2.8) on loopback: an image
// pushed with skopeo, signatures written in cosign's exact format (payload, annotations, tag
// scheme) with keys generated here, then found and verified through Triad's registry client.
import assert from 'node:assert/strict';
import { createHash, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { after, before, test } from 'node:test';
import { registryUnavailable, startRegistry, type TestRegistry } from '../../test/infra/registry.ts';
import { hasSharedData, sharedData } from '../../test/shared-data.ts';
import { signatureManifest, signPayload, simpleSigningPayload } from './cosign-format.ts';
import { pushBlob, pushManifest } from './testing/push.ts';
import { COSIGN, type Attestor } from './types.ts';
import { verifyImageSignatures } from './verify-image.ts';

const BUSYBOX = 'images/snyk/test/fixtures/docker-archives/skopeo-copy/busybox.tar';
const OCI_BUSYBOX = 'images/snyk/test/fixtures/oci-archives/busybox-1.31.1.tar';
const skip = registryUnavailable() ?? (hasSharedData(BUSYBOX) && hasSharedData(OCI_BUSYBOX) ? undefined : 'shared image fixtures absent');

let reg: TestRegistry;
const digests: Record<string, string> = {};

const pem = (k: KeyObject) => k.export({ type: 'spki', format: 'pem' }).toString();
const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const ec384 = generateKeyPairSync('ec', { namedCurve: 'P-384' });
const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
const ed = generateKeyPairSync('ed25519');
const other = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const keyAttestor = (name: string, k: KeyObject): Attestor => ({ type: 'key', name, publicKey: pem(k) });

async function manifestDigest(repo: string, tag: string): Promise<string> {
  const res = await fetch(`http://${reg.host}/v2/${repo}/manifests/${tag}`, {
    headers: { accept: 'application/vnd.oci.image.manifest.v1+json, application/vnd.docker.distribution.manifest.v2+json' },
  });
  return `sha256:${createHash('sha256').update(Buffer.from(await res.arrayBuffer())).digest('hex')}`;
}

/** Pushes a `.sig` manifest for `repo@digest`, one layer per (payload, signature). */
async function attach(repo: string, digest: string, layers: Array<{ payload: Buffer; signature: string }>): Promise<void> {
  const art = signatureManifest(digest, layers.map((l) => ({ payload: l.payload, annotations: { [COSIGN.signature]: l.signature } })));
  for (const b of art.blobs.values()) await pushBlob(reg.host, repo, b);
  await pushManifest(reg.host, repo, art.tag, art.manifest);
}

before(async () => {
  if (skip) return;
  reg = await startRegistry();
  const pushes: Array<[string, string]> = [
    [`docker-archive:${sharedData(BUSYBOX)}`, 'test/app:1'],
    [`oci-archive:${sharedData(OCI_BUSYBOX)}`, 'test/oci:1'],
    [`docker-archive:${sharedData(BUSYBOX)}`, 'test/unsigned:1'],
    [`oci-archive:${sharedData(OCI_BUSYBOX)}`, 'test/tampered:1'],
    [`oci-archive:${sharedData(OCI_BUSYBOX)}`, 'test/wrongdigest:1'],
  ];
  for (const [src, dest] of pushes) await reg.push(src, dest);
  for (const [, dest] of pushes) digests[dest] = await manifestDigest(dest.split(':')[0]!, '1');

  const ref = (r: string) => `${reg.host}/${r}`;
  const app = digests['test/app:1']!;
  const p = simpleSigningPayload(ref('test/app'), app);
  await attach('test/app', app, [
    { payload: p, signature: signPayload(ec.privateKey, p) },
    { payload: p, signature: signPayload(rsa.privateKey, p) },
    { payload: p, signature: signPayload(ed.privateKey, p) },
  ]);
  const oci = digests['test/oci:1']!;
  const po = simpleSigningPayload(ref('test/oci'), oci, { owner: 'ci' });
  await attach('test/oci', oci, [{ payload: po, signature: signPayload(ec384.privateKey, po) }]);
  // Tampered: the payload stored is not the one that was signed (a different docker-reference).
  const t = digests['test/tampered:1']!;
  const signed = simpleSigningPayload(ref('test/tampered'), t);
  await attach('test/tampered', t, [{ payload: simpleSigningPayload(ref('test/evil'), t), signature: signPayload(ec.privateKey, signed) }]);
  // A genuine signature of ANOTHER image copied beside this one.
  const w = digests['test/wrongdigest:1']!;
  const pw = simpleSigningPayload(ref('test/app'), app);
  await attach('test/wrongdigest', w, [{ payload: pw, signature: signPayload(ec.privateKey, pw) }]);
});
after(async () => {
  await reg?.stop();
});

test('ECDSA P-256, RSA and Ed25519 cosign signatures verify by tag and by digest; the digest is resolved', { skip }, async () => {
  for (const [name, k] of [['ec', ec.publicKey], ['rsa', rsa.publicKey], ['ed', ed.publicKey]] as const) {
    const r = await verifyImageSignatures(`${reg.host}/test/app:1`, [keyAttestor(name, k)]);
    assert.equal(r.verified, true, `${name}: ${r.reasons.join('; ')}`);
    assert.equal(r.digest, digests['test/app:1']);
    assert.equal(r.found, 3);
    assert.equal(r.signers[0]!.attestor, name);
    assert.match(r.signers[0]!.identity, /^sha256:[a-f0-9]{64}$/);
  }
  const byDigest = await verifyImageSignatures(`${reg.host}/test/app@${digests['test/app:1']}`, [keyAttestor('ec', ec.publicKey)]);
  assert.equal(byDigest.verified, true);
  const p384 = await verifyImageSignatures(`registry:${reg.host}/test/oci:1`, [keyAttestor('p384', ec384.publicKey)]);
  assert.equal(p384.verified, true, p384.reasons.join('; '));
});

test('required attestors: two distinct keys satisfy 2, one key does not', { skip }, async () => {
  const two = await verifyImageSignatures(`${reg.host}/test/app:1`, [keyAttestor('ec', ec.publicKey), keyAttestor('rsa', rsa.publicKey)], { required: 2 });
  assert.equal(two.verified, true);
  assert.deepEqual(two.signers.map((s) => s.attestor).sort(), ['ec', 'rsa']);
  const short = await verifyImageSignatures(`${reg.host}/test/app:1`, [keyAttestor('ec', ec.publicKey), keyAttestor('other', other.publicKey)], { required: 2 });
  assert.equal(short.verified, false);
  assert.match(short.reasons[0]!, /1 of 2 required attestors verified/);
});

test('wrong key, missing signature, tampered payload and a signature of another digest fail with reasons', { skip }, async () => {
  const wrong = await verifyImageSignatures(`${reg.host}/test/app:1`, [keyAttestor('other', other.publicKey)]);
  assert.equal(wrong.verified, false);
  assert.ok(wrong.reasons.some((r) => /signature does not verify with the public key/.test(r)), wrong.reasons.join('\n'));

  const missing = await verifyImageSignatures(`${reg.host}/test/unsigned:1`, [keyAttestor('ec', ec.publicKey)]);
  assert.equal(missing.verified, false);
  assert.equal(missing.found, 0);
  assert.ok(missing.reasons.some((r) => r.includes(`no signatures found for ${reg.host}/test/unsigned:1@${digests['test/unsigned:1']}`)));

  const tampered = await verifyImageSignatures(`${reg.host}/test/tampered:1`, [keyAttestor('ec', ec.publicKey)]);
  assert.equal(tampered.verified, false);
  assert.ok(tampered.reasons.some((r) => /signature does not verify/.test(r)));

  const moved = await verifyImageSignatures(`${reg.host}/test/wrongdigest:1`, [keyAttestor('ec', ec.publicKey)]);
  assert.equal(moved.verified, false);
  assert.ok(moved.reasons.some((r) => r.includes(`payload signs ${digests['test/app:1']}, not the image digest ${digests['test/wrongdigest:1']}`)), moved.reasons.join('\n'));
});

test('registry failures are failed verifications naming the image, never exceptions', { skip }, async () => {
  const gone = await verifyImageSignatures(`${reg.host}/test/nope:1`, [keyAttestor('ec', ec.publicKey)]);
  assert.equal(gone.verified, false);
  assert.match(gone.reasons[0]!, /test\/nope/);
  const badKey = await verifyImageSignatures(`${reg.host}/test/app:1`, [{ type: 'key', name: 'junk', publicKey: '-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n' }]);
  assert.equal(badKey.verified, false);
  assert.ok(badKey.reasons.some((r) => /attestor junk: not a usable public key/.test(r)));
  const mismatch = await verifyImageSignatures(`${reg.host}/test/app:1`, [keyAttestor('ec', ec.publicKey)], { digest: digests['test/oci:1'] });
  assert.equal(mismatch.verified, false);
  assert.match(mismatch.reasons[0]!, /resolves to/);
});
