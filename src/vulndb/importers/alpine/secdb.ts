// Alpine's secdb (https://secdb.alpinelinux.org/v3.x/{main,community}.json, and the older
// alpine-secdb git repository's YAML of the same shape). Wolfi and Chainguard publish the same
// format for their rolling distributions. One document is one release's repository:
//
//   distroversion: v3.10          (absent for rolling distros)
//   packages:
//     - pkg:
//         name: zlib               (the aport = origin/source package)
//         secfixes:
//           1.2.12-r2: [CVE-2022-37434]
//           0: [CVE-2018-…]         (the "0" version: this package was never affected)
//
// Entries may carry several ids and comments: "CVE-2024-22195 GHSA-h5c8-rqwp-cp95",
// "CVE-2017-2616 (+ regression fix)". The first id is the advisory, the others its aliases.

import { parse as parseYaml } from 'yaml';
import type { Affected } from '../../../model/advisory.ts';
import type { ImportSink } from '../../importer.ts';
import { addUnique, VULN_ID, type AdvisoryCollector } from '../os-common/collect.ts';
import { isObject, str } from '../os-common/files.ts';

export interface SecdbOptions {
  /** os-release ID of the distribution: alpine, wolfi, chainguard. */
  family: string;
  /** Release when the document has no distroversion (rolling distributions). */
  defaultRelease?: string;
  /** Advisory page for a vulnerability id (Advisory.references). */
  link?: (id: string) => string;
}

/** Parses secdb text (JSON is YAML, but JSON.parse is much faster on the big current files). */
export function parseSecdbText(text: string, file: string, sink: ImportSink): unknown {
  const trimmed = text.trimStart();
  try {
    if (trimmed.startsWith('{')) return JSON.parse(trimmed);
    // failsafe keeps every scalar a string: version keys like "1.10" must not become the number 1.1.
    return parseYaml(text, { schema: 'failsafe', maxAliasCount: 100, uniqueKeys: false });
  } catch (e) {
    sink.warn(file, `not valid ${trimmed.startsWith('{') ? 'JSON' : 'YAML'}: ${(e as Error).message}`);
    return undefined;
  }
}

/** "v3.10" -> "3.10"; "edge" stays; anything else unusable -> undefined. */
export function alpineRelease(distroversion: string): string | undefined {
  const v = distroversion.trim().replace(/^v/, '');
  if (/^\d+\.\d+$/.test(v) || v === 'edge') return v;
  // Some documents carry a full release ("3.14.2"); secdb releases are major.minor.
  const m = /^(\d+\.\d+)\.\d+/.exec(v);
  return m ? m[1] : undefined;
}

/** Splits one secfixes entry into ids; words that are not ids (comments) are dropped. */
export function entryIds(entry: string): string[] {
  return (
    entry
      .replace(/\([^)]*\)/g, ' ')
      // Hand-written typos seen in aports: "CVE_2019-2426", "CVE 2018-16859".
      .replace(/\bCVE[\s_-]+(\d{4})[\s_-]+(\d{4,})\b/gi, 'CVE-$1-$2')
      .split(/[\s,]+/)
      // Vendor ids written in lower case ("wnpa-sec-2017-18", Wireshark's) are upper-cased.
      .map((t) => (/^[a-z]+(?:-[a-z]+)*-\d{4}-\d+$/.test(t) ? t.toUpperCase() : t.trim()))
      .filter((t) => VULN_ID.test(t))
  );
}

/** Adds every fix in one secdb document to the collector. Returns the number of (id, package) pairs. */
export function collectSecdb(doc: unknown, file: string, opts: SecdbOptions, out: AdvisoryCollector, sink: ImportSink): number {
  if (!isObject(doc)) {
    sink.warn(file, 'not a secdb document (expected an object with "packages")');
    return 0;
  }
  let release = opts.defaultRelease;
  const dv = str(doc.distroversion);
  if (dv !== undefined) {
    release = alpineRelease(dv);
    if (release === undefined) {
      sink.warn(file, `unrecognised distroversion "${dv}", document skipped`);
      return 0;
    }
  }
  if (release === undefined) {
    sink.warn(file, 'no distroversion, document skipped');
    return 0;
  }
  if (!Array.isArray(doc.packages)) {
    // An empty repository is written as "packages:" with nothing (null) or [].
    if (doc.packages !== undefined && doc.packages !== null && doc.packages !== '') sink.warn(file, '"packages" is not a list, document skipped');
    return 0;
  }
  let count = 0;
  for (const [i, item] of doc.packages.entries()) {
    const pkg = isObject(item) && isObject(item.pkg) ? item.pkg : undefined;
    const name = pkg ? str(pkg.name) : undefined;
    if (!pkg || !name) {
      sink.warn(file, `packages[${i}]: no pkg.name, skipped`);
      continue;
    }
    if (pkg.secfixes === undefined || pkg.secfixes === null || pkg.secfixes === '') continue;
    if (!isObject(pkg.secfixes)) {
      sink.warn(file, `${name}: secfixes is not a mapping, skipped`);
      continue;
    }
    for (const [version, ids] of Object.entries(pkg.secfixes)) {
      const fixed = version.trim();
      if (fixed === '' || /\s/.test(fixed)) {
        sink.warn(file, `${name}: unusable fixed version "${version}", skipped`);
        continue;
      }
      const entries = Array.isArray(ids) ? ids : typeof ids === 'string' ? [ids] : ids === null ? [] : undefined;
      if (!entries) {
        sink.warn(file, `${name} ${fixed}: the ids are not a list, skipped`);
        continue;
      }
      for (const entry of entries) {
        const found = typeof entry === 'string' ? entryIds(entry) : [];
        if (found.length === 0) {
          sink.warn(file, `${name} ${fixed}: no vulnerability id in ${JSON.stringify(entry)?.slice(0, 80)}, skipped`);
          continue;
        }
        const [id, ...aliases] = found;
        const adv = out.get(id, file);
        if (!adv) continue;
        addUnique(adv.aliases, ...aliases);
        if (opts.link) addUnique(adv.references, opts.link(id));
        const affected: Affected =
          // "0" is how aports say "never affected here" (the CVE concerns another distro's build,
          // or a component Alpine does not ship): stored as not-affected, never matched.
          fixed === '0'
            ? { ecosystem: 'apk', distro: { family: opts.family, release }, package: name, bySource: true, ranges: [], state: 'not-affected' }
            : {
                ecosystem: 'apk',
                distro: { family: opts.family, release },
                package: name,
                bySource: true,
                ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed }] }],
                state: 'fixed',
              };
        out.addAffected(adv, affected);
        count++;
      }
    }
  }
  return count;
}
