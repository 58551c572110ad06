// `triad db` as users run it: first use seeds the cache from the bundled snapshot, import detects
// formats, status reports, errors name their input.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import type { DBStatus } from '../vulndb/store.ts';
import { SNAPSHOT_FILE } from '../vulndb/location.ts';
import { hasSharedData, REPO_ROOT, sharedData } from '../../test/shared-data.ts';

function triad(env: Record<string, string>, ...args: string[]) {
  const r = spawnSync(join(REPO_ROOT, 'bin/triad'), args, { encoding: 'utf8', env: { ...process.env, TRIAD_DB: '', ...env }, maxBuffer: 64 << 20 });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

test('first use seeds $XDG_CACHE_HOME/triad/vulndb.sqlite from the bundled snapshot', { skip: !existsSync(SNAPSHOT_FILE) }, () => {
  const cache = mkdtempSync(join(tmpdir(), 'xdg-'));
  const r = triad({ XDG_CACHE_HOME: cache, HOME: '/nonexistent' }, 'db', 'status', '--format', 'json');
  assert.equal(r.code, 0, r.err);
  const s = JSON.parse(r.out) as DBStatus;
  assert.equal(s.path, join(cache, 'triad', 'vulndb.sqlite'));
  assert.ok(existsSync(s.path));
  const kev = s.sources.find((x) => x.name === 'kev');
  assert.ok(kev && kev.kev > 1000, 'the snapshot carries the KEV catalog');
  assert.ok(s.sources.every((x) => x.attribution.length > 0), 'every bundled source names where its data came from');
  const table = triad({ XDG_CACHE_HOME: cache }, 'db', 'status');
  assert.equal(table.code, 0);
  assert.match(table.out, /SOURCE\s+ADVISORIES/);
  assert.match(table.out, /Data from:/);
});

test('db import detects formats into --db; unusable paths exit 2 naming them', { skip: !hasSharedData('feeds/trivy-db/pkg/vulnsrc/nvd') }, () => {
  const dbPath = join(mkdtempSync(join(tmpdir(), 'dbimport-')), 'x.sqlite');
  const nvd = sharedData('feeds/trivy-db/pkg/vulnsrc/nvd/testdata/happy/vuln-list-nvd');
  let r = triad({}, 'db', '--db', dbPath, 'import', nvd, sharedData('advisories/kev/known_exploited_vulnerabilities.json'));
  assert.equal(r.code, 0, r.err);
  assert.match(r.err, /nvd: 4 advisories/);
  r = triad({}, 'db', '--db', dbPath, 'status', '--format', 'json');
  const s = JSON.parse(r.out) as DBStatus;
  assert.deepEqual(s.sources.map((x) => x.name), ['kev', 'nvd']);
  assert.deepEqual(s.sources.find((x) => x.name === 'nvd')!.origin, [nvd]);

  r = triad({}, 'db', '--db', dbPath, 'import', '/nonexistent/feed');
  assert.equal(r.code, 2);
  assert.match(r.err, /^triad: \/nonexistent\/feed: no such file or directory/);
  r = triad({}, 'db', '--db', dbPath, 'import', join(REPO_ROOT, 'package.json'));
  assert.equal(r.code, 2);
  assert.match(r.err, /package\.json: no importer recognises this format/);
  r = triad({}, 'db', '--db', dbPath, 'import', '--source', 'nvd', sharedData('feeds/trivy-db/pkg/vulnsrc/nvd/testdata/sad/vuln-list-nvd/api/CVE-2020-0001.json'));
  assert.equal(r.code, 1, 'a source that fails exits 1');
  assert.match(r.err, /nvd: FAILED: .*CVE-2020-0001\.json: not NVD CVE JSON/);
  r = triad({}, 'db', '--db', dbPath, 'status', '--format', 'json');
  assert.equal((JSON.parse(r.out) as DBStatus).sources.find((x) => x.name === 'nvd')!.advisories, 4, 'the failed import kept the old records');
});
