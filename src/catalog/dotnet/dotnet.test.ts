import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { hasSharedData, sharedData } from '../../../test/shared-data.ts';
import { damagedParses, ids, runCataloger, type TestFile } from '../testing.ts';
import { dotnetCataloger } from './index.ts';
import { parseDepsJson, parsePackagesLock } from './parsers.ts';

const DEPS = 'pkgdb/trivy-lang/pkg/dependency/parser/dotnet/core_deps/testdata';
const LOCK = 'pkgdb/trivy-lang/pkg/dependency/parser/nuget/lock/testdata';
const OSV = 'pkgdb/osv-detector/pkg/lockfile/testdata/nuget';
const REPO = 'expected/trivy-integration/integration/testdata/fixtures/repo';
const GOLDEN = 'expected/trivy-integration/integration/testdata';
const read = (...p: string[]) => readFileSync(sharedData(...p));

test('wants: any *.deps.json and packages.lock.json', () => {
  const w = (path: string) => dotnetCataloger.wants({ path, size: 1, mode: 0o644 });
  for (const p of ['app/MyApp.deps.json', 'usr/share/dotnet/shared/Microsoft.NETCore.App/8.0.0/Microsoft.NETCore.App.deps.json', 'src/packages.lock.json', 'packages.lock.json']) assert.ok(w(p), p);
  for (const p of ['app/MyApp.runtimeconfig.json', 'app/deps.json.bak', 'app/xpackages.lock.json', 'app/MyApp.dll']) assert.equal(w(p), false, p);
});

test('deps.json and packages.lock.json equal Trivy golden results', { skip: !hasSharedData(REPO) }, () => {
  const golden = (f: string) =>
    (JSON.parse(readFileSync(sharedData(GOLDEN, f), 'utf8')).Results[0].Packages as Array<{ Name: string; Version: string; Relationship?: string; Identifier: { PURL: string } }>)
      // Trivy lists the app's own project as the root package; it is not a NuGet package.
      .filter((p) => p.Relationship !== 'root')
      .map((p) => p.Identifier.PURL);
  assert.deepEqual(parseDepsJson('app/datacollector.deps.json', read(REPO, 'dotnet/datacollector.deps.json')).packages.map((p) => p.purl), golden('dotnet.json.golden'));
  const lock = parsePackagesLock('src/packages.lock.json', read(REPO, 'nuget/packages.lock.json')).packages;
  assert.deepEqual(lock.map((p) => p.purl), golden('nuget.json.golden'));
  assert.deepEqual(lock.find((p) => p.name === 'NuGet.Frameworks')!.dependsOnNames, ['Newtonsoft.Json']);
});

test('deps.json: projects skipped, asset-less libraries dropped, runtime packs reported', { skip: !hasSharedData(DEPS) }, () => {
  const d = (f: string) => parseDepsJson(`app/${f}`, read(DEPS, f));
  assert.deepEqual(ids(d('happy.deps.json').packages), ['Newtonsoft.Json@13.0.1']);
  assert.deepEqual(ids(d('multi-project.deps.json').packages), ['Newtonsoft.Json@13.0.3']);
  assert.deepEqual(ids(d('ambiguous-root.deps.json').packages), ['Newtonsoft.Json@13.0.3']);
  // Framework-provided and reference-only packages contribute no files.
  assert.deepEqual(ids(d('without-runtime.deps.json').packages), ['JsonDiffPatch@2.0.61', 'Libuv@1.9.1']);
  // The runtime target names a framework the targets do not have: nothing to filter with.
  assert.deepEqual(ids(d('missing-target.deps.json').packages), ['Newtonsoft.Json@13.0.1']);
  const sc = d('self-contained.deps.json').packages;
  assert.deepEqual(ids(sc), ['Microsoft.AspNetCore.App.Runtime.linux-x64@8.0.0', 'Microsoft.NETCore.App.Runtime.linux-x64@8.0.0', 'Newtonsoft.Json@13.0.1']);
  assert.equal(sc.find((p) => p.name.startsWith('Microsoft.NETCore'))!.purl, 'pkg:nuget/Microsoft.NETCore.App.Runtime.linux-x64@8.0.0');
  assert.deepEqual(d('no-libraries.deps.json'), { packages: [], warnings: [] });
  assert.match(d('invalid.deps.json').warnings[0]!, /invalid JSON/);
  const p = d('happy.deps.json').packages[0]!;
  assert.deepEqual([p.ecosystem, p.locations, p.licenses], ['nuget', ['app/happy.deps.json'], []]);
});

test('packages.lock.json: frameworks merged, projects skipped (Trivy and osv-detector fixtures)', { skip: !hasSharedData(LOCK) }, () => {
  const l = (...p: string[]) => parsePackagesLock('p', read(...p)).packages;
  assert.deepEqual(ids(l(LOCK, 'packages_lock_simple.json')), ['Newtonsoft.Json@12.0.3', 'NuGet.Frameworks@5.7.0']);
  assert.deepEqual(ids(l(LOCK, 'packages_lock_legacy.json')), ['AWSSDK.Core@3.5.1.30', 'Newtonsoft.Json@12.0.3']);
  assert.equal(l(LOCK, 'packages_lock_subdependencies.json').length, 8);
  // 52 entries over several frameworks; one is a Project reference; the rest collapse to 40 releases.
  const multi = l(LOCK, 'packages_lock_multi.json');
  assert.equal(multi.length, 40);
  assert.equal(new Set(ids(multi)).size, 40);
  assert.deepEqual(ids(l(OSV, 'two-frameworks-mixed-packages.v1.json')), ['Test.Core@6.0.5', 'Test.System@0.13.0-beta4', 'Test.System@2.15.0']);
  assert.deepEqual(ids(l(OSV, 'two-frameworks-duplicate-packages.v1.json')), ['Test.Core@6.0.5']);
  assert.deepEqual(l(OSV, 'empty.v1.json'), []);
  assert.match(parsePackagesLock('p', read(OSV, 'not-json.txt')).warnings[0]!, /invalid JSON/);
  assert.deepEqual(parsePackagesLock('p', Buffer.from('[1]')).warnings, ['packages.lock.json is not a JSON object']);
});

test('a lockfile is ignored where a deps.json (build or publish output) lies below it', { skip: !hasSharedData(REPO) }, async () => {
  const deps = read(REPO, 'dotnet/datacollector.deps.json');
  const lock = read(REPO, 'nuget/packages.lock.json');
  const files: TestFile[] = [
    { path: 'src/app/packages.lock.json', data: lock },
    { path: 'src/app/bin/Release/net6.0/datacollector.deps.json', data: deps },
    { path: 'src/other/packages.lock.json', data: lock },
  ];
  const r = await runCataloger(dotnetCataloger, files);
  assert.deepEqual(
    r.packages.map((p) => `${p.locations![0]} ${p.name}@${p.version}`),
    [
      'src/app/bin/Release/net6.0/datacollector.deps.json Newtonsoft.Json@9.0.1',
      'src/other/packages.lock.json Newtonsoft.Json@12.0.3',
      'src/other/packages.lock.json NuGet.Frameworks@5.7.0',
    ],
  );
});

test('damaged deps.json and lockfiles never make parse throw', { skip: !hasSharedData(DEPS) }, async () => {
  const failures = await damagedParses(dotnetCataloger, [
    { path: 'a/x.deps.json', data: read(DEPS, 'self-contained.deps.json') },
    { path: 'a/packages.lock.json', data: read(LOCK, 'packages_lock_multi.json') },
  ]);
  assert.deepEqual(failures, []);
});
