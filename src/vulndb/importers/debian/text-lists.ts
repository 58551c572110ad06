// The security tracker's text lists (salsa.debian.org/security-tracker-team/security-tracker,
// data/DSA/list, data/DLA/list, data/CVE/list):
//
//   [29 Mar 2023] DSA-5380-1 xorg-server - security update       (DSA/DLA header)
//   CVE-2023-1393 (A flaw was found in xorg-server ...)           (CVE header)
//   	{CVE-2023-1393 CVE-…}                                       (cross references)
//   	[bullseye] - xorg-server 2:1.20.11-1+deb11u6                (fixed in that release)
//   	[lenny] - vlc <not-affected> (Vulnerable code not present)  (a state, with a note)
//   	- xorg-server 2:21.1.7-3 (bug #1033464)                     (CVE list: unstable)
//   	NOTE: …  /  TODO: …  /  RESERVED  /  NOT-FOR-US: …
//
// States: <not-affected> -> not-affected; <unfixed>, <no-dsa> (minor issue, may come with a point
// release), <undetermined> -> affected; <ignored> -> wont-fix; <postponed> -> deferred;
// <end-of-life> -> end-of-life. <removed> (the package left that release) and <itp> (not yet in
// Debian) describe no installable package and are not stored. An urgency in the note
// ("(low; bug #123)", "(unimportant)") becomes the package's severity.

import type { FixState } from '../../../model/advisory.ts';
import type { ImportSink } from '../../importer.ts';
import { addUnique, type AdvisoryCollector } from '../os-common/collect.ts';
import { severityFromWord } from '../os-common/severity.ts';
import { debianRelease } from './codenames.ts';
import { debianAffected, TRACKER_URL } from './json-feed.ts';

const ADVISORY_HEADER = /^\[(\d{1,2}) ([A-Z][a-z]{2}) (\d{4})\] ((?:DSA|DLA)-\d+(?:-\d+)?)\s*(.*)$/;
// "CVE-2024-1234 (description)"; ids not yet assigned are "CVE-2024-XXXX [short description]".
const CVE_HEADER = /^(CVE-\d{4}-(?:\d{4,}|X{4}))\s*(?:[([](.*?)[)\]]?)?\s*$/;
const PACKAGE_LINE = /^(?:\[([a-z][a-z0-9-]*)\]\s+)?-\s+([a-z0-9][a-z0-9+.-]*)(?:\s+(<[a-z-]+>|[^\s(<]+))?\s*(?:\((.*)\))?\s*$/;
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

const STATES: ReadonlyMap<string, FixState | null> = new Map<string, FixState | null>([
  ['<not-affected>', 'not-affected'],
  ['<unfixed>', 'affected'],
  ['<no-dsa>', 'affected'],
  ['<undetermined>', 'affected'],
  ['<ignored>', 'wont-fix'],
  ['<postponed>', 'deferred'],
  ['<end-of-life>', 'end-of-life'],
  ['<removed>', null],
  ['<itp>', null],
]);

/** One list file's text into the collector. Returns the number of advisories seen. */
export function collectTrackerList(text: string, file: string, out: AdvisoryCollector, sink: ImportSink): number {
  let current: ReturnType<AdvisoryCollector['get']>;
  let currentId = '';
  let isCveList = false;
  let count = 0;
  const unknownCodenames = new Set<string>();
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i];
    if (raw.trim() === '') continue;
    if (!/^\s/.test(raw)) {
      // A header starts a record.
      current = undefined;
      const dsa = ADVISORY_HEADER.exec(raw);
      const cve = dsa ? null : CVE_HEADER.exec(raw);
      if (dsa) {
        const [, day, mon, year, id, rest] = dsa;
        currentId = id;
        isCveList = false;
        current = out.get(id, file);
        if (!current) return count;
        count++;
        const m = MONTHS.indexOf(mon);
        if (m >= 0) current.published ??= `${year}-${String(m + 1).padStart(2, '0')}-${day.padStart(2, '0')}`;
        if (rest.trim() !== '') current.summary ??= rest.trim();
        addUnique(current.references, TRACKER_URL + id);
      } else if (cve) {
        currentId = cve[1];
        isCveList = true;
        if (currentId.endsWith('XXXX')) continue; // placeholder for an id not yet assigned
        current = out.get(currentId, file);
        if (!current) return count;
        count++;
        const details = cve[2]?.trim();
        if (details && !current.details) current.details = details;
        addUnique(current.references, TRACKER_URL + currentId);
      } else {
        sink.warn(file, `line ${i + 1}: unrecognised header ${JSON.stringify(raw.slice(0, 80))}, record skipped`);
        currentId = '';
      }
      continue;
    }
    if (!current) continue; // body of a skipped record
    const line = raw.trim();
    if (line.startsWith('{')) {
      const refs = line.replace(/[{}]/g, ' ').split(/\s+/).filter((t) => /^(CVE|DSA|DLA|DTSA)-[0-9A-Z-]+$/.test(t));
      addUnique(current.aliases, ...refs);
      continue;
    }
    if (/^(NOTE|TODO|HELD|NOT-FOR-US|RESERVED|REJECTED)\b/.test(line)) {
      if (line.startsWith('REJECTED')) current.withdrawn ??= 'rejected';
      continue;
    }
    const pkg = PACKAGE_LINE.exec(line);
    if (!pkg) {
      sink.warn(file, `line ${i + 1} (${currentId}): unrecognised line ${JSON.stringify(line.slice(0, 80))}, skipped`);
      continue;
    }
    const [, codename, name, what, note] = pkg;
    // An unqualified "- pkg …" line is about unstable in the CVE list. DSA/DLA lines always name a release.
    if (!codename && !isCveList) {
      sink.warn(file, `line ${i + 1} (${currentId}): package line without a release, skipped`);
      continue;
    }
    let release = codename ? debianRelease(codename) : 'sid';
    if (!release) {
      release = codename;
      if (!unknownCodenames.has(codename)) sink.warn(file, `unknown Debian codename "${codename}", kept as written`);
      unknownCodenames.add(codename);
    }
    const urgency = note?.split(/[;,]/).map((s) => s.trim()).find((s) => severityFromWord(s) !== undefined);
    if (what === undefined) {
      // "- pkg" alone (CVE list, unstable): affected, nothing fixed yet.
      out.addAffected(current, debianAffected(name, release, 'affected', undefined, urgency));
      continue;
    }
    if (what.startsWith('<')) {
      const state = STATES.get(what);
      if (state === undefined) {
        sink.warn(file, `line ${i + 1} (${currentId}): unknown state ${what}, skipped`);
        continue;
      }
      if (state === null) continue;
      out.addAffected(current, debianAffected(name, release, state, undefined, urgency));
      continue;
    }
    out.addAffected(current, debianAffected(name, release, 'fixed', what, urgency));
  }
  return count;
}
