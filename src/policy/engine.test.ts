import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compilePolicies } from './compile.ts';
import { PolicyLoadError, parseYamlDocuments } from './documents.ts';
import { decide } from './evaluate.ts';
import { InputError } from './inputs.ts';
import { InputTooLargeError } from './values.ts';
import { parseQuantity } from './quantity.ts';
import { hasSharedData, sharedData } from '../../test/shared-data.ts';
import { readFileSync } from 'node:fs';
import yaml from 'js-yaml';

const FIX = 'k8s/pod-security-admission/test/testdata/restricted/v1.37';
const pod = (name: string, dir = 'pass') => yaml.load(readFileSync(sharedData(`${FIX}/${dir}/${name}.yaml`), 'utf8')) as Record<string, unknown>;
const SKIP = hasSharedData(FIX) ? false : 'shared data absent';
const set = (text: string, file = 'p.yaml') => compilePolicies(parseYamlDocuments(text, file));

const policy = (validations: string, extra = '') => `apiVersion: triad.dev/v1alpha1
kind: Policy
metadata:
  name: t
spec:
  match:
    kinds: [Workload]
${extra}  validations:
${validations}`;

test('invalid CEL names the file, the policy and the line of the expression', { skip: SKIP }, () => {
  const text = policy(`    - name: ok
      expression: "true"
    - name: broken
      expression: >-
        object.spec.containers.all(c,
          c.image.startsWith("x") &&)
`);
  assert.throws(() => set(text, 'bad.yaml'), (e: Error) => {
    assert.ok(e instanceof PolicyLoadError);
    assert.match(e.message, /^bad\.yaml:14: policy "t": validation broken: invalid CEL/);
    return true;
  });
  // Unknown variables and functions are compile errors, not runtime surprises.
  assert.throws(() => set(policy('    - expression: objekt.spec == 1\n')), /bad|p\.yaml:9: .*validation #1: invalid CEL: .*objekt/);
  assert.throws(() => set(policy('    - expression: frobnicate(object)\n')), /invalid CEL/);
});

test('malformed documents: YAML errors, missing fields, bad enums, duplicate names', { skip: SKIP }, () => {
  assert.throws(() => set('apiVersion: triad.dev/v1alpha1\nkind: Policy\nmetadata: {name: x\n'), /p\.yaml:\d+: document 1:/);
  assert.throws(() => set(policy('')), /at least one validation/);
  assert.throws(() => set(policy('    - expression: "true"\n', '  action: block\n')), /p\.yaml:8: Policy "t": action must be one of deny, warn, audit/);
  assert.throws(() => set(policy('    - expression: "true"\n') + '---\n' + policy('    - expression: "true"\n')), /policy "t" is already defined at p\.yaml:1/);
  assert.throws(() => set(policy('    - expression: "true"\n', '  variables:\n    - name: not-an-identifier\n      expression: "1"\n')), /must be a CEL identifier/);
});

test('runtime errors follow failurePolicy and name the policy file and line', { skip: SKIP }, () => {
  const input = { type: 'object' as const, object: pod('base') };
  const fail = set(policy('    - name: nokey\n      expression: object.spec.nothing.here == 1\n'));
  const [v] = fail.evaluate(input);
  assert.equal(v!.result, 'error');
  assert.equal(v!.violated, true);
  assert.match(v!.error!, /validation nokey \(p\.yaml:\d+\): No such key: nothing/);
  const ignore = set(policy('    - expression: object.spec.nothing.here == 1\n', '  failurePolicy: Ignore\n'));
  const [w] = ignore.evaluate(input);
  assert.equal(w!.result, 'error');
  assert.equal(w!.violated, false);
  assert.equal(decide([w!]).allowed, true);
  // Type errors and non-bool results are errors too.
  const [x] = set(policy('    - expression: object.metadata.name + 1 == 2\n')).evaluate(input);
  assert.equal(x!.result, 'error');
  const [y] = set(policy('    - expression: object.metadata.name\n')).evaluate(input);
  assert.match(y!.error!, /must evaluate to bool/);
});

test('nested loops over huge lists hit the iteration budget instead of hanging', { skip: SKIP }, () => {
  const big = { ...pod('base'), spec: { containers: Array.from({ length: 5000 }, (_, i) => ({ name: `c${i}`, image: 'x:1' })) } };
  const s = set(policy('    - expression: object.spec.containers.all(a, object.spec.containers.all(b, a.name != b.name || a == b))\n'));
  const t0 = Date.now();
  const [v] = s.evaluate({ type: 'object', object: big });
  assert.equal(v!.result, 'error');
  assert.match(v!.error!, /iteration budget/);
  assert.ok(Date.now() - t0 < 5000);
  // A single pass over the same list is fine.
  const [ok] = set(policy('    - expression: object.spec.containers.all(a, a.image == "x:1")\n')).evaluate({ type: 'object', object: big });
  assert.equal(ok!.result, 'pass');
});

test('hostile input: deep nesting and non-objects are input errors, not crashes', { skip: SKIP }, () => {
  const s = set(policy('    - expression: "true"\n'));
  let deep: Record<string, unknown> = {};
  const root = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'd' }, spec: deep };
  for (let i = 0; i < 1000; i++) deep = (deep.x = {}) as Record<string, unknown>;
  assert.throws(() => s.evaluate({ type: 'object', object: root }), InputTooLargeError);
  assert.throws(() => s.evaluate({ type: 'object', object: 'nope' }), InputError);
  assert.throws(() => s.evaluate({ type: 'admission', review: { kind: 'AdmissionReview' } }), InputError);
  // __proto__ keys stay data.
  const proto = JSON.parse('{"apiVersion":"v1","kind":"Pod","metadata":{"name":"p","labels":{"__proto__":"x"}},"spec":{}}');
  const [v] = set(policy('    - expression: object.metadata.labels["__proto__"] == "x"\n')).evaluate({ type: 'object', object: proto });
  assert.equal(v!.result, 'pass');
});

