// Licences from usr/share/doc/<pkg>/copyright. Three sources of evidence, strongest first:
//  1. "License:" fields (machine-readable DEP-5 files, and many older free-form files that use
//     the same line): the short names, split on "or" / "and" / ",", mapped to SPDX ids when known.
//  2. References to /usr/share/common-licenses/<NAME> (the usual way free-form files name their
//     licence), unless a License: field already named the same licence family: DEP-5 files point
//     there from their licence paragraphs, and "GPL-2+" must not gain a spurious "GPL-2.0-only".
//  3. Only when neither found anything: a few unambiguous licence texts and headers
//     (Apache 2.0, MIT, BSD, ISC, MPL 2.0, zlib, GNU GPL/LGPL with their version).
// Everything else stays as written; nothing is guessed from a name alone.

/** Debian short names (lower-cased) whose SPDX id differs from the name. */
const SPDX_ALIASES: ReadonlyMap<string, string> = new Map([
  ['expat', 'MIT'],
  ['mit', 'MIT'],
  ['apache-2', 'Apache-2.0'],
  ['apache-2.0', 'Apache-2.0'],
  ['apache-1.1', 'Apache-1.1'],
  ['bsd-2-clause', 'BSD-2-Clause'],
  ['bsd-3-clause', 'BSD-3-Clause'],
  ['bsd-4-clause', 'BSD-4-Clause'],
  ['isc', 'ISC'],
  ['zlib', 'Zlib'],
  ['mpl-1.1', 'MPL-1.1'],
  ['mpl-2', 'MPL-2.0'],
  ['mpl-2.0', 'MPL-2.0'],
  // Debian's common-licenses/Artistic is Perl's Artistic License 1.0.
  ['artistic', 'Artistic-1.0-Perl'],
  ['artistic-2.0', 'Artistic-2.0'],
  ['psf-2', 'PSF-2.0'],
  ['cc0', 'CC0-1.0'],
  ['cc0-1.0', 'CC0-1.0'],
  ['bsl-1.0', 'BSL-1.0'],
  ['openssl', 'OpenSSL'],
  ['x11', 'X11'],
  ['curl', 'curl'],
]);

const GNU_VERSIONS: Record<string, Record<string, string>> = {
  GPL: { '1': '1.0', '1.0': '1.0', '2': '2.0', '2.0': '2.0', '3': '3.0', '3.0': '3.0' },
  LGPL: { '2': '2.0', '2.0': '2.0', '2.1': '2.1', '3': '3.0', '3.0': '3.0' },
  AGPL: { '1': '1.0', '1.0': '1.0', '3': '3.0', '3.0': '3.0' },
  GFDL: { '1.1': '1.1', '1.2': '1.2', '1.3': '1.3' },
};

/** One licence name to its SPDX id when we know it; otherwise the name as written. */
export function normalizeLicense(name: string): string {
  const n = name.trim();
  if (/-(only|or-later)$/i.test(n)) return n;
  const gnu = /^(A?GPL|LGPL|GFDL)[-_ ]?v?(\d(?:\.\d)?)(\+|-or-later|\s+or\s+later)?$/i.exec(n);
  if (gnu) {
    const family = gnu[1].toUpperCase();
    const v = GNU_VERSIONS[family]?.[gnu[2]];
    if (v) return `${family}-${v}-${gnu[3] ? 'or-later' : 'only'}`;
  }
  return SPDX_ALIASES.get(n.toLowerCase()) ?? n;
}

/** "GPL-2.0-or-later" -> "GPL-2.0": to tell whether two findings name the same licence. */
function familyOf(spdx: string): string {
  return spdx.replace(/-(only|or-later)$/, '').toLowerCase();
}

/** A DEP-5 short name: one token, optionally "with <X> exception" ("GPL-2+ with OpenSSL exception"). */
const SHORT_NAME = /^[A-Za-z0-9][A-Za-z0-9.+_*-]*(?:\s+with\s+[A-Za-z0-9.+_-]+\s+exception)?$/i;

/**
 * Splits a DEP-5 License value ("GPL-1+ or Artistic, and BSD-4-clause-POWERDOG") into names.
 * Returns undefined when the value is prose ("Permission is hereby granted, free of charge, ..."):
 * free-form files put licence text after "License:", and splitting that on "and" / "," would
 * produce junk names.
 */
