// Options of every `triad k8s` command that can read a live cluster instead of manifests.
import type { Command } from 'commander';

export function addClusterOptions(cmd: Command): Command {
  return cmd
    .option('--cluster', 'read a live cluster through the kubeconfig instead of manifest files')
    .option('--kubeconfig <file>', 'kubeconfig file (default: $KUBECONFIG, then ~/.kube/config, then in-cluster)')
    .option('--context <name>', 'kubeconfig context (default: its current-context)')
    .option('--timeout <seconds>', 'time limit for reading the cluster', '60');
}

/** `--timeout` in ms; throws on nonsense. */
export function clusterTimeoutMs(value: string): number {
  const s = Number(value);
  if (!Number.isFinite(s) || s <= 0 || s > 3600) throw new Error(`--timeout must be 1-3600 seconds, got '${value}'`);
  return Math.round(s * 1000);
}
