import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadManifestText, podSpecOf } from '../manifest/index.ts';
import { evaluatePod, forbiddenMessage, parseVersion, podView, policyChecks, LATEST_VERSION } from './index.ts';

function evalYaml(yaml: string, level: 'baseline' | 'restricted', ver = 'latest') {
  const o = loadManifestText(yaml, 't.yaml').objects[0]!;
  const p = podSpecOf(o)!;
  return { results: evaluatePod(podView(p), level, parseVersion(ver)), obj: o, p };
}

test('versions: parse, latest, future versions evaluate as latest, bad input names itself', () => {
  assert.deepEqual(parseVersion('latest'), LATEST_VERSION);
  assert.deepEqual(parseVersion('v1.25'), { major: 1, minor: 25 });
  assert.deepEqual(parseVersion('1.99'), LATEST_VERSION);
  assert.throws(() => parseVersion('v2'), /invalid Pod Security Standards version "v2"/);
  // restricted capabilities replace the baseline check from v1.22 only
  const ids = (lvl: 'baseline' | 'restricted', v: string) => policyChecks(lvl, parseVersion(v)).map((c) => c.check.id);
  assert.ok(ids('restricted', 'v1.21').includes('capabilities_baseline'));
  assert.ok(!ids('restricted', 'v1.22').includes('capabilities_baseline'));
  assert.ok(!ids('baseline', 'latest').includes('runAsNonRoot'));
  assert.ok(!ids('restricted', 'v1.22').includes('runAsUser'));
  assert.ok(ids('restricted', 'v1.23').includes('runAsUser'));
});

test('a Deployment is judged by its pod template, with upstream-shaped messages and field paths', () => {
  const yaml = `apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: prod}
spec:
  template:
    metadata:
      annotations:
        container.apparmor.security.beta.kubernetes.io/app: unconfined
    spec:
      hostNetwork: true
      containers:
      - name: app
        image: nginx
        securityContext:
          privileged: true
          capabilities: {add: [SYS_ADMIN]}
`;
  const { results, obj, p } = evalYaml(yaml, 'baseline');
  const msg = forbiddenMessage('baseline', LATEST_VERSION, results);
  assert.equal(
    msg,
    'violates PodSecurity "baseline:v1.37": forbidden AppArmor profile (container.apparmor.security.beta.kubernetes.io/app="unconfined"), ' +
      'non-default capabilities (container "app" must not include "SYS_ADMIN" in securityContext.capabilities.add), host namespaces (hostNetwork=true), ' +
      'privileged (container "app" must not set securityContext.privileged=true)',
  );
  const priv = results.find((r) => r.check.id === 'privileged')!;
  const path = priv.violation.paths[0]!;
  assert.deepEqual(path, ['spec', 'containers', 0, 'securityContext', 'privileged']);
  assert.equal(obj.lineOf([...p.specPath, ...path.slice(1)]), 15);
  // Windows pods are exempt from the Linux-only restricted controls from v1.25, not before.
  const win = `apiVersion: v1\nkind: Pod\nmetadata: {name: w}\nspec:\n  os: {name: windows}\n  securityContext: {runAsNonRoot: true}\n  containers: [{name: c, image: x}]\n`;
  assert.deepEqual(evalYaml(win, 'restricted').results.map((r) => r.check.id), []);
  assert.deepEqual(evalYaml(win, 'restricted', 'v1.24').results.map((r) => r.check.id), ['allowPrivilegeEscalation', 'capabilities_restricted', 'seccompProfile_restricted']);
});

test('hostile pod specs never throw and never pass silently', () => {
  const weird = [
    'spec: {containers: "nope", securityContext: 5, volumes: {a: 1}}',
    'spec: {containers: [null, 1, "x", {securityContext: []}], initContainers: [{securityContext: {capabilities: {add: [1, null]}}}]}',
    'spec: {containers: [{name: a, ports: [null, {hostPort: "80"}, {hostPort: 8080}]}], securityContext: {sysctls: [null, {name: 5}]}}',
  ];
  for (const w of weird) {
    const { results } = evalYaml(`apiVersion: v1\nkind: Pod\nmetadata: {annotations: [1]}\n${w}\n`, 'restricted');
    assert.ok(Array.isArray(results));
  }
  const { results } = evalYaml(weird[2]!.replace(/^/, 'apiVersion: v1\nkind: Pod\n'), 'baseline');
  assert.deepEqual(results.map((r) => r.check.id), ['hostPorts', 'sysctls']);
});
