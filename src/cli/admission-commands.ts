// `triad admission serve|certs|manifest`: the Kubernetes validating admission webhook, the
// self-signed CA + serving certificate it needs, and the manifests that deploy and register it.
// Exit codes: 0 ok (serve: stopped by SIGTERM/SIGINT), 2 unusable input (bad flag, policy, key pair).
import { availableParallelism } from 'node:os';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Command, Option } from 'commander';
import { CertError, generateCerts } from '../admission/certs.ts';
import type { MissingScanAction } from '../admission/evaluator.ts';
import { renderManifest } from '../admission/manifest.ts';
import type { FailurePolicyMode } from '../admission/review.ts';
import { AdmissionWebhook, WebhookStartError } from '../admission/server.ts';
import { VERSION } from '../version.ts';

const DEFAULT_POLICIES = fileURLToPath(new URL('../../policies', import.meta.url));

class UsageError extends Error {}

function int(flag: string, v: string, min: number, max: number): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < min || n > max) throw new UsageError(`${flag} ${JSON.stringify(v)}: must be an integer from ${min} to ${max}`);
  return n;
}

const collect = (v: string, a: string[]) => [...a, v];

function fail(e: unknown): never {
  if (e instanceof UsageError || e instanceof WebhookStartError || e instanceof CertError) {
    process.stderr.write(`triad admission: ${e.message}\n`);
    process.exit(2);
  }
  throw e;
}

function log(line: string): void {
  process.stderr.write(`${new Date().toISOString()} triad admission: ${line}\n`);
}

interface ServeFlags {
  tlsCert: string;
  tlsKey: string;
  port: string;
  host: string;
  policies: string[];
  timeoutMs: string;
  failurePolicy: FailurePolicyMode;
  includeKubeSystem: boolean;
  namespace?: string;
  scanCache?: string;
  missingScan: MissingScanAction;
  maxBodyBytes: string;
  threads?: string;
  verifySignatures: boolean;
  trustedRoot?: string;
  signatures?: string;
  signatureTtl: string;
  signatureCacheSize: string;
}

interface ManifestFlags {
  service: string;
  namespace: string;
  certs?: string;
  caBundle?: string;
  image: string;
  failurePolicy: FailurePolicyMode;
  timeoutSeconds: string;
  replicas: string;
  includeKubeSystem: boolean;
  policiesConfigmap?: string;
  includeSecret: boolean;
}