test('variables are lazy and memoised; params, messageExpression and VAP-style request work', { skip: SKIP }, () => {
  const s = set(policy(
    `    - name: uses
      expression: variables.names.all(n, n in params.allowed)
      messageExpression: >-
        "not allowed: " + variables.names.filter(n, !(n in params.allowed)).join(", ")
`,
    `  params:
    allowed: [container1]
  variables:
    - name: names
      expression: allContainers.map(c, c.name)
    - name: unused
      expression: object.no.such.key
`,
  ));
  const [v] = s.evaluate({ type: 'object', object: pod('base') });
  assert.equal(v!.result, 'fail');
  assert.equal(v!.message, 'not allowed: initcontainer1');
  const r = set(policy('    - expression: request.operation == "CREATE" && request.kind.kind == "Pod" && oldObject == null\n'));
  assert.equal(r.evaluate({ type: 'object', object: pod('base') })[0]!.result, 'pass');
});

test('AdmissionReview v1: object, oldObject, operation, userInfo, namespace, subresources', { skip: SKIP }, () => {
  const object = { ...pod('runasuser0', 'fail'), metadata: { name: 'runasuser0', namespace: 'team-a' } };
  const review = {
    apiVersion: 'admission.k8s.io/v1',
    kind: 'AdmissionReview',
    request: {
      uid: '705ab4f5-6393-11e8-b7cc-42010a800002',
      kind: { group: '', version: 'v1', kind: 'Pod' },
      resource: { group: '', version: 'v1', resource: 'pods' },
      requestKind: { group: '', version: 'v1', kind: 'Pod' },
      requestResource: { group: '', version: 'v1', resource: 'pods' },
      name: 'runasuser0',
      namespace: 'team-a',
      operation: 'CREATE',
      userInfo: { username: 'admin', uid: '014fbff9a07c', groups: ['system:authenticated'] },
      object,
      oldObject: null,
      dryRun: false,
      options: { apiVersion: 'meta.k8s.io/v1', kind: 'CreateOptions' },
    },
  };
  const s = set(
    policy('    - name: user\n      expression: request.userInfo.username == "admin" && request.namespace == "team-a" && object.spec.securityContext.runAsUser == 0\n').replace(
      'kinds: [Workload]',
      'kinds: [Pod]\n    namespaces: [team-*]',
    ),
  );
  assert.equal(s.evaluate({ type: 'admission', review })[0]!.result, 'pass');
  // Other namespaces and subresource requests (pods/status) do not match.
  assert.deepEqual(s.evaluate({ type: 'admission', review: { ...review, request: { ...review.request, namespace: 'other' } } }), []);
  assert.deepEqual(s.evaluate({ type: 'admission', review: { ...review, request: { ...review.request, subResource: 'status' } } }), []);
  // DELETE requests carry only oldObject; the default operations (CREATE, UPDATE) skip them.
  assert.deepEqual(s.evaluate({ type: 'admission', review: { ...review, request: { ...review.request, operation: 'DELETE', object: null, oldObject: object } } }), []);
});

