// Ubuntu's security data (github.com/canonical/ubuntu-security-notices): one OSV record per CVE
// (osv/cve/YYYY/UBUNTU-CVE-….json) with per-release source-package ranges, and one OpenVEX document
// per CVE (vex/cve/YYYY/CVE-….json) carrying the tracker's status for every release — the only
// place where "ignored", "deferred" or "end of life" are stated.
//
// OSV gives the fixed versions: a range with a fixed event -> fixed; introduced only -> affected,
// refined from the VEX statement for the same (release, source package):
//   affected + "…decided to not fix it…"  -> wont-fix   (tracker: ignored)
//   affected + "…no longer supported…"    -> end-of-life
//   affected + "…deferred…"               -> deferred
//   not_affected (vulnerable_code_not_present…) -> not-affected, added when OSV has no entry
//   not_affected component_not_present    -> nothing (DNE: no such package in that release)
// The priority ("Ubuntu" severity entry) is the per-package severity, "negligible" as LOW.

import type { Advisory, Affected, FixState, RangeEvent, SeverityScore } from '../../../model/advisory.ts';
import type { ImportSink } from '../../importer.ts';
import { addSeverity, addUnique, type AdvisoryCollector } from '../os-common/collect.ts';
import { isObject, str } from '../os-common/files.ts';
import { severityFromWord } from '../os-common/severity.ts';
import { ubuntuDistroRelease, ubuntuEcosystemRelease } from './releases.ts';

export const UBUNTU_CVE_URL = 'https://ubuntu.com/security/';

/** The CVE an Ubuntu OSV/VEX record is about: "UBUNTU-CVE-2021-3782" -> "CVE-2021-3782". */
export function cveOf(osvId: string): string | undefined {
  const m = /^(?:UBUNTU-)?(CVE-\d{4}-\d{4,})$/.exec(osvId);
  return m ? m[1] : undefined;
}

function key(release: string, pkg: string): string {
  return `${release}\u0000${pkg}`;
}

/** (release, package) -> Affected entries of one advisory, for the VEX pass. */
export type AffectedIndex = Map<string, Map<string, Affected>>;

function cvssType(t: string): SeverityScore['type'] | undefined {
  return t === 'CVSS_V2' || t === 'CVSS_V3' || t === 'CVSS_V4' ? t : undefined;
}

/** One UBUNTU-CVE OSV record into the collector. USN records are skipped by the caller. */
export function collectUbuntuOsv(doc: unknown, file: string, out: AdvisoryCollector, index: AffectedIndex, sink: ImportSink): void {
  if (!isObject(doc)) return sink.warn(file, 'not an OSV object, skipped');
  const osvId = str(doc.id);
  const upstream = Array.isArray(doc.upstream) ? doc.upstream.filter((x): x is string => typeof x === 'string') : [];
  const id = (osvId && cveOf(osvId)) ?? upstream.find((u) => cveOf(u));
  if (!osvId || !id) return sink.warn(file, `no CVE id in ${JSON.stringify(osvId)}, skipped`);
  if (!Array.isArray(doc.affected)) return sink.warn(file, `${osvId}: no "affected" list, skipped`);
  const adv = out.get(id, file);
  if (!adv) return;
  addUnique(adv.aliases, osvId, ...upstream.filter((u) => u !== id));
  if (Array.isArray(doc.related)) addUnique(adv.aliases, ...doc.related.filter((x): x is string => typeof x === 'string' && /^USN-/.test(x)));
  adv.details ??= str(doc.details);
  adv.summary ??= str(doc.summary);
  adv.published ??= str(doc.published);
  adv.modified ??= str(doc.modified);
  const withdrawn = str(doc.withdrawn);
  if (withdrawn) adv.withdrawn = withdrawn;
  for (const k of ['details', 'summary', 'published', 'modified'] as const) if (adv[k] === undefined) delete adv[k];
  let priority: string | undefined;
  for (const s of Array.isArray(doc.severity) ? doc.severity : []) {
    if (!isObject(s)) continue;
    const type = str(s.type);
    const score = str(s.score);
    if (!type || !score) continue;
    const cvss = cvssType(type);
    if (cvss) addSeverity(adv.severity, { type: cvss, vector: score, source: 'ubuntu' });
    else if (type === 'Ubuntu') {
      priority = score;
      const rating = severityFromWord(score);
      addSeverity(adv.severity, { type: 'vendor', rating: rating ?? 'UNKNOWN', source: 'ubuntu' });
    }
  }
  if (Array.isArray(doc.references))
    for (const r of doc.references) if (isObject(r) && str(r.url)) addUnique(adv.references, str(r.url));
  addUnique(adv.references, UBUNTU_CVE_URL + id);
  const severity = severityFromWord(priority);

  let perAdvisory = index.get(id);
  if (!perAdvisory) index.set(id, (perAdvisory = new Map()));
  for (const [i, a] of doc.affected.entries()) {
    const pkg = isObject(a) && isObject(a.package) ? a.package : undefined;
    const name = pkg ? str(pkg.name) : undefined;
    const ecosystem = pkg ? str(pkg.ecosystem) : undefined;
    if (!pkg || !name || !ecosystem) {
      sink.warn(file, `${osvId} affected[${i}]: no package name/ecosystem, skipped`);
      continue;
    }
    const release = ubuntuEcosystemRelease(ecosystem);
    if (!release) {
      sink.warn(file, `${osvId} affected[${i}]: unknown ecosystem "${ecosystem}", skipped`);
      continue;
    }
    const events: RangeEvent[] = [];
    for (const r of isObject(a) && Array.isArray(a.ranges) ? a.ranges : []) {
      if (!isObject(r) || !Array.isArray(r.events)) continue;
      for (const e of r.events) {
        if (!isObject(e)) continue;
        const ev: RangeEvent = {};
        for (const k of ['introduced', 'fixed', 'last_affected', 'limit'] as const) {
          const v = str(e[k]);
          if (v !== undefined) ev[k] = v;
        }
        if (Object.keys(ev).length === 1) events.push(ev);
      }
    }
    if (events.length === 0) {
      sink.warn(file, `${osvId} ${ecosystem} ${name}: no usable range, skipped`);
      continue;
    }
    const fixed = events.some((e) => e.fixed !== undefined);
    const entry: Affected = {
      ecosystem: 'deb',
      distro: { family: 'ubuntu', release },
      package: name,
      bySource: true,
      ranges: [{ type: 'ECOSYSTEM', events }],
      state: fixed ? 'fixed' : 'affected',
    };
    if (severity && severity !== 'UNKNOWN') entry.severity = severity;
    out.addAffected(adv, entry);
    perAdvisory.set(key(release, name), entry);
  }
}

