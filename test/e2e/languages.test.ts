// Language packages of the real Debian image of recipe.ts against each language's own view of the
// image (importlib.metadata, RubyGems, node's module directories, `go version -m`, unzip), with the
// owning deb from `dpkg -S` and the layer from apt's history log.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Ecosystem, Package } from '../../src/model/types.ts';
import { assertIncludes, assertSameMap, assertSameSet, BUILD_TIMEOUT, e2eCleanup, e2eInventory, e2eRootfs, e2eUnavailable, ofEcosystem, rel, TEST_TIMEOUT } from './fixture.ts';
import { debLayerTruth, dpkgOwners, goBinaries, javaArchives, nodePackages, pythonDistributions, rubyGems, type LangTruth } from './oracles.ts';

const why = e2eUnavailable();

before(async () => {
  if (!why) await e2eInventory();
}, { timeout: BUILD_TIMEOUT });
after(() => e2eCleanup(), { timeout: TEST_TIMEOUT });

/** Primary evidence path without the nested-archive part. */
const evidence = (p: Package) => (p.locations[0] ?? '').split('!')[0]!;

/**
 * The three facts every language package must get right, each compared exactly, one entry per
 * installed copy: name@version at the file the runtime loads it from (`where` says whether Triad's
 * evidence is that file), the owning deb (dpkg -S of that file) and the layer (the one whose apt run
 * installed that deb).
 */
async function compareLanguage(label: string, eco: Ecosystem, truth: LangTruth[], norm: (name: string) => string, where: (p: Package, t: LangTruth) => boolean): Promise<void> {
  const inv = await e2eInventory();
  const nv = (name: string, version: string) => `${norm(name)}@${version}`;
  const tKey = (t: LangTruth) => `${nv(t.name, t.version)} ${rel(t.path)}`;
  // A Triad package takes the key of the runtime's copy it stands for; one that matches none keeps
  // its own evidence path and shows up as "not in ground truth".
  const pKey = (p: Package) => {
    const t = truth.find((x) => nv(x.name, x.version) === nv(p.name, p.version) && where(p, x));
    return t ? tKey(t) : `${nv(p.name, p.version)} ${evidence(p)}`;
  };
  const pkgs = ofEcosystem(inv, eco);
  assertSameSet(`${label} packages (name@version evidence)`, pkgs.map(pKey), truth.map(tKey));

  const [owners, layers] = await Promise.all([dpkgOwners(truth.map((t) => t.path)), debLayerTruth()]);
  const ownerOf = (t: LangTruth) => owners.get(t.path)?.join(', ') ?? '(none)';
  assertSameMap(`${label} ownedBy`, new Map(pkgs.map((p) => [pKey(p), p.ownedBy?.name ?? '(none)'])), new Map(truth.map((t) => [tKey(t), ownerOf(t)])));
  const layerOf = (t: LangTruth) => String(layers.layerOf.get(owners.get(t.path)?.[0] ?? '') ?? '(unowned)');
  assertSameMap(`${label} layer`, new Map(pkgs.map((p) => [pKey(p), String(p.layer?.index ?? '-')])), new Map(truth.map((t) => [tKey(t), layerOf(t)])));
}

/** PEP 503: what pip and PyPI consider the same project name. */
const pep503 = (n: string) => n.toLowerCase().replace(/[-_.]+/g, '-');
const inside = (p: Package, t: LangTruth) => evidence(p) === rel(t.path) || evidence(p).startsWith(`${rel(t.path)}/`);

test('pypi packages are what importlib.metadata finds, owned by their python3-* deb', { skip: why, timeout: TEST_TIMEOUT }, async () => {
  const dists = await pythonDistributions();
  assertIncludes('importlib.metadata', dists.map((d) => pep503(d.name)), 'requests', 'urllib3', 'idna', 'certifi', 'charset-normalizer');
  // python3-yaml was purged: neither side may still have PyYAML.
  assert.ok(!dists.some((d) => pep503(d.name) === 'pyyaml'), 'PyYAML still installed: the image is not what recipe.ts says');
  await compareLanguage('pypi', 'pypi', dists, pep503, inside);
  const inv = await e2eInventory();
  const bad = ofEcosystem(inv, 'pypi').filter((p) => p.purl !== `pkg:pypi/${pep503(p.name)}@${p.version}`);
  assert.deepEqual(bad.map((p) => p.purl), [], 'pypi purls must use the PEP 503 name');
});

test('gem packages are what RubyGems knows (default, bundled and Debian ruby-* gems), owned by their deb', { skip: why, timeout: TEST_TIMEOUT }, async () => {
  const gems = await rubyGems();
  assertIncludes('Gem::Specification', gems.map((g) => g.name), 'rack', 'json', 'rake');
  await compareLanguage('gem', 'gem', gems, (n) => n, (p, t) => evidence(p) === rel(t.path));
});

