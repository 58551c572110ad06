// One NVD API 2.0 CVE object to an enrichment-only advisory: CVSS v2/v3.x/v4 statements,
// description, dates and references. CPE configurations are ignored on purpose: CPE guesses are
// the classic source of false positives, and packages are matched through their own ecosystems.

import type { Advisory, Severity, SeverityScore } from '../../../model/advisory.ts';

const SEVERITIES = new Set(['LOW', 'MEDIUM', 'HIGH', 'CRITICAL']);
const SUMMARY_MAX = 240;

/** NVD prints UTC timestamps without a zone ("2022-07-11T13:15:08.503"). */
function utc(v: unknown): string | undefined {
  if (typeof v !== 'string' || !/^\d{4}-\d{2}-\d{2}/.test(v)) return undefined;
  return /T[\d:.]+$/.test(v) ? `${v}Z` : v;
}

function rating(v: unknown): Severity | undefined {
  const s = typeof v === 'string' ? v.toUpperCase() : '';
  return SEVERITIES.has(s) ? (s as Severity) : s === 'NONE' ? 'UNKNOWN' : undefined;
}

/** "nvd@nist.gov" is NVD itself; other sources are the CNA's (or ADP's) statements relayed by NVD. */
function who(source: unknown): string {
  if (typeof source !== 'string' || !source || source === 'nvd@nist.gov') return 'nvd';
  return source;
}

const METRICS: Array<[key: string, type: SeverityScore['type']]> = [
  ['cvssMetricV40', 'CVSS_V4'],
  ['cvssMetricV31', 'CVSS_V3'],
  ['cvssMetricV30', 'CVSS_V3'],
  ['cvssMetricV2', 'CVSS_V2'],
];

export function nvdSeverities(metrics: unknown): SeverityScore[] {
  const out: SeverityScore[] = [];
  if (!metrics || typeof metrics !== 'object') return out;
  for (const [key, type] of METRICS) {
    const list = (metrics as Record<string, unknown>)[key];
    if (!Array.isArray(list)) continue;
    // Primary (NVD's own analysis) first, then the CNA's.
    const sorted = [...list].sort((a, b) => Number((b as { type?: string })?.type === 'Primary') - Number((a as { type?: string })?.type === 'Primary'));
    for (const m of sorted) {
      const data = (m as { cvssData?: Record<string, unknown> })?.cvssData;
      if (!data || typeof data.vectorString !== 'string') continue;
      const score = typeof data.baseScore === 'number' && Number.isFinite(data.baseScore) ? data.baseScore : undefined;
      // v2 keeps baseSeverity beside cvssData, v3/v4 inside it.
      const r = rating(data.baseSeverity) ?? rating((m as Record<string, unknown>).baseSeverity);
      out.push({ type, vector: data.vectorString, ...(score !== undefined ? { score } : {}), ...(r ? { rating: r } : {}), source: who((m as { source?: unknown }).source) });
    }
  }
  return out;
}

function summarise(text: string): string {
  const t = text.replace(/\s+/g, ' ').trim();
  if (t.length <= SUMMARY_MAX) return t;
  const cut = t.lastIndexOf(' ', SUMMARY_MAX - 1);
  return `${t.slice(0, cut > SUMMARY_MAX / 2 ? cut : SUMMARY_MAX - 1)}…`;
}

/** The advisory for one `cve` object, or a reason it is unusable. */
export function nvdAdvisory(raw: unknown): Advisory | string {
  if (!raw || typeof raw !== 'object') return 'CVE record is not an object';
  const c = raw as Record<string, unknown>;
  if (typeof c.id !== 'string' || !/^CVE-\d{4}-\d{4,}$/.test(c.id)) return `CVE record without a valid id (${JSON.stringify(String(c.id ?? '')).slice(0, 40)})`;
  const descriptions = Array.isArray(c.descriptions) ? (c.descriptions as Array<{ lang?: string; value?: unknown }>) : [];
  const english = descriptions.find((d) => d?.lang === 'en' && typeof d.value === 'string')?.value as string | undefined;
  const references = Array.isArray(c.references)
    ? [...new Set((c.references as Array<{ url?: unknown }>).map((r) => r?.url).filter((u): u is string => typeof u === 'string' && u.length > 0))]
    : [];
  const published = utc(c.published);
  const modified = utc(c.lastModified);
  return {
    id: c.id,
    source: 'nvd',
    aliases: [],
    ...(english ? { summary: summarise(english), details: english } : {}),
    ...(published ? { published } : {}),
    ...(modified ? { modified } : {}),
    ...(c.vulnStatus === 'Rejected' ? { withdrawn: modified ?? published ?? '1970-01-01T00:00:00Z' } : {}),
    severity: nvdSeverities(c.metrics),
    references,
    affected: [],
  };
}
