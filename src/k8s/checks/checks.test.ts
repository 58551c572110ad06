import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadManifestText } from '../manifest/index.ts';
import { parseImageRef, registryAllowed, runChecks, selectChecks } from './index.ts';

test('image references resolve as the runtime resolves them', () => {
  assert.deepEqual(parseImageRef('nginx'), { registry: 'docker.io', repository: 'library/nginx' });
  assert.deepEqual(parseImageRef('localhost:5000/app:1.2'), { registry: 'localhost:5000', repository: 'app', tag: '1.2' });
  assert.deepEqual(parseImageRef('ghcr.io/acme/app@sha256:abc'), { registry: 'ghcr.io', repository: 'acme/app', digest: 'sha256:abc' });
  assert.deepEqual(parseImageRef('acme/app:latest'), { registry: 'docker.io', repository: 'acme/app', tag: 'latest' });
  const ecr = parseImageRef('123456789.dkr.ecr.eu-west-1.amazonaws.com/app:1');
  assert.ok(registryAllowed(ecr, ['amazonaws.com']));
  assert.ok(!registryAllowed(ecr, ['gcr.io']));
  assert.ok(registryAllowed(parseImageRef('ghcr.io/acme/app:1'), ['ghcr.io/acme']));
  assert.ok(!registryAllowed(parseImageRef('ghcr.io/acmeevil/app:1'), ['ghcr.io/acme']));
  assert.ok(!registryAllowed(parseImageRef('evilgcr.io/app:1'), ['gcr.io']));
});

test('--checks: all, groups, ids, aliases; unknown names are reported', () => {
  assert.ok(selectChecks('all').ids.has('PSS-privileged'));
  const base = selectChecks('pss-baseline').ids;
  assert.ok(base.has('PSS-hostNamespaces') && !base.has('PSS-runAsNonRoot'));
  assert.deepEqual([...selectChecks('ksv011, C-0034').ids].sort(), ['KSV-0011', 'TRIAD-K8S-SA-TOKEN']);
  assert.deepEqual(selectChecks('KSV-0011,bogus').unknown, ['bogus']);
});

const run = (yaml: string, checks: string, opts = {}) => runChecks(loadManifestText(yaml, 'x.yaml').objects, selectChecks(checks).ids, opts).findings;

test('service account tokens: the pod setting wins, else the ServiceAccount in the input', () => {
  const pod = (extra: string) => `apiVersion: v1\nkind: Pod\nmetadata: {name: p, namespace: app}\nspec:\n  serviceAccountName: sa\n${extra}  containers: [{name: c, image: x}]\n`;
  const sa = (v: string) => `---\napiVersion: v1\nkind: ServiceAccount\nmetadata: {name: sa, namespace: app}\nautomountServiceAccountToken: ${v}\n`;
  assert.equal(run(pod(''), 'TRIAD-K8S-SA-TOKEN').length, 1);
  assert.equal(run(pod('') + sa('false'), 'TRIAD-K8S-SA-TOKEN').length, 0);
  assert.equal(run(pod('  automountServiceAccountToken: true\n') + sa('false'), 'TRIAD-K8S-SA-TOKEN').length, 1);
  assert.equal(run(pod('  automountServiceAccountToken: false\n') + sa('true'), 'TRIAD-K8S-SA-TOKEN').length, 0);
  // A ServiceAccount of the same name in another namespace does not count.
  assert.equal(run(pod('') + sa('false').replace('namespace: app', 'namespace: other'), 'TRIAD-K8S-SA-TOKEN').length, 1);
});

test('probes are for long-running workloads; registries only with an allow-list; digests pin tags', () => {
  const job = 'apiVersion: batch/v1\nkind: Job\nmetadata: {name: j}\nspec: {template: {spec: {containers: [{name: c, image: "nginx:latest"}]}}}\n';
  assert.equal(run(job, 'TRIAD-K8S-LIVENESS,TRIAD-K8S-READINESS').length, 0);
  assert.equal(run(job.replace('kind: Job', 'kind: Deployment').replace('batch/v1', 'apps/v1'), 'TRIAD-K8S-LIVENESS').length, 1);
  assert.equal(run(job, 'TRIAD-K8S-TRUSTED-REGISTRY').length, 0);
  const untrusted = run(job, 'TRIAD-K8S-TRUSTED-REGISTRY', { trustedRegistries: ['registry.acme.io'] });
  assert.match(untrusted[0]!.message, /image "nginx:latest" comes from untrusted registry docker\.io/);
  assert.equal(run(job, 'KSV-0013').length, 1);
  assert.equal(run(job.replace('nginx:latest', `nginx:latest@sha256:${'a'.repeat(64)}`), 'KSV-0013,TRIAD-K8S-IMAGE-DIGEST').length, 0);
});

test('one finding per check and resource, at the first offending line', () => {
  const yaml = 'apiVersion: v1\nkind: Pod\nmetadata: {name: p, namespace: ns}\nspec:\n  containers:\n  - name: a\n    image: x:1\n  - name: b\n    image: y:1\n';
  const f = run(yaml, 'KSV-0011');
  assert.equal(f.length, 1);
  assert.equal(f[0]!.message, 'Pod ns/p: container "a" has no cpu limit; container "b" has no cpu limit');
  assert.equal(f[0]!.region!.startLine, 6);
  assert.deepEqual(f[0]!.fields, ['.spec.containers[0].resources.limits.cpu', '.spec.containers[1].resources.limits.cpu']);
});

test('hostile objects never crash any analyzer; thousands of workloads scan quickly', () => {
  const weird = [
    'apiVersion: v1\nkind: Pod\nmetadata: 7\nspec: {containers: {a: 1}, volumes: "x", automountServiceAccountToken: "yes"}',
    'apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: [1]}\nspec: {template: {spec: {containers: [null, {image: 5, ports: "x", resources: {limits: []}}]}}}',
    'apiVersion: batch/v1\nkind: CronJob\nspec: {jobTemplate: null}',
    'apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRoleBinding\nroleRef: 5\nsubjects: {a: 1}',
    'apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nspec: {podSelector: [], ingress: 5}',
  ].join('\n---\n');
  const objects = loadManifestText(weird, 'weird.yaml').objects;
  assert.equal(objects.length, 5);
  assert.doesNotThrow(() => runChecks(objects, selectChecks('all').ids));

  const one = (i: number) => `apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d${i}, namespace: ns${i % 20}}\nspec:\n  template:\n    metadata: {labels: {app: d${i}}}\n    spec:\n      containers:\n      - name: c\n        image: reg.io/app:${i}\n        securityContext: {privileged: true}\n`;
  const text = Array.from({ length: 3000 }, (_, i) => one(i)).join('---\n');
  const started = Date.now();
  const many = loadManifestText(text, 'many.yaml').objects;
  const { findings } = runChecks(many, selectChecks('all').ids);
  const ms = Date.now() - started;
  assert.equal(many.length, 3000);
  assert.equal(findings.filter((f) => f.checkId === 'PSS-privileged').length, 3000);
  assert.ok(ms < 30_000, `${ms} ms`);
});
