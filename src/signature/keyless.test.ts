// Keyless verification offline with a REAL recorded cosign signature (Sigstore public-good Fulcio
// certificate, Rekor SignedEntryTimestamp; see testdata/SOURCES.md) and the matching public-good
// trusted root: read from an OCI layout directory as `cosign save` writes one, and tampered in
// every part that matters.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { COSIGN, type Attestor } from './types.ts';
import { verifyImageSignatures } from './verify-image.ts';

const TD = join(import.meta.dirname, 'testdata');
const ROOT = join(TD, 'trusted_root.public-good.json');
const IMAGE = 'index.docker.io/salrashid123/server_image';
const DIGEST = 'sha256:c05263d2ff654c3a94243662440913f045075d59c436e2c69e9145ec2b87a321';
const SUBJECT = 'https://github.com/salrashid123/go-bazel-github-workflow/.github/workflows/release.yaml@refs/tags/v0.0.30';
const ISSUER = 'https://token.actions.githubusercontent.com';

const tmp = mkdtempSync(join(tmpdir(), 'triad-keyless-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');
const fixture = () => JSON.parse(readFileSync(join(TD, 'cosign-keyless', 'manifest.json'), 'utf8'));

/** An OCI layout holding the signature manifest (optionally edited) and its blobs. */
function layout(name: string, edit: (m: any) => void = () => {}, payload = readFileSync(join(TD, 'cosign-keyless', 'payload.json'))): string {
  const dir = join(tmp, name);
  mkdirSync(join(dir, 'blobs', 'sha256'), { recursive: true });
  const m = fixture();
  edit(m);
  m.layers[0].digest = `sha256:${sha(payload)}`;
  m.layers[0].size = payload.length;
  const mb = Buffer.from(JSON.stringify(m));
  const config = readFileSync(join(TD, 'cosign-keyless', 'config.json'));
  for (const b of [payload, config, mb]) writeFileSync(join(dir, 'blobs', 'sha256', sha(b)), b);
  writeFileSync(join(dir, 'oci-layout'), '{"imageLayoutVersion":"1.0.0"}');
  const desc = { mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: `sha256:${sha(mb)}`, size: mb.length, annotations: { 'org.opencontainers.image.ref.name': `${DIGEST.replace(':', '-')}.sig` } };
  writeFileSync(join(dir, 'index.json'), JSON.stringify({ schemaVersion: 2, manifests: [desc] }));
  return dir;
}

const attestor = (over: Partial<Extract<Attestor, { type: 'keyless' }>> = {}): Attestor => ({ type: 'keyless', name: 'release', subject: SUBJECT, issuer: ISSUER, trustedRoot: ROOT, ...over });

test('real public-good keyless signature verifies offline: chain, SCT, Rekor SET, identity and issuer', async () => {
  const r = await verifyImageSignatures(`${IMAGE}@${DIGEST}`, [attestor()], { signaturesDir: layout('good') });
  assert.equal(r.verified, true, r.reasons.join('\n'));
  assert.deepEqual(r.signers.map((s) => [s.identity, s.issuer, s.signedAt]), [[SUBJECT, ISSUER, '2026-02-27T18:20:46.000Z']]);
  const re = await verifyImageSignatures(IMAGE, [attestor({ subject: undefined, subjectRegExp: 'https://github\\.com/salrashid123/.*' })], { signaturesDir: layout('re'), digest: DIGEST });
  assert.equal(re.verified, true, re.reasons.join('\n'));
});

test('identity, issuer and digest must match', async () => {
  const dir = layout('id');
  const cases: Array<[Attestor, RegExp]> = [
    [attestor({ subject: 'https://github.com/someone/else/.github/workflows/release.yaml@refs/tags/v0.0.30' }), /certificate identity .* does not match/],
    [attestor({ subject: undefined, subjectRegExp: 'salrashid123' }), /does not match \/salrashid123\//], // anchored: a substring is not enough
    [attestor({ issuer: 'https://accounts.google.com' }), /certificate issuer .* does not match/],
  ];
  for (const [a, why] of cases) {
    const r = await verifyImageSignatures(`${IMAGE}@${DIGEST}`, [a], { signaturesDir: dir });
    assert.equal(r.verified, false);
    assert.ok(r.reasons.some((x) => why.test(x)), r.reasons.join('\n'));
  }
  const other = await verifyImageSignatures(`${IMAGE}@sha256:${'0'.repeat(64)}`, [attestor()], { signaturesDir: dir });
  assert.equal(other.verified, false);
  assert.ok(other.reasons.some((x) => x.includes(`payload signs ${DIGEST}`)));
});

test('tampered signature, payload, certificate, Rekor entry and an unrelated trusted root all fail', async () => {
  const flip = (s: string) => s.slice(0, 20) + (s[20] === 'A' ? 'B' : 'A') + s.slice(21);
  const payload = readFileSync(join(TD, 'cosign-keyless', 'payload.json'));
  const cases: Array<[string, string, RegExp]> = [
    [layout('sig', (m) => (m.layers[0].annotations[COSIGN.signature] = flip(m.layers[0].annotations[COSIGN.signature]))), 'signature', /signature|tlog|body/i],
    [layout('payload', () => {}, Buffer.from(payload.toString().replace('server_image', 'server_imagf'))), 'payload', /signature|tlog|body|digest/i],
    [layout('set', (m) => {
      const b = JSON.parse(m.layers[0].annotations[COSIGN.bundle]);
      b.Payload.integratedTime += 1;
      m.layers[0].annotations[COSIGN.bundle] = JSON.stringify(b);
    }), 'Rekor entry', /inclusion promise|SET|tlog/i],
    [layout('nobundle', (m) => delete m.layers[0].annotations[COSIGN.bundle]), 'no Rekor bundle', /timestamp|tlog/i],
    [layout('nocert', (m) => delete m.layers[0].annotations[COSIGN.certificate]), 'no certificate', /no certificate annotation/],
  ];
  for (const [dir, what, why] of cases) {
    const r = await verifyImageSignatures(`${IMAGE}@${DIGEST}`, [attestor()], { signaturesDir: dir });
    assert.equal(r.verified, false, what);
    assert.ok(r.reasons.some((x) => why.test(x)), `${what}: ${r.reasons.join('\n')}`);
  }
  // A root without the public-good Fulcio CA: the certificate chains to nothing trusted.
  const root = JSON.parse(readFileSync(ROOT, 'utf8'));
  root.certificateAuthorities = root.certificateAuthorities.slice(0, 1);
  const rootFile = join(tmp, 'root-without-2022-ca.json');
  writeFileSync(rootFile, JSON.stringify(root));
  const r = await verifyImageSignatures(`${IMAGE}@${DIGEST}`, [attestor({ trustedRoot: rootFile })], { signaturesDir: layout('root') });
  assert.equal(r.verified, false);
  assert.ok(r.reasons.some((x) => /certificate/i.test(x)), r.reasons.join('\n'));
});

test('bad inputs: missing digest offline, missing directory, unreadable trusted root, blob that does not match its digest', async () => {
  const noDigest = await verifyImageSignatures(`${IMAGE}:v1`, [attestor()], { signaturesDir: layout('nd') });
  assert.match(noDigest.reasons[0]!, /needs the image digest/);
  const noDir = await verifyImageSignatures(`${IMAGE}@${DIGEST}`, [attestor()], { signaturesDir: join(tmp, 'absent') });
  assert.match(noDir.reasons[0]!, /no such directory/);
  const badRoot = join(tmp, 'bad-root.json');
  writeFileSync(badRoot, '{"certificateAuthorities": 7}');
  const br = await verifyImageSignatures(`${IMAGE}@${DIGEST}`, [attestor({ trustedRoot: badRoot })], { signaturesDir: layout('br') });
  assert.ok(br.reasons.some((x) => x.includes(`attestor release: ${badRoot}: invalid trusted root`)), br.reasons.join('\n'));
  const dir = layout('corrupt');
  const p = join(dir, 'blobs', 'sha256', sha(readFileSync(join(TD, 'cosign-keyless', 'payload.json'))));
  writeFileSync(p, readFileSync(p, 'utf8').replace('null', 'nul '));
  const c = await verifyImageSignatures(`${IMAGE}@${DIGEST}`, [attestor()], { signaturesDir: dir });
  assert.equal(c.verified, false);
  assert.ok(c.reasons.some((x) => /content digest .* does not match/.test(x)), c.reasons.join('\n'));
});
