// `triad k8s scan --cluster`: the objects of a live cluster through the same checks as manifests.
import type { K8sScanOptions } from '../checks/index.ts';
import { resolveChecks, scanObjects, type K8sScan } from '../scan.ts';
import { loadCluster, type ClusterLoadOptions } from './load.ts';

export interface ClusterScanRequest extends K8sScanOptions {
  /** `--checks` (default all). */
  checks?: string;
  cluster: ClusterLoadOptions;
}

export interface ClusterScan extends K8sScan {
  context: string;
  server: string;
}

export async function scanCluster(req: ClusterScanRequest): Promise<ClusterScan> {
  const ids = resolveChecks(req.checks);
  const loaded = await loadCluster(req.cluster);
  const notes: string[] = [];
  if (loaded.owned.size > 0) {
    const counts = [...loaded.owned].map(([k, n]) => `${k} (${n})`).join(', ');
    notes.push(`not scanned separately (created by a listed workload whose template is scanned): ${counts}`);
  }
  const target = `cluster:${loaded.context}${req.cluster.namespace !== undefined ? `/${req.cluster.namespace}` : ''}`;
  const scan = scanObjects(loaded.objects, loaded.errors, target, ids, req, { noRegions: true, notes });
  return { ...scan, context: loaded.context, server: loaded.server };
}
