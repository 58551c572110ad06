// Sigstore trusted roots (trusted_root.json: Fulcio CAs, Rekor and CT log keys, TSAs), read from a
// file the user gives — never fetched: verification works offline and air-gapped. Parsed once per
// path and cached, because the webhook verifies many images against the same root.
import { readFileSync, statSync } from 'node:fs';
import { TrustedRoot } from '@sigstore/protobuf-specs';
import { toTrustMaterial, type KeyFinderFunc, type TrustMaterial } from '@sigstore/verify';

const MAX_ROOT_BYTES = 4 * 1024 * 1024;

export class TrustedRootError extends Error {}

const cache = new Map<string, { mtimeMs: number; root: TrustedRoot }>();

/** Reads and parses a trusted_root.json; throws TrustedRootError naming the file. */
export function loadTrustedRoot(path: string): TrustedRoot {
  let st;
  try {
    st = statSync(path);
  } catch {
    throw new TrustedRootError(`${path}: trusted root not found`);
  }
  if (!st.isFile()) throw new TrustedRootError(`${path}: trusted root is not a file`);
  if (st.size > MAX_ROOT_BYTES) throw new TrustedRootError(`${path}: trusted root larger than ${MAX_ROOT_BYTES} bytes`);
  const hit = cache.get(path);
  if (hit && hit.mtimeMs === st.mtimeMs) return hit.root;
  let root: TrustedRoot;
  try {
    const json = JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
    // fromJSON accepts anything (missing fields become empty lists): check the shape first.
    if (!json || typeof json !== 'object' || !Array.isArray(json.certificateAuthorities) || !Array.isArray(json.tlogs)) {
      throw new Error('not a trusted root (certificateAuthorities and tlogs must be lists)');
    }
    root = TrustedRoot.fromJSON(json);
    toTrustMaterial(root); // decodes every key and certificate now, so a bad root fails here
  } catch (e) {
    throw new TrustedRootError(`${path}: invalid trusted root: ${(e as Error).message}`);
  }
  cache.set(path, { mtimeMs: st.mtimeMs, root });
  return root;
}

const EMPTY_ROOT: TrustedRoot = TrustedRoot.fromJSON({ tlogs: [], certificateAuthorities: [], ctlogs: [], timestampAuthorities: [] });

/** Trust material for key-based bundles: only the given key (plus a root's logs when one is given). */
export function keyTrustMaterial(keyFinder: KeyFinderFunc, root?: TrustedRoot): TrustMaterial {
  return toTrustMaterial(root ?? EMPTY_ROOT, keyFinder);
}

export { toTrustMaterial };
