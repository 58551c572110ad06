// verifyImages policies end to end: the policy set says which images need which signatures, the
// bridge verifies them (offline here, on the real public-good keyless signature), evaluate turns
// the results into verdicts and CEL sees them as `signatures` / `image.signatures`.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { compilePolicies } from '../policy/compile.ts';
import { parseYamlDocuments, PolicyLoadError } from '../policy/documents.ts';
import { decide } from '../policy/evaluate.ts';
import type { PolicyInput } from '../policy/types.ts';
import { verifySignaturesForPolicies } from './policy-bridge.ts';
import { createHash } from 'node:crypto';

const TD = join(import.meta.dirname, 'testdata');
const DIGEST = 'sha256:c05263d2ff654c3a94243662440913f045075d59c436e2c69e9145ec2b87a321';
const SIGNED = `index.docker.io/salrashid123/server_image@${DIGEST}`;
const tmp = mkdtempSync(join(tmpdir(), 'triad-sigpol-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

/** The real signature as an OCI layout (as `cosign save` writes it). */
function layout(): string {
  const dir = join(tmp, 'sigs');
  mkdirSync(join(dir, 'blobs', 'sha256'), { recursive: true });
  const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');
  const m = readFileSync(join(TD, 'cosign-keyless', 'manifest.json'));
  for (const b of [m, readFileSync(join(TD, 'cosign-keyless', 'payload.json')), readFileSync(join(TD, 'cosign-keyless', 'config.json'))]) writeFileSync(join(dir, 'blobs', 'sha256', sha(b)), b);
  writeFileSync(join(dir, 'oci-layout'), '{"imageLayoutVersion":"1.0.0"}');
  writeFileSync(join(dir, 'index.json'), JSON.stringify({ schemaVersion: 2, manifests: [{ mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: `sha256:${sha(m)}`, size: m.length }] }));
  return dir;
}
const SIGS = layout();

function policy(subjectRegExp: string): string {
  return `apiVersion: triad.dev/v1alpha1
kind: Policy
metadata: {name: signed-images}
spec:
  action: deny
  match: {kinds: [Workload, ImageScan]}
  verifyImages:
    - name: release
      images: ["index.docker.io/salrashid123/*", "registry.example.com/*"]
      attestors:
        - name: gh
          keyless:
            issuer: https://token.actions.githubusercontent.com
            subjectRegExp: ${JSON.stringify(subjectRegExp)}
            trustedRoot: ${join(TD, 'trusted_root.public-good.json')}
`;
}

const pod = (...images: string[]): PolicyInput => ({
  type: 'object',
  object: { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'apps' }, spec: { containers: images.map((image, i) => ({ name: `c${i}`, image })) } },
});

const compile = (text: string) => compilePolicies(parseYamlDocuments(text, join(tmp, 'policy.yaml')));

test('a workload whose images carry the required keyless signature passes; the verdict names the signer', async () => {
  const set = compile(policy('https://github\\.com/salrashid123/.+'));
  const input = pod(SIGNED, 'docker.io/library/busybox:1.36'); // busybox is not selected by the rule
  assert.deepEqual(set.signatureRequests(input).map((r) => r.image), [SIGNED]);
  const signatures = await verifySignaturesForPolicies(set, input, { signaturesDir: SIGS });
  assert.equal(signatures[0]!.verified, true, signatures[0]!.reasons.join('\n'));
  const verdicts = set.evaluate({ ...input, signatures });
  assert.deepEqual(verdicts.map((v) => v.result), ['pass']);
});

test('wrong identity → deny with the reason; no verification supplied → error under failurePolicy', async () => {
  const set = compile(policy('https://github\\.com/someone-else/.+'));
  const input = pod(SIGNED);
  const signatures = await verifySignaturesForPolicies(set, input, { signaturesDir: SIGS });
  const v = set.evaluate({ ...input, signatures });
  assert.equal(v[0]!.result, 'fail');
  assert.equal(v[0]!.validation, 'verifyImages.release');
  assert.match(v[0]!.message!, /images not signed by 1 of \[gh\]: .*certificate identity/);
  assert.equal(decide(v).allowed, false);
  const none = set.evaluate(input);
  assert.equal(none[0]!.result, 'error');
  assert.match(none[0]!.error!, /no signature verification was supplied for index\.docker\.io\/salrashid123\/server_image@/);
  assert.equal(none[0]!.violated, true);
});

test('CEL sees signatures: a validation may require them instead of (or besides) verifyImages', async () => {
  const set = compile(`apiVersion: triad.dev/v1alpha1
kind: Policy
metadata: {name: cel-signed}
spec:
  match: {kinds: [Workload]}
  validations:
    - expression: allContainers.all(c, c.image in signatures && signatures[c.image].verified)
      messageExpression: '"unsigned: " + allContainers.filter(c, !(c.image in signatures) || !signatures[c.image].verified).map(c, c.image).join(", ")'
`);
  const input = pod(SIGNED);
  assert.equal(set.evaluate(input)[0]!.result, 'fail'); // nothing verified yet
  const sigSet = compile(policy('https://github\\.com/salrashid123/.+'));
  const signatures = await verifySignaturesForPolicies(sigSet, input, { signaturesDir: SIGS });
  assert.equal(set.evaluate({ ...input, signatures })[0]!.result, 'pass');
});

test('policy documents: verifyImages errors name the file and line', () => {
  const bad = (text: string, why: RegExp) => assert.throws(() => compile(text), (e: Error) => e instanceof PolicyLoadError && why.test(e.message));
  const head = 'apiVersion: triad.dev/v1alpha1\nkind: Policy\nmetadata: {name: x}\nspec:\n  match: {kinds: [Workload]}\n  verifyImages:\n';
  bad(`${head}    - name: r\n      attestors: []\n`, /policy\.yaml:8: .*at least one attestor/);
  bad(`${head}    - name: r\n      attestors: [{name: a, keyless: {issuer: x}}]\n`, /keyless needs subject or subjectRegExp/);
  bad(`${head}    - name: r\n      attestors: [{name: a, publicKey: nope}]\n`, /publicKey must be a PEM public key/);
  bad(`${head}    - name: r\n      required: 2\n      attestors: [{name: a, keyless: {issuer: x, subject: y}}]\n`, /required must be an integer from 1 to the number of attestors \(1\)/);
  bad(`${head}    - name: r\n      attestors: [{name: a, keyless: {issuer: x, subjectRegExp: "("}}]\n`, /not a valid regular expression/);
});

test('the shipped example policy loads and only audits', () => {
  const set = compilePolicies(parseYamlDocuments(readFileSync(join(import.meta.dirname, '..', '..', 'policies', 'image-signatures.yaml'), 'utf8'), 'image-signatures.yaml'));
  assert.equal(set.policies[0]!.spec.action, 'audit');
  const v = set.evaluate(pod('ghcr.io/acme/app:1'));
  assert.equal(v[0]!.result, 'error');
  assert.equal(v[0]!.violated, false); // failurePolicy Ignore: no verification, no violation
});
