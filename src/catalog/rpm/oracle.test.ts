// The cataloger against the real rpm, on real databases. For every fixture rpm can read (Debian's
// rpm 4.18 has the sqlite and read-only Berkeley DB backends, not NDB), `rpm -qa` must agree exactly
// with what we report: the package list, and per package licence, vendor, source rpm, size, header
// MD5, modularity label, every installed file, every requirement and every capability provided.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { sharedData } from '../../../test/shared-data.ts';
import type { FoundPackage } from '../cataloger.ts';
import { ndbRecords } from './ndb.ts';
import { readRpmDb, type RpmDbData } from './index.ts';
import { bufferSource } from './reader.ts';
import { collect, hasRpm, rpmQuery, writeRpmSqlite } from './testkit.ts';

const LIST_QF = '%{NAME} %{EPOCHNUM}:%{VERSION}-%{RELEASE} %{ARCH}\\n';
const DEEP_QF = '@%{NAME} %{EPOCHNUM}:%{VERSION}-%{RELEASE} %{ARCH}|%{LICENSE}|%{VENDOR}|%{SOURCERPM}|%{LONGSIZE}|%{SIGMD5}|%{MODULARITYLABEL}\\n[F%{FILENAMES}\\n][R%{REQUIRENAME}\\n][P%{PROVIDENAME}\\n]';