test('a ValidatingAdmissionPolicy is read as it is written', { skip: SKIP }, () => {
  const vap = `apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicy
metadata:
  name: demo-policy.example.com
spec:
  failurePolicy: Fail
  matchConstraints:
    resourceRules:
    - apiGroups: ["apps"]
      apiVersions: ["v1"]
      operations: ["CREATE", "UPDATE"]
      resources: ["deployments"]
  variables:
  - name: replicas
    expression: object.spec.replicas
  validations:
  - expression: "variables.replicas <= 5"
    message: too many replicas
`;
  const s = set(vap);
  const deploy = (n: number) => ({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'd' }, spec: { replicas: n, template: { spec: { containers: [] } } } });
  assert.equal(s.evaluate({ type: 'object', object: deploy(3) })[0]!.result, 'pass');
  const [v] = s.evaluate({ type: 'object', object: deploy(7) });
  assert.equal(v!.result, 'fail');
  assert.equal(v!.message, 'too many replicas');
  assert.deepEqual(s.evaluate({ type: 'object', object: pod('base') }), []);
});

test('Kubernetes CEL library: quantities, lists, regex, sets, strings', { skip: SKIP }, () => {
  const exprs = [
    'quantity("1Gi").isGreaterThan(quantity("1000Mi"))',
    'quantity("500m").compareTo(quantity("0.5")) == 0',
    '!quantity("1.5").isInteger() && quantity("2k").asInteger() == 2000',
    'isQuantity("10Mi") && !isQuantity("ten")',
    '[1, 2, 3].isSorted() && [3, 1, 2].sum() == 6 && [3, 1, 2].min() == 1 && [3, 1, 2].max() == 3',
    '["a", "b", "a"].distinct() == ["a", "b"] && [1, 2, 3].indexOf(2) == 1',
    '"registry.k8s.io/pause:3.9".find("[0-9.]+$") == "3.9" && "a1b22".findAll("[0-9]+") == ["1", "22"]',
    'sets.contains(["a", "b"], ["a"]) && sets.intersects(["a"], ["a", "c"]) && !sets.equivalent(["a"], ["b"])',
    '"hello".replace("l", "L") == "heLLo" && "hello".charAt(1) == "e"',
    'imageRef("nginx").tag == "" && imageRef("nginx:1.25").tag == "1.25" && imageRef("nginx").registry == "docker.io"',
    'object.spec.containers.exists_one(c, c.name == "container1")',
  ];
  const s = set(policy(exprs.map((e, i) => `    - name: e${i}\n      expression: '${e.replace(/'/g, "''")}'\n`).join('')));
  const vs = s.evaluate({ type: 'object', object: pod('base') });
  assert.deepEqual(vs.map((v) => [v.result, v.validation, v.error]), [['pass', undefined, undefined]]);
  assert.equal(parseQuantity('1e400'), undefined);
  assert.equal(parseQuantity('1Ki')!.num, 1024n);
});
