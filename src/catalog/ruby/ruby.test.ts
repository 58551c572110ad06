import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { hasSharedData, sharedData } from '../../../test/shared-data.ts';
import { damagedParses, ids, imageFiles, runCataloger, treeFiles, type TestFile } from '../testing.ts';
import { parseGemfileLock } from './gemfile-lock.ts';
import { parseGemspec, rubyStrings } from './gemspec.ts';
import { rubyCataloger } from './index.ts';

const HERE = dirname(fileURLToPath(import.meta.url));
const SPECS = 'pkgdb/trivy-lang/pkg/dependency/parser/ruby/gemspec/testdata';
const LOCKS = 'pkgdb/trivy-lang/pkg/dependency/parser/ruby/bundler/testdata';
const OSV = 'pkgdb/osv-detector/pkg/lockfile/testdata/bundler';
const E2E = 'pkgdb/osv-detector/testdata/locks-e2e';
const read = (...p: string[]) => readFileSync(sharedData(...p));

function ruby(args: string[], env: Record<string, string> = {}): string | undefined {
  try {
    return execFileSync('ruby', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], env: { ...process.env, ...env } });
  } catch {
    return undefined;
  }
}

test('wants: installed specifications and application lockfiles only', () => {
  const w = (path: string) => rubyCataloger.wants({ path, size: 1, mode: 0o644 });
  for (const p of [
    'usr/local/bundle/specifications/rack-2.2.3.gemspec',
    'usr/lib/ruby/gems/3.1.0/specifications/default/json-2.6.1.gemspec',
    'usr/share/rubygems-integration/all/specifications/rake-13.0.6.gemspec',
    'app/Gemfile.lock',
    'Gemfile.lock',
    'srv/gems.locked',
  ]) {
    assert.ok(w(p), p);
  }
  for (const p of ['app/foo.gemspec', 'usr/local/bundle/gems/rack-2.2.3/rack.gemspec', 'usr/local/bundle/gems/rack-2.2.3/Gemfile.lock', 'app/vendor/bundle/ruby/3.1.0/gems/x/Gemfile.lock', 'app/Gemfile']) {
    assert.equal(w(p), false, p);
  }
});

test('Trivy gemspec testdata: names, versions, licences, runtime dependencies', { skip: !hasSharedData(SPECS) }, () => {
  const g = (f: string) => parseGemspec(`x/specifications/${f}`, read(SPECS, f).toString('utf8'));
  const p = (f: string) => {
    const r = g(f).pkg!;
    return [r.name, r.version, r.licenses, r.dependsOnNames ?? []];
  };
  assert.deepEqual(p('normal00.gemspec'), ['rake', '13.0.3', ['MIT'], []]);
  assert.deepEqual(p('license.gemspec'), ['async', '1.25.0', ['MIT'], []]);
  assert.deepEqual(p('normal01.gemspec'), ['async', '1.25.0', ['MIT'], []]);
  // The old `if respond_to? ... else add_dependency(...)` block lists dev dependencies twice.
  assert.deepEqual(p('multiple_licenses.gemspec'), ['test-unit', '3.3.7', ['Ruby', 'BSDL', 'PSFL'], ['power_assert']]);
  // Assignments to a receiver other than the block variable are not this specification's.
  assert.match(g('malformed00.gemspec').warning!, /name/);
  assert.match(g('malformed01.gemspec').warning!, /version/);
  assert.equal(g('malformed01.gemspec').pkg, undefined);
});

test('legacy %q{} literals, %w arrays, single license and platform', () => {
  const text = [
    'Gem::Specification.new do |s|',
    '  s.name = %q{warbler}',
    '  s.version = %q{1.0}',
    '  s.platform = %q{java}',
    '  s.license = %q{MIT}',
    '  s.add_dependency(%q<rake>, [">= 0.8.7"])',
    'end',
  ].join('\n');
  const p = parseGemspec('x/specifications/warbler-1.0-java.gemspec', text).pkg!;
  assert.deepEqual([p.name, p.version, p.licenses, p.dependsOnNames, p.metadata], ['warbler', '1.0', ['MIT'], ['rake'], { platform: 'java' }]);
  assert.equal(p.purl, 'pkg:gem/warbler@1.0');
  assert.deepEqual(rubyStrings('%w[MIT Ruby]'), ['MIT', 'Ruby']);
  assert.deepEqual(rubyStrings(`["a".freeze, 'b\\'c', "d"]`), ['a', "b'c", 'd']);
  assert.equal(parseGemspec('x', '\u0000\u0001 not ruby').pkg, undefined);
});

