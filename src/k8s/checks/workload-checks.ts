// Workload hardening beyond Pod Security Standards. Ids follow Trivy's KSV checks where the same
// check exists (KSV-0011 ...), else TRIAD-K8S-*; aliases name Trivy's and kubescape's ids.
import type { CheckMeta } from '../../misconfig/types.ts';
import { containersOf, type ContainerRef, type PathSeg, type PodSpecRef } from '../manifest/workloads.ts';
import { parseImageRef, registryAllowed } from './image-ref.ts';
import type { Hit, WorkloadCheck } from './types.ts';

function rec(v: unknown): Record<string, unknown> | undefined {
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
}

function meta(id: string, aliases: string[], title: string, severity: CheckMeta['severity'], rationale: string, remediation: string, references: string[] = []): CheckMeta {
  return { id, aliases, title, severity, rationale, remediation, references };
}

const RESOURCES_DOC = 'https://kubernetes.io/docs/concepts/configuration/manage-resources-containers/';
/** Containers that take resources: ephemeral (debug) containers cannot set any. */
const RESOURCE_FIELDS = ['initContainers', 'containers'] as const;

function resourceCheck(m: CheckMeta, kind: 'limits' | 'requests', resource: 'cpu' | 'memory'): WorkloadCheck {
  return {
    meta: m,
    check: (pod) => {
      const hits: Hit[] = [];
      for (const c of containersOf(pod, RESOURCE_FIELDS)) {
        const val = rec(rec(c.container.resources)?.[kind])?.[resource];
        if (val === undefined || val === null || val === '') {
          hits.push({ message: `container "${c.name}" has no ${resource} ${kind === 'limits' ? 'limit' : 'request'}`, paths: [[...c.path, 'resources', kind, resource]] });
        }
      }
      return hits;
    },
  };
}

const RUN_TO_COMPLETION = ['Job', 'CronJob'];
const LONG_RUNNING = ['Pod', 'Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet', 'ReplicationController', 'PodTemplate'];

function probeCheck(m: CheckMeta, probe: 'livenessProbe' | 'readinessProbe'): WorkloadCheck {
  return {
    meta: m,
    // A Job's pods run to completion: probes are about long-running services.
    kinds: LONG_RUNNING,
    check: (pod) =>
      containersOf(pod, ['containers'])
        .filter((c) => rec(c.container[probe]) === undefined)
        .map((c) => ({ message: `container "${c.name}" has no ${probe}`, paths: [[...c.path, probe]] })),
  };
}

function imageOf(c: ContainerRef): string | undefined {
  return typeof c.container.image === 'string' ? c.container.image : undefined;
}

const imageTag: WorkloadCheck = {
  meta: meta('KSV-0013', ['KSV013', 'AVD-KSV-0013'], 'Image tag ":latest" or no tag', 'MEDIUM',
    'A `latest` (or missing) tag moves: the image that runs is not the image that was reviewed and scanned, and rollbacks are not reproducible.',
    'Pin every image to a specific version tag, ideally with a digest (`image: repo/app:1.2.3@sha256:...`).'),
  check: (pod) => {
    const hits: Hit[] = [];
    for (const c of containersOf(pod)) {
      const image = imageOf(c);
      if (image === undefined) continue;
      const ref = parseImageRef(image);
      if (ref.digest) continue; // a digest pins the image whatever the tag says
      if (ref.tag === undefined || ref.tag === 'latest') hits.push({ message: `container "${c.name}" uses image "${image}" ${ref.tag ? 'tagged latest' : 'without a tag'}`, paths: [[...c.path, 'image']] });
    }
    return hits;
  },
};

const imageDigest: WorkloadCheck = {
  meta: meta('TRIAD-K8S-IMAGE-DIGEST', [], 'Image not pinned by digest', 'LOW',
    'Tags can be re-pointed in the registry; only a digest guarantees the bytes that were scanned are the bytes that run.',
    'Reference images by digest (`repo/app:1.2.3@sha256:...`); let a bot update the digests.'),
  check: (pod) =>
    containersOf(pod)
      .filter((c) => imageOf(c) !== undefined && !parseImageRef(imageOf(c)!).digest)
      .map((c) => ({ message: `container "${c.name}" image "${imageOf(c)}" has no digest`, paths: [[...c.path, 'image']] })),
};

const trustedRegistries: WorkloadCheck = {
  meta: meta('TRIAD-K8S-TRUSTED-REGISTRY', ['C-0078', 'KSV0125', 'AVD-KSV-0125'], 'Image from an untrusted registry', 'MEDIUM',
    'Images from registries outside the organisation\'s control can be replaced or typosquatted and escape the build pipeline\'s scanning.',
    'Pull images only from the allowed registries (`--trusted-registries`), mirroring public images into them.'),
  check: (pod, ctx) => {
    const allow = ctx.options.trustedRegistries ?? [];
    if (allow.length === 0) return [];
    return containersOf(pod)
      .filter((c) => imageOf(c) !== undefined && !registryAllowed(parseImageRef(imageOf(c)!), allow))
      .map((c) => ({ message: `container "${c.name}" image "${imageOf(c)}" comes from untrusted registry ${parseImageRef(imageOf(c)!).registry}`, paths: [[...c.path, 'image']] }));
  },
};

const readOnlyRootFs: WorkloadCheck = {
  meta: meta('KSV-0014', ['KSV014', 'AVD-KSV-0014', 'C-0017'], 'Root filesystem is not read-only', 'HIGH',
    'A writable root filesystem lets an attacker drop tools and persist changes inside the container.',
    'Set securityContext.readOnlyRootFilesystem: true; mount emptyDir volumes where the application must write.'),
  check: (pod) =>
    containersOf(pod)
      .filter((c) => rec(c.container.securityContext)?.readOnlyRootFilesystem !== true)
      .map((c) => ({ message: `container "${c.name}" has a writable root filesystem`, paths: [[...c.path, 'securityContext', 'readOnlyRootFilesystem']] })),
};

