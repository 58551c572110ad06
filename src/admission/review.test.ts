// AdmissionReview envelope handling: what is accepted, what each refusal says, and the uid recovery
// used when the evaluator cannot answer.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { annotationKey, failureResponse, parseReview, responseBody, uidOf } from './review.ts';
import { fixture } from './testing/harness.ts';

test('parseReview accepts the v1 fixtures and names what is wrong with the rest', () => {
  for (const f of ['kubewarden-privileged-container.json', 'k8s-docs-scale-update.json', 'sighupio-alpine-3.10-pod.json']) {
    const r = parseReview(JSON.stringify(fixture(f)));
    assert.ok(r.ok, f);
  }
  const beta = parseReview(JSON.stringify(fixture('sighupio-alpine-3.10-pod.v1beta1.json')));
  assert.ok(!beta.ok);
  assert.equal(beta.reason, 'api_version');
  assert.equal(beta.apiVersion, 'admission.k8s.io/v1beta1');
  assert.equal(beta.uid, '39b56036-a356-4014-9117-cf64aadbb3f4');
  const cases: Array<[string, string]> = [['', 'malformed'], ['null', 'malformed'], ['"x"', 'malformed'], ['{}', 'api_version'], ['{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":[]}', 'no_request']];
  for (const [body, reason] of cases) {
    const r = parseReview(body);
    assert.ok(!r.ok && r.reason === reason, body);
  }
});

test('failure answers: Fail refuses with a status, Ignore allows with a warning; both audited', () => {
  const fail = JSON.parse(responseBody(failureResponse('timeout', 'too slow', 'u1', 'fail')));
  assert.deepEqual(fail.response.status, { code: 504, reason: 'Timeout', message: 'triad admission: too slow (refused: failure policy Fail)' });
  assert.equal(fail.response.allowed, false);
  assert.equal(fail.response.uid, 'u1');
  const ignore = JSON.parse(responseBody(failureResponse('malformed', 'bad', '', 'ignore')));
  assert.equal(ignore.response.allowed, true);
  assert.equal(ignore.response.status, undefined);
  assert.deepEqual(ignore.response.warnings, ['triad admission: bad (allowed: failure policy Ignore)']);
  assert.equal(ignore.response.auditAnnotations.failure, 'malformed: bad');
});

test('uidOf finds request.uid as the API server writes it, or by parsing a complete body', () => {
  assert.equal(uidOf('{"kind":"AdmissionReview","apiVersion":"admission.k8s.io/v1","request":{"uid":"abc-1","kind":', false), 'abc-1');
  assert.equal(uidOf(JSON.stringify({ request: { kind: { kind: 'Pod' }, object: { metadata: { uid: 'wrong' } }, uid: 'right' } }), true), 'right');
  assert.equal(uidOf('{"request":{"kind":{}', false), '');
  assert.equal(uidOf('not json', true), '');
});

test('audit annotation keys are qualified-name parts', () => {
  assert.equal(annotationKey('audit.pss-restricted'), 'audit.pss-restricted');
  assert.equal(annotationKey('exempt.a b/c'), 'exempt.a-b-c');
  assert.equal(annotationKey(`audit.${'x'.repeat(100)}`).length, 63);
  assert.equal(annotationKey('---'), 'policy');
});
