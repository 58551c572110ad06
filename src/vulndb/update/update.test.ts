import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { gzipSync } from 'node:zlib';
import { hasSharedData, REPO_ROOT, sharedData } from '../../../test/shared-data.ts';
import { epssImporter } from '../importers/epss/index.ts';
import { kevImporter } from '../importers/kev/index.ts';
import { nvdImporter } from '../importers/nvd/index.ts';
import { openVulnDB } from '../store.ts';
import { mirrorURL } from './fetch.ts';
import { type Route, startMirror } from './mirror-server.test-helper.ts';
import { updateDatabase, type UpdateOptions } from './update.ts';

const skip = !hasSharedData('advisories/kev') || !hasSharedData('feeds/vunnel/tests/unit/providers/epss') || !hasSharedData('feeds/trivy-db/pkg/vulnsrc/nvd');
const importers = [kevImporter, epssImporter, nvdImporter];
const path = (url: string) => new URL(mirrorURL(url, 'http://m')).pathname;
const KEV_PATH = path(kevImporter.upstream![0]!.url);
const EPSS_PATH = path(epssImporter.upstream![0]!.url);
const NVD_PATH = path(nvdImporter.upstream![0]!.url);

function realRoutes(): Record<string, Route> {
  const tgz = join(mkdtempSync(join(tmpdir(), 'nvd-')), 'vuln-list-nvd.tar.gz');
  // GitHub's archive layout: one top-level directory holding the tree
  execFileSync('tar', ['-czf', tgz, '-C', sharedData('feeds/trivy-db/pkg/vulnsrc/nvd/testdata/happy'), 'vuln-list-nvd']);
  return {
    [KEV_PATH]: { body: readFileSync(sharedData('advisories/kev/known_exploited_vulnerabilities.json')) },
    [EPSS_PATH]: { body: gzipSync(readFileSync(sharedData('feeds/vunnel/tests/unit/providers/epss/test-fixtures/example-1.csv'))) },
    [NVD_PATH]: { body: readFileSync(tgz) },
  };
}

function counts(dbPath: string): Record<string, number> {
  const db = openVulnDB(dbPath);
  try {
    return Object.fromEntries(db.status().sources.map((s) => [s.name, s.advisories + s.kev + s.epss]));
  } finally {
    db.close();
  }
}

test('update from the mirror: download, import, then conditional requests; changes, garbage, retries, size bounds', { skip }, async () => {
  const server = await startMirror(realRoutes());
  const dir = mkdtempSync(join(tmpdir(), 'update-'));
  const dbPath = join(dir, 'vulndb.sqlite');
  const opts: UpdateOptions = { dbPath, cacheDir: dir, mirror: server.url, importers, fetch: { backoffMs: 10, attempts: 3 } };
  try {
    const kevCount = (JSON.parse(readFileSync(sharedData('advisories/kev/known_exploited_vulnerabilities.json'), 'utf8')) as { count: number }).count;

    // 1. Everything is new.
    let r = await updateDatabase(opts);
    assert.deepEqual(r.map((x) => [x.source, x.status]), [['kev', 'updated'], ['epss', 'updated'], ['nvd', 'updated']]);
    assert.deepEqual(counts(dbPath), { epss: 5, kev: kevCount, nvd: 4 });
    assert.equal(readdirSync(dir).filter((n) => n.startsWith('.')).length, 0, 'no temporary files left');
    const db = openVulnDB(dbPath);
    const ups = db.status().upstreams;
    db.close();
    assert.deepEqual(ups.map((u) => [u.source, u.url.startsWith(server.url), Boolean(u.etag && u.lastModified)]), [['epss', true, true], ['kev', true, true], ['nvd', true, true]]);

    // 2. Nothing changed upstream: 304s, and the database file is not rewritten.
    const inode = statSync(dbPath).ino;
    server.requests.length = 0;
    r = await updateDatabase(opts);
    assert.deepEqual(r.map((x) => x.status), ['up-to-date', 'up-to-date', 'up-to-date']);
    assert.ok(server.requests.every((q) => typeof q.headers['if-none-match'] === 'string'));
    assert.ok(server.requests.every((q) => typeof q.headers['if-modified-since'] === 'string'));
    assert.equal(statSync(dbPath).ino, inode);

    // 3. The catalog changes: only KEV is re-imported, the others stay.
    const older = readFileSync(sharedData('feeds/vunnel/tests/unit/providers/kev/test-fixtures/valid-catalog-1.json'));
    server.routes.set(KEV_PATH, { body: older });
    r = await updateDatabase(opts);
    assert.deepEqual(r.map((x) => x.status), ['updated', 'up-to-date', 'up-to-date']);
    const olderCount = (JSON.parse(older.toString()) as { vulnerabilities: unknown[] }).vulnerabilities.length;
    assert.deepEqual(counts(dbPath), { epss: 5, kev: olderCount, nvd: 4 });

    // 4. Garbage served: KEV fails and keeps its data, the database stays usable.
    server.routes.set(KEV_PATH, { body: Buffer.from('<html><body>503 Service Unavailable</body></html>') });
    r = await updateDatabase(opts);
    assert.equal(r[0]!.status, 'failed');
    assert.match((r[0] as { error: string }).error, /not a KEV catalog/);
    assert.deepEqual(counts(dbPath), { epss: 5, kev: olderCount, nvd: 4 });

    // 5. A flaky server: retried with backoff.
    server.routes.set(KEV_PATH, { body: readFileSync(sharedData('advisories/kev/known_exploited_vulnerabilities.json')), behaviour: { kind: 'flaky', n: 2 } });
    r = await updateDatabase({ ...opts, sources: ['kev'] });
    assert.deepEqual(r.map((x) => x.status), ['updated']);
    assert.equal(counts(dbPath).kev, kevCount);

    // 6. Too large: refused, nothing replaced. An unreachable mirror: failed, nothing replaced.
    server.routes.set(KEV_PATH, { body: older });
    r = await updateDatabase({ ...opts, sources: ['kev'], fetch: { maxBytes: 1000, backoffMs: 10 } });
    assert.match((r[0] as { error: string }).error, /exceeds the 1000-byte limit/);
    r = await updateDatabase({ ...opts, sources: ['kev'], mirror: 'http://127.0.0.1:9', fetch: { attempts: 2, backoffMs: 10 } });
    assert.equal(r[0]!.status, 'failed');
    assert.equal(counts(dbPath).kev, kevCount);

    await assert.rejects(updateDatabase({ ...opts, sources: ['nope'] }), /unknown source "nope"/);
  } finally {
    await server.close();
  }
});