test('real installed gems (Debian 12 ruby, ruby-rack, ruby-nokogiri) as committed fixtures', async () => {
  const r = await runCataloger(rubyCataloger, treeFiles(rubyCataloger, join(HERE, 'testdata/image'), ''));
  const got = r.packages.map((p) => `${p.name}@${p.version} ${p.licenses.join('|')} ${(p.dependsOnNames ?? []).join(',')}`);
  assert.deepEqual(got, [
    'bundler@2.3.27 MIT ',
    'json@2.6.1 Ruby ',
    'rake@13.0.6 MIT ',
    'test-unit@3.5.3 Ruby|BSDL|PSFL power_assert',
    'nokogiri@1.13.10 MIT mini_portile2,racc',
    'racc@1.6.2 Ruby|BSD-2-Clause ',
    'rack@2.2.22 MIT ',
  ]);
  assert.equal(r.packages[1]!.locations![0], 'usr/lib/ruby/gems/3.1.0/specifications/default/json-2.6.1.gemspec');
  assert.deepEqual(r.warnings, []);
});

test('every installed gemspec on this host reads as RubyGems itself loads it', async (t) => {
  const dirs = ['/usr/lib/ruby/gems', '/usr/share/rubygems-integration', '/usr/lib/x86_64-linux-gnu/rubygems-integration', '/var/lib/gems', '/usr/local/bundle'].filter(existsSync);
  const probe = ruby(['-e', 'puts 1']);
  if (!dirs.length || !probe) return t.skip('no ruby on this host');
  for (const dir of dirs) {
    const want = ruby(['-e', 'Dir[File.join(ARGV[0], "**", "specifications", "**", "*.gemspec")].each{|f| s=Gem::Specification.load(f); puts "#{s.name}@#{s.version} #{s.licenses.join("|")}" if s}', dir])!;
    const r = await runCataloger(rubyCataloger, treeFiles(rubyCataloger, dir, dir.slice(1)));
    const ours = r.packages.map((p) => `${p.name}@${p.version} ${p.licenses.join('|')}`).sort();
    assert.deepEqual(ours, want.split('\n').filter(Boolean).sort(), dir);
  }
});

test('Gemfile.lock: GEM and GIT specs, PATH left out, platforms folded (osv-detector counts)', { skip: !hasSharedData(OSV) }, () => {
  const l = (...p: string[]) => parseGemfileLock('app/Gemfile.lock', read(...p)).packages;
  for (const [f, n] of [
    ['1-Gemfile.lock', 229],
    ['2-Gemfile.lock', 426],
  ] as const) {
    assert.equal(Number(/found (\d+)/.exec(read(E2E, `${f}.out.txt`).toString())![1]), n);
    assert.equal(l(E2E, f).length, n, f);
  }
  assert.deepEqual(ids(l(OSV, 'has-git-gem.lock')), ['concurrent-ruby@1.1.7', 'hanami-controller@2.0.0.alpha1', 'hanami-utils@2.0.0.alpha1', 'rack@2.2.3', 'transproc@1.1.1']);
  const local = l(OSV, 'has-local-gem.lock');
  assert.equal(local.length, 29);
  assert.ok(!local.some((p) => p.name === 'backbone-on-rails'));
  const nokogiri = local.find((p) => p.name === 'nokogiri')!;
  assert.deepEqual([nokogiri.version, nokogiri.metadata, nokogiri.dependsOnNames], ['1.13.3', { platform: 'x86_64-linux' }, ['racc']]);
  assert.deepEqual(ids(l(LOCKS, 'Gemfile_bundler2.lock')), ['coderay@1.1.3', 'concurrent-ruby@1.1.10', 'dotenv@2.7.6', 'faker@2.21.0', 'i18n@1.10.0', 'json@2.6.2', 'method_source@1.0.0', 'pry@0.14.1']);
  for (const f of ['no-gems.lock', 'no-spec-section.lock', 'no-gem-section.lock']) assert.deepEqual(l(OSV, f), [], f);
  const bad = parseGemfileLock('a', read(LOCKS, 'Gemfile_malformed.lock'));
  assert.deepEqual([bad.packages, bad.warnings], [[], ['not a Gemfile.lock (no known section)']]);
});

