// `triad k8s scan <path|->`: Kubernetes posture of manifests (files, directories, Helm output on
// stdin) or of a live cluster (`--cluster`, through the kubeconfig): Pod Security Standards,
// workload hardening and whatever else is registered in the checks registry. `triad k8s checks`
// lists the checks.
import { Command, Option } from 'commander';
import { allCheckMeta, checkGroups } from '../k8s/checks/index.ts';
import { parseVersion } from '../k8s/pss/index.ts';
import { ClusterError, scanCluster } from '../k8s/cluster/index.ts';
import { enrichSarif, scanManifests, type K8sScan } from '../k8s/scan.ts';
import { renderJSON, renderTable, toSARIF } from '../report/index.ts';
import { registerK8sRbacCommands } from './k8s-rbac-commands.ts';
import { writeOutput } from './image-commands.ts';
import { addClusterOptions, clusterTimeoutMs } from './k8s-cluster-options.ts';

interface ScanFlags {
  format: 'table' | 'json' | 'sarif';
  output?: string;
  checks: string;
  pssVersion: string;
  exitCode: string;
  trustedRegistries?: string;
  cluster?: boolean;
  kubeconfig?: string;
  context?: string;
  namespace?: string;
  includeOwned?: boolean;
  timeout: string;
}

function fail(message: string): never {
  process.stderr.write(`triad: ${message.split('\n')[0]}\n`);
  process.exit(2);
}

function render(scan: K8sScan, format: ScanFlags['format']): string {
  if (format === 'sarif') return `${JSON.stringify(enrichSarif(toSARIF(scan.report)), null, 2)}\n`;
  if (format === 'json') return renderJSON(scan.report);
  const body = renderTable(scan.report, { showClean: true });
  return scan.findings.length === 0 ? `${body}${scan.objects} object(s) scanned: no findings\n` : body;
}

export function registerK8sCommands(program: Command): Command {
  const k8s = program.command('k8s').description('Kubernetes posture: manifests against Pod Security Standards, workload hardening, RBAC and NetworkPolicy');
  const scan = k8s
    .command('scan')
    .description('scan manifests (YAML/JSON files, directories, Helm-rendered output, - for stdin) or a live cluster (--cluster)')
    .argument('[paths...]', 'manifest files or directories, or - for stdin')
    .addOption(new Option('-f, --format <format>', 'output format').choices(['table', 'json', 'sarif']).default('table'))
    .option('-o, --output <file>', 'write the report to a file instead of stdout')
    .option('--checks <list>', 'checks to run: all, pss-baseline, pss-restricted, workload, or ids/aliases (KSV-0011, KSV011, C-0034, PSS-privileged), comma-separated', 'all')
    .option('--pss-version <version>', 'Pod Security Standards version (vMAJOR.MINOR or latest)', 'latest')
    .option('--trusted-registries <list>', 'registries images may come from (comma-separated; enables TRIAD-K8S-TRUSTED-REGISTRY)')
    .option('--exit-code <n>', 'exit with this code when any selected check fails', '0');
  addClusterOptions(scan)
    .option('-n, --namespace <ns>', 'with --cluster: only this namespace (ClusterRoles and ClusterRoleBindings are still read)')
    .option('--include-owned', 'with --cluster: also scan pods, ReplicaSets and Jobs created by a scanned workload (by default its template stands for them)')
    .addHelpText('after', '\nExit codes: 0 no failing check (or --exit-code 0), N from --exit-code when a check fails, 2 unusable input (unreadable or malformed manifests, an unreachable cluster, a resource that could not be read in time; the report still lists what could be read). Resources the cluster does not let you list are skipped with a warning.\n')
    .action(async (paths: string[], flags: ScanFlags) => {
      const exitCode = Number(flags.exitCode);
      if (!Number.isInteger(exitCode) || exitCode < 0 || exitCode > 255) fail(`--exit-code must be 0-255, got '${flags.exitCode}'`);
      if (flags.cluster && paths.length > 0) fail('give manifest paths or --cluster, not both');
      if (!flags.cluster && paths.length === 0) fail('nothing to scan: give manifest paths, - for stdin, or --cluster');
      if (!flags.cluster && (flags.kubeconfig || flags.context || flags.namespace || flags.includeOwned)) fail('--kubeconfig, --context, --namespace and --include-owned need --cluster');
      let scan: K8sScan;
      try {
        const trusted = flags.trustedRegistries?.split(',').map((s) => s.trim()).filter(Boolean);
        const common = { checks: flags.checks, pssVersion: parseVersion(flags.pssVersion), ...(trusted?.length ? { trustedRegistries: trusted } : {}) };
        if (flags.cluster) {
          const cluster = {
            timeoutMs: clusterTimeoutMs(flags.timeout),
            ...(flags.kubeconfig ? { kubeconfig: flags.kubeconfig } : {}),
            ...(flags.context ? { context: flags.context } : {}),
            ...(flags.namespace ? { namespace: flags.namespace } : {}),
            ...(flags.includeOwned ? { includeOwned: true } : {}),
          };
          scan = await scanCluster({ ...common, cluster });
          // Skipped resources (403, not served) do not fail the scan, but must not go unnoticed.
          for (const e of scan.inputErrors) if (e.level === 'warning') process.stderr.write(`triad: warning: ${e.file}: ${e.message}\n`);
        } else {
          scan = await scanManifests({ paths, ...common });
        }
      } catch (e) {
        fail(e instanceof ClusterError ? `cluster: ${e.message}` : ((e as Error).message ?? String(e)));
      }
      await writeOutput(render(scan, flags.format), flags.output);
      const unreadable = scan.inputErrors.filter((e) => e.level === 'error');
      if (unreadable.length > 0) {
        for (const e of scan.report.warnings.slice(0, 20)) if (flags.format !== 'table' || flags.output) process.stderr.write(`triad: ${e}\n`);
        process.exit(2);
      }
      if (scan.findings.length > 0 && exitCode !== 0) process.exit(exitCode);
    });
  k8s
    .command('checks')
    .description('list the Kubernetes checks and groups usable with --checks')
    .addOption(new Option('-f, --format <format>', 'output format').choices(['table', 'json']).default('table'))
    .action((flags: { format: string }) => {
      const metas = allCheckMeta();
      if (flags.format === 'json') {
        process.stdout.write(`${JSON.stringify({ checks: metas, groups: Object.fromEntries(checkGroups()) }, null, 2)}\n`);
        return;
      }
      for (const m of metas) process.stdout.write(`${m.id.padEnd(34)} ${m.severity.padEnd(8)} ${m.title}${m.aliases?.length ? ` (${m.aliases.join(', ')})` : ''}\n`);
      process.stdout.write(`\ngroups: all, ${[...checkGroups().keys()].join(', ')}\n`);
    });
  registerK8sRbacCommands(k8s);
  return k8s;
}
