import assert from 'node:assert/strict';
import { test } from 'node:test';
import { classifyLicense, licenseRefs } from './license.ts';

const kind = (s: string) => {
  const c = classifyLicense(s);
  return c.kind === 'id' ? `id:${c.id}` : c.kind === 'expression' ? `expr:${c.expression}` : `name:${c.name}`;
};

test('SPDX ids are recognised case-insensitively and returned in list casing', () => {
  assert.equal(kind('MIT'), 'id:MIT');
  assert.equal(kind('apache-2.0'), 'id:Apache-2.0');
  assert.equal(kind(' BSD-3-Clause '), 'id:BSD-3-Clause');
  // Deprecated list entries are still ids.
  assert.equal(kind('GPL-2.0+'), 'id:GPL-2.0+');
});

test('expressions follow Annex D: operators, precedence, WITH, LicenseRef, "+"', () => {
  assert.equal(kind('MIT OR Apache-2.0'), 'expr:MIT OR Apache-2.0');
  assert.equal(kind('(MIT OR Apache-2.0) AND BSD-3-Clause'), 'expr:(MIT OR Apache-2.0) AND BSD-3-Clause');
  assert.equal(kind('MIT AND Apache-2.0 OR BSD-3-Clause'), 'expr:MIT AND Apache-2.0 OR BSD-3-Clause');
  assert.equal(kind('((MIT))'), 'expr:MIT');
  assert.equal(kind('GPL-2.0-only WITH Classpath-exception-2.0'), 'expr:GPL-2.0-only WITH Classpath-exception-2.0');
  assert.equal(kind('Apache-2.0+'), 'expr:Apache-2.0+');
  assert.equal(kind('mit or apache-2.0'), 'name:mit or apache-2.0', 'operators are case-sensitive');
  assert.equal(kind('LicenseRef-Acme AND MIT'), 'expr:LicenseRef-Acme AND MIT');
  const c = classifyLicense('LicenseRef-A OR (MIT AND LicenseRef-B)');
  assert.equal(c.kind, 'expression');
  if (c.kind === 'expression') assert.deepEqual([...licenseRefs(c.node)].sort(), ['LicenseRef-A', 'LicenseRef-B']);
});

test('free text and near-misses stay names', () => {
  for (const s of ['GPL-2+', 'GPL-1+ or Artistic', 'Expat', 'public-domain', 'ASL 2.0', 'LGPLv2+ and GPLv2+', 'The Apache Software License, Version 2.0', 'MIT OR', '(MIT', 'MIT)', 'MIT WITH Apache-2.0 WITH', 'DocumentRef-x:LicenseRef-y', 'MIT/X11'])
    assert.equal(classifyLicense(s).kind, 'name', s);
});