test('Gemfile.lock agrees with Bundler::LockfileParser', { skip: !hasSharedData(E2E) }, (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'triad-bundler-'));
  try {
    writeFileSync(join(dir, 'Gemfile'), '');
    // Bundler's Git source subclasses Path; only plain Path sources are local code.
    const script = 'l=Bundler::LockfileParser.new(File.read(ARGV[0])); puts l.specs.reject{|x| x.source.instance_of?(Bundler::Source::Path)}.map{|x| "#{x.name}@#{x.version}"}.uniq';
    for (const f of [sharedData(E2E, '1-Gemfile.lock'), sharedData(E2E, '2-Gemfile.lock'), sharedData(OSV, 'has-local-gem.lock')]) {
      const want = ruby(['-rbundler', '-e', script, f], { BUNDLE_GEMFILE: join(dir, 'Gemfile') });
      if (want === undefined) return t.skip('no ruby/bundler on this host');
      assert.deepEqual(ids(parseGemfileLock('a', readFileSync(f)).packages), want.split('\n').filter(Boolean).sort(), f);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a lockfile is dropped once bundle install put its gems in the image', async () => {
  const lock = Buffer.from('GEM\n  remote: https://rubygems.org/\n  specs:\n    rack (2.2.22)\n    sinatra (3.0.0)\n      rack (~> 2.2)\n\nDEPENDENCIES\n  sinatra\n');
  const installed = treeFiles(rubyCataloger, join(HERE, 'testdata/image'), '');
  const files: TestFile[] = [...installed, { path: 'app/Gemfile.lock', data: lock }];
  const r = await runCataloger(rubyCataloger, files);
  assert.ok(!r.packages.some((p) => p.locations![0] === 'app/Gemfile.lock'));
  const other = Buffer.from('GEM\n  specs:\n    sinatra (3.0.0)\n');
  const r2 = await runCataloger(rubyCataloger, [...installed, { path: 'app/Gemfile.lock', data: other }]);
  assert.deepEqual(
    r2.packages.filter((p) => p.locations![0] === 'app/Gemfile.lock').map((p) => p.purl),
    ['pkg:gem/sinatra@3.0.0'],
  );
});

test('an image that only ships a Gemfile.lock (snyk fixture)', { skip: !hasSharedData('images/snyk/test/fixtures/docker-archives/docker-save/gemfile.tar') }, async () => {
  const r = await runCataloger(rubyCataloger, await imageFiles(rubyCataloger, sharedData('images/snyk/test/fixtures/docker-archives/docker-save/gemfile.tar')));
  // logstash's lockfile: 248 specs minus the two PATH gems (logstash-core, logstash-core-plugin-api).
  assert.equal(r.packages.length, 246);
  assert.ok(r.packages.every((p) => p.locations![0] === 'Gemfile.lock'));
  assert.ok(!r.packages.some((p) => p.name === 'logstash-core'));
  const jossl = r.packages.find((p) => p.name === 'jruby-openssl')!;
  assert.deepEqual([jossl.version, jossl.metadata], ['0.11.0', { platform: 'java' }]);
});

test('string literal edge cases never loop or throw', () => {
  assert.deepEqual(rubyStrings('[%q[MIT], %q{Ruby}, %q<BSD>]'), ['MIT', 'Ruby', 'BSD']);
  for (const junk of ['[', '["unterminated', '[%q', '%w[', '[,,,]', '["a" "b"]', '%q', `'`]) assert.ok(Array.isArray(rubyStrings(junk)), junk);
});

test('damaged gemspecs and lockfiles never make parse throw', { skip: !hasSharedData(SPECS) }, async () => {
  const failures = await damagedParses(rubyCataloger, [
    { path: 'g/specifications/x.gemspec', data: read(SPECS, 'multiple_licenses.gemspec') },
    { path: 'a/Gemfile.lock', data: read(LOCKS, 'Gemfile_bundler2.lock') },
  ]);
  assert.deepEqual(failures, []);
});
