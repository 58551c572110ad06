import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { hasSharedData, sharedData } from '../../../test/shared-data.ts';
import { licensesFromCopyright, normalizeLicense } from './copyright.ts';

const TRIVY_DPKG = 'pkgdb/trivy-os/pkg/fanal/analyzer/pkg/dpkg/testdata';

test("Trivy's copyright fixtures", (t) => {
  if (!hasSharedData(TRIVY_DPKG)) return t.skip('shared data absent');
  const lic = (f: string) => licensesFromCopyright(readFileSync(sharedData(TRIVY_DPKG, f), 'utf8'));
  // DEP-5 (zlib): "GPL-1+ or Artistic, and BSD-4-clause-POWERDOG", "Zlib,", standalone licence paragraphs.
  assert.deepEqual(lic('license-pattern-and-classifier-copyright'), ['GPL-1.0-or-later', 'Artistic-1.0-Perl', 'BSD-4-clause-POWERDOG', 'Zlib']);
  // Free-form (adduser): only a common-licenses reference; the grant says "any later version".
  assert.deepEqual(lic('common-license-copyright'), ['GPL-2.0-or-later']);
  // Free-form with "License: GPLv2+" and a reference to GPL-2: one licence, not two.
  assert.deepEqual(lic('all-patterns-copyright'), ['GPL-2.0-or-later']);
  // tzdata: "public domain" in prose is not a licence field.
  assert.deepEqual(lic('no-license-copyright'), []);
});

test('normalisation of Debian short names', () => {
  const cases: Array<[string, string]> = [
    ['GPL-2', 'GPL-2.0-only'],
    ['GPL-2+', 'GPL-2.0-or-later'],
    ['GPLv2+', 'GPL-2.0-or-later'],
    ['GPL-3.0+', 'GPL-3.0-or-later'],
    ['LGPL-2.1+', 'LGPL-2.1-or-later'],
    ['LGPL-2', 'LGPL-2.0-only'],
    ['AGPL-3', 'AGPL-3.0-only'],
    ['GFDL-1.3+', 'GFDL-1.3-or-later'],
    ['Expat', 'MIT'],
    ['BSD-3-clause', 'BSD-3-Clause'],
    ['Apache-2', 'Apache-2.0'],
    ['GPL-2.0-or-later', 'GPL-2.0-or-later'],
    ['GPL-4', 'GPL-4'], // not a GPL version: as written
    ['BSD-4-clause-POWERDOG', 'BSD-4-clause-POWERDOG'],
  ];
  for (const [i, o] of cases) assert.equal(normalizeLicense(i), o, i);
});

test('License: fields, prose and plain licence texts', () => {
  assert.deepEqual(licensesFromCopyright('License: BSD-3-clause or GPL-2+\nLicense: GPL-2+ with OpenSSL exception\n'), ['BSD-3-Clause', 'GPL-2.0-or-later', 'GPL-2+ with OpenSSL exception']);
  // Prose after License: is recognised as a text, never split into fake names.
  assert.deepEqual(licensesFromCopyright('Files: *\nLicense: Permission is hereby granted, free of charge, to any person obtaining\n a copy of this software\n'), ['MIT']);
  assert.deepEqual(licensesFromCopyright('License: Redistribution and use in source and binary forms, with or without\n modification, are permitted. Neither the name of the author\n'), ['BSD-3-Clause']);
  // No License field and no reference: a few unambiguous texts.
  assert.deepEqual(licensesFromCopyright('Licensed under the Apache License, Version 2.0 (the "License");\n'), ['Apache-2.0']);
  assert.deepEqual(licensesFromCopyright('under the terms of the GNU General Public License as published by the Free\nSoftware Foundation; either version 3 of the License, or (at your option) any later version.\n'), ['GPL-3.0-or-later']);
  assert.deepEqual(licensesFromCopyright('\r\nLicense: MIT\r\n'), ['MIT']);
  assert.deepEqual(licensesFromCopyright(''), []);
  assert.deepEqual(licensesFromCopyright('License:\nLicense: \n'), []);
});

test('this host: every copyright file parses, names stay short', (t) => {
  if (!existsSync('/usr/share/doc')) return t.skip('no /usr/share/doc');
  let withLicence = 0;
  let total = 0;
  for (const d of readdirSync('/usr/share/doc')) {
    let text: string;
    try {
      text = readFileSync(`/usr/share/doc/${d}/copyright`, 'utf8');
    } catch {
      continue;
    }
    total++;
    const l = licensesFromCopyright(text);
    if (l.length) withLicence++;
    for (const name of l) assert.ok(name.length <= 64 && !/^(and|or|with|without)\b/i.test(name), `${d}: ${name}`);
  }
  if (total < 20) return;
  // Debian's copyright files nearly all name a licence one of the three ways.
  assert.ok(withLicence / total > 0.9, `${withLicence}/${total}`);
});
