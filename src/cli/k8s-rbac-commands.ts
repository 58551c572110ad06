// `triad k8s rbac who-can VERB RESOURCE [-n NS] <paths...>` and
// `triad k8s rbac what-can SUBJECT <paths...>`: RBAC queries over manifests (read by the manifest
// loader: same limits, List kinds, `-` for stdin, errors naming file and line) or over a live
// cluster (`--cluster`), each answer with the path binding → role (→ aggregated role) → rule.
import { Command } from 'commander';
import { ClusterError, loadCluster, RBAC_KINDS } from '../k8s/cluster/index.ts';
import { formatManifestError, loadManifests, rawObjects, type LoadResult } from '../k8s/manifest/index.ts';
import { buildRbacGraph, formatGrantPath, formatSubject, parseResourceArg, type Grant, type RbacGraph } from '../k8s/rbac/index.ts';
import type { Subject } from '../k8s/rbac/types.ts';
import { addClusterOptions, clusterTimeoutMs } from './k8s-cluster-options.ts';

interface SourceFlags {
  cluster?: boolean;
  kubeconfig?: string;
  context?: string;
  timeout: string;
}

/**
 * The RBAC graph of the input; undefined when nothing usable could be read. Problems go to stderr
 * and, when some input could not be read, set exit code 2 (the answer still covers what was read).
 */
async function graphOf(paths: string[], o: SourceFlags): Promise<RbacGraph | undefined> {
  let loaded: LoadResult;
  try {
    if (o.cluster && paths.length > 0) throw new Error('give manifest paths or --cluster, not both');
    if (!o.cluster && paths.length === 0) throw new Error('no input: give manifest paths, - for stdin, or --cluster');
    loaded = o.cluster
      ? await loadCluster({ kinds: RBAC_KINDS, timeoutMs: clusterTimeoutMs(o.timeout), ...(o.kubeconfig ? { kubeconfig: o.kubeconfig } : {}), ...(o.context ? { context: o.context } : {}) })
      : await loadManifests(paths);
  } catch (e) {
    process.stderr.write(`triad: ${e instanceof ClusterError ? 'cluster: ' : ''}${String((e as Error).message ?? e).split('\n')[0]}\n`);
    process.exitCode = 2;
    return undefined;
  }
  for (const e of loaded.errors) process.stderr.write(`triad: ${e.level === 'warning' ? 'warning: ' : ''}${formatManifestError(e)}\n`);
  if (loaded.errors.some((e) => e.level === 'error')) process.exitCode = 2;
  const { raws, locate } = rawObjects(loaded.objects);
  return buildRbacGraph(raws, locate);
}

function scope(g: Grant): string {
  return g.namespace === undefined ? 'cluster-wide' : `namespace ${g.namespace}`;
}

/** `alice`, `User:alice`, `Group:devs`, `ServiceAccount:ns/name`, `system:serviceaccount:ns:name`. */
export function parseSubject(arg: string): Subject {
  const sa = /^system:serviceaccount:([^:]+):(.+)$/.exec(arg);
  if (sa) return { kind: 'ServiceAccount', namespace: sa[1]!, name: sa[2]! };
  const m = /^(User|Group|ServiceAccount):(.+)$/.exec(arg);
  if (!m) return { kind: 'User', name: arg };
  if (m[1] === 'ServiceAccount') {
    const [ns, name] = m[2]!.split('/');
    if (!ns || !name) throw new Error(`ServiceAccount subject must be ServiceAccount:NAMESPACE/NAME, got ${arg}`);
    return { kind: 'ServiceAccount', namespace: ns, name };
  }
  return { kind: m[1] as 'User' | 'Group', name: m[2]! };
}

export function registerK8sRbacCommands(k8s: Command): void {
  const rbac = k8s.command('rbac').description('RBAC queries over manifests or a live cluster: who can do what, through which binding and rule');
  const whoCan = rbac
    .command('who-can')
    .description('subjects that can VERB RESOURCE (kubectl notation: pods, pods/exec, deployments.apps)')
    .argument('<verb>')
    .argument('<resource>', 'resource[.group][/subresource], or a non-resource URL starting with /')
    .argument('[paths...]', 'manifest files or directories, - for stdin (or --cluster)')
    .option('-n, --namespace <ns>', 'namespace of the request (default: any)')
    .option('--name <name>', 'a specific object name (rules with resourceNames)')
    .option('-f, --format <fmt>', 'table or json', 'table');
  addClusterOptions(whoCan).action(async (verb: string, resource: string, paths: string[], o: SourceFlags & { namespace?: string; name?: string; format: string }) => {
    const g = await graphOf(paths, o);
    if (!g) return;
    const q = resource.startsWith('/')
      ? { verb, nonResourceURL: resource }
      : { verb, ...parseResourceArg(resource), ...(o.namespace ? { namespace: o.namespace } : {}), ...(o.name ? { name: o.name } : {}) };
    const hits = g.whoCan(q);
    if (o.format === 'json') {
      process.stdout.write(JSON.stringify(hits.map((h) => ({ subject: h.subject, scope: h.grant.namespace ?? null, path: formatGrantPath(h.grant), binding: h.grant.binding, role: h.grant.role, rule: h.grant.rule.index })), null, 2) + '\n');
      return;
    }
    if (hits.length === 0) process.stdout.write(`nobody in ${o.cluster ? 'this cluster' : 'these manifests'} can ${verb} ${resource}\n`);
    for (const h of hits) process.stdout.write(`${formatSubject(h.subject).padEnd(48)} ${scope(h.grant).padEnd(24)} ${formatGrantPath(h.grant)}\n`);
    for (const b of g.unresolved) process.stderr.write(`note: ${b.ref.kind} ${b.ref.name} references ${b.roleRef.kind} ${b.roleRef.name}, which is not in the input\n`);
  });
  const whatCan = rbac
    .command('what-can')
    .description('everything SUBJECT holds (User:NAME, Group:NAME, ServiceAccount:NS/NAME or system:serviceaccount:NS:NAME), groups included')
    .argument('<subject>')
    .argument('[paths...]', 'manifest files or directories, - for stdin (or --cluster)')
    .option('--group <group...>', 'extra groups the subject is in')
    .option('-f, --format <fmt>', 'table or json', 'table');
  addClusterOptions(whatCan).action(async (subjectArg: string, paths: string[], o: SourceFlags & { group?: string[]; format: string }) => {
    const subject = parseSubject(subjectArg);
    const g = await graphOf(paths, o);
    if (!g) return;
    const grants = g.whatCan(subject, o.group ?? []);
    if (o.format === 'json') {
      process.stdout.write(JSON.stringify(grants.map((x) => ({ via: x.subject, scope: x.namespace ?? null, rule: x.rule.rule, path: formatGrantPath(x) })), null, 2) + '\n');
      return;
    }
    for (const x of grants) {
      const r = x.rule.rule;
      const what = r.nonResourceURLs.length ? `${r.verbs.join(',')} ${r.nonResourceURLs.join(',')}` : `${r.verbs.join(',')} ${r.resources.join(',')} [${r.apiGroups.map((a) => a || 'core').join(',')}]${r.resourceNames.length ? ` names=${r.resourceNames.join(',')}` : ''}`;
      process.stdout.write(`${what.padEnd(60)} ${scope(x).padEnd(24)} ${formatGrantPath(x)}${x.subject.kind === 'Group' ? ` (as ${formatSubject(x.subject)})` : ''}\n`);
    }
  });
}
