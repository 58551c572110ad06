// Image signatures for the webhook: policies with verifyImages rules need verification results
// before they are evaluated (src/signature/policy-bridge.ts). A registry round trip per pod would
// cost far more than the policies, so results are kept in a bounded LRU cache with a time to live,
// per image reference and attestor set (a digest-pinned reference is thus cached per digest; a tag
// is re-resolved when its entry expires). Concurrent reviews of one image share one verification.
// Each review waits at most its signature budget: a verification still running then is left out of
// the results, so that the policy's failurePolicy decides (the verifyImages rule reports "could not
// be verified"); it keeps running and fills the cache for the next review.
import { verifySignatureRequests } from '../signature/policy-bridge.ts';
import type { Attestor, ImageVerification } from '../signature/types.ts';
import { verifyImageSignatures, type VerifyImageOptions } from '../signature/verify-image.ts';
import type { SignatureRequest, SignatureResult } from '../policy/types.ts';

export interface SignatureConfig {
  /** trusted_root.json for keyless attestors that name none (`--trusted-root`). */
  trustedRoot?: string;
  /** Offline signatures (OCI layout / bundle files) instead of the registry (`--signatures`). */
  signaturesDir?: string;
  /** Cached results at most (default 1000). */
  cacheSize?: number;
  /** How long a verified result is reused (ms, default 5 minutes). */
  ttlMs?: number;
  /** How long a failed one is reused (ms, default 30 s): a newly signed image is admitted soon. */
  failedTtlMs?: number;
  /** How long one review waits for its verifications (ms); the webhook passes part of its budget. */
  budgetMs: number;
}

export interface SignatureStats {
  hits: number;
  misses: number;
  timeouts: number;
}

type Verify = (image: string, attestors: Attestor[], opts: VerifyImageOptions) => Promise<ImageVerification>;

interface Entry {
  result?: ImageVerification;
  pending?: Promise<ImageVerification>;
  expires: number;
}

/** LRU by insertion order of a Map: a hit moves the entry to the end; the oldest is evicted first. */
export class SignatureCache {
  readonly size: number;
  readonly ttlMs: number;
  readonly failedTtlMs: number;
  #entries = new Map<string, Entry>();
  #verify: Verify;
  #now: () => number;

  constructor(opts: { size?: number; ttlMs?: number; failedTtlMs?: number; verify?: Verify; now?: () => number } = {}) {
    this.size = Math.max(1, opts.size ?? 1000);
    this.ttlMs = opts.ttlMs ?? 5 * 60_000;
    this.failedTtlMs = Math.min(opts.failedTtlMs ?? 30_000, this.ttlMs);
    this.#verify = opts.verify ?? verifyImageSignatures;
    this.#now = opts.now ?? Date.now;
  }

  get entries(): number {
    return this.#entries.size;
  }

  /** A cached result or the verification already running (hit: true), or one started now (hit: false). */
  lookup(image: string, attestors: Attestor[], opts: VerifyImageOptions): { hit: boolean; result: Promise<ImageVerification> } {
    const key = JSON.stringify([image, opts.required ?? 1, attestors]);
    const now = this.#now();
    const e = this.#entries.get(key);
    if (e && (e.pending || e.expires > now)) {
      this.#entries.delete(key);
      this.#entries.set(key, e);
      // Joining a verification already running counts as a hit: no new registry work.
      return { hit: true, result: e.result ? Promise.resolve(e.result) : e.pending! };
    }
    const entry: Entry = { expires: Number.POSITIVE_INFINITY };
    entry.pending = this.#verify(image, attestors, opts).then(
      (r) => r,
      // verifyImageSignatures never throws; a custom verifier might: a failed verification all the same.
      (err): ImageVerification => ({ image, digest: '', verified: false, required: opts.required ?? 1, signers: [], reasons: [`${image}: ${(err as Error)?.message ?? String(err)}`], found: 0 }),
    ).then((r) => {
      entry.pending = undefined;
      entry.result = r;
      entry.expires = this.#now() + (r.verified ? this.ttlMs : this.failedTtlMs);
      return r;
    });
    this.#entries.delete(key);
    this.#entries.set(key, entry);
    while (this.#entries.size > this.size) this.#entries.delete(this.#entries.keys().next().value!);
    return { hit: false, result: entry.pending };
  }
}

const TIMED_OUT = Symbol('timed out');
/** Marks a verification that missed the budget (by identity: the bridge copies the result object). */
const TIMEOUT_REASONS = ['verification did not finish within the time budget'];

/** The webhook's verifier: cache + per-review budget, on top of the policy bridge. */
export class WebhookSignatures {
  readonly cache: SignatureCache;
  readonly config: SignatureConfig;

  constructor(config: SignatureConfig, verify?: Verify) {
    this.config = config;
    this.cache = new SignatureCache({ size: config.cacheSize, ttlMs: config.ttlMs, failedTtlMs: config.failedTtlMs, verify });
  }

  /**
   * Results for the requests; those not finished within the budget are left out (the policy's
   * failurePolicy then applies) and counted as timeouts.
   */
  async verify(requests: SignatureRequest[]): Promise<{ results: SignatureResult[]; stats: SignatureStats }> {
    const stats: SignatureStats = { hits: 0, misses: 0, timeouts: 0 };
    if (requests.length === 0) return { results: [], stats };
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<typeof TIMED_OUT>((resolve) => {
      timer = setTimeout(() => resolve(TIMED_OUT), Math.max(1, this.config.budgetMs));
    });
    try {
      const results = await verifySignatureRequests(requests, {
        trustedRoot: this.config.trustedRoot,
        signaturesDir: this.config.signaturesDir,
        verify: async (image, attestors, opts) => {
          const { hit, result } = this.cache.lookup(image, attestors, opts);
          if (hit) stats.hits++;
          else stats.misses++;
          const r = await Promise.race([result, deadline]);
          if (r !== TIMED_OUT) return r;
          stats.timeouts++;
          return { image, digest: '', verified: false, required: opts.required ?? 1, signers: [], reasons: TIMEOUT_REASONS, found: 0 };
        },
      });
      return { results: stats.timeouts ? results.filter((r) => r.reasons !== TIMEOUT_REASONS) : results, stats };
    } finally {
      clearTimeout(timer);
    }
  }
}
