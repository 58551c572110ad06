// Signatures from disk, for air-gapped use (`--signatures DIR`): an OCI image layout (what `cosign
// save` and `skopeo copy … oci:DIR` write; every signature manifest in it, nested indexes too) or a
// directory of Sigstore bundle files (`*.sigstore.json`, `*.bundle.json`, `*.json`). Every candidate
// is still bound to the image by what it signs, so extra signatures in the directory are harmless.
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { candidatesFromManifest, isSignatureManifest, MAX_BLOB_BYTES, type SignatureManifest } from './manifest.ts';
import { SIGSTORE_BUNDLE_MEDIA, type SignatureCandidate } from './types.ts';

const MAX_FILES = 1000;
const MAX_MANIFESTS = 500;
const MAX_INDEX_DEPTH = 3;

export class SignatureDirError extends Error {}

function readBounded(path: string, max: number): Buffer {
  const st = statSync(path);
  if (!st.isFile()) throw new Error(`${path}: not a file`);
  if (st.size > max) throw new Error(`${path}: ${st.size} bytes exceeds ${max}`);
  return readFileSync(path);
}

function layoutBlob(dir: string, digest: string, max: number): Buffer {
  const m = /^(sha256|sha512):([a-f0-9]{64,128})$/.exec(digest);
  if (!m) throw new Error(`invalid digest ${digest}`);
  const path = join(dir, 'blobs', m[1]!, m[2]!);
  if (!existsSync(path)) throw new Error(`${dir}: blob ${digest} is missing`);
  const bytes = readBounded(path, max);
  const got = `${m[1]}:${createHash(m[1]!).update(bytes).digest('hex')}`;
  if (got !== digest) throw new Error(`${path}: content digest ${got} does not match`);
  return bytes;
}

async function fromLayout(dir: string): Promise<{ candidates: SignatureCandidate[]; problems: string[] }> {
  const out = { candidates: [] as SignatureCandidate[], problems: [] as string[] };
  let index: SignatureManifest;
  try {
    index = JSON.parse(readBounded(join(dir, 'index.json'), 4 * 1024 * 1024).toString('utf8')) as SignatureManifest;
  } catch (e) {
    throw new SignatureDirError(`${dir}: unreadable OCI layout index.json (${(e as Error).message})`);
  }
  let seen = 0;
  const visit = async (descs: unknown, depth: number): Promise<void> => {
    if (!Array.isArray(descs) || depth > MAX_INDEX_DEPTH) return;
    for (const d of descs) {
      if (++seen > MAX_MANIFESTS) return;
      if (!d || typeof d.digest !== 'string') continue;
      let doc: SignatureManifest;
      try {
        doc = JSON.parse(layoutBlob(dir, d.digest, 4 * 1024 * 1024).toString('utf8')) as SignatureManifest;
      } catch (e) {
        out.problems.push((e as Error).message);
        continue;
      }
      if (Array.isArray(doc.manifests)) await visit(doc.manifests, depth + 1);
      else if (isSignatureManifest(doc)) {
        const r = await candidatesFromManifest(doc, async (dg, max) => layoutBlob(dir, dg, max), `${dir}@${d.digest}`);
        out.candidates.push(...r.candidates);
        out.problems.push(...r.problems);
      }
    }
  };
  await visit(index.manifests, 0);
  return out;
}

function fromBundleFiles(dir: string): { candidates: SignatureCandidate[]; problems: string[] } {
  const out = { candidates: [] as SignatureCandidate[], problems: [] as string[] };
  const names = readdirSync(dir).filter((n) => /\.(json|bundle|sigstore)$/i.test(n)).sort();
  if (names.length > MAX_FILES) out.problems.push(`${dir}: only the first ${MAX_FILES} files were read`);
  for (const n of names.slice(0, MAX_FILES)) {
    const path = join(dir, n);
    try {
      const doc = JSON.parse(readBounded(path, MAX_BLOB_BYTES).toString('utf8')) as { mediaType?: unknown };
      if (typeof doc?.mediaType === 'string' && SIGSTORE_BUNDLE_MEDIA.test(doc.mediaType)) out.candidates.push({ kind: 'bundle', source: path, bundle: doc });
    } catch (e) {
      out.problems.push(`${path}: ${(e as Error).message}`);
    }
  }
  return out;
}

/** Every signature stored in `dir`; throws SignatureDirError when the directory is unusable. */
export async function findLocalSignatures(dir: string): Promise<{ candidates: SignatureCandidate[]; problems: string[] }> {
  let st;
  try {
    st = statSync(dir);
  } catch {
    throw new SignatureDirError(`${dir}: no such directory`);
  }
  if (!st.isDirectory()) throw new SignatureDirError(`${dir}: not a directory`);
  if (existsSync(join(dir, 'oci-layout')) || existsSync(join(dir, 'index.json'))) return fromLayout(dir);
  return fromBundleFiles(dir);
}
