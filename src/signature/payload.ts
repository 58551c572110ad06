// cosign's simple-signing payload ("critical" identity, image digest and type) and the check
// that it names the image being verified. The payload is what was signed; it is parsed only after
// its signature held, and every field it relies on is checked.
import { COSIGN } from './types.ts';

const MAX_PAYLOAD = 64 * 1024;

export interface SimpleSigning {
  dockerReference: string;
  manifestDigest: string;
  type: string;
  optional: Record<string, unknown>;
}

type Rec = Record<string, unknown>;
const isRec = (v: unknown): v is Rec => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Parses a simple-signing payload; throws an Error saying what is wrong. */
export function parseSimpleSigning(payload: Buffer): SimpleSigning {
  if (payload.length > MAX_PAYLOAD) throw new Error(`payload of ${payload.length} bytes exceeds ${MAX_PAYLOAD}`);
  let doc: unknown;
  try {
    doc = JSON.parse(payload.toString('utf8'));
  } catch (e) {
    throw new Error(`payload is not JSON (${(e as Error).message})`);
  }
  const critical = isRec(doc) && isRec(doc.critical) ? doc.critical : undefined;
  if (!critical) throw new Error('payload has no "critical" section');
  const identity = isRec(critical.identity) ? critical.identity['docker-reference'] : undefined;
  const digest = isRec(critical.image) ? critical.image['docker-manifest-digest'] : undefined;
  if (typeof digest !== 'string' || !/^sha(256|512):[a-f0-9]+$/.test(digest)) throw new Error('payload has no critical.image.docker-manifest-digest');
  if (typeof critical.type !== 'string') throw new Error('payload has no critical.type');
  return {
    dockerReference: typeof identity === 'string' ? identity : '',
    manifestDigest: digest,
    type: critical.type,
    optional: isRec((doc as Rec).optional) ? ((doc as Rec).optional as Rec) : {},
  };
}

/** The reason a payload does not sign `digest`, or undefined when it does. */
export function payloadMismatch(p: SimpleSigning, digest: string): string | undefined {
  if (p.type.toLowerCase() !== COSIGN.payloadType) return `payload type is ${JSON.stringify(p.type)}, not "${COSIGN.payloadType}"`;
  if (p.manifestDigest !== digest) return `payload signs ${p.manifestDigest}, not the image digest ${digest}`;
  return undefined;
}
