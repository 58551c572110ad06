// Inline evaluation: which policy sets may run on the HTTPS thread, the deadline that abandons an
// evaluation (never a verdict from half an evaluation), the thread's time share, and that inline
// and thread answers are the same for real AdmissionReviews.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { join } from 'node:path';
import { DeadlineExceededError, compileExpression, setDeadline } from '../policy/cel-env.ts';
import { compilePolicies, loadPolicies } from '../policy/compile.ts';
import { parseYamlDocuments } from '../policy/documents.ts';
import { InlineEvaluator, inlineBlockers } from './inline.ts';
import { Client, REPO_POLICIES, TESTDATA, fixture, parseMetrics, reviewOf, startWebhook } from './testing/harness.ts';

const TEST_POLICIES = join(TESTDATA, 'policies');
const FIXTURES = ['kubewarden-privileged-container.json', 'kubewarden-no-privileged-containers.json', 'kubewarden-deployment-privileged.json', 'kubewarden-pod-creation-latest.json', 'kubewarden-pod-creation.json', 'k8s-docs-scale-update.json', 'sighupio-alpine-3.10-pod.json'];

const policy = (name: string, expression: string, namespaces = '[]') => `apiVersion: triad.dev/v1alpha1
kind: Policy
metadata:
  name: ${name}
spec:
  match:
    kinds: [Workload]
    namespaces: {include: ${namespaces}}
  validations:
    - name: v
      expression: ${JSON.stringify(expression)}
`;

describe('which policy sets may be evaluated inline', () => {
  test('the shipped default set and the test policies may', () => {
    assert.deepEqual(inlineBlockers(loadPolicies([REPO_POLICIES])), []);
    assert.deepEqual(inlineBlockers(loadPolicies([TEST_POLICIES])), []);
  });

  test('regular expressions and multi-star globs may not, named; quadratic list functions may (they check the deadline)', () => {
    const text = [
      policy('uses-regex', "object.metadata.name.matches('^a+$')"),
      policy('finds', "object.metadata.name.find('[0-9]+') != ''"),
      policy('uses-distinct', 'object.spec.containers.map(c, c.image).distinct().size() > 0'),
      policy('uses-sets', "sets.contains(['a'], ['a'])"),
      policy('two-stars', 'true', '["team-*-prod-*"]'),
      policy('one-star', "object.metadata.name.startsWith('x') || true", '["team-*"]'),
    ].join('---\n');
    const blockers = inlineBlockers(compilePolicies(parseYamlDocuments(text, 'p.yaml')));
    assert.equal(blockers.length, 3, blockers.join('\n'));
    assert.match(blockers[0]!, /uses-regex: matches\(/);
    assert.match(blockers[1]!, /finds: find\(/);
    assert.match(blockers[2]!, /two-stars: glob "team-\*-prod-\*"/);
  });

  test('distinct() and sets.* stop at the deadline too', () => {
    const list = `[${Array.from({ length: 200 }, (_, i) => i).join(',')}]`;
    for (const src of [`${list}.distinct().size() > 0`, `sets.contains(${list}, ${list})`, `sets.equivalent(${list}, ${list})`, `sets.intersects(${list}, [-1])`]) {
      const e = compileExpression(src);
      setDeadline(performance.now() - 1);
      try {
        assert.throws(() => e.run({}), DeadlineExceededError, src);
      } finally {
        setDeadline(Infinity);
      }
      assert.equal(typeof e.run({}), 'boolean', src);
    }
  });
});

describe('the deadline', () => {
  test('abandons a long loop within one iteration, and clears', () => {
    const e = compileExpression('[0,1,2,3,4,5,6,7,8,9].map(a, [0,1,2,3,4,5,6,7,8,9].map(b, [0,1,2,3,4,5,6,7,8,9].map(c, a + b + c))).size() > 0');
    setDeadline(performance.now() - 1);
    try {
      assert.throws(() => e.run({}), DeadlineExceededError);
    } finally {
      setDeadline(Infinity);
    }
    assert.equal(e.run({}), true);
  });

  test('a validation past the deadline gives no verdict (not an error verdict): the evaluation throws', () => {
    const set = loadPolicies([REPO_POLICIES]);
    const review = fixture('kubewarden-privileged-container.json');
    setDeadline(performance.now() - 1);
    try {
      assert.throws(() => set.evaluate({ type: 'admission', review }), DeadlineExceededError);
    } finally {
      setDeadline(Infinity);
    }
    assert.ok(set.evaluate({ type: 'admission', review }).some((v) => v.policy === 'pss-baseline' && v.result === 'fail'));
  });

  test('a slow review overruns inline, and the HTTPS thread stops trying inline once its share is spent', () => {
    const made = InlineEvaluator.create({ policyPaths: [TEST_POLICIES], failurePolicy: 'fail', exemptNamespaces: [], missingScan: 'warn' });
    assert.ok(made instanceof InlineEvaluator, JSON.stringify(made));
    const slow = Buffer.from(JSON.stringify(reviewOf({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', labels: { slow: 'very' } }, spec: { containers: [{ name: 'c', image: 'registry.k8s.io/pause:3.9' }] } })));
    const kinds = Array.from({ length: 40 }, () => made.tryReview(slow).kind);
    assert.equal(kinds[0], 'overran');
    assert.ok(!kinds.includes('done'));
    assert.ok(kinds.includes('skipped'), kinds.join(','));
  });
});

describe('inline and thread answers agree', () => {
  test('real AdmissionReviews: identical answers; metrics say where each was evaluated', async () => {
    const inline = await startWebhook();
    const threads = await startWebhook({ inline: false });
    const [a, b] = [await Client.for(inline), await Client.for(threads)];
    try {
      for (const f of FIXTURES) {
        const [x, y] = await Promise.all([a.review(fixture(f)), b.review(fixture(f))]);
        assert.equal(x.status, 200);
        assert.equal(x.text, y.text, f);
      }
      const mi = parseMetrics((await a.send('GET', '/metrics')).text);
      const mt = parseMetrics((await b.send('GET', '/metrics')).text);
      // All tried inline; the first ones may overrun the short deadline while the code is cold.
      const inlined = mi.get('triad_admission_evaluations_total{where="inline"}') ?? 0;
      assert.ok(inlined >= 1);
      assert.equal(inlined + (mi.get('triad_admission_evaluations_total{where="inline_overrun"}') ?? 0), FIXTURES.length);
      assert.equal(mi.get('triad_admission_evaluations_total{where="thread"}'), undefined);
      assert.equal(mt.get('triad_admission_evaluations_total{where="thread"}'), FIXTURES.length);
    } finally {
      a.close();
      b.close();
      await inline.close();
      await threads.close();
    }
  });
});