const hostPorts: WorkloadCheck = {
  meta: meta('KSV-0024', ['KSV024', 'AVD-KSV-0024', 'C-0044'], 'Container uses a host port', 'HIGH',
    'A host port binds the node\'s interfaces: it bypasses NetworkPolicy, limits scheduling and exposes the pod on the node\'s address.',
    'Remove hostPort; expose the pod with a Service.'),
  check: (pod) => {
    const hits: Hit[] = [];
    for (const c of containersOf(pod)) {
      const ports = Array.isArray(c.container.ports) ? c.container.ports : [];
      ports.forEach((p, i) => {
        const hp = rec(p)?.hostPort;
        if (hp !== undefined && hp !== null && hp !== 0) hits.push({ message: `container "${c.name}" uses hostPort ${String(hp)}`, paths: [[...c.path, 'ports', i, 'hostPort']] });
      });
    }
    return hits;
  },
};

const automountToken: WorkloadCheck = {
  meta: meta('TRIAD-K8S-SA-TOKEN', ['C-0034', 'automount-service-account'], 'Service account token mounted automatically', 'MEDIUM',
    'Every pod gets an API token by default; a compromised container can use it against the API server.',
    'Set automountServiceAccountToken: false on the pod (or its ServiceAccount) unless it talks to the API server.'),
  check: (pod, ctx) => {
    const path: PathSeg[] = [...pod.specPath, 'automountServiceAccountToken'];
    const own = pod.spec.automountServiceAccountToken;
    if (own === false) return [];
    if (own === true) return [{ message: 'automountServiceAccountToken is true: the pod mounts its service account token', paths: [path] }];
    const saName = typeof pod.spec.serviceAccountName === 'string' && pod.spec.serviceAccountName ? pod.spec.serviceAccountName : typeof pod.spec.serviceAccount === 'string' && pod.spec.serviceAccount ? pod.spec.serviceAccount : 'default';
    const ns = typeof pod.object.metadata.namespace === 'string' && pod.object.metadata.namespace ? pod.object.metadata.namespace : 'default';
    const sa = ctx.serviceAccounts.get(`${ns}/${saName}`);
    if (sa && sa.raw.automountServiceAccountToken === false) return [];
    return [{ message: `the pod mounts the token of service account "${saName}" (automountServiceAccountToken is not false${sa ? '' : ' on the pod'})`, paths: [path] }];
  },
};

const defaultNamespace: WorkloadCheck = {
  meta: meta('KSV-0110', ['KSV110', 'AVD-KSV-0110', 'C-0061'], 'Workload in the default namespace', 'LOW',
    'The default namespace mixes unrelated workloads under shared policies, quotas and RBAC; isolation starts with a namespace per application.',
    'Deploy into a dedicated namespace (metadata.namespace).'),
  check: (pod) => {
    const ns = pod.object.metadata.namespace;
    if (typeof ns === 'string' && ns !== '' && ns !== 'default') return [];
    return [{ message: ns === 'default' ? 'runs in the "default" namespace' : 'has no namespace: it will run in "default" unless applied with -n', paths: [['metadata', 'namespace']] }];
  },
};

export const WORKLOAD_CHECKS: readonly WorkloadCheck[] = [
  resourceCheck(meta('KSV-0011', ['KSV011', 'AVD-KSV-0011', 'C-0270'], 'CPU not limited', 'LOW',
    'Without a CPU limit one container can starve the others on its node.', 'Set resources.limits.cpu on every container.', [RESOURCES_DOC]), 'limits', 'cpu'),
  resourceCheck(meta('KSV-0015', ['KSV015', 'AVD-KSV-0015'], 'CPU requests not specified', 'LOW',
    'Without a CPU request the scheduler cannot place the pod sensibly and it gets the lowest CPU share under contention.', 'Set resources.requests.cpu on every container.', [RESOURCES_DOC]), 'requests', 'cpu'),
  resourceCheck(meta('KSV-0016', ['KSV016', 'AVD-KSV-0016'], 'Memory requests not specified', 'LOW',
    'Without a memory request the pod is scheduled as if it used none, and is evicted first under pressure.', 'Set resources.requests.memory on every container.', [RESOURCES_DOC]), 'requests', 'memory'),
  resourceCheck(meta('KSV-0018', ['KSV018', 'AVD-KSV-0018', 'C-0271'], 'Memory not limited', 'LOW',
    'Without a memory limit one container can exhaust its node\'s memory (denial of service for every pod there).', 'Set resources.limits.memory on every container.', [RESOURCES_DOC]), 'limits', 'memory'),
  probeCheck(meta('TRIAD-K8S-LIVENESS', ['C-0056', 'configured-liveness-probe'], 'No liveness probe', 'LOW',
    'Without a liveness probe a hung container keeps receiving traffic and is never restarted.', 'Define livenessProbe on every container of long-running workloads.'), 'livenessProbe'),
  probeCheck(meta('TRIAD-K8S-READINESS', ['C-0018', 'configured-readiness-probe'], 'No readiness probe', 'LOW',
    'Without a readiness probe traffic reaches containers before they can serve it.', 'Define readinessProbe on every container of long-running workloads.'), 'readinessProbe'),
  imageTag,
  imageDigest,
  trustedRegistries,
  automountToken,
  hostPorts,
  readOnlyRootFs,
  defaultNamespace,
];

export { RUN_TO_COMPLETION };
