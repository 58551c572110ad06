// Image references split the way image policies ask about them (registry, repository, tag as
// written, digest). Used for scan reports and by the CEL function `imageRef(string)`.
import { parseReference } from '../image/registry/reference.ts';

/** An image reference split as policies want it; `tag` is empty when none was written. */
export function describeImageRef(ref: string): Record<string, unknown> {
  const clean = ref.replace(/^(registry|docker-daemon|docker):/, '');
  try {
    const r = parseReference(clean);
    const lastSlash = clean.lastIndexOf('/');
    const written = clean.slice(lastSlash + 1).split('@')[0]!;
    const tag = written.includes(':') ? r.tag ?? '' : '';
    return { ref, registry: r.registry, repository: r.repository, name: r.familiarName, tag, digest: r.digest ?? '', valid: true };
  } catch {
    return { ref, registry: '', repository: '', name: ref, tag: '', digest: '', valid: false };
  }
}


/** Distinct references kept by `cachedImageRef` (a cluster runs far fewer distinct images). */
const MAX_CACHED_REFS = 4096;
const refCache = new Map<string, Readonly<Record<string, unknown>>>();

/**
 * describeImageRef, memoised: policies call `imageRef(c.image)` several times per container, per
 * policy and per request, always on the same few references. The result is frozen because it is
 * shared; the cache is bounded (cleared when full: cheaper than LRU bookkeeping on a hot path).
 */
export function cachedImageRef(ref: string): Readonly<Record<string, unknown>> {
  // Hostile input: only reference-sized strings are kept (a registry caps references well below this).
  if (ref.length > 1024) return Object.freeze(describeImageRef(ref));
  let r = refCache.get(ref);
  if (r === undefined) {
    r = Object.freeze(describeImageRef(ref));
    if (refCache.size >= MAX_CACHED_REFS) refCache.clear();
    refCache.set(ref, r);
  }
  return r;
}