function splitLicenseField(value: string): string[] | undefined {
  const out: string[] = [];
  // "The MIT License (MIT)" -> "The MIT License"; parenthesised remarks are not names.
  const v = value.replace(/\([^)]*\)/g, ' ').trim();
  if (v === '') return out;
  for (let part of v.split(/\s*[,;|]\s*|\s+(?:and\/or|or|and)\s+/i)) {
    // "Artistic, and BSD-4-clause": the comma split leaves the conjunction on the next name.
    part = part.trim().replace(/^(?:and\/or|and|or)\s+/i, '').replace(/[.,;:]+$/, '').replace(/^the\s+/i, '').replace(/\s+licen[sc]e$/i, '').trim();
    if (part === '') continue;
    if (/^public[\s-]domain$/i.test(part)) part = 'public-domain';
    if (!SHORT_NAME.test(part)) return undefined;
    out.push(normalizeLicense(part));
  }
  return out;
}

const COMMON_LICENSE_REF = /\/usr\/share\/common-licenses\/([A-Za-z0-9][A-Za-z0-9_.+-]*[A-Za-z0-9+])/g;

/** Step 3: unambiguous texts, in the order they are tried. */
const TEXT_PATTERNS: ReadonlyArray<[RegExp, string | ((text: string) => string)]> = [
  [/Apache License,?\s+Version 2\.0/i, 'Apache-2.0'],
  [/Mozilla Public License,?\s+(?:v\.?\s*|version\s+)2\.0/i, 'MPL-2.0'],
  [/Permission is hereby granted, free of charge, to any person obtaining a copy/i, 'MIT'],
  [/Permission to use, copy, modify, and(?:\/or)? distribute this software for any\s+purpose with or without fee/i, 'ISC'],
  [/This software is provided ['‘]as-is['’], without any express or implied\s+warranty/i, 'Zlib'],
  [
    /Redistribution and use in source and binary forms/i,
    (t) => (/advertising materials/i.test(t) ? 'BSD-4-Clause' : /Neither the name|endorse or promote/i.test(t) ? 'BSD-3-Clause' : 'BSD-2-Clause'),
  ],
  [/GNU (?:Lesser|Library) General Public\s+License/i, (t) => gnuFromText(t, 'LGPL', /GNU (?:Lesser|Library) General Public\s+License/i)],
  [/GNU General Public\s+License/i, (t) => gnuFromText(t, 'GPL', /GNU General Public\s+License/i)],
];

function gnuFromText(text: string, family: 'GPL' | 'LGPL', mention: RegExp): string {
  const at = text.search(mention);
  const near = text.slice(at, at + 300);
  const m = /version\s+(\d(?:\.\d)?)/i.exec(near);
  const v = m ? GNU_VERSIONS[family][m[1]] : undefined;
  if (!v) return family === 'GPL' ? 'GPL' : 'LGPL';
  return `${family}-${v}-${/any later version/i.test(text) ? 'or-later' : 'only'}`;
}

/** Licences named by a licence text (step 3, and prose after "License:"). */
function licensesFromText(raw: string): string[] {
  // Licence texts are wrapped at arbitrary points (and indented in DEP-5 paragraphs).
  const text = raw.replace(/\s+/g, ' ');
  const out: string[] = [];
  for (const [re, id] of TEXT_PATTERNS) {
    if (!re.test(text)) continue;
    const l = typeof id === 'string' ? id : id(text);
    if (!out.includes(l)) out.push(l);
  }
  return out;
}

export function licensesFromCopyright(text: string): string[] {
  const found: string[] = [];
  const add = (l: string) => {
    if (l && !found.includes(l)) found.push(l);
  };
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    if (line.length <= 8 || (line[0] !== 'L' && line[0] !== 'l') || !/^license:/i.test(line)) continue;
    const names = splitLicenseField(line.slice(8).replace(/\r$/, ''));
    if (names) {
      for (const l of names) add(l);
      continue;
    }
    // Prose after "License:": recognise the licence from the paragraph (the line and its
    // indented continuation lines, bounded so a malformed file cannot make this quadratic).
    let end = i + 1;
    while (end < lines.length && end < i + 60 && /^[ \t]/.test(lines[end])) end++;
    for (const l of licensesFromText(lines.slice(i, end).join('\n'))) add(l);
  }
  const families = new Set(found.map(familyOf));
  // A reference to GPL-2 says which licence text applies; "or later" is in the grant, not the name.
  const orLater = /any later version/i.test(text);
  for (const m of text.matchAll(COMMON_LICENSE_REF)) {
    let l = normalizeLicense(m[1]);
    if (orLater && /^(A?GPL|LGPL|GFDL)-[\d.]+-only$/.test(l)) l = l.replace(/-only$/, '-or-later');
    if (!families.has(familyOf(l))) add(l);
  }
  if (found.length === 0) for (const l of licensesFromText(text)) add(l);
  return found;
}