export function registerAdmissionCommands(program: Command): void {
  const adm = program.command('admission').description('Kubernetes validating admission webhook: serve, certificates, manifests');
  adm
    .command('serve')
    .description('serve the webhook over HTTPS: POST /validate (AdmissionReview v1), GET /healthz, /readyz, /metrics; SIGHUP reloads policies, scan cache and key pair')
    .requiredOption('--tls-cert <file>', 'serving certificate (PEM)')
    .requiredOption('--tls-key <file>', 'its private key (PEM)')
    .option('--port <n>', 'port', '8443')
    .option('--host <addr>', 'address to listen on', '127.0.0.1')
    .option('-p, --policies <dir>', 'policy file or directory (repeatable; default: the shipped policies/)', collect, [] as string[])
    .option('--timeout-ms <n>', 'hard time budget per review; past it the failure policy answers', '2000')
    .addOption(new Option('--failure-policy <mode>', 'answer when a review cannot be judged, and default failurePolicy of policies that set none').choices(['fail', 'ignore']).default('fail'))
    .option('--include-kube-system', 'also judge kube-system and the webhook\'s own namespace', false)
    .option('--namespace <ns>', 'the webhook\'s own namespace, never judged (default: $POD_NAMESPACE)')
    .option('--scan-cache <dir>', 'directory of `triad image --format json` reports, matched to container images by reference and digest')
    .addOption(new Option('--missing-scan <action>', 'verdict for an image with no cached scan (with --scan-cache)').choices(['allow', 'warn', 'audit', 'deny']).default('warn'))
    .option('--max-body-bytes <n>', 'largest request body accepted', String(8 << 20))
    .option('--threads <n>', 'evaluator threads (default: CPUs - 1, at least 2: the TLS thread mostly waits, and one evaluator thread cannot use a second core)')
    .option('--no-verify-signatures', 'do not verify image signatures: verifyImages rules then answer with their failurePolicy')
    .option('--trusted-root <file>', 'Sigstore trusted_root.json for keyless attestors that name none (read offline)')
    .option('--signatures <dir>', 'offline signatures (OCI layout / bundle files) instead of the registry; images need digests')
    .option('--signature-ttl <s>', 'seconds a verified result is reused (failed ones: at most 30 s)', '300')
    .option('--signature-cache-size <n>', 'signature results kept (LRU)', '1000')
    .action(async (flags: ServeFlags) => {
      let hook: AdmissionWebhook;
      try {
        const ns = flags.namespace ?? process.env.POD_NAMESPACE ?? '';
        hook = await AdmissionWebhook.start({
          tlsCert: flags.tlsCert,
          tlsKey: flags.tlsKey,
          host: flags.host,
          port: int('--port', flags.port, 0, 65535),
          policyPaths: flags.policies.length ? flags.policies : [DEFAULT_POLICIES],
          timeoutMs: int('--timeout-ms', flags.timeoutMs, 10, 30_000),
          failurePolicy: flags.failurePolicy,
          exemptNamespaces: flags.includeKubeSystem ? [] : ['kube-system', ...(ns ? [ns] : [])],
          scanCache: flags.scanCache,
          missingScan: flags.missingScan,
          maxBodyBytes: int('--max-body-bytes', flags.maxBodyBytes, 1024, 256 << 20),
          threads: flags.threads ? int('--threads', flags.threads, 1, 64) : Math.max(2, availableParallelism() - 1),
          signatures: flags.verifySignatures
            ? {
                trustedRoot: flags.trustedRoot,
                signaturesDir: flags.signatures,
                ttlMs: int('--signature-ttl', flags.signatureTtl, 1, 86_400) * 1000,
                cacheSize: int('--signature-cache-size', flags.signatureCacheSize, 1, 1_000_000),
              }
            : undefined,
          log,
        });
      } catch (e) {
        fail(e);
      }
      log(`listening on https://${flags.host}:${hook.port}/validate (${flags.policies.length ? flags.policies.join(', ') : DEFAULT_POLICIES})`);
      process.on('SIGHUP', () => {
        log('SIGHUP: reloading');
        hook.reload().catch(() => {});
      });
      const stop = (sig: string) => {
        log(`${sig}: shutting down`);
        void hook.close().then(() => process.exit(0));
      };
      process.once('SIGTERM', () => stop('SIGTERM'));
      process.once('SIGINT', () => stop('SIGINT'));
    });
  adm
    .command('certs')
    .description('generate a self-signed CA and a serving certificate for NAME.NS.svc (ca.crt, ca.key, tls.crt, tls.key) with openssl')
    .requiredOption('--service <name>', 'the webhook Service name')
    .requiredOption('--namespace <ns>', 'its namespace')
    .requiredOption('--out <dir>', 'output directory')
    .option('--days <n>', 'validity in days', '365')
    .option('--dns <name>', 'extra DNS name (repeatable)', collect, [] as string[])
    .option('--ip <addr>', 'extra IP address (repeatable)', collect, [] as string[])
    .option('--force', 'replace existing files', false)
    .action(async (flags: { service: string; namespace: string; out: string; days: string; dns: string[]; ip: string[]; force: boolean }) => {
      try {
        const r = await generateCerts({ service: flags.service, namespace: flags.namespace, outDir: flags.out, days: int('--days', flags.days, 1, 3650), dns: flags.dns, ips: flags.ip, force: flags.force });
        process.stdout.write(`${r.caCert}\n${r.caKey}\n${r.cert}\n${r.key}\nvalid for ${[...r.dnsNames, ...r.ips].join(', ')} until ${r.notAfter}\n`);
      } catch (e) {
        fail(e);
      }
    });
  adm
    .command('manifest')
    .description('print the ValidatingWebhookConfiguration, Service, ServiceAccount and Deployment (YAML) for the webhook')
    .requiredOption('--service <name>', 'the webhook Service name')
    .requiredOption('--namespace <ns>', 'its namespace')
    .option('--certs <dir>', 'directory written by `triad admission certs` (ca.crt for the caBundle)')
    .option('--ca-bundle <file>', 'CA certificate (PEM) instead of --certs')
    .option('--image <ref>', 'Triad container image', `ghcr.io/triad-dev/triad:${VERSION}`)
    .addOption(new Option('--failure-policy <mode>', 'what the API server does when the webhook cannot answer').choices(['fail', 'ignore']).default('fail'))
    .option('--timeout-seconds <n>', 'API server timeout for the webhook (1-30)', '5')
    .option('--replicas <n>', 'webhook replicas', '2')
    .option('--include-kube-system', 'also send kube-system requests to the webhook', false)
    .option('--policies-configmap <name>', 'mount this ConfigMap as the policy directory')
    .option('--include-secret', 'also print the kubernetes.io/tls Secret from --certs (contains the private key)', false)
    .action((flags: ManifestFlags) => {
      try {
        const caFile = flags.caBundle ?? (flags.certs ? join(flags.certs, 'ca.crt') : undefined);
        if (!caFile) throw new UsageError('give --certs DIR or --ca-bundle FILE');
        if (flags.includeSecret && !flags.certs) throw new UsageError('--include-secret needs --certs');
        const read = (f: string) => {
          try {
            return readFileSync(f, 'utf8');
          } catch (e) {
            throw new UsageError(`${f}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
          }
        };
        const text = renderManifest({
          service: flags.service,
          namespace: flags.namespace,
          caBundlePem: read(caFile),
          image: flags.image,
          failurePolicy: flags.failurePolicy,
          timeoutSeconds: int('--timeout-seconds', flags.timeoutSeconds, 1, 30),
          replicas: int('--replicas', flags.replicas, 1, 100),
          includeKubeSystem: flags.includeKubeSystem,
          policiesConfigMap: flags.policiesConfigmap,
          tlsSecret: flags.includeSecret ? { cert: read(join(flags.certs!, 'tls.crt')), key: read(join(flags.certs!, 'tls.key')) } : undefined,
        });
        process.stdout.write(text);
      } catch (e) {
        if (e instanceof Error && !(e instanceof UsageError) && /--timeout-seconds|CA bundle/.test(e.message)) fail(new UsageError(e.message));
        fail(e);
      }
    });
}
