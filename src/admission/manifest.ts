// `triad admission manifest`: everything a cluster needs to run the webhook — the
// ValidatingWebhookConfiguration (CA bundle, rules for pods and every workload kind, failure policy,
// timeout, kube-system and the webhook's own namespace excluded), and the Service, ServiceAccount
// and Deployment that serve it. The Deployment itself passes Pod Security "restricted".
import { stringify } from 'yaml';
import { VERSION } from '../version.ts';
import type { FailurePolicyMode } from './review.ts';

export interface ManifestOptions {
  service: string;
  namespace: string;
  /** PEM of the CA that signed the serving certificate. */
  caBundlePem: string;
  image: string;
  failurePolicy: FailurePolicyMode;
  /** The API server's timeout (1-30 s); the webhook's own budget is set below it. */
  timeoutSeconds: number;
  replicas: number;
  includeKubeSystem: boolean;
  /** ConfigMap holding policy files, mounted as the policy directory (default: the image's policies). */
  policiesConfigMap?: string;
  /** The serving key pair, to include as a kubernetes.io/tls Secret. */
  tlsSecret?: { cert: string; key: string };
}

export const CONTAINER_PORT = 8443;

/** The webhook's budget: under the API server's timeout, so that the webhook's failure policy answers first. */
export function budgetMs(timeoutSeconds: number): number {
  return Math.max(100, Math.min(2000, timeoutSeconds * 1000 - 500));
}

export function manifestObjects(o: ManifestOptions): Record<string, unknown>[] {
  if (!Number.isInteger(o.timeoutSeconds) || o.timeoutSeconds < 1 || o.timeoutSeconds > 30) throw new Error(`--timeout-seconds ${o.timeoutSeconds}: Kubernetes allows 1-30`);
  if (!/-----BEGIN CERTIFICATE-----/.test(o.caBundlePem)) throw new Error('the CA bundle is not a PEM certificate');
  const labels = { 'app.kubernetes.io/name': 'triad-admission', 'app.kubernetes.io/instance': o.service, 'app.kubernetes.io/version': VERSION };
  const selector = { 'app.kubernetes.io/name': 'triad-admission', 'app.kubernetes.io/instance': o.service };
  const meta = (name: string) => ({ name, namespace: o.namespace, labels });
  const exempt = o.includeKubeSystem ? [o.namespace] : ['kube-system', o.namespace];
  const ops = ['CREATE', 'UPDATE'];
  const webhookConfig = {
    apiVersion: 'admissionregistration.k8s.io/v1',
    kind: 'ValidatingWebhookConfiguration',
    metadata: { name: o.service, labels },
    webhooks: [
      {
        name: `${o.service}.${o.namespace}.triad.dev`,
        admissionReviewVersions: ['v1'],
        sideEffects: 'None',
        failurePolicy: o.failurePolicy === 'ignore' ? 'Ignore' : 'Fail',
        timeoutSeconds: o.timeoutSeconds,
        matchPolicy: 'Equivalent',
        namespaceSelector: { matchExpressions: [{ key: 'kubernetes.io/metadata.name', operator: 'NotIn', values: [...new Set(exempt)] }] },
        rules: [
          { apiGroups: [''], apiVersions: ['v1'], operations: ops, resources: ['pods', 'pods/ephemeralcontainers', 'replicationcontrollers'], scope: 'Namespaced' },
          { apiGroups: ['apps'], apiVersions: ['v1'], operations: ops, resources: ['deployments', 'replicasets', 'statefulsets', 'daemonsets'], scope: 'Namespaced' },
          { apiGroups: ['batch'], apiVersions: ['v1'], operations: ops, resources: ['jobs', 'cronjobs'], scope: 'Namespaced' },
        ],
        clientConfig: { service: { name: o.service, namespace: o.namespace, path: '/validate', port: 443 }, caBundle: Buffer.from(o.caBundlePem).toString('base64') },
      },
    ],
  };
  const service = {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: meta(o.service),
    spec: { type: 'ClusterIP', selector, ports: [{ name: 'https', port: 443, targetPort: 'https', protocol: 'TCP' }] },
  };
  const serviceAccount = { apiVersion: 'v1', kind: 'ServiceAccount', metadata: meta(o.service), automountServiceAccountToken: false };
  const args = [
    'admission', 'serve', '--host', '0.0.0.0', '--port', String(CONTAINER_PORT), '--tls-cert', '/etc/triad/tls/tls.crt', '--tls-key', '/etc/triad/tls/tls.key',
    '--failure-policy', o.failurePolicy, '--timeout-ms', String(budgetMs(o.timeoutSeconds)), '--namespace', o.namespace,
    ...(o.includeKubeSystem ? ['--include-kube-system'] : []),
    ...(o.policiesConfigMap ? ['--policies', '/etc/triad/policies'] : []),
  ];
  const volumes: Record<string, unknown>[] = [
    { name: 'tls', secret: { secretName: `${o.service}-tls` } },
    { name: 'tmp', emptyDir: { sizeLimit: '64Mi' } },
  ];
  const mounts: Record<string, unknown>[] = [
    { name: 'tls', mountPath: '/etc/triad/tls', readOnly: true },
    { name: 'tmp', mountPath: '/tmp' },
  ];
  if (o.policiesConfigMap) {
    volumes.push({ name: 'policies', configMap: { name: o.policiesConfigMap } });
    mounts.push({ name: 'policies', mountPath: '/etc/triad/policies', readOnly: true });
  }
  const probe = (path: string) => ({ httpGet: { path, port: 'https', scheme: 'HTTPS' }, periodSeconds: 10, timeoutSeconds: 2 });
  const deployment = {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: meta(o.service),
    spec: {
      replicas: o.replicas,
      selector: { matchLabels: selector },
      template: {
        metadata: { labels },
        spec: {
          serviceAccountName: o.service,
          automountServiceAccountToken: false,
          securityContext: { runAsNonRoot: true, runAsUser: 65532, runAsGroup: 65532, seccompProfile: { type: 'RuntimeDefault' } },
          containers: [
            {
              name: 'webhook',
              image: o.image,
              imagePullPolicy: 'IfNotPresent',
              args,
              env: [
                { name: 'HOME', value: '/tmp' },
                { name: 'POD_NAMESPACE', valueFrom: { fieldRef: { fieldPath: 'metadata.namespace' } } },
              ],
              ports: [{ name: 'https', containerPort: CONTAINER_PORT, protocol: 'TCP' }],
              readinessProbe: probe('/readyz'),
              livenessProbe: { ...probe('/healthz'), initialDelaySeconds: 10 },
              resources: { requests: { cpu: '250m', memory: '256Mi' }, limits: { cpu: '2', memory: '1Gi' } },
              securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } },
              volumeMounts: mounts,
            },
          ],
          volumes,
        },
      },
    },
  };
  const out: Record<string, unknown>[] = [webhookConfig, service, serviceAccount, deployment];
  if (o.tlsSecret) {
    out.push({
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: meta(`${o.service}-tls`),
      type: 'kubernetes.io/tls',
      data: { 'tls.crt': Buffer.from(o.tlsSecret.cert).toString('base64'), 'tls.key': Buffer.from(o.tlsSecret.key).toString('base64') },
    });
  }
  return out;
}

/** The objects as one multi-document YAML stream. */
export function renderManifest(o: ManifestOptions): string {
  return manifestObjects(o).map((obj) => `---\n${stringify(obj, { lineWidth: 0 })}`).join('');
}
