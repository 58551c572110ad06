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

