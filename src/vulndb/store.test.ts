import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { test } from 'node:test';
import type { Advisory } from '../model/advisory.ts';
import { hasSharedData, sharedData } from '../../test/shared-data.ts';
import { importPaths } from './import.ts';
import { kevImporter } from './importers/kev/index.ts';
import { nvdImporter } from './importers/nvd/index.ts';
import { rebuildDatabase } from './rebuild.ts';
import { SCHEMA_VERSION, VulnDBError } from './schema.ts';
import { openVulnDB } from './store.ts';

const tmp = () => mkdtempSync(join(tmpdir(), 'vulndb-'));
const NVD_DIR = sharedData('feeds/trivy-db/pkg/vulnsrc/nvd/testdata/happy/vuln-list-nvd');
const KEV = sharedData('advisories/kev');
const haveData = hasSharedData('advisories/kev') && hasSharedData('feeds/trivy-db/pkg/vulnsrc/nvd');

/** A language advisory as an OSV importer emits it (GHSA-jfh8-c2jp-5v3q is Log4Shell). */
function log4shell(overrides: Partial<Advisory> = {}): Advisory {
  return {
    id: 'GHSA-jfh8-c2jp-5v3q',
    source: 'ghsa',
    aliases: ['CVE-2021-44228'],
    summary: 'Remote code injection in Log4j',
    details: 'long text',
    severity: [{ type: 'CVSS_V3', vector: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H' }],
    references: ['https://logging.apache.org/log4j/2.x/security.html'],
    affected: [
      {
        ecosystem: 'maven',
        package: 'org.apache.logging.log4j:log4j-core',
        ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '2.0-beta9' }, { fixed: '2.15.0' }] }],
      },
    ],
    ...overrides,
  };
}

test('lookups, enrichment by CVE alias and status over real KEV and NVD data', { skip: !haveData }, async () => {
  const path = join(tmp(), 'db.sqlite');
  await rebuildDatabase(path, async (w) => {
    await importPaths(w, [KEV, NVD_DIR], { importers: [kevImporter, nvdImporter] });
    await w.replaceSource({ name: 'ghsa-test', origin: ['hand-written'] }, async (sink) => {
      sink.advisory(log4shell());
      sink.advisory({ ...log4shell(), id: 'PYSEC-X', aliases: [], affected: [{ ecosystem: 'pypi', package: 'Zope.Interface', ranges: [] }] });
      sink.advisory({
        ...log4shell(),
        id: 'DEB-1',
        source: 'debian',
        affected: [
          { ecosystem: 'deb', distro: { family: 'debian', release: '12' }, package: 'apache-log4j2', bySource: true, ranges: [], state: 'fixed' },
          { ecosystem: 'deb', distro: { family: 'debian', release: '11' }, package: 'apache-log4j2', bySource: true, ranges: [], state: 'affected' },
        ],
      });
      sink.advisory({ ...log4shell(), id: 'GONE', withdrawn: '2022-01-01T00:00:00Z' });
    });
  });
  const db = openVulnDB(path);
  try {
    const hits = db.affectedFor('maven', 'org.apache.logging.log4j/log4j-core');
    assert.deepEqual(hits.map((h) => h.id), ['GHSA-jfh8-c2jp-5v3q'], 'withdrawn advisories are never matched');
    assert.equal(hits[0]!.affected.package, 'org.apache.logging.log4j:log4j-core');
    assert.deepEqual(db.affectedFor('pypi', 'zope_interface').map((h) => h.affected.package), ['Zope.Interface']);
    assert.deepEqual(db.affectedFor('deb', 'apache-log4j2', { family: 'debian', release: '11' }).map((h) => h.affected.state), ['affected']);
    assert.deepEqual(db.affectedFor('deb', 'apache-log4j2'), [], 'OS rows need their release');
    assert.deepEqual(db.affectedFor('maven', 'nothing:here'), []);

    const a = db.advisory('GHSA-jfh8-c2jp-5v3q', 'ghsa')!;
    assert.equal(a.details, 'long text');
    assert.equal(a.severity[0]!.score, 10, 'vectors without a score are scored on import');
    assert.equal(a.severity[0]!.rating, 'CRITICAL');
    assert.equal(a.affected.length, 1);
    assert.equal(db.advisory('GHSA-jfh8-c2jp-5v3q', 'nvd'), undefined);
    assert.deepEqual(db.advisoriesWithAlias('CVE-2021-44228').map((x) => x.id).sort(), ['DEB-1', 'GHSA-jfh8-c2jp-5v3q', 'GONE']);

    // CISA lists Log4Shell; NVD data here has CVE-2024-5732
    const e = db.enrichment(['GHSA-jfh8-c2jp-5v3q', ...a.aliases]);
    assert.equal(e.kev?.cve, 'CVE-2021-44228');
    assert.equal(e.kev?.dateAdded, '2021-12-10');
    assert.deepEqual(db.enrichment(['CVE-2024-5732']).nvdSeverity.map((s) => s.type), ['CVSS_V4', 'CVSS_V3', 'CVSS_V3', 'CVSS_V2']);
    assert.deepEqual(db.enrichment(['CVE-1900-0001']), { nvdSeverity: [] });

    const s = db.status();
    assert.equal(s.schemaVersion, SCHEMA_VERSION);
    const kev = s.sources.find((x) => x.name === 'kev')!;
    const catalog = JSON.parse(readFileSync(join(KEV, 'known_exploited_vulnerabilities.json'), 'utf8')) as { count: number };
    assert.equal(kev.kev, catalog.count);
    assert.match(kev.dataDate!, /^\d{4}-\d{2}-\d{2}$/);
    assert.equal(s.sources.find((x) => x.name === 'nvd')!.advisories, 4);
  } finally {
    db.close();
  }
});