test('npm packages are what node can load from its global module directories, owned by their node-* deb', { skip: why, timeout: TEST_TIMEOUT }, async () => {
  const mods = await nodePackages();
  assertIncludes('node module directories', mods.map((m) => m.name), 'strip-ansi', 'ansi-regex');
  assert.ok(!mods.some((m) => m.name === 'ms'), 'ms still installed: the image is not what recipe.ts says');
  await compareLanguage('npm', 'npm', mods, (n) => n, (p, t) => evidence(p) === rel(t.path));
});

test('maven packages are the pom.properties of every jar, owned by their lib*-java deb', { skip: e2eUnavailable('unzip'), timeout: TEST_TIMEOUT }, async () => {
  const [inv, root] = await Promise.all([e2eInventory(), e2eRootfs()]);
  const jars = await javaArchives(root);
  assert.deepEqual(jars.filter((j) => j.nested.length).map((j) => j.path), [], 'nested archives: extend the oracle before trusting this test');
  const maven = ofEcosystem(inv, 'maven');
  const coord = (p: Package) => `${p.namespace ?? '?'}:${p.name.replace(/^[^:]*:/, '')}@${p.version}`;
  const withPom = jars.filter((j) => j.poms.length);
  assertIncludes('pom.properties', withPom.flatMap((j) => j.poms), 'org.apache.commons:commons-lang3@3.12.0', 'com.google.guava:guava@31.1-jre');
  // Jars with pom.properties: exactly their coordinates, at the jar's path (symlinked names such as
  // guava-31.1-jre.jar -> guava.jar are the same file and must not count twice).
  const noPomJars = new Set(jars.filter((j) => !j.poms.length).map((j) => rel(j.path)));
  assertSameSet(
    'maven packages from jars with pom.properties',
    maven.filter((p) => !noPomJars.has(evidence(p))).map((p) => `${evidence(p)} ${coord(p)}`),
    withPom.flatMap((j) => j.poms.map((c) => `${rel(j.path)} ${c}`)),
  );

  const [owners, layers] = await Promise.all([dpkgOwners(jars.map((j) => j.path)), debLayerTruth()]);
  const ownerOf = (p: Package) => owners.get(`/${evidence(p)}`)?.join(', ') ?? '(none)';
  const id = (p: Package) => `${evidence(p)} ${coord(p)}`;
  assertSameMap('maven ownedBy', new Map(maven.map((p) => [id(p), p.ownedBy?.name ?? '(none)'])), new Map(maven.map((p) => [id(p), ownerOf(p)])));
  assertSameMap('maven layer', new Map(maven.map((p) => [id(p), String(p.layer?.index)])), new Map(maven.map((p) => [id(p), String(layers.layerOf.get(ownerOf(p)))])));
  // Jars without pom.properties have no exact coordinates to check, but the README promises
  // identification from MANIFEST.MF or the file name: each regular jar must yield a package.
  const reported = new Set(maven.map(evidence));
  assertSameSet('jars without pom.properties that yield a package', [...noPomJars].filter((j) => reported.has(j)), noPomJars);
});

test('golang packages are what `go version -m` reports for every Go binary, owned by their deb', { skip: e2eUnavailable('go'), timeout: TEST_TIMEOUT }, async () => {
  const [inv, root] = await Promise.all([e2eInventory(), e2eRootfs()]);
  const bins = await goBinaries(root);
  assertIncludes('go version -m', bins.keys(), '/usr/bin/age', '/usr/bin/age-keygen');
  const expected: string[] = [];
  for (const [path, b] of bins) {
    // Debian builds Go programs in GOPATH mode: no `mod` line, so there is no main module to
    // report, and no `dep` lines. Whatever is there is expected, replacements applied.
    if (b.main) expected.push(`${rel(path)} ${b.main.path}@${b.main.version}`);
    for (const d of b.deps) expected.push(`${rel(path)} ${d.path}@${d.version}`);
    // The toolchain as a package: go1.19.8 is spelled v1.19.8, the form Go module versions take.
    expected.push(`${rel(path)} stdlib@${b.goVersion.replace(/^go/, 'v')}`);
  }
  const golang = ofEcosystem(inv, 'golang');
  assertSameSet('golang packages (binary, module@version)', golang.map((p) => `${evidence(p)} ${p.name}@${p.version}`), expected);

  const [owners, layers] = await Promise.all([dpkgOwners([...bins.keys()]), debLayerTruth()]);
  const want = (p: Package) => owners.get(`/${evidence(p)}`)?.join(', ') ?? '(none)';
  const id = (p: Package) => `${evidence(p)} ${p.name}@${p.version}`;
  assertSameMap('golang ownedBy', new Map(golang.map((p) => [id(p), p.ownedBy?.name ?? '(none)'])), new Map(golang.map((p) => [id(p), want(p)])));
  assertSameMap('golang layer', new Map(golang.map((p) => [id(p), String(p.layer?.index)])), new Map(golang.map((p) => [id(p), String(layers.layerOf.get(want(p)))])));
});