/** Status of one VEX statement in Triad's vocabulary; null: nothing to store (DNE). */
export function vexState(statement: Record<string, unknown>): FixState | null | undefined {
  const status = str(statement.status);
  const action = (str(statement.action_statement) ?? '').toLowerCase();
  switch (status) {
    case 'fixed':
      return 'fixed';
    case 'not_affected':
      return str(statement.justification) === 'component_not_present' ? null : 'not-affected';
    case 'under_investigation':
      return 'affected';
    case 'affected':
      if (action.includes('decided to not fix')) return 'wont-fix';
      if (action.includes('no longer supported')) return 'end-of-life';
      if (action.includes('deferred')) return 'deferred';
      return 'affected';
    default:
      return undefined;
  }
}

/** Source-package purls of a statement: "pkg:deb/ubuntu/glibc@2.35-0ubuntu3?arch=source&distro=jammy". */
function sourceProducts(statement: Record<string, unknown>): Array<{ name: string; release: string }> {
  const out: Array<{ name: string; release: string }> = [];
  for (const p of Array.isArray(statement.products) ? statement.products : []) {
    const purl = isObject(p) ? str(p['@id']) : undefined;
    if (!purl || !purl.startsWith('pkg:deb/ubuntu/') || !/[?&]arch=source(&|$)/.test(purl)) continue;
    const m = /^pkg:deb\/ubuntu\/([^@?]+)[@?].*[?&]distro=([^&]+)/.exec(purl);
    if (!m) continue;
    const release = ubuntuDistroRelease(decodeURIComponent(m[2]));
    if (release) out.push({ name: decodeURIComponent(m[1]), release });
  }
  return out;
}

/** Applies one OpenVEX document to the advisories the OSV pass produced. */
export function applyUbuntuVex(doc: unknown, file: string, out: AdvisoryCollector, index: AffectedIndex, sink: ImportSink): void {
  if (!isObject(doc) || !Array.isArray(doc.statements)) return sink.warn(file, 'not an OpenVEX document, skipped');
  for (const [i, s] of doc.statements.entries()) {
    if (!isObject(s)) continue;
    const vuln = isObject(s.vulnerability) ? str(s.vulnerability.name) : undefined;
    const id = vuln ? cveOf(vuln) : undefined;
    if (!id) {
      sink.warn(file, `statements[${i}]: no CVE name, skipped`);
      continue;
    }
    const state = vexState(s);
    if (state === undefined) {
      sink.warn(file, `${id} statements[${i}]: unknown status ${JSON.stringify(s.status)}, skipped`);
      continue;
    }
    if (state === null) continue;
    const products = sourceProducts(s);
    if (products.length === 0) continue;
    let adv: Advisory | undefined;
    for (const { name, release } of products) {
      const existing = index.get(id)?.get(key(release, name));
      if (existing) {
        // OSV's fixed versions stand; VEX only names the reason a package stays unfixed.
        if (existing.state === 'affected' && state !== 'fixed') existing.state = state;
        continue;
      }
      // Statements OSV has no entry for: not-affected ones are kept (known negatives); an
      // affected one without OSV's range still says "vulnerable, no fix".
      if (state === 'fixed') continue; // without OSV's version there is nothing to compare with
      adv ??= out.get(id, file);
      if (!adv) return;
      const entry: Affected = {
        ecosystem: 'deb',
        distro: { family: 'ubuntu', release },
        package: name,
        bySource: true,
        ranges: state === 'not-affected' ? [] : [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }] }],
        state,
      };
      out.addAffected(adv, entry);
      let perAdvisory = index.get(id);
      if (!perAdvisory) index.set(id, (perAdvisory = new Map()));
      perAdvisory.set(key(release, name), entry);
    }
  }
}
