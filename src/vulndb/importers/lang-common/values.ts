// Defensive readers for parsed JSON/YAML/TOML values: upstream files are hand-written, so every
// field may be missing, of the wrong type, or absurdly large. These return undefined (or drop the
// bad element) instead of trusting the shape.

export type Rec = Record<string, unknown>;

/** Upper bound of list elements kept from one field (a real advisory has a few dozen at most). */
const MAX_LIST = 10_000;

export function isRec(v: unknown): v is Rec {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** A non-empty trimmed string; numbers are accepted (YAML reads `cve: 2019-1234` fine, `version: 1.0` as a number). */
export function str(v: unknown): string | undefined {
  if (typeof v === 'string') {
    const t = v.trim();
    return t === '' ? undefined : t;
  }
  if (typeof v === 'number' && Number.isFinite(v)) return String(v);
  return undefined;
}

/** A list of non-empty strings; a lone string counts as a list of one. Non-strings are dropped. */
export function strList(v: unknown): string[] {
  if (v === undefined || v === null) return [];
  const arr = Array.isArray(v) ? v : [v];
  const out: string[] = [];
  for (const x of arr.slice(0, MAX_LIST)) {
    const s = str(x);
    if (s !== undefined) out.push(s);
  }
  return out;
}

/** A finite number from a number or a numeric string ("6.5", "4.8 (Medium)"). */
export function num(v: unknown): number | undefined {
  if (typeof v === 'number') return Number.isFinite(v) ? v : undefined;
  if (typeof v === 'string') {
    const m = /^\s*(\d+(?:\.\d+)?)/.exec(v);
    if (m) return Number(m[1]);
  }
  return undefined;
}

/** Distinct values in first-seen order. */
export function unique<T>(xs: Iterable<T>): T[] {
  return [...new Set(xs)];
}

/**
 * Aliases as the model wants them: distinct, the advisory's own id removed, CVE ids first (matching
 * and reports key on CVEs), otherwise in the source's order.
 */
export function orderAliases(id: string, aliases: Iterable<string>): string[] {
  const all = unique([...aliases].map((a) => a.trim()).filter((a) => a !== '' && a !== id));
  return [...all.filter((a) => a.startsWith('CVE-')), ...all.filter((a) => !a.startsWith('CVE-'))];
}

/** "2019-9837" or "CVE-2019-9837" -> "CVE-2019-9837"; anything else undefined. */
export function cveId(v: unknown): string | undefined {
  const s = str(v);
  if (!s) return undefined;
  const m = /^(?:CVE-)?(\d{4}-\d{4,})$/i.exec(s);
  return m ? `CVE-${m[1]}` : undefined;
}

/** A date or timestamp kept as ISO text: "2019-03-25", "2015-07-24 0:41:41" -> "2015-07-24T00:41:41Z". */
export function isoDate(v: unknown): string | undefined {
  if (v instanceof Date) return Number.isNaN(v.getTime()) ? undefined : v.toISOString();
  const s = str(v);
  if (!s) return undefined;
  const m = /^(\d{4}-\d{2}-\d{2})(?:[ T](\d{1,2}):(\d{2})(?::(\d{2}))?(\.\d+)?(Z|[+-]\d{2}:?\d{2})?)?$/.exec(s);
  if (!m) return undefined;
  // Go's zero time ("0001-01-01T00:00:00Z", Go vulndb's `modified` placeholder) says nothing.
  if (m[1]!.startsWith('0001-')) return undefined;
  if (m[2] === undefined) return m[1];
  return `${m[1]}T${m[2].padStart(2, '0')}:${m[3]}:${m[4] ?? '00'}${m[5] ?? ''}${m[6] ?? 'Z'}`;
}
