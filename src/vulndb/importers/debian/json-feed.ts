// The Debian security tracker's JSON export (https://security-tracker.debian.org/tracker/data/json):
//
//   { "<source package>": { "CVE-…": { description, scope, debianbug,
//       releases: { "<codename>": { status, repositories: {suite: version}, fixed_version,
//                                   urgency, nodsa, nodsa_reason } } } } }
//
// State mapping (per release):
//   resolved + fixed_version "0"    -> not-affected (the tracker's "<not-affected>")
//   resolved + fixed_version        -> fixed, range [introduced 0, fixed]
//   open + urgency "end-of-life"    -> end-of-life (no security support for the package)
//   open + nodsa_reason "ignored"   -> wont-fix
//   open + nodsa_reason "postponed" -> deferred
//   open / undetermined             -> affected (no fix yet; "<no-dsa>" minor issues included)
// The urgency is the package's severity in that release ("low**": inferred from NVD, same word).

import type { Affected, FixState } from '../../../model/advisory.ts';
import type { ImportSink } from '../../importer.ts';
import { addUnique, type AdvisoryCollector } from '../os-common/collect.ts';
import { isObject, str } from '../os-common/files.ts';
import { severityFromWord } from '../os-common/severity.ts';
import { debianRelease } from './codenames.ts';

export const TRACKER_URL = 'https://security-tracker.debian.org/tracker/';

/** Only vulnerability ids are advisories; the tracker's TEMP-… placeholders are not published ids. */
const TRACKER_ID = /^(CVE-\d{4}-\d{4,}|DSA-\d+(-\d+)?|DLA-\d+(-\d+)?)$/;

export function stateOf(rel: Record<string, unknown>): { state: FixState; fixed?: string } | undefined {
  const status = str(rel.status);
  const fixed = str(rel.fixed_version);
  const urgency = str(rel.urgency)?.toLowerCase();
  const reason = str(rel.nodsa_reason)?.toLowerCase();
  if (status === 'resolved') {
    if (fixed === undefined) return undefined;
    return fixed === '0' ? { state: 'not-affected' } : { state: 'fixed', fixed };
  }
  if (status === 'open' || status === 'undetermined') {
    if (urgency === 'end-of-life') return { state: 'end-of-life' };
    if (reason === 'ignored') return { state: 'wont-fix' };
    if (reason === 'postponed') return { state: 'deferred' };
    return { state: 'affected' };
  }
  return undefined;
}

export function debianAffected(pkg: string, release: string, state: FixState, fixed?: string, urgency?: string): Affected {
  const a: Affected = {
    ecosystem: 'deb',
    distro: { family: 'debian', release },
    package: pkg,
    bySource: true,
    ranges: [],
    state,
  };
  if (state === 'fixed' && fixed) a.ranges = [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed }] }];
  else if (state !== 'not-affected') a.ranges = [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }] }];
  // UNKNOWN ("not yet assigned") is no rating at all: left out so that matching falls back to CVSS.
  const sev = severityFromWord(urgency);
  if (sev && sev !== 'UNKNOWN') a.severity = sev;
  return a;
}

/** Adds one JSON feed document to the collector. */
export function collectDebianJson(doc: unknown, file: string, out: AdvisoryCollector, sink: ImportSink): void {
  if (!isObject(doc)) {
    sink.warn(file, 'not a Debian tracker JSON document (expected an object of source packages)');
    return;
  }
  const unknownCodenames = new Set<string>();
  for (const [pkg, cves] of Object.entries(doc)) {
    if (!isObject(cves)) {
      sink.warn(file, `${pkg}: not an object of vulnerabilities, skipped`);
      continue;
    }
    for (const [id, entry] of Object.entries(cves)) {
      if (!TRACKER_ID.test(id)) continue; // TEMP-0000000-xxxx: tracker-internal, no public id
      if (!isObject(entry)) {
        sink.warn(file, `${pkg} ${id}: not an object, skipped`);
        continue;
      }
      // Perl writes an empty hash as []: a vulnerability with no release information.
      const releases = isObject(entry.releases) ? entry.releases : undefined;
      if (!releases) {
        if (!Array.isArray(entry.releases)) sink.warn(file, `${pkg} ${id}: no "releases" object, skipped`);
        continue;
      }
      const adv = out.get(id, file);
      if (!adv) return;
      if (!adv.details) {
        const d = str(entry.description);
        if (d) adv.details = d;
      }
      addUnique(adv.references, TRACKER_URL + id);
      for (const [codename, rel] of Object.entries(releases)) {
        if (!isObject(rel)) {
          sink.warn(file, `${pkg} ${id} ${codename}: not an object, skipped`);
          continue;
        }
        let release = debianRelease(codename);
        if (!release) {
          release = codename;
          if (!unknownCodenames.has(codename)) sink.warn(file, `unknown Debian codename "${codename}", kept as written`);
          unknownCodenames.add(codename);
        }
        const st = stateOf(rel);
        if (!st) {
          sink.warn(file, `${pkg} ${id} ${codename}: unknown status ${JSON.stringify(rel.status)} / fixed_version ${JSON.stringify(rel.fixed_version)}, skipped`);
          continue;
        }
        out.addAffected(adv, debianAffected(pkg, release, st.state, st.fixed, str(rel.urgency)));
      }
    }
  }
}
