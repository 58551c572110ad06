// The webhook over real HTTPS on 127.0.0.1 (certificates from `triad admission certs`, verified
// against the Service name): real AdmissionReview fixtures, concurrency, bad input, the time
// budget, per-policy failure policies, namespace exemptions and metrics.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { join } from 'node:path';
import { loadPolicies } from '../policy/compile.ts';
import type { AdmissionWebhook } from './server.ts';
import { Client, REPO_POLICIES, TESTDATA, fixture, parseMetrics, reviewOf, startWebhook } from './testing/harness.ts';

const TEST_POLICIES = join(TESTDATA, 'policies');

function pod(labels: Record<string, string>, namespace = 'default'): Record<string, any> {
  return reviewOf({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', labels }, spec: { containers: [{ name: 'c', image: 'registry.k8s.io/pause:3.9' }] } }, { namespace });
}

describe('default policies, real AdmissionReviews', () => {
  let hook: AdmissionWebhook;
  let client: Client;
  before(async () => {
    hook = await startWebhook();
    client = await Client.for(hook);
  });
  after(async () => {
    client.close();
    await hook.close();
  });

  const expected: Array<[string, 'allowed' | 'warned' | 'denied', RegExp?]> = [
    ['kubewarden-privileged-container.json', 'denied', /pss-baseline\/privileged\].*nginx/],
    ['kubewarden-no-privileged-containers.json', 'denied', /image-no-latest-tag/],
    ['kubewarden-deployment-privileged.json', 'denied', /pss-baseline\/privileged/],
    ['kubewarden-pod-creation-latest.json', 'denied', /images without a version tag or digest \(latest\): nginx:latest/],
    ['k8s-docs-scale-update.json', 'allowed'],
  ];

  test('fixtures: verdicts, uid echoed, 50 concurrent requests each', async () => {
    const jobs = [];
    for (let i = 0; i < 50; i++) {
      for (const [file, want, why] of expected) {
        const review = fixture(file);
        review.request.uid = `${review.request.uid}-${i}`;
        jobs.push(
          client.review(review).then((r) => {
            assert.equal(r.status, 200);
            const body = r.json();
            assert.equal(body.apiVersion, 'admission.k8s.io/v1');
            assert.equal(body.kind, 'AdmissionReview');
            assert.equal(body.response.uid, review.request.uid, file);
            assert.equal(body.response.allowed, want !== 'denied', `${file}: ${r.text}`);
            if (want === 'denied') {
              assert.equal(body.response.status?.code, 403);
              assert.match(body.response.status!.message, why!);
            }
          }),
        );
      }
    }
    await Promise.all(jobs);
  });

  test('warn verdicts become warnings of an allowed response (pinned tag, no digest)', async () => {
    // With image hygiene only: pss-restricted would deny the bare fixture pod.
    const h = await startWebhook({ policyPaths: [join(TESTDATA, '../../../policies/image-hygiene.yaml')], threads: 1 });
    const c = await Client.for(h);
    try {
      const r = (await c.review(fixture('kubewarden-pod-creation.json'))).json();
      assert.equal(r.response.allowed, true);
      assert.deepEqual(r.response.warnings, ['[image-digest-pinned/digest] images not pinned by digest: nginx:1.0.0']);
    } finally {
      c.close();
      await h.close();
    }
  });

  test('kube-system and the webhook namespace are never judged; other namespaces are', async () => {
    const priv = fixture('kubewarden-privileged-container.json');
    for (const ns of ['kube-system', 'triad']) {
      priv.request.namespace = ns;
      const r = (await client.review(priv)).json();
      assert.equal(r.response.allowed, true, ns);
      assert.equal(r.response.status, undefined);
    }
    priv.request.namespace = 'kube-public';
    assert.equal((await client.review(priv)).json().response.allowed, false);
  });

  test('bad input: a well-formed failure answer (Fail), never an HTTP error', async () => {
    const v1beta1 = fixture('sighupio-alpine-3.10-pod.v1beta1.json');
    const cases: Array<[string, string, string, string]> = [
      ['not json', '{"apiVersion":', 'malformed', ''],
      ['empty body', '', 'malformed', ''],
      ['array', '[1,2,3]', 'malformed', ''],
      ['v1beta1 review', JSON.stringify(v1beta1), 'api_version', v1beta1.request.uid],
      ['no request', '{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview"}', 'no_request', ''],
      ['no uid', '{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"kind":{"kind":"Pod"},"operation":"CREATE"}}', 'no_request', ''],
      ['no kind', '{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":"u1","operation":"CREATE"}}', 'no_request', 'u1'],
      ['object is a string', '{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":"u2","kind":{"kind":"Pod"},"operation":"CREATE","object":"x"}}', '', 'u2'],
      ['nested 5000 deep', `{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":"u3","kind":{"kind":"Pod"},"operation":"CREATE","object":{"kind":"Pod","metadata":{"name":"x"},"spec":${'['.repeat(5000)}${']'.repeat(5000)}}}}`, 'too_large', 'u3'],
    ];
    for (const [what, body, reason, uid] of cases) {
      const r = await client.review(body);
      assert.equal(r.status, 200, what);
      const j = r.json();
      assert.equal(j.kind, 'AdmissionReview', what);
      assert.equal(j.response.uid, uid, what);
      if (reason) {
        assert.equal(j.response.allowed, false, what);
        assert.ok(j.response.status!.code >= 400, what);
        assert.match(j.response.auditAnnotations!.failure!, new RegExp(`^${reason}:`), what);
      }
      if (what === 'v1beta1 review') assert.equal(j.apiVersion, 'admission.k8s.io/v1beta1');
    }
    assert.equal((await client.send('GET', '/validate')).status, 405);
    assert.equal((await client.send('GET', '/nope')).status, 404);
    assert.equal((await client.send('GET', '/healthz')).text, 'ok\n');
  });

  test('a body over the limit is refused without reading it all, and the connection is closed', async () => {
    const h = await startWebhook({ maxBodyBytes: 64 * 1024, threads: 1 });
    const c = await Client.for(h);
    try {
      const big = JSON.stringify(pod({ pad: 'x'.repeat(63) })).replace('"spec":', `"pad":"${'y'.repeat(200_000)}","spec":`);
      const r = await c.review(big);
      assert.equal(r.status, 200);
      assert.equal(r.headers.connection, 'close');
      assert.equal(r.json().response.status?.code, 413);
      // The server is still there.
      assert.equal((await c.review(fixture('k8s-docs-scale-update.json'))).json().response.allowed, true);
    } finally {
      c.close();
      await h.close();
    }
  });

  test('metrics: requests by result, verdicts by policy/action, latency histogram, failures, in flight', async () => {
    const read = async () => parseMetrics((await client.send('GET', '/metrics')).text);
    const before = await read();
    const priv = fixture('kubewarden-privileged-container.json');
    await Promise.all(Array.from({ length: 20 }, () => client.review(priv)));
    await Promise.all(Array.from({ length: 5 }, () => client.review(fixture('k8s-docs-scale-update.json'))));
    await Promise.all(Array.from({ length: 3 }, () => client.review('{')));
    priv.request.namespace = 'kube-system';
    await client.review(priv);
    const m = await read();
    const delta = (k: string) => (m.get(k) ?? 0) - (before.get(k) ?? 0);
    assert.equal(delta('triad_admission_requests_total{result="denied"}'), 20);
    assert.equal(delta('triad_admission_requests_total{result="allowed"}'), 5);
    assert.equal(delta('triad_admission_requests_total{result="failed_closed"}'), 3);
    assert.equal(delta('triad_admission_requests_total{result="skipped"}'), 1);
    assert.equal(delta('triad_admission_failures_total{reason="malformed"}'), 3);
    assert.equal(delta('triad_admission_request_duration_seconds_count'), 29);
    assert.equal(delta('triad_admission_request_duration_seconds_bucket{le="+Inf"}'), 29);
    // The privileged pod: pss-baseline fails once (privileged), pss-restricted several times, per request.
    assert.equal(delta('triad_admission_verdicts_total{policy="pss-baseline",action="deny",result="fail"}'), 20);
    assert.equal(delta('triad_admission_verdicts_total{policy="image-no-latest-tag",action="deny",result="fail"}'), 20);
    assert.ok(delta('triad_admission_verdicts_total{policy="pss-restricted",action="deny",result="fail"}') >= 40);
    const buckets = [...m].filter(([k]) => k.startsWith('triad_admission_request_duration_seconds_bucket')).map(([, v]) => v);
    assert.deepEqual([...buckets].sort((a, b) => a - b), buckets, 'cumulative buckets');
    assert.equal(m.get('triad_admission_in_flight_requests'), 0);
    assert.equal(m.get('triad_admission_policies'), loadPolicies([REPO_POLICIES]).policies.length);
    assert.match((await client.send('GET', '/metrics')).headers['content-type'] as string, /^text\/plain; version=0\.0\.4/);
  });
});

describe('time budget and failure policies', () => {
  test('a slow policy is cut off at the budget (Fail: refused, 504); a stuck thread is replaced', async () => {
    const hook = await startWebhook({ policyPaths: [TEST_POLICIES], timeoutMs: 100, threads: 1 });
    const client = await Client.for(hook);
    try {
      const t0 = performance.now();
      const r = (await client.review(pod({ slow: 'very' }))).json();
      const ms = performance.now() - t0;
      assert.equal(r.response.allowed, false);
      assert.equal(r.response.status?.code, 504);
      assert.match(r.response.status!.message, /exceeded the 100 ms budget/);
      assert.ok(ms < 900, `answered in ${ms.toFixed(0)} ms (the policy runs for over a second)`);
      // The thread is busy for over a second: the watchdog replaces it. Cheap reviews are answered
      // meanwhile (inline) and after (by the new thread).
      let ok = false;
      let m = new Map<string, number>();
      // On a loaded machine a cold replacement can overrun the 100 ms budget too and be replaced
      // again, and a cheap review can overrun the inline deadline: at least one of each, then.
      for (let i = 0; i < 50 && !(ok && (m.get('triad_admission_evaluator_restarts_total{reason="stuck"}') ?? 0) >= 1); i++) {
        await new Promise((res) => setTimeout(res, 100));
        const again = (await client.review(pod({ broken: 'open' }))).json();
        ok = again.response.allowed === true && again.response.status === undefined;
        m = parseMetrics((await client.send('GET', '/metrics')).text);
      }
      assert.ok(ok, 'service goes on');
      assert.ok((m.get('triad_admission_evaluator_restarts_total{reason="stuck"}') ?? 0) >= 1, 'the stuck thread was replaced');
      assert.ok((m.get('triad_admission_failures_total{reason="timeout"}') ?? 0) >= 1);
      // It was tried inline first, abandoned at the inline deadline, and cut off on its thread.
      assert.ok((m.get('triad_admission_evaluations_total{where="inline_overrun"}') ?? 0) >= 1);
    } finally {
      client.close();
      await hook.close();
    }
  });

  test('Ignore: the same timeout is allowed, with a warning', async () => {
    const hook = await startWebhook({ policyPaths: [TEST_POLICIES], timeoutMs: 50, threads: 2, failurePolicy: 'ignore' });
    const client = await Client.for(hook);
    try {
      const [slow, fast] = await Promise.all([client.review(pod({ slow: 'true' })), client.review(pod({ broken: 'closed' }))]);
      const s = slow.json().response;
      assert.equal(s.allowed, true);
      assert.match(s.warnings![0]!, /exceeded the 50 ms budget.*allowed: failure policy Ignore/);
      // The other thread judged the other request meanwhile: broken-closed is Fail whatever the flag.
      assert.equal(fast.json().response.allowed, false);
    } finally {
      client.close();
      await hook.close();
    }
  });

  test('per-policy failurePolicy: Fail refuses, Ignore allows (audited), unset follows --failure-policy', async () => {
    for (const mode of ['fail', 'ignore'] as const) {
      const hook = await startWebhook({ policyPaths: [TEST_POLICIES], failurePolicy: mode, threads: 1 });
      const client = await Client.for(hook);
      try {
        const closed = (await client.review(pod({ broken: 'closed' }))).json().response;
        assert.equal(closed.allowed, false);
        assert.match(closed.status!.message, /broken-closed\/missingField.*could not be evaluated.*erroring\.yaml:\d+/);
        const open = (await client.review(pod({ broken: 'open' }))).json().response;
        assert.equal(open.allowed, true);
        assert.match(open.auditAnnotations!['error.broken-open']!, /ignored \(failurePolicy Ignore\)/);
        const dflt = (await client.review(pod({ broken: 'default' }))).json().response;
        assert.equal(dflt.allowed, mode === 'ignore', mode);
        // Requests that cannot be judged follow the flag too.
        assert.equal((await client.review('[]')).json().response.allowed, mode === 'ignore');
      } finally {
        client.close();
        await hook.close();
      }
    }
  });

  test('--include-kube-system (no exempt namespaces) judges kube-system', async () => {
    // (The shipped policies exclude kube-system themselves; these test policies do not.)
    const hook = await startWebhook({ policyPaths: [TEST_POLICIES], exemptNamespaces: [], threads: 1 });
    const client = await Client.for(hook);
    try {
      assert.equal((await client.review(pod({ broken: 'closed' }, 'kube-system'))).json().response.allowed, false);
    } finally {
      client.close();
      await hook.close();
    }
  });

  test('policies that do not compile: start fails with the file and line', async () => {
    await assert.rejects(startWebhook({ policyPaths: [join(TESTDATA, 'reviews')] }), /reviews: no Policy or ValidatingAdmissionPolicy documents/);
  });
});
