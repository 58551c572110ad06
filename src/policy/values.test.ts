import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import yaml from 'js-yaml';
import { loadPolicies } from './compile.ts';
import { InputTooLargeError, toCelValue, toCelValueInPlace } from './values.ts';
import { REPO_ROOT, hasSharedData, sharedData } from '../../test/shared-data.ts';

const REVIEWS = join(REPO_ROOT, 'src/admission/testdata/reviews');
const PSS = 'k8s/pod-security-admission/test/testdata/restricted/v1.37';

/** Real JSON documents: the recorded AdmissionReviews and the upstream PSS fixtures (as JSON text). */
function realDocuments(): { name: string; text: string }[] {
  const out = readdirSync(REVIEWS).filter((f) => f.endsWith('.json')).map((f) => ({ name: f, text: readFileSync(join(REVIEWS, f), 'utf8') }));
  if (hasSharedData(PSS)) {
    for (const d of ['pass', 'fail']) {
      for (const f of readdirSync(sharedData(PSS, d))) {
        // YAML → JS → JSON text: what an API server would send for the pod.
        const text = readFileSync(sharedData(PSS, d, f), 'utf8');
        out.push({ name: `${d}/${f}`, text: JSON.stringify(yaml.load(text)) });
      }
    }
  }
  return out;
}

test('in-place conversion gives exactly the values of the copying one, on real reviews and pods', () => {
  const docs = realDocuments();
  assert.ok(docs.length >= 8);
  for (const { name, text } of docs) {
    const copied = toCelValue(JSON.parse(text), name);
    const parsed = JSON.parse(text);
    const inPlace = toCelValueInPlace(parsed, name);
    assert.deepEqual(inPlace, copied, name);
    assert.equal(inPlace, parsed, `${name}: converted in place, not copied`);
  }
});

test('in-place conversion: numbers become int where integral, "__proto__" stays a data key', () => {
  const v = toCelValueInPlace(JSON.parse('{"a":1,"b":[2,2.5,{"c":-3}],"__proto__":4,"d":{"__proto__":{"x":5}},"e":null,"f":"7"}'), 't') as Record<string, unknown>;
  assert.equal(v.a, 1n);
  assert.deepEqual(v.b, [2n, 2.5, { c: -3n }]);
  assert.equal(Object.getPrototypeOf(v), Object.prototype);
  assert.equal(Object.getOwnPropertyDescriptor(v, '__proto__')?.value, 4n);
  const d = v.d as Record<string, unknown>;
  assert.equal(Object.getPrototypeOf(d), Object.prototype);
  assert.deepEqual(Object.getOwnPropertyDescriptor(d, '__proto__')?.value, { x: 5n });
  assert.equal(v.e, null);
  assert.equal(v.f, '7');
  assert.equal(toCelValueInPlace(3, 't'), 3n);
  assert.equal(toCelValueInPlace(undefined, 't'), null);
  assert.equal(toCelValueInPlace(2 ** 60, 't'), 2 ** 60);
});

test('in-place conversion keeps the limits of the copying one (node count, depth), naming the input', () => {
  const wide = JSON.stringify(Array.from({ length: 50 }, (_, i) => ({ i })));
  assert.throws(() => toCelValueInPlace(JSON.parse(wide), 'wide.json', { maxNodes: 60, maxDepth: 10 }), (e: Error) => e instanceof InputTooLargeError && /wide\.json: more than 60 values/.test(e.message));
  assert.throws(() => toCelValue(JSON.parse(wide), 'wide.json', { maxNodes: 60, maxDepth: 10 }), InputTooLargeError);
  let deep: unknown = 1;
  for (let i = 0; i < 20; i++) deep = { a: [deep] };
  const text = JSON.stringify(deep);
  assert.throws(() => toCelValueInPlace(JSON.parse(text), 'deep.json', { maxNodes: 1000, maxDepth: 30 }), /deep\.json: nested deeper than 30 levels/);
  assert.throws(() => toCelValue(JSON.parse(text), 'deep.json', { maxNodes: 1000, maxDepth: 30 }), /nested deeper than 30 levels/);
  assert.doesNotThrow(() => toCelValueInPlace(JSON.parse(text), 'deep.json', { maxNodes: 1000, maxDepth: 50 }));
});

test('an owned admission input gets the same verdicts as a copied one (default policy set, recorded reviews)', () => {
  const set = loadPolicies([join(REPO_ROOT, 'policies')]);
  const now = new Date('2026-01-01T00:00:00Z');
  for (const { name, text } of realDocuments().filter((d) => d.name.endsWith('.json'))) {
    const copied = set.evaluate({ type: 'admission', review: JSON.parse(text), file: name }, { now });
    const owned = set.evaluate({ type: 'admission', review: JSON.parse(text), file: name, owned: true }, { now });
    assert.deepEqual(owned, copied, name);
  }
});
