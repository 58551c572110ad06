// The scan cache: a directory of `triad image --format json` reports, indexed by what a pod spec
// can name — image references (registry/repository:tag, normalised as the Docker CLI does) and
// digests. A digest names exact content, so a report found by digest is used whatever repository
// the pod pulls it from; a tag is only as good as the time of the scan (the scan-fresh policy).
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parseReference } from '../image/registry/reference.ts';
import type { ScanReport } from '../model/finding.ts';

export interface ScanCacheLimits {
  maxFileBytes: number;
  maxTotalBytes: number;
  maxFiles: number;
}

export const DEFAULT_SCAN_CACHE_LIMITS: ScanCacheLimits = { maxFileBytes: 64 << 20, maxTotalBytes: 512 << 20, maxFiles: 10_000 };

export class ScanCacheError extends Error {}

type Rec = Record<string, unknown>;
const isRec = (v: unknown): v is Rec => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Transports whose target is a registry reference; archives and directories name a path instead. */
const REF_TRANSPORT = /^(registry|docker-daemon|docker):/;
const PATH_TRANSPORT = /^(docker-archive|oci-archive|oci|rootfs):/;
const DIGEST_RE = /^sha(256:[a-f0-9]{64}|512:[a-f0-9]{128})$/;

/** Index keys of one reference: "registry/repo:tag" and the bare digest. */
export function referenceKeys(ref: string): { tagKey?: string; digest?: string } {
  try {
    const r = parseReference(ref.replace(REF_TRANSPORT, ''));
    return { tagKey: r.tag ? `${r.registry}/${r.repository}:${r.tag}` : undefined, digest: r.digest };
  } catch {
    return {};
  }
}

function reportKeys(report: ScanReport): string[] {
  const keys = new Set<string>();
  const add = (ref: string) => {
    const k = referenceKeys(ref);
    if (k.tagKey) keys.add(k.tagKey);
    if (k.digest) keys.add(k.digest);
  };
  if (!PATH_TRANSPORT.test(report.target) && !report.target.startsWith('/')) add(report.target);
  const img = report.inventory?.image;
  for (const t of Array.isArray(img?.repoTags) ? img.repoTags : []) if (typeof t === 'string') add(t);
  for (const d of Array.isArray(img?.repoDigests) ? img.repoDigests : []) if (typeof d === 'string') add(d);
  if (typeof img?.manifestDigest === 'string' && DIGEST_RE.test(img.manifestDigest)) keys.add(img.manifestDigest);
  return [...keys];
}

function isReport(v: unknown): v is ScanReport {
  return isRec(v) && typeof v.target === 'string' && Array.isArray(v.vulnerabilities) && typeof v.createdAt === 'string';
}

export class ScanCache {
  readonly dir: string;
  readonly warnings: string[] = [];
  readonly files: number;
  #byKey = new Map<string, ScanReport>();
  #reports: ScanReport[] = [];
  #lookups = new Map<string, ScanReport | null>();

  private constructor(dir: string, files: number) {
    this.dir = dir;
    this.files = files;
  }

  /** Reads every report under `dir` (recursively). Unreadable or foreign files become warnings. */
  static load(dir: string, limits: ScanCacheLimits = DEFAULT_SCAN_CACHE_LIMITS): ScanCache {
    let st;
    try {
      st = statSync(dir);
    } catch (e) {
      throw new ScanCacheError(`--scan-cache ${dir}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
    }
    if (!st.isDirectory()) throw new ScanCacheError(`--scan-cache ${dir}: not a directory`);
    const files: string[] = [];
    const walk = (d: string, depth: number) => {
      if (depth > 8) return;
      for (const e of readdirSync(d, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
        if (files.length >= limits.maxFiles) return;
        if (e.isDirectory()) walk(join(d, e.name), depth + 1);
        else if (e.isFile() && e.name.endsWith('.json')) files.push(join(d, e.name));
      }
    };
    walk(dir, 0);
    const cache = new ScanCache(dir, files.length);
    if (files.length >= limits.maxFiles) cache.warnings.push(`${dir}: more than ${limits.maxFiles} files; the rest are not read`);
    let total = 0;
    for (const f of files) {
      const size = statSync(f).size;
      if (size > limits.maxFileBytes) {
        cache.warnings.push(`${f}: ${size} bytes exceeds the ${limits.maxFileBytes}-byte limit; skipped`);
        continue;
      }
      if (total + size > limits.maxTotalBytes) {
        cache.warnings.push(`${f}: the scan cache exceeds ${limits.maxTotalBytes} bytes; this and later files skipped`);
        break;
      }
      total += size;
      let v: unknown;
      try {
        v = JSON.parse(readFileSync(f, 'utf8'));
      } catch (e) {
        cache.warnings.push(`${f}: not JSON (${(e as Error).message.slice(0, 120)}); skipped`);
        continue;
      }
      if (!isReport(v)) {
        cache.warnings.push(`${f}: not a Triad scan report (target, vulnerabilities, createdAt); skipped`);
        continue;
      }
      cache.add(v, f);
    }
    return cache;
  }

  /** Adds a report; of two reports for the same key the newer scan wins. */
  add(report: ScanReport, file = report.target): void {
    const keys = reportKeys(report);
    if (keys.length === 0) {
      this.warnings.push(`${file}: report names no image reference or digest (target ${report.target}); it cannot be matched to pods`);
      return;
    }
    this.#reports.push(report);
    for (const k of keys) {
      const prev = this.#byKey.get(k);
      if (!prev || prev.createdAt < report.createdAt) this.#byKey.set(k, report);
    }
    this.#lookups.clear();
  }

  get size(): number {
    return this.#reports.length;
  }

  get reports(): readonly ScanReport[] {
    return this.#reports;
  }

  /** The scan of a pod's image: by digest when the reference has one, else by registry/repository:tag. */
  lookup(image: string): ScanReport | undefined {
    const memo = this.#lookups.get(image);
    if (memo !== undefined) return memo ?? undefined;
    const k = referenceKeys(image);
    const found = (k.digest ? this.#byKey.get(k.digest) : undefined) ?? (k.tagKey && !k.digest ? this.#byKey.get(k.tagKey) : undefined);
    // Pods name few distinct images: the memo stays small, and is bounded anyway.
    if (this.#lookups.size >= 10_000) this.#lookups.clear();
    this.#lookups.set(image, found ?? null);
    return found;
  }
}
