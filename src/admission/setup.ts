// Building an evaluator from the webhook's configuration: the same on every evaluator thread and,
// for inline evaluation (inline.ts), on the thread that serves HTTPS.
import { AdmissionEvaluator } from './evaluator.ts';
import { loadWebhookPolicies } from './policies.ts';
import type { EvaluatorConfig, PoolInfo } from './pool.ts';
import { ScanCache } from './scan-cache.ts';
import { WebhookSignatures } from './signatures.ts';

/** Compiles the policies and reads the scan cache; throws (PolicyLoadError ...) when they do not load. */
export function createEvaluator(cfg: EvaluatorConfig): { evaluator: AdmissionEvaluator; info: PoolInfo } {
  const policies = loadWebhookPolicies(cfg.policyPaths, cfg.failurePolicy);
  const cache = cfg.scanCache ? ScanCache.load(cfg.scanCache) : undefined;
  const fixed = cfg.now ? new Date(cfg.now) : undefined;
  const evaluator = new AdmissionEvaluator(policies, cache, {
    failurePolicy: cfg.failurePolicy,
    exemptNamespaces: cfg.exemptNamespaces,
    missingScan: cfg.missingScan,
    // The signature cache lives with its evaluator: one per thread.
    ...(cfg.signatures && policies.set.verifiesImages ? { signatures: new WebhookSignatures(cfg.signatures) } : {}),
    ...(fixed ? { now: () => fixed } : {}),
  });
  evaluator.warmUp();
  const info = { policies: policies.set.policies.length, validations: policies.validations, scanReports: cache?.size ?? 0, warnings: cache?.warnings ?? [] };
  return { evaluator, info };
}
