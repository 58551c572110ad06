// Certificates from `triad admission certs` and the manifest from `triad admission manifest`:
// checked with node:crypto, with the project's manifest loader and PSS checker, and with kubectl
// (`create --dry-run=client --validate=false`). kubectl needs API discovery even for a client-side
// dry run and no API server can run here, so a loopback server answers the discovery documents
// (the real group/version/resource names of the kinds in the manifest) and nothing else.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import { parseAllDocuments } from 'yaml';
import { evaluatePod, podView } from '../k8s/pss/index.ts';
import { loadManifestText } from '../k8s/manifest/index.ts';
import { CertError, checkServerCert, serviceDnsNames } from './certs.ts';
import { budgetMs, renderManifest } from './manifest.ts';
import { NAMESPACE, SERVICE, testCerts } from './testing/harness.ts';

test('certs: a CA and a server certificate for NAME.NS.svc signed by it', async () => {
  const c = await testCerts();
  const cert = checkServerCert(readFileSync(c.cert), readFileSync(c.caCert), serviceDnsNames(SERVICE, NAMESPACE), ['127.0.0.1']);
  assert.deepEqual(c.dnsNames, ['triad-admission.triad.svc', 'triad-admission.triad.svc.cluster.local']);
  assert.equal(cert.ca, false);
  assert.match(cert.subjectAltName ?? '', /DNS:triad-admission\.triad\.svc, DNS:triad-admission\.triad\.svc\.cluster\.local, IP Address:127\.0\.0\.1/);
  assert.ok(new Date(cert.validTo).getTime() > Date.now() + 86_400_000);
  assert.throws(() => checkServerCert(readFileSync(c.cert), readFileSync(c.caCert), ['other.triad.svc'], []), (e: unknown) => e instanceof CertError && /not valid for other\.triad\.svc/.test(e.message));
  // A certificate is not its own CA.
  assert.throws(() => checkServerCert(readFileSync(c.cert), readFileSync(c.cert), [], []), CertError);
});

async function manifest(): Promise<string> {
  const c = await testCerts();
  return renderManifest({
    service: SERVICE, namespace: NAMESPACE, caBundlePem: readFileSync(c.caCert, 'utf8'), image: 'ghcr.io/triad-dev/triad:0.1.0', failurePolicy: 'fail',
    timeoutSeconds: 5, replicas: 2, includeKubeSystem: false,
  });
}

test('manifest: webhook configuration, Service, ServiceAccount, Deployment as the project loader reads them', async () => {
  const text = await manifest();
  const loaded = loadManifestText(text, 'manifest.yaml');
  assert.deepEqual(loaded.errors, []);
  const objs = loaded.objects.map((o) => o.raw as Record<string, any>);
  assert.deepEqual(objs.map((o) => o.kind), ['ValidatingWebhookConfiguration', 'Service', 'ServiceAccount', 'Deployment']);
  const [vwc, svc, , dep] = objs as [any, any, any, any];
  const hook = vwc.webhooks[0];
  assert.equal(Buffer.from(hook.clientConfig.caBundle, 'base64').toString(), readFileSync((await testCerts()).caCert, 'utf8'));
  assert.deepEqual(hook.clientConfig.service, { name: SERVICE, namespace: NAMESPACE, path: '/validate', port: 443 });
  assert.equal(hook.sideEffects, 'None');
  assert.deepEqual(hook.admissionReviewVersions, ['v1']);
  assert.equal(hook.failurePolicy, 'Fail');
  assert.equal(hook.timeoutSeconds, 5);
  assert.deepEqual(hook.namespaceSelector.matchExpressions, [{ key: 'kubernetes.io/metadata.name', operator: 'NotIn', values: ['kube-system', NAMESPACE] }]);
  const resources = hook.rules.flatMap((r: any) => r.resources);
  for (const r of ['pods', 'deployments', 'statefulsets', 'daemonsets', 'replicasets', 'replicationcontrollers', 'jobs', 'cronjobs']) assert.ok(resources.includes(r), r);
  // The Service reaches the Deployment's pods on the port the server listens on.
  for (const [k, v] of Object.entries(svc.spec.selector)) assert.equal(dep.spec.template.metadata.labels[k], v);
  const container = dep.spec.template.spec.containers[0];
  assert.equal(container.ports[0].containerPort, 8443);
  assert.deepEqual(container.args.slice(0, 2), ['admission', 'serve']);
  assert.equal(container.args[container.args.indexOf('--timeout-ms') + 1], String(budgetMs(5)));
  assert.ok(budgetMs(5) < 5000 && budgetMs(1) < 1000);
  // The webhook's own pods pass Pod Security "restricted".
  assert.deepEqual(evaluatePod(podView({ spec: dep.spec.template.spec, podMeta: dep.spec.template.metadata } as never), 'restricted').map((r) => r.violation.reason), []);
});

