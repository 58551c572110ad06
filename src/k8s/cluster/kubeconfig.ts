// Which cluster, as whom: the kubeconfig (--kubeconfig, else $KUBECONFIG's files merged as kubectl
// does, else ~/.kube/config, else the in-cluster service account) read by @kubernetes/client-node,
// which also applies its authentication (client certificates, bearer tokens, token files, exec
// and auth-provider plugins) to our requests. The library is imported only when a cluster is
// scanned: it takes ~0.6 s to load.
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { Agent } from 'node:https';
import type { OutgoingHttpHeaders } from 'node:http';

export interface KubeconfigOptions {
  /** A kubeconfig file (default: $KUBECONFIG, then ~/.kube/config, then in-cluster). */
  kubeconfig?: string;
  /** A context of the kubeconfig (default: its current-context). */
  context?: string;
}

/** Everything a request to the API server needs. */
export interface ClusterConnection {
  /** The context's name (used in object locations), `in-cluster` for a service account. */
  context: string;
  /** The API server's base URL, without a trailing slash. */
  server: string;
  /** TLS and authentication for node:https (agent, headers, basic auth). */
  requestOptions: { agent?: Agent; headers: OutgoingHttpHeaders; auth?: string; rejectUnauthorized?: boolean };
  /** Closes pooled connections. */
  close(): void;
}

export class ClusterError extends Error {}

function firstLine(e: unknown): string {
  return String((e as Error)?.message ?? e).split('\n')[0]!;
}

export async function connect(opts: KubeconfigOptions = {}): Promise<ClusterConnection> {
  const { KubeConfig } = await import('@kubernetes/client-node');
  const kc = new KubeConfig();
  let origin: string;
  try {
    if (opts.kubeconfig) {
      origin = opts.kubeconfig;
      if (!existsSync(opts.kubeconfig)) throw new Error('no such file');
      kc.loadFromFile(opts.kubeconfig);
    } else if (process.env.KUBECONFIG) {
      origin = `$KUBECONFIG (${process.env.KUBECONFIG})`;
      kc.loadFromDefault();
    } else if (existsSync(join(homedir(), '.kube', 'config'))) {
      origin = join(homedir(), '.kube', 'config');
      kc.loadFromDefault();
    } else if (process.env.KUBERNETES_SERVICE_HOST) {
      origin = 'the in-cluster service account';
      kc.loadFromCluster();
    } else {
      throw new ClusterError('no kubeconfig: give --kubeconfig FILE or set KUBECONFIG (~/.kube/config does not exist and this is not a pod)');
    }
  } catch (e) {
    if (e instanceof ClusterError) throw e;
    throw new ClusterError(`cannot read kubeconfig ${opts.kubeconfig ?? process.env.KUBECONFIG ?? ''}: ${firstLine(e)}`.replace(/ :/, ':'));
  }
  if (opts.context) {
    if (!kc.getContextObject(opts.context)) {
      const known = kc.getContexts().map((c) => c.name);
      throw new ClusterError(`context "${opts.context}" is not in ${origin} (contexts: ${known.join(', ') || 'none'})`);
    }
    kc.setCurrentContext(opts.context);
  }
  const context = kc.getCurrentContext() || 'in-cluster';
  const cluster = kc.getCurrentCluster();
  if (!cluster?.server) throw new ClusterError(`context "${context}" of ${origin} names no cluster with a server`);
  const server = cluster.server.replace(/\/+$/, '');
  if (!/^https?:\/\//i.test(server)) throw new ClusterError(`context "${context}": server "${cluster.server}" is not an http(s) URL`);
  const ro: ClusterConnection['requestOptions'] & Record<string, unknown> = { headers: {} };
  try {
    // Sets the CA, client certificate/key, tokens (running exec plugins if the user has one) and
    // an agent carrying the TLS settings (and a proxy when the cluster names one).
    await kc.applyToHTTPSOptions(ro as never);
  } catch (e) {
    throw new ClusterError(`context "${context}": cannot set up credentials: ${firstLine(e)}`);
  }
  const agent = ro.agent as Agent | undefined;
  const requestOptions: ClusterConnection['requestOptions'] = { headers: { ...(ro.headers ?? {}) } };
  if (server.toLowerCase().startsWith('https:') && agent) requestOptions.agent = agent;
  if (typeof ro.auth === 'string') requestOptions.auth = ro.auth;
  if (ro.rejectUnauthorized === false) requestOptions.rejectUnauthorized = false;
  return { context, server, requestOptions, close: () => agent?.destroy?.() };
}