test('re-importing a source replaces it; a failing import keeps the previous records', async () => {
  const path = join(tmp(), 'db.sqlite');
  await rebuildDatabase(path, (w) => w.replaceSource({ name: 's', origin: [] }, async (sink) => sink.advisory(log4shell())));
  await rebuildDatabase(path, async (w) => {
    await assert.rejects(
      w.replaceSource({ name: 's', origin: [] }, async (sink) => {
        sink.advisory({ ...log4shell(), id: 'NEW' });
        throw new Error('input unusable');
      }),
      /input unusable/,
    );
    await assert.rejects(w.replaceSource({ name: 's', origin: [] }, async () => {}, { requireRecords: true }), /holds no records/);
  });
  let db = openVulnDB(path);
  assert.deepEqual(db.affectedFor('maven', 'org.apache.logging.log4j:log4j-core').map((h) => h.id), ['GHSA-jfh8-c2jp-5v3q']);
  db.close();
  await rebuildDatabase(path, (w) => w.replaceSource({ name: 's', origin: [] }, async (sink) => sink.advisory({ ...log4shell(), id: 'NEW' })));
  db = openVulnDB(path);
  assert.deepEqual(db.affectedFor('maven', 'org.apache.logging.log4j:log4j-core').map((h) => h.id), ['NEW']);
  assert.deepEqual(db.advisoriesWithAlias('CVE-2021-44228').map((h) => h.id), ['NEW'], 'aliases of replaced advisories are gone');
  db.close();
});

test('one advisory published twice (per release) is merged; bad records are counted warnings', async () => {
  const path = join(tmp(), 'db.sqlite');
  const counts = await rebuildDatabase(path, (w) =>
    w.replaceSource({ name: 'distro', origin: [] }, async (sink) => {
      const deb = (release: string, aliases: string[]): Advisory => ({
        id: 'CVE-2021-44228',
        source: 'debian',
        aliases,
        severity: [],
        references: [`https://security-tracker.debian.org/${release}`],
        affected: [{ ecosystem: 'deb', distro: { family: 'debian', release }, package: 'apache-log4j2', ranges: [], state: 'affected' }],
      });
      sink.advisory(deb('11', []));
      sink.advisory(deb('12', ['DSA-5020-1']));
      sink.advisory({ id: 'X', source: 'debian' } as unknown as Advisory);
      sink.advisory({ ...deb('12', []), id: 'Y', affected: [{ ecosystem: 'deb', package: '', ranges: [] } as never] });
      sink.kev({ cve: 'not-a-cve', dateAdded: '2020-01-01' });
      sink.epss({ cve: 'CVE-2020-0001', score: 7, percentile: 0.5 });
    }),
  );
  assert.equal(counts.advisories, 2);
  assert.equal(counts.affected, 2);
  assert.equal(counts.warnings, 4);
  const db = openVulnDB(path);
  const a = db.advisory('CVE-2021-44228', 'debian')!;
  assert.equal(a.affected.length, 2);
  assert.deepEqual(a.aliases, ['DSA-5020-1']);
  assert.equal(a.references.length, 2);
  assert.equal(db.status().sources[0]!.warningSamples.length, 4);
  db.close();
});

test('missing files, foreign files and other schema versions are clear errors', () => {
  const dir = tmp();
  assert.throws(() => openVulnDB(join(dir, 'none.sqlite')), (e: Error) => e instanceof VulnDBError && /none\.sqlite: no vulnerability database/.test(e.message));
  writeFileSync(join(dir, 'garbage.sqlite'), 'this is not sqlite at all'.repeat(100));
  assert.throws(() => openVulnDB(join(dir, 'garbage.sqlite')), /garbage\.sqlite: not a usable vulnerability database/);
  const other = new DatabaseSync(join(dir, 'other.sqlite'));
  other.exec('CREATE TABLE t (x); PRAGMA user_version = 99');
  other.close();
  assert.throws(() => openVulnDB(join(dir, 'other.sqlite')), /schema version 99, this Triad reads version 1/);
  const plain = new DatabaseSync(join(dir, 'plain.sqlite'));
  plain.exec('CREATE TABLE t (x)');
  plain.close();
  assert.throws(() => openVulnDB(join(dir, 'plain.sqlite')), /not a Triad vulnerability database/);
});
