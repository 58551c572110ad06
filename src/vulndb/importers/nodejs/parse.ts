// The Node.js security working group's advisories (https://github.com/nodejs/security-wg, vuln/):
// - vuln/npm/<n>.json: third-party npm modules (the old nodesecurity.io format): module_name,
//   vulnerable_versions and patched_versions as node-semver ranges -> a CONSTRAINT range with both;
//   id NSWG-ECO-<n>, the WG's own naming.
// - vuln/core/<n>.json: Node.js itself: vulnerable/patched node-semver ranges over Node.js versions
//   ("14.x || 16.x", "^14.20.1 || ^16.17.1"). The package is 'node' in ecosystem npm, marked
//   runtime 'node' so that matching compares it with a Node.js runtime's version and never with the
//   unrelated npm package called "node"; id NSWG-COR-<n>.

import type { Advisory, Affected, SeverityScore, VersionRange } from '../../../model/advisory.ts';
import { severityWord, vectorScore } from '../lang-common/severity.ts';
import type { SkipTally } from '../lang-common/tally.ts';
import { isoDate, isRec, num, orderAliases, type Rec, str, strList, unique } from '../lang-common/values.ts';

export const OTHER_PLATFORM_SKIP = 'Node.js core advisory for non-Linux platforms only (Triad scans Linux images)';
export const DEPS_SKIP = "Node.js bundled-dependency assessment (vuln/deps: 'not affected' statements, no package to match)";

/** "<0.0.0" is the format's way of saying "nothing is patched": no version satisfies it. */
function patchedRange(v: unknown): string | undefined {
  const s = str(v);
  return s && s.replace(/\s+/g, '') !== '<0.0.0' ? s : undefined;
}

function constraint(vulnerable: string, patched: string | undefined): VersionRange {
  return patched ? { type: 'CONSTRAINT', affected: [vulnerable], unaffected: [patched] } : { type: 'CONSTRAINT', affected: [vulnerable] };
}

function cvss(vector: unknown, score: unknown, warn: (m: string) => void): SeverityScore[] {
  const v = str(vector);
  if (!v) return [];
  const s = vectorScore(v, 'nodejs-security-wg', num(score));
  if (!s) warn(`CVSS vector ${JSON.stringify(v).slice(0, 120)} not understood, ignored`);
  return s ? [s] : [];
}

function ecosystemAdvisory(doc: Rec, n: string, warn: (m: string) => void): Advisory {
  const id = `NSWG-ECO-${n}`;
  const pkg = str(doc.module_name);
  if (!pkg) throw new Error(`${id}: no module_name`);
  const vulnerable = str(doc.vulnerable_versions);
  if (!vulnerable) throw new Error(`${id}: no vulnerable_versions`);
  const affected: Affected = { ecosystem: 'npm', package: pkg, ranges: [constraint(vulnerable, patchedRange(doc.patched_versions))] };
  const out: Advisory = {
    id,
    source: 'nodejs-security-wg',
    aliases: orderAliases(id, strList(doc.cves)),
    severity: cvss(doc.cvss_vector, doc.cvss_score, warn),
    references: unique(strList(doc.references)),
    affected: [affected],
  };
  const title = str(doc.title);
  if (title) out.summary = title;
  const details = [str(doc.overview), str(doc.recommendation)].filter(Boolean).join('\n\n');
  if (details) out.details = details;
  const published = isoDate(doc.publish_date) ?? isoDate(doc.created_at);
  if (published) out.published = published;
  const modified = isoDate(doc.updated_at);
  if (modified) out.modified = modified;
  return out;
}

function coreAdvisory(doc: Rec, n: string, warn: (m: string) => void): Advisory {
  const id = `NSWG-COR-${n}`;
  const vulnerable = str(doc.vulnerable);
  if (!vulnerable) throw new Error(`${id}: no "vulnerable" range`);
  const affected: Affected = { ecosystem: 'npm', package: 'node', runtime: 'node', ranges: [constraint(vulnerable, patchedRange(doc.patched))] };
  const severity = cvss(doc.cvss, doc.cvss_score, warn);
  const word = severityWord(doc.severity);
  if (word) severity.push({ type: 'vendor', rating: word, source: 'nodejs-security-wg' });
  else if (str(doc.severity)) warn(`severity ${JSON.stringify(doc.severity)} not understood, ignored`);
  const out: Advisory = {
    id,
    source: 'nodejs-security-wg',
    aliases: orderAliases(id, strList(doc.cve)),
    severity,
    references: unique(strList(doc.ref)),
    affected: [affected],
  };
  const description = str(doc.description);
  const overview = str(doc.overview);
  const summary = description ?? overview?.split('\n')[0];
  if (summary) out.summary = summary;
  if (overview) out.details = overview;
  const published = isoDate(doc.publish_date);
  if (published) out.published = published;
  return out;
}

/**
 * A security-wg JSON document to an Advisory; `n` is its file name without ".json". Which kind it is
 * comes from the content (module_name: an ecosystem advisory; vulnerable/patched: Node.js core;
 * reason without ranges: a bundled-dependency assessment, counted and skipped). Throws on documents
 * that are none of these.
 */
export function parseNodejs(doc: unknown, n: string, ctx: { file: string; tally: SkipTally; warn(m: string): void }): Advisory | undefined {
  if (!isRec(doc)) throw new Error('not a security-wg advisory: the document is not an object');
  const number = (v: unknown) => {
    const s = str(v);
    if (!s || !/^\d{1,9}$/.test(s)) throw new Error(`no advisory number (file name ${JSON.stringify(n)}, id ${JSON.stringify(v)})`);
    return s;
  };
  // Ecosystem advisories carry their number; core ones only have it in the file name.
  if (doc.module_name !== undefined) return ecosystemAdvisory(doc, number(doc.id ?? n), ctx.warn);
  if (doc.vulnerable !== undefined) {
    const envs = strList(doc.affectedEnvironments).map((e) => e.toLowerCase());
    if (envs.length > 0 && !envs.includes('all') && !envs.includes('linux')) {
      ctx.tally.add(OTHER_PLATFORM_SKIP, ctx.file);
      return undefined;
    }
    return coreAdvisory(doc, number(n), ctx.warn);
  }
  if (doc.reason !== undefined && doc.cve !== undefined) {
    ctx.tally.add(DEPS_SKIP, ctx.file);
    return undefined;
  }
  throw new Error('not a security-wg advisory: neither module_name nor vulnerable');
}
