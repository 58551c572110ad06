// `triad image verify` end to end on the real keyless signature (offline: --signatures OCI layout,
// --trusted-root), with the exit codes: 0 verified, 1 not verified, 2 unusable flags.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { REPO_ROOT } from '../../test/shared-data.ts';

const triad = (...args: string[]) => spawnSync(join(REPO_ROOT, 'bin', 'triad'), args, { encoding: 'utf8' });
const TD = join(REPO_ROOT, 'src', 'signature', 'testdata');
const REF = 'index.docker.io/salrashid123/server_image@sha256:c05263d2ff654c3a94243662440913f045075d59c436e2c69e9145ec2b87a321';
const tmp = mkdtempSync(join(tmpdir(), 'triad-verify-cli-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

const sigs = join(tmp, 'sigs');
mkdirSync(join(sigs, 'blobs', 'sha256'), { recursive: true });
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');
const manifest = readFileSync(join(TD, 'cosign-keyless', 'manifest.json'));
for (const b of [manifest, readFileSync(join(TD, 'cosign-keyless', 'payload.json')), readFileSync(join(TD, 'cosign-keyless', 'config.json'))]) writeFileSync(join(sigs, 'blobs', 'sha256', sha(b)), b);
writeFileSync(join(sigs, 'oci-layout'), '{"imageLayoutVersion":"1.0.0"}');
writeFileSync(join(sigs, 'index.json'), JSON.stringify({ schemaVersion: 2, manifests: [{ mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: `sha256:${sha(manifest)}`, size: manifest.length }] }));
const keyless = ['--signatures', sigs, '--certificate-oidc-issuer', 'https://token.actions.githubusercontent.com', '--trusted-root', join(TD, 'trusted_root.public-good.json')];

test('keyless verify: verified (0), JSON output with the signer; wrong identity (1) with the reason', () => {
  const ok = triad('image', 'verify', REF, ...keyless, '--certificate-identity-regexp', 'https://github\\.com/salrashid123/.+', '-f', 'json');
  assert.equal(ok.status, 0, ok.stderr + ok.stdout);
  const r = JSON.parse(ok.stdout);
  assert.equal(r.verified, true);
  assert.equal(r.signers[0].issuer, 'https://token.actions.githubusercontent.com');
  const bad = triad('image', 'verify', REF, ...keyless, '--certificate-identity', 'someone@example.com');
  assert.equal(bad.status, 1);
  assert.match(bad.stdout, /^NOT VERIFIED/);
  assert.match(bad.stdout, /does not match "someone@example.com"/);
});

test('usage errors exit 2 with a message: no attestor, keyless without a trusted root, missing key file', () => {
  const none = triad('image', 'verify', REF);
  assert.equal(none.status, 2);
  assert.match(none.stderr, /give --key PEM, or --certificate-identity/);
  const noRoot = triad('image', 'verify', REF, '--certificate-identity', 'a@b', '--certificate-oidc-issuer', 'https://x');
  assert.equal(noRoot.status, 2);
  assert.match(noRoot.stderr, /needs --trusted-root FILE/);
  const noKey = triad('image', 'verify', REF, '--key', join(tmp, 'absent.pub'));
  assert.equal(noKey.status, 2);
  assert.match(noKey.stderr, /absent\.pub: no such file/);
});

test('policy eval --verify-signatures: verifyImages rules see real verification results', () => {
  const pol = join(tmp, 'signed.yaml');
  writeFileSync(pol, `apiVersion: triad.dev/v1alpha1
kind: Policy
metadata: {name: signed}
spec:
  match: {kinds: [Workload]}
  verifyImages:
    - name: release
      attestors:
        - name: gh
          keyless: {issuer: "https://token.actions.githubusercontent.com", subjectRegExp: "https://github\\\\.com/salrashid123/.+"}
`);
  const podFile = join(tmp, 'pod.yaml');
  writeFileSync(podFile, `apiVersion: v1\nkind: Pod\nmetadata: {name: web, namespace: apps}\nspec:\n  containers: [{name: app, image: "${REF}"}]\n`);
  const flags = ['--signatures', sigs, '--trusted-root', join(TD, 'trusted_root.public-good.json'), '--exit-code', '3', '-f', 'json'];
  const ok = triad('policy', 'eval', podFile, '-p', pol, '--verify-signatures', ...flags);
  assert.equal(ok.status, 0, ok.stderr + ok.stdout);
  assert.equal(JSON.parse(ok.stdout).verdicts[0].result, 'pass');
  const unverified = triad('policy', 'eval', podFile, '-p', pol, ...flags); // no verification: error under failurePolicy Fail
  assert.equal(unverified.status, 3, unverified.stderr);
  assert.equal(JSON.parse(unverified.stdout).verdicts[0].result, 'error');
});
