// parseCvss: one strict reader for CVSS v2.0, v3.0, v3.1 and v4.0 vector strings.
//
// What is rejected, each with an error naming the vector: a prefix other than CVSS:3.0/3.1/4.0
// (v2.0 vectors have none), unknown metrics, metrics written twice, values a metric does not
// define, missing base metrics, and for v2.0 and v4.0 (whose specifications make every other order
// invalid) metrics out of the specification's order. v3.x readers "must accept metrics in any
// order", so v3.x order is free. v4.0 also accepts the order of its specification's misprinted
// Table 23 (see metrics.ts).
//
// One leniency: a single trailing "/" is accepted, because GitHub's advisory database published
// vectors like "CVSS:3.1/AV:N/.../A:H/" and dropping those advisories' scores helps nobody.

import { specFor } from './metrics.ts';
import { CvssError, type CvssVector, type CvssVersion } from './types.ts';

/** The longest valid vector (v4.0 with every metric) is ~260 characters; beyond this is garbage. */
const MAX_VECTOR_LENGTH = 1024;

const PREFIXES: Record<string, CvssVersion> = { 'CVSS:3.0': '3.0', 'CVSS:3.1': '3.1', 'CVSS:4.0': '4.0' };

export function parseCvss(input: string): CvssVector {
  if (typeof input !== 'string') throw new CvssError(String(input), `expected a string, got ${typeof input}`);
  const vector = input.trim();
  if (vector === '') throw new CvssError(input, 'empty vector');
  if (vector.length > MAX_VECTOR_LENGTH) throw new CvssError(vector, `longer than ${MAX_VECTOR_LENGTH} characters`);

  let version: CvssVersion;
  let body: string;
  if (vector.startsWith('CVSS:')) {
    const slash = vector.indexOf('/');
    const prefix = slash < 0 ? vector : vector.slice(0, slash);
    const known = PREFIXES[prefix];
    if (known === undefined) {
      throw new CvssError(vector, `unknown CVSS version "${prefix}" (known: CVSS:3.0, CVSS:3.1, CVSS:4.0; v2.0 vectors have no prefix)`);
    }
    version = known;
    body = slash < 0 ? '' : vector.slice(slash + 1);
  } else {
    version = '2.0';
    body = vector;
  }
  if (body.endsWith('/')) body = body.slice(0, -1);
  if (body === '') throw new CvssError(vector, 'no metrics');

  const spec = specFor(version);
  const metrics: Record<string, string> = {};
  // For ordered versions: the last rank seen in each accepted order, -Infinity once that order broke.
  const lastRanks = spec.orders.map(() => -1);
  let lastName = '';
  for (const part of body.split('/')) {
    const colon = part.indexOf(':');
    if (colon <= 0 || colon === part.length - 1) {
      throw new CvssError(vector, `malformed metric "${part}" (expected NAME:VALUE)`);
    }
    const name = part.slice(0, colon);
    const value = part.slice(colon + 1);
    const known = spec.byName.get(name);
    if (known === undefined) throw new CvssError(vector, unknownMetricMessage(version, name));
    if (Object.hasOwn(metrics, name)) throw new CvssError(vector, `metric ${name} appears more than once`);
    if (!known.values.has(value)) {
      throw new CvssError(vector, `bad value "${value}" for metric ${name} (CVSS ${version} allows ${known.def.values.join(', ')})`);
    }
    if (spec.ordered) {
      let followed = false;
      spec.orders.forEach((order, i) => {
        const rank = order.get(name)!;
        if (lastRanks[i] !== Number.NEGATIVE_INFINITY && rank > lastRanks[i]) {
          lastRanks[i] = rank;
          followed = true;
        } else {
          lastRanks[i] = Number.NEGATIVE_INFINITY;
        }
      });
      if (!followed) {
        throw new CvssError(vector, `metric ${name} comes after ${lastName}, but CVSS ${version} requires the specification's metric order`);
      }
    }
    lastName = name;
    metrics[name] = value;
  }

  const missing = spec.baseNames.filter((name) => !Object.hasOwn(metrics, name));
  if (missing.length > 0) throw new CvssError(vector, `missing base metric${missing.length > 1 ? 's' : ''} ${missing.join(', ')}`);

  return { version, vector, metrics };
}

function unknownMetricMessage(version: CvssVersion, name: string): string {
  // The commonest real mistake: a v3.x vector published without its "CVSS:3.x/" prefix reads as v2.0.
  if (version === '2.0' && (name === 'PR' || name === 'UI' || name === 'S')) {
    return `unknown metric "${name}" for CVSS 2.0 (a v3.x vector must start with "CVSS:3.0/" or "CVSS:3.1/")`;
  }
  return `unknown metric "${name}" for CVSS ${version}`;
}
