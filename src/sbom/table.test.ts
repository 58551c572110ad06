import assert from 'node:assert/strict';
import { test } from 'node:test';
import { cleanCreatedBy } from './common.ts';
import { humanSize, renderLayerTable, renderPackageTable, renderTable } from './table.ts';
import { debianAppInventory, rootfsInventory } from './tests/fixtures/inventory.ts';

const cps = (s: string) => [...s].length;
const lines = (s: string) => s.trimEnd().split('\n');

test('package table: one aligned row per package, sorted, with layer and licences', () => {
  const inv = debianAppInventory();
  const out = renderPackageTable(inv, { width: Infinity, color: false });
  const ls = lines(out);
  assert.equal(ls.length, inv.packages.length + 4, 'top border, header, separator, rows, bottom border');
  assert.equal(new Set(ls.map(cps)).size, 1, 'every line has the same width');
  assert.match(ls[1]!, /│ Package +│ Version +│ Type +│ Layer │ Licence +│/);
  const login = ls.find((l) => l.includes(' login '))!;
  assert.match(login, /│ login +│ 1:4\.13\+dfsg1-1\+b1 +│ deb +│ +0 │ GPL-2\+, BSD-3-clause +│/);
  assert.match(ls.find((l) => l.includes('jackson-databind'))!, /com\.fasterxml\.jackson\.core:jackson-databind/);
  assert.match(ls.find((l) => l.includes('yaml.v3'))!, /│ +- │/, 'no layer is shown as "-"');
  assert.ok(!out.includes('\u001b['), 'no escape codes without colour');
});

test('tables fit the requested width by truncating the wide columns', () => {
  for (const width of [60, 80, 100]) {
    const out = renderPackageTable(debianAppInventory(), { width, color: false });
    for (const l of lines(out)) assert.ok(cps(l) <= width, `${cps(l)} > ${width}: ${l}`);
    assert.ok(out.includes('…'));
  }
  // Odd names (spaces, brackets, non-ASCII) keep the columns aligned.
  const odd = renderPackageTable(rootfsInventory(), { width: 200, ascii: true, color: false });
  assert.equal(new Set(lines(odd).map(cps)).size, 1);
  assert.ok(odd.includes('| ünïcødé-lib '));
  assert.ok(!/[─│┌]/.test(odd), 'ascii borders only');
});

test('colour only when asked (or on a TTY): bold headers, widths unchanged', () => {
  const plain = renderPackageTable(rootfsInventory(), { color: false, width: 120 });
  const bold = renderPackageTable(rootfsInventory(), { color: true, width: 120 });
  assert.ok(bold.includes('\u001b[1m'));
  assert.equal(bold.replace(/\u001b\[[0-9;]*m/g, ''), plain);
});

test('layer table: cleaned instructions, sizes, added/removed counts', () => {
  const out = renderLayerTable(debianAppInventory(), { width: Infinity, color: false });
  const ls = lines(out);
  assert.equal(ls.length, 5 + 4);
  assert.equal(new Set(ls.map(cps)).size, 1);
  assert.match(ls[3]!, /│ +0 │ ADD file:[0-9a-f]+ in \/ +│ +83 MiB │ +12 │ +0 │/);
  assert.match(ls[4]!, /│ +1 │ RUN apt-get update && apt-get install .* pyyaml +│ +137 MiB │ +9 │ +1 │/);
  assert.match(ls[7]!, /│ +4 │ CMD \["python3" "\/app\/main\.py"\] +│ +0 B │/);
  assert.ok(!out.includes('#(nop)') && !out.includes('/bin/sh -c') && !out.includes('# buildkit'));
  assert.equal(lines(renderLayerTable(rootfsInventory(), { color: false })).length, 4, 'no layers: header only');
});

test('helpers: created_by cleaning, human sizes, control characters', () => {
  assert.equal(cleanCreatedBy('/bin/sh -c #(nop)  ENV PATH=/usr/local/bin:/usr/bin'), 'ENV PATH=/usr/local/bin:/usr/bin');
  assert.equal(cleanCreatedBy('/bin/sh -c set -eux; \\\n\tapt-get update'), 'RUN set -eux; \\ apt-get update');
  assert.equal(cleanCreatedBy('RUN /bin/sh -c make install # buildkit'), 'RUN make install');
  assert.equal(cleanCreatedBy('COPY . /app # buildkit'), 'COPY . /app');
  assert.equal(cleanCreatedBy(undefined), '');
  assert.equal(humanSize(0), '0 B');
  assert.equal(humanSize(1536), '1.5 KiB');
  assert.equal(humanSize(29_123_456), '28 MiB');
  assert.equal(humanSize(undefined), '-');
  const t = renderTable([{ title: 'A' }], [['x\ny\tz']], { color: false, width: 80 });
  assert.ok(t.includes('│ x y z │'));
});
