// One RustSec advisory (https://github.com/rustsec/advisory-db): Markdown whose first block is a
// ```toml fence holding [advisory], [versions] and [affected]; the Markdown's first "# " heading is
// the title and the rest the description (older advisories kept both in the TOML). Versions are
// Cargo requirement expressions: `patched` and `unaffected` together are the versions NOT affected,
// which is exactly a CONSTRAINT range with only `unaffected` (empty lists: every version affected).

import type { Advisory, Affected, VersionRange } from '../../../model/advisory.ts';
import { parseToml } from '../../../catalog/python/toml.ts';
import { vectorScore } from '../lang-common/severity.ts';
import { isoDate, isRec, orderAliases, str, strList, unique } from '../lang-common/values.ts';

/** Front matter: a ```toml fence at the very start of the file (after an optional BOM/blank lines). */
const FENCE = /^\uFEFF?\s*```toml[ \t]*\r?\n([\s\S]*?)\r?\n```[ \t]*(?:\r?\n|$)/;

/** Whether a file's start looks like a RustSec advisory (for detect()). */
export function looksLikeRustsec(head: string): boolean {
  return /^\uFEFF?\s*```toml[ \t]*\r?\n\[advisory\]/.test(head);
}

/** Splits the Markdown after the front matter into its first "# " heading and the rest. */
function titleAndBody(markdown: string): { title?: string; body?: string } {
  const m = /^[ \t]*#[ \t]+(.+?)[ \t#]*$/m.exec(markdown);
  if (!m) return { body: str(markdown) };
  const before = markdown.slice(0, m.index);
  const after = markdown.slice(m.index + m[0].length);
  return { title: str(m[1]), body: str(`${before}\n${after}`) };
}

export interface RustsecOptions {
  /** The advisory concerns the Rust toolchain itself (advisory-db's rust/ tree: std, cargo, rustdoc). */
  toolchain: boolean;
}

/**
 * A RustSec advisory file's text to an Advisory. Throws (the caller turns it into a warning naming
 * the file) when the front matter is missing or not TOML, or when the id or package is missing;
 * lesser problems (an unreadable CVSS vector) go to `warn` and the advisory is kept.
 */
export function parseRustsec(text: string, opts: RustsecOptions, warn: (message: string) => void): Advisory {
  let tomlText: string;
  let markdown = '';
  const fence = FENCE.exec(text);
  if (fence) {
    tomlText = fence[1]!;
    markdown = text.slice(fence[0].length);
  } else if (/^\s*\[advisory\]/.test(text)) {
    tomlText = text; // the pre-2021 layout: a bare .toml file
  } else {
    throw new Error('no ```toml front matter');
  }
  let doc: Record<string, unknown>;
  try {
    doc = parseToml(tomlText);
  } catch (e) {
    throw new Error(`front matter is not valid TOML: ${(e as Error).message}`);
  }
  const adv = doc.advisory;
  if (!isRec(adv)) throw new Error('no [advisory] table');
  const id = str(adv.id);
  const pkg = str(adv.package);
  if (!id) throw new Error('[advisory] without an id');
  if (!pkg) throw new Error(`${id}: [advisory] without a package`);

  const versions = isRec(doc.versions) ? doc.versions : {};
  const notAffected = unique([...strList(versions.patched), ...strList(versions.unaffected)]);
  const range: VersionRange = notAffected.length > 0 ? { type: 'CONSTRAINT', unaffected: notAffected } : { type: 'CONSTRAINT' };
  const affected: Affected = { ecosystem: 'cargo', package: pkg, ranges: [range] };
  if (opts.toolchain) affected.runtime = 'rust';

  const { title, body } = titleAndBody(markdown);
  const out: Advisory = {
    id,
    source: 'rustsec',
    aliases: orderAliases(id, strList(adv.aliases)),
    severity: [],
    references: unique([...strList(adv.url), ...strList(adv.references)]),
    affected: [affected],
  };
  const summary = str(adv.title) ?? title;
  if (summary) out.summary = summary;
  const details = str(adv.description) ?? body;
  if (details) out.details = details;
  const published = isoDate(adv.date);
  if (published) out.published = published;
  const withdrawn = str(adv.withdrawn);
  if (withdrawn) out.withdrawn = isoDate(withdrawn) ?? withdrawn;
  const cvss = str(adv.cvss);
  if (cvss) {
    const s = vectorScore(cvss, 'rustsec');
    if (s) out.severity.push(s);
    else warn(`${id}: cvss ${JSON.stringify(cvss).slice(0, 120)} is not a CVSS vector, ignored`);
  }
  const informational = str(adv.informational);
  if (informational) out.informational = informational;
  const related = unique(strList(adv.related)).filter((r) => r !== id);
  if (related.length > 0) out.related = related;
  return out;
}