const DISCOVERY: Record<string, unknown> = {
  '/api': { kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress: '127.0.0.1' }] },
  '/apis': {
    kind: 'APIGroupList', apiVersion: 'v1',
    groups: ['apps', 'batch', 'admissionregistration.k8s.io'].map((name) => ({ name, versions: [{ groupVersion: `${name}/v1`, version: 'v1' }], preferredVersion: { groupVersion: `${name}/v1`, version: 'v1' } })),
  },
  '/api/v1': resourceList('v1', [['services', 'Service', true], ['serviceaccounts', 'ServiceAccount', true], ['secrets', 'Secret', true], ['pods', 'Pod', true], ['configmaps', 'ConfigMap', true]]),
  '/apis/apps/v1': resourceList('apps/v1', [['deployments', 'Deployment', true], ['statefulsets', 'StatefulSet', true], ['daemonsets', 'DaemonSet', true], ['replicasets', 'ReplicaSet', true]]),
  '/apis/batch/v1': resourceList('batch/v1', [['jobs', 'Job', true], ['cronjobs', 'CronJob', true]]),
  '/apis/admissionregistration.k8s.io/v1': resourceList('admissionregistration.k8s.io/v1', [['validatingwebhookconfigurations', 'ValidatingWebhookConfiguration', false]]),
};

function resourceList(groupVersion: string, rs: Array<[string, string, boolean]>) {
  return {
    kind: 'APIResourceList', apiVersion: 'v1', groupVersion,
    resources: rs.map(([name, kind, namespaced]) => ({ name, singularName: kind.toLowerCase(), namespaced, kind, verbs: ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'] })),
  };
}

test('manifest: kubectl create --dry-run=client --validate=false accepts it', async (t) => {
  const kubectl = await new Promise<boolean>((r) => execFile('kubectl', ['version', '--client'], (e) => r(!e)));
  if (!kubectl) return t.skip('kubectl not installed');
  const server: Server = createServer((req, res) => {
    const body = DISCOVERY[(req.url ?? '').split('?')[0]!];
    res.writeHead(body ? 200 : 404, { 'Content-Type': 'application/json' }).end(JSON.stringify(body ?? { kind: 'Status', status: 'Failure', code: 404 }));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  try {
    const port = (server.address() as AddressInfo).port;
    const text = await manifest();
    const out = await new Promise<string>((resolve, reject) => {
      const child = execFile('kubectl', ['create', '--dry-run=client', '--validate=false', '-o', 'yaml', '-f', '-', `--server=http://127.0.0.1:${port}`], { env: { ...process.env, KUBECONFIG: '/dev/null' }, timeout: 60_000 }, (e, stdout, stderr) =>
        e ? reject(new Error(`kubectl: ${stderr}`)) : resolve(stdout),
      );
      child.stdin!.end(text);
    });
    const docs = parseAllDocuments(out).flatMap((d) => {
      const v = d.toJS();
      return v?.kind === 'List' ? v.items : [v];
    });
    assert.deepEqual(docs.map((d: any) => d.kind), ['ValidatingWebhookConfiguration', 'Service', 'ServiceAccount', 'Deployment']);
    const ours = parseAllDocuments(text).map((d) => d.toJS());
    assert.deepEqual(docs[0].webhooks, ours[0].webhooks);
    assert.deepEqual(docs[3].spec.template.spec.containers[0].args, ours[3].spec.template.spec.containers[0].args);
  } finally {
    server.close();
  }
});