test('`triad db update` killed in the middle of a download leaves the database as it was', { skip }, async () => {
  const routes = realRoutes();
  const server = await startMirror(routes);
  const dir = mkdtempSync(join(tmpdir(), 'update-kill-'));
  const dbPath = join(dir, 'vulndb.sqlite');
  try {
    const cli = (args: string[]) => spawn(join(REPO_ROOT, 'bin/triad'), ['db', '--db', dbPath, ...args], { env: { ...process.env, TRIAD_DB_MIRROR: server.url, TRIAD_DB_BACKOFF_MS: '10' }, stdio: ['ignore', 'pipe', 'pipe'] });
    const run = (args: string[]) =>
      new Promise<{ code: number | null; stderr: string }>((resolve) => {
        const child = cli(args);
        let stderr = '';
        child.stderr.on('data', (d) => (stderr += d));
        child.on('close', (code) => resolve({ code, stderr }));
      });
    // A first, complete update of KEV and NVD (the bundled snapshot is not involved: --db is new).
    let r = await run(['update', '--source', 'kev,nvd']);
    assert.equal(r.code, 0, r.stderr);
    const before = counts(dbPath);
    const bytes = readFileSync(dbPath);

    // The new catalog stalls halfway: kill the process while it waits for the rest.
    server.routes.set(KEV_PATH, { body: readFileSync(sharedData('feeds/vunnel/tests/unit/providers/kev/test-fixtures/valid-catalog-1.json')), behaviour: { kind: 'hang' } });
    server.requests.length = 0;
    const child = cli(['update', '--source', 'kev']);
    await new Promise<void>((resolve) => {
      const poll = setInterval(() => {
        if (server.requests.some((q) => q.path === KEV_PATH)) {
          clearInterval(poll);
          resolve();
        }
      }, 20);
    });
    await new Promise((r) => setTimeout(r, 200));
    child.kill('SIGKILL');
    await new Promise((r) => child.on('close', r));
    assert.deepEqual(readFileSync(dbPath), bytes, 'the database file is untouched');
    assert.deepEqual(counts(dbPath), before);
    assert.ok(readdirSync(dir).some((n) => n.startsWith('.update-')), 'the killed run left its work directory');

    // The next run cleans up after the killed one and completes.
    server.routes.set(KEV_PATH, { body: readFileSync(sharedData('feeds/vunnel/tests/unit/providers/kev/test-fixtures/valid-catalog-1.json')) });
    r = await run(['update', '--source', 'kev']);
    assert.equal(r.code, 0, r.stderr);
    assert.ok(!readdirSync(dir).some((n) => n.startsWith('.')), readdirSync(dir).join(' '));
    assert.notDeepEqual(counts(dbPath), before);

    // Garbage makes the command fail with exit 1 and a message naming the source.
    server.routes.set(KEV_PATH, { body: Buffer.from('garbage') });
    r = await run(['update', '--source', 'kev']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /kev: FAILED: .*not a KEV catalog/);
    assert.ok(existsSync(dbPath));
  } finally {
    await server.close();
  }
});
