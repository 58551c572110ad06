// One FriendsOfPHP security advisory (https://github.com/FriendsOfPHP/security-advisories): YAML at
// <vendor>/<package>/<CVE or date>.yaml with `reference: composer://vendor/package` and `branches`,
// each branch a list of Composer constraints that must ALL hold (['>=2.0.0', '<2.0.17']). A branch
// becomes one Composer AND-expression (">=2.0.0,<2.0.17"); a version is affected when it satisfies
// any branch: exactly a CONSTRAINT range with only `affected`.

import type { Advisory, Affected } from '../../../model/advisory.ts';
import { cveId, isoDate, isRec, str, strList, unique } from '../lang-common/values.ts';

/** Composer package names: vendor/package, lower-case letters, digits and . _ - (case kept as written). */
const COMPOSER_NAME = /^[A-Za-z0-9]([_.-]?[A-Za-z0-9]+)*\/[A-Za-z0-9](([_.]|-{1,2})?[A-Za-z0-9]+)*$/;

/** Upper bound of branches read from one advisory (real ones have at most a dozen). */
const MAX_BRANCHES = 1000;

/**
 * A FriendsOfPHP document to an Advisory. `path` is the file's path (its last three components are
 * vendor/package/stem, which identify advisories that have no CVE). Throws when there is no usable
 * package reference or no usable branch; lesser problems go to `warn`.
 */
export function parseFriendsOfPhp(doc: unknown, path: string, warn: (m: string) => void): Advisory {
  if (!isRec(doc)) throw new Error('not a FriendsOfPHP advisory: the document is not a mapping');
  const reference = str(doc.reference);
  if (!reference) throw new Error('not a FriendsOfPHP advisory: no "reference"');
  const m = /^composer:\/\/(.+)$/.exec(reference);
  if (!m) throw new Error(`reference ${JSON.stringify(reference).slice(0, 120)} is not composer://vendor/package`);
  const pkg = m[1]!.trim();
  if (!COMPOSER_NAME.test(pkg)) throw new Error(`reference ${JSON.stringify(reference).slice(0, 120)} does not name a Composer package`);
  if (!isRec(doc.branches)) throw new Error('no "branches" mapping');

  const affectedExprs: string[] = [];
  let fixedAt: string | undefined;
  for (const [name, branch] of Object.entries(doc.branches).slice(0, MAX_BRANCHES)) {
    if (!isRec(branch)) {
      warn(`branch ${JSON.stringify(name)} is not a mapping, skipped`);
      continue;
    }
    const constraints = strList(branch.versions);
    if (constraints.length === 0) {
      warn(`branch ${JSON.stringify(name)} has no versions, skipped`);
      continue;
    }
    affectedExprs.push(constraints.join(','));
    const t = isoDate(branch.time);
    if (t && (!fixedAt || t > fixedAt)) fixedAt = t;
  }
  if (affectedExprs.length === 0) throw new Error('no branch with versions: nothing to match');

  const parts = path.split(/[\\/]/);
  const stem = (parts.at(-1) ?? '').replace(/\.ya?ml$/i, '');
  const cve = cveId(doc.cve) ?? cveId(stem);
  if (doc.cve !== undefined && doc.cve !== null && !cveId(doc.cve)) warn(`cve ${JSON.stringify(doc.cve)} is not a CVE id, ignored`);
  // Without a CVE the advisory's identity is its place in the repository: vendor/package/file.
  const id = cve ?? `${pkg}/${stem}`;

  const affected: Affected = { ecosystem: 'composer', package: pkg, ranges: [{ type: 'CONSTRAINT', affected: unique(affectedExprs) }] };
  const out: Advisory = {
    id,
    source: 'friendsofphp',
    aliases: [],
    severity: [],
    references: strList(doc.link),
    affected: [affected],
  };
  const title = str(doc.title);
  if (title) out.summary = title;
  // The time of the latest fix is the closest thing to a modification date the format has.
  if (fixedAt) out.modified = fixedAt;
  return out;
}