function goRpmdbTestdata(): string | undefined {
  try {
    const out = execFileSync('dpkg', ['-L', 'golang-github-knqyf263-go-rpmdb-dev'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
    return out.split('\n').find((l) => l.endsWith('/pkg/testdata'));
  } catch {
    return undefined;
  }
}

interface Fixture {
  name: string;
  file: string;
  /** Image path the database lives at (decides nothing but the location we report). */
  path: string;
  /** File name rpm expects in --dbpath. */
  rpmName: string;
}

const GO = goRpmdbTestdata();
const FIXTURES: Fixture[] = [
  { name: 'cbl-mariner-2.0 (sqlite)', file: sharedData('pkgdb/rpmdb/pkg/testdata/cbl-mariner-2.0/rpmdb.sqlite'), path: 'var/lib/rpm/rpmdb.sqlite', rpmName: 'rpmdb.sqlite' },
  { name: 'libuuid (bdb)', file: sharedData('pkgdb/rpmdb/pkg/testdata/libuuid/Packages'), path: 'var/lib/rpm/Packages', rpmName: 'Packages' },
  ...['centos5-plain', 'centos6-devtools', 'centos6-many', 'centos6-plain', 'centos7-devtools', 'centos7-httpd24', 'centos7-many', 'centos7-plain', 'centos7-python35', 'centos8-modularitylabel'].map(
    (d) => ({ name: `${d} (bdb)`, file: join(GO ?? '/nonexistent', d, 'Packages'), path: 'var/lib/rpm/Packages', rpmName: 'Packages' }),
  ),
];

/** rpm's way of writing what we found, for the list query. */
function listLine(p: FoundPackage): string {
  return `${p.name} ${p.version.includes(':') ? p.version : `0:${p.version}`} ${p.arch ?? '(none)'}`;
}

/** One package as DEEP_QF prints it, rebuilt from our output. */
function deepRecord(p: FoundPackage, extra: RpmDbData['extras'][number]): string {
  const m = p.metadata ?? {};
  const srcVersion = p.source?.version?.replace(/^\d+:/, '');
  const head = [
    listLine(p),
    p.licenses[0] ?? '(none)',
    m.vendor ?? '(none)',
    p.source ? `${p.source.name}-${srcVersion}.src.rpm` : '(none)',
    m.installedSize ?? '(none)',
    typeof m.digest === 'string' ? m.digest.replace(/^md5:/, '') : '(none)',
    m.modularitylabel ?? '(none)',
  ].join('|');
  return [head, ...(p.installedFiles ?? []).map((f) => `F/${f}`), ...extra.requires.map((r) => `R${r}`), ...extra.provides.map((r) => `P${r}`)].join('\n');
}

/** Splits DEEP_QF output into one record per package (gpg-pubkey dropped, as we drop it). */
function rpmRecords(out: string): string[] {
  return out
    .split(/\n(?=@)/)
    .map((r) => r.replace(/^@/, '').replace(/\n$/, ''))
    // rpm lists "/" itself for the filesystem package; we report paths without the leading '/'.
    .map((r) => r.split('\n').filter((l) => l !== 'F/').join('\n'))
    .filter((r) => r && !r.startsWith('gpg-pubkey '));
}

/**
 * Multiset equality with a short report: assert.deepEqual on thousands of long records would spend
 * minutes computing a diff. Shows the first few records only one side has.
 */
function assertSameRecords(ours: string[], theirs: string[], what: string): void {
  const count = (xs: string[]) => xs.reduce((m, x) => m.set(x, (m.get(x) ?? 0) + 1), new Map<string, number>());
  const a = count(ours);
  const b = count(theirs);
  const only = (x: Map<string, number>, y: Map<string, number>) => [...x].filter(([k, n]) => (y.get(k) ?? 0) < n).map(([k]) => k);
  const oursOnly = only(a, b);
  const theirsOnly = only(b, a);
  if (oursOnly.length || theirsOnly.length) {
    const show = (xs: string[]) => xs.slice(0, 3).map((x) => x.slice(0, 2000)).join('\n---\n');
    assert.fail(`${what}: ${oursOnly.length} record(s) only in ours, ${theirsOnly.length} only in rpm's\nours:\n${show(oursOnly)}\nrpm:\n${show(theirsOnly)}`);
  }
  assert.equal(ours.length, theirs.length);
}

async function catalog(file: string, path: string) {
  const r = await readRpmDb(path, bufferSource(readFileSync(file)));
  assert.ok(r.data, `no data for ${path}`);
  return { ...r, data: r.data };
}

for (const fx of FIXTURES) {
  test(`${fx.name}: identical to rpm -qa`, async (t) => {
    if (!existsSync(fx.file)) return t.skip('fixture not present');
    if (!hasRpm()) return t.skip('rpm not installed');
    const ours = await catalog(fx.file, fx.path);
    assert.deepEqual(ours.warnings, []);
    assert.ok(ours.packages.length > 0);
    for (const p of ours.packages) assert.deepEqual(p.locations, [fx.path]);

    const list = rpmQuery(fx.file, fx.rpmName, LIST_QF);
    assert.ok(list, 'rpm could not read the fixture');
    const want = list.split('\n').filter((l) => l && !l.startsWith('gpg-pubkey ')).sort();
    assert.deepEqual(ours.packages.map(listLine).sort(), want);

    const deep = rpmQuery(fx.file, fx.rpmName, DEEP_QF)!;
    assertSameRecords(ours.packages.map((p, i) => deepRecord(p, ours.data.extras[i]!)), rpmRecords(deep), fx.name);
  });
}

const NDB = sharedData('pkgdb/rpmdb/pkg/testdata/sle15-bci/Packages.db');

test('sle15-bci (ndb): matches the rpm -qa list recorded in the SUSE container', async (t) => {
  if (!existsSync(NDB)) return t.skip('fixture not present');
  // Debian's rpm lacks the NDB backend ("available backends: sqlite bdb_ro dummy"), so the oracle
  // here is the listing made by rpm inside the image; see the header of the expected file.
  const expected = readFileSync(new URL('./testdata/sle15-bci.expected.txt', import.meta.url), 'utf8')
    .split('\n')
    .filter((l) => l && !l.startsWith('#'));
  const ours = await catalog(NDB, 'usr/lib/sysimage/rpm/Packages.db');
  assert.deepEqual(ours.warnings, []);
  // Same order too: rpm lists NDB packages in blob order.
  assert.deepEqual(ours.packages.map(listLine), expected);
});

test('sle15-bci (ndb): every header we extract reads the same in rpm', async (t) => {
  if (!existsSync(NDB)) return t.skip('fixture not present');
  if (!hasRpm()) return t.skip('rpm not installed');
  // rpm cannot open NDB, but it can read the very same header blobs from a sqlite database: this
  // checks every field of every NDB package against rpm's own header parser.
  const warnings: string[] = [];
  const blobs = (await collect(ndbRecords(bufferSource(readFileSync(NDB)), warnings))).map((r) => r.blob);
  assert.deepEqual(warnings, []);
  const dir = mkdtempSync(join(tmpdir(), 'triad-rpm-ndb-'));
  try {
    const db = join(dir, 'rpmdb.sqlite');
    writeRpmSqlite(db, blobs);
    const ours = await catalog(NDB, 'usr/lib/sysimage/rpm/Packages.db');
    const deep = rpmQuery(db, 'rpmdb.sqlite', DEEP_QF);
    assert.ok(deep, 'rpm could not read the rebuilt database');
    assert.equal(ours.packages.length, 35);
    assertSameRecords(ours.packages.map((p, i) => deepRecord(p, ours.data.extras[i]!)), rpmRecords(deep), 'sle15-bci');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
