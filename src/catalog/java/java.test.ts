import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync, lstatSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { deflateRawSync } from 'node:zlib';
import { hasSharedData, sharedData } from '../../../test/shared-data.ts';
import type { FileResult } from '../cataloger.ts';
import { bufferSource } from '../binary/source.ts';
import { readZipDirectory } from '../binary/zip.ts';
import { DEFAULT_JAVA_LIMITS, scanJavaArchive } from './archive.ts';
import { javaCataloger } from './index.ts';
import { fileNameCoordinates, manifestCoordinates, manifestLicenses, parseManifest, parseProperties } from './metadata.ts';

const SAVE = 'images/snyk/test/fixtures/docker-archives/docker-save';
const TRIVY = 'pkgdb/trivy-lang/pkg/dependency/parser/java/jar/testdata';

async function parse(buf: Buffer, path: string): Promise<FileResult> {
  assert.ok(javaCataloger.wants({ path, size: buf.length, mode: 0o644 }), path);
  return javaCataloger.parse({ path, size: buf.length, mode: 0o644 }, bufferSource(buf));
}

/** "group:artifact@version <location>" lines, the shape the expectations below are written in. */
const lines = (r: FileResult) => (r.packages ?? []).map((p) => `${p.name}@${p.version} ${p.locations![0]}`);

/** One file of a docker-save archive: the layer tar is taken out of the image tar, then the file. */
function fromImage(image: string, layer: string, member: string): Buffer {
  const dir = mkdtempSync(join(tmpdir(), 'triad-java-'));
  try {
    const layerTar = join(dir, 'layer.tar');
    writeFileSync(layerTar, execFileSync('tar', ['-xOf', sharedData(SAVE, image), layer], { maxBuffer: 1 << 28 }));
    // GNU tar detects a gzipped layer by itself when reading from a file.
    return execFileSync('tar', ['-xOf', layerTar, member], { maxBuffer: 1 << 28 });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test('snyk java image: pom.properties jars as expected, manifest-only jar from manifest + file name', { skip: !hasSharedData(SAVE) }, async () => {
  const layer = 'd446fd2d006bff0982827588b2b613f91a4e2a59d619da68fa7ce1c880b8d907/layer.tar';
  // Expected by the snapshot in expected/snyk/.../java.spec.ts.snap (groupId/artifactId/version).
  const a = await parse(fromImage('java.tar', layer, 'libs/aopalliance-repackaged-2.5.0.jar'), 'libs/aopalliance-repackaged-2.5.0.jar');
  assert.deepEqual(lines(a), ['org.glassfish.hk2.external:aopalliance-repackaged@2.5.0 libs/aopalliance-repackaged-2.5.0.jar']);
  const p = a.packages![0]!;
  assert.equal(p.purl, 'pkg:maven/org.glassfish.hk2.external/aopalliance-repackaged@2.5.0');
  assert.equal(p.namespace, 'org.glassfish.hk2.external');
  assert.equal(p.ecosystem, 'maven');
  // Bundle-License: http://www.eclipse.org/legal/epl-2.0, https://www.gnu.org/software/classpath/license.html
  assert.deepEqual(p.licenses, ['EPL-2.0', 'GPL-2.0-with-classpath-exception']);
  const b = await parse(fromImage('java.tar', layer, 'libs/audience-annotations-0.5.0.jar'), 'libs/audience-annotations-0.5.0.jar');
  assert.deepEqual(lines(b), ['org.apache.yetus:audience-annotations@0.5.0 libs/audience-annotations-0.5.0.jar']);
  // No pom.properties: Implementation-Vendor-Id com.sun, the title is a product name so the file
  // name gives the artifact id (the snapshot only has its SHA-1 for an online lookup).
  const c = await parse(fromImage('java.tar', layer, 'app/activation-1.1.1.jar'), 'app/activation-1.1.1.jar');
  assert.deepEqual(lines(c), ['com.sun:activation@1.1.1 app/activation-1.1.1.jar']);
  assert.equal(c.packages![0]!.metadata?.source, 'manifest');
  // The empty some-jar.jar is not even wanted.
  assert.equal(javaCataloger.wants({ path: 'usr/gradle/caches/some-jar.jar', size: 0, mode: 0o644 }), false);
});

test('uber jar: its own pom, no duplicate from the copied manifest, nested guava with a ! location', { skip: !hasSharedData(SAVE) }, async () => {
  const r = await parse(fromImage('java-uberjar.tar', 'fb49cd75c972730a89a57a4104598c4cde9a50012a7cbedb6caaa2033d9d8221/layer.tar', 'uberjar.jar'), 'uberjar.jar');
  assert.deepEqual(lines(r), ['org.slf4j:jul-to-slf4j@1.7.30 uberjar.jar', 'com.google.guava:guava@30.1-jre uberjar.jar!/lib/guava-30.1-jre.jar']);
  assert.deepEqual(r.packages![1]!.licenses, ['Apache-2.0']);
  const j = await parse(fromImage('java-uberjar.tar', 'b550bfb9191b6413535ba71c252667b80e3504c552bee2c80c0649a31482d519/layer.tar', 'j2objc-annotations-1.3.jar'), 'j2objc-annotations-1.3.jar');
  assert.deepEqual(lines(j), ['com.google.j2objc:j2objc-annotations@1.3 j2objc-annotations-1.3.jar']);
  const s = await parse(fromImage('sibling-uberjars-deepest-first.tar', '0284b596bd7a1740b301503c6325574ed23b9b1c6888556252ad56d8be20ebbe/layer.tar', 'B-uber-jar.jar'), 'B-uber-jar.jar');
  assert.deepEqual(lines(s), ['com.google.guava:guava@30.1-jre B-uber-jar.jar!/guava-30.1-jre.jar']);
});

test('3-level jar and a war holding it: packages found at every depth', { skip: !hasSharedData(SAVE) }, async () => {
  const l = '0b009e5921c1518a57e6d47ad264117a697d4cc783604ef1a018df34b04f0e73/layer.tar';
  const r = await parse(fromImage('3-level-jar.tar', l, 'level-3-jar.jar'), 'level-3-jar.jar');
  const lf = 'com.google.guava:listenablefuture@9999.0-empty-to-avoid-conflict-with-guava';
  assert.deepEqual(lines(r), [`${lf} level-3-jar.jar!/level-2-jar.jar!/lib/listenablefuture-9999.0-empty-to-avoid-conflict-with-guava.jar`]);
  assert.deepEqual(await parse(fromImage('3-level-jar.tar', l, 'lib/snyk.jar'), 'lib/snyk.jar'), {});

  const war = await parse(fromImage('war-with-3-level-jar.tar', '09c7e9cef36873fccc12af54cb03984894174e7c1e824fae96011dc6408b5fcc/layer.tar', 'workspace/app/mywar.war'), 'workspace/app/mywar.war');
  const w = 'workspace/app/mywar.war';
  assert.deepEqual(lines(war), [
    `com.example:demo@0.0.1-SNAPSHOT ${w}`,
    `org.apache:tomcat-embed-el@9.0.63 ${w}!/WEB-INF/lib-provided/tomcat-embed-el-9.0.63.jar`,
    `org.apache:tomcat-embed-core@9.0.63 ${w}!/WEB-INF/lib-provided/tomcat-embed-core-9.0.63.jar`,
    `org.apache:tomcat-embed-websocket@9.0.63 ${w}!/WEB-INF/lib-provided/tomcat-embed-websocket-9.0.63.jar`,
    `${lf} ${w}!/WEB-INF/lib/level-3-jar.jar!/level-2-jar.jar!/lib/listenablefuture-9999.0-empty-to-avoid-conflict-with-guava.jar`,
  ]);
  const shallow = await scanJavaArchive(bufferSource(readFileSync(sharedData(TRIVY, 'nested.jar'))), 'nested.jar', { ...DEFAULT_JAVA_LIMITS, maxDepth: 1 });
  assert.deepEqual(shallow.packages.map((p) => p.name), ['test:nested', 'test:nested2']);
  assert.match(shallow.warnings[0]!, /nested2\.jar!\/META-INF\/jars\/nested3\.jar: nested deeper than 1/);
});

const trivyJar = (name: string) => parse(readFileSync(sharedData(TRIVY, name)), `opt/app/${name}`);

test('Trivy jar fixtures', { skip: !hasSharedData(TRIVY) }, async () => {
  assert.deepEqual(lines(await trivyJar('nested.jar')), [
    'test:nested@0.0.1 opt/app/nested.jar',
    'test:nested2@0.0.2 opt/app/nested.jar!/META-INF/jars/nested2.jar',
    'test:nested3@0.0.3 opt/app/nested.jar!/META-INF/jars/nested2.jar!/META-INF/jars/nested3.jar',
  ]);
  // A shaded jar: its own pom (matches the file name) and the four it shades; no manifest package.
  assert.deepEqual((await trivyJar('hadoop-shaded-guava-1.1.0-SNAPSHOT.jar')).packages!.map((p) => `${p.name}@${p.version}`), [
    'org.apache.hadoop.thirdparty:hadoop-shaded-guava@1.1.0-SNAPSHOT',
    'com.google.j2objc:j2objc-annotations@1.3',
    'com.google.guava:guava@29.0-jre',
    'com.google.guava:failureaccess@1.0.1',
    'com.google.guava:listenablefuture@9999.0-empty-to-avoid-conflict-with-guava',
  ]);
  // groupId.artifactId-version file name; four pom.properties with two distinct coordinates.
  assert.deepEqual(lines(await trivyJar('io.quarkus.gizmo.gizmo-1.1.jar')), [
    'io.quarkus.gizmo:gizmo@1.1 opt/app/io.quarkus.gizmo.gizmo-1.1.jar',
    'com.fasterxml.jackson.core:jackson-databind@2.12.3 opt/app/io.quarkus.gizmo.gizmo-1.1.jar',
    'com.fasterxml.jackson.core:jackson-databind@2.13.4 opt/app/io.quarkus.gizmo.gizmo-1.1.jar',
    'log4j:log4j@1.2.16 opt/app/io.quarkus.gizmo.gizmo-1.1.jar!/jars/log4j-1.2.16.jar',
    'log4j:log4j@1.2.17 opt/app/io.quarkus.gizmo.gizmo-1.1.jar!/jars/log4j-1.2.17.jar',
  ]);
  const jenkins = (await trivyJar('license-from-jenkins-plugin.jar')).packages!;
  assert.deepEqual(jenkins.map((p) => `${p.name}@${p.version}`), ['com.example:jenkins-plugin@1.0.0']);
  assert.deepEqual(jenkins[0]!.licenses, ['Apache License, Version 2.0', 'MIT License']);
  assert.deepEqual(lines(await trivyJar('multi-license-1.0.0.jar')), ['com.example:multi-license@1.0.0 opt/app/multi-license-1.0.0.jar']);
  // Nothing but "Manifest-Version: 1.0" and no groupId anywhere. Trivy (offline, no lookup) reports
  // nothing; Triad deliberately keeps the jar as a group-less package named after the file.
  const heuristic = (await trivyJar('heuristic-1.0.0-SNAPSHOT.jar')).packages!;
  assert.deepEqual(lines({ packages: heuristic }), ['heuristic@1.0.0-SNAPSHOT opt/app/heuristic-1.0.0-SNAPSHOT.jar']);
  assert.equal(heuristic[0]!.purl, 'pkg:maven/heuristic@1.0.0-SNAPSHOT');
  assert.equal(heuristic[0]!.metadata?.groupUnknown, true);
  // Only product titles: Trivy's manifest fallback keeps them as they are.
  assert.deepEqual(lines(await trivyJar('test.jar')), ['org.springframework:Spring Framework@2.5.6.SEC03 opt/app/test.jar']);
  assert.deepEqual((await trivyJar('maven.war')).packages!.map((p) => `${p.name}@${p.version}`), [
    'com.example:web-app@1.0-SNAPSHOT',
    'org.glassfish:javax.el@3.0.0',
    'com.fasterxml.jackson.core:jackson-databind@2.9.10.6',
    'com.fasterxml.jackson.core:jackson-annotations@2.9.10',
    'com.fasterxml.jackson.core:jackson-core@2.9.10',
    'org.slf4j:slf4j-api@1.7.30',
    'com.cronutils:cron-utils@9.1.2',
    'org.apache.commons:commons-lang3@3.11',
  ]);
  assert.deepEqual(lines(await trivyJar('gradle.war')), [
    'commons-dbcp:commons-dbcp@1.4 opt/app/gradle.war!/WEB-INF/lib/commons-dbcp-1.4.jar',
    'commons-pool:commons-pool@1.6 opt/app/gradle.war!/WEB-INF/lib/commons-pool-1.6.jar',
    'log4j:log4j@1.2.17 opt/app/gradle.war!/WEB-INF/lib/log4j-1.2.17.jar',
    'org.apache.commons:commons-compress@1.19 opt/app/gradle.war!/WEB-INF/lib/commons-compress-1.19.jar',
  ]);
});

/** Debian's jars (libcommons-lang3-java, libguava-java ...) against Info-ZIP's unzip as the oracle. */
const DEBIAN_JARS = existsSync('/usr/share/java')
  ? readdirSync('/usr/share/java')
      .filter((f) => f.endsWith('.jar') && lstatSync(join('/usr/share/java', f)).isFile())
      .map((f) => join('/usr/share/java', f))
  : [];
let haveUnzip = true;
try {
  execFileSync('unzip', ['-v'], { stdio: 'ignore' });
} catch {
  haveUnzip = false;
}

test('Debian jars: every pom.properties unzip sees becomes exactly one package', { skip: (!haveUnzip || DEBIAN_JARS.length === 0) && 'no unzip or no /usr/share/java jars' }, async () => {
  let checked = 0;
  for (const jar of DEBIAN_JARS) {
    const names = execFileSync('unzip', ['-Z1', jar], { encoding: 'utf8', maxBuffer: 1 << 26 }).split('\n');
    const want = new Set<string>();
    for (const n of names.filter((x) => x.endsWith('/pom.properties') || x === 'pom.properties')) {
      const props = parseProperties(execFileSync('unzip', ['-p', jar, n], { encoding: 'utf8' }));
      if (props.get('groupId') && props.get('artifactId') && props.get('version')) want.add(`${props.get('groupId')}:${props.get('artifactId')}@${props.get('version')}`);
    }
    const r = await parse(readFileSync(jar), jar.slice(1));
    const got = new Set((r.packages ?? []).filter((p) => p.metadata?.source === 'pom.properties' && !p.locations![0]!.includes('!')).map((p) => `${p.name}@${p.version}`));
    assert.deepEqual([...got].sort(), [...want].sort(), jar);
    assert.equal(r.warnings, undefined, jar);
    checked += want.size;
  }
  assert.ok(checked > 0);
  const lang = DEBIAN_JARS.find((j) => /commons-lang3[^/]*\.jar$/.test(j));
  if (lang) {
    // Debian names it commons-lang3.jar (no version): its only pom.properties is its identity, and
    // the manifest (Implementation-Title "Apache Commons Lang") must not add a second package.
    const r = await parse(readFileSync(lang), 'usr/share/java/commons-lang3.jar');
    assert.equal(r.packages!.length, 1);
    assert.match(r.packages![0]!.purl, /^pkg:maven\/org\.apache\.commons\/commons-lang3@3\./);
  }
});

/** Jars of a local Maven repository: the path says groupId/artifactId/version for certain. */
function mavenRepoJars(root: string, out: Array<{ file: string; g: string; a: string; v: string }> = [], rel: string[] = []): typeof out {
  for (const e of readdirSync(join(root, ...rel), { withFileTypes: true })) {
    if (e.isDirectory()) mavenRepoJars(root, out, [...rel, e.name]);
    else if (e.isFile() && rel.length >= 3 && e.name === `${rel[rel.length - 2]}-${rel[rel.length - 1]}.jar`) {
      out.push({ file: join(root, ...rel, e.name), g: rel.slice(0, -2).join('.'), a: rel[rel.length - 2]!, v: rel[rel.length - 1]! });
    }
  }
  return out;
}
const M2 = join(homedir(), '.m2', 'repository');

test('local Maven repository: jars carrying their own pom.properties all identified exactly', { skip: !existsSync(M2) && 'no ~/.m2/repository' }, async (t) => {
  const jars = mavenRepoJars(M2);
  let own = 0;
  let exact = 0;
  for (const j of jars) {
    const buf = readFileSync(j.file);
    const names = (await readZipDirectory(bufferSource(buf))).entries.map((e) => e.name);
    const r = await parse(buf, j.file.slice(1));
    const hit = r.packages?.some((p) => p.name === `${j.g}:${j.a}` && p.version === j.v && p.locations![0] === j.file.slice(1));
    if (hit) exact++;
    if (names.includes(`META-INF/maven/${j.g}/${j.a}/pom.properties`)) {
      own++;
      assert.ok(hit, `${j.g}:${j.a}@${j.v} ${j.file}`);
    }
  }
  // Jars without pom.properties depend on manifest heuristics; report how well they do.
  t.diagnostic(`${jars.length} jars, ${own} with their own pom.properties, ${exact} identified exactly`);
});

test('jars without pom.properties: Maven repository paths give exact coordinates, else a group-less package from the file name', async () => {
  const jar = (manifest: string, extra: Array<{ name: string; data: Buffer; method: number; usize: number }> = []) => {
    const mf = Buffer.from(manifest);
    return makeZip([{ name: 'META-INF/MANIFEST.MF', data: mf, method: 0, usize: mf.length }, ...extra]);
  };
  // Debian's libjsr305-java: a manifest with nothing but Manifest-Version and Created-By.
  const bare = jar('Manifest-Version: 1.0\r\nCreated-By: 1.8.0 (Debian)\r\n\r\n');
  const got = async (path: string, buf = bare) => {
    const r = await parse(buf, path);
    return (r.packages ?? []).map((p) => `${p.namespace ?? '-'} ${p.name}@${p.version} ${p.purl} ${p.metadata?.groupUnknown ?? false} ${p.locations![0]}`);
  };
  assert.deepEqual(await got('usr/share/java/jsr305-0.1~+svn49.jar'), [
    '- jsr305@0.1~+svn49 pkg:maven/jsr305@0.1~+svn49 true usr/share/java/jsr305-0.1~+svn49.jar',
  ]);
  const repo = 'usr/share/maven-repo/org/jsr-305/jsr305/0.1-SNAPSHOT/jsr305-0.1-SNAPSHOT.jar';
  assert.deepEqual(await got(repo), [`org.jsr-305 org.jsr-305:jsr305@0.1-SNAPSHOT pkg:maven/org.jsr-305/jsr305@0.1-SNAPSHOT false ${repo}`]);
  const m2 = 'home/app/.m2/repository/com/example/deep/lib/2.1/lib-2.1.jar';
  assert.deepEqual(await got(m2), [`com.example.deep com.example.deep:lib@2.1 pkg:maven/com.example.deep/lib@2.1 false ${m2}`]);
  // Too short for a group path: not repository coordinates, only the file name.
  assert.deepEqual(await got('root/.m2/repository/lib/2.1/lib-2.1.jar'), ['- lib@2.1 pkg:maven/lib@2.1 true root/.m2/repository/lib/2.1/lib-2.1.jar']);
  // The path beats a manifest that names a different vendor.
  const vendor = jar('Manifest-Version: 1.0\nImplementation-Vendor-Id: com.vendor\nImplementation-Version: 2.1\n\n');
  assert.deepEqual(await got(m2, vendor), [`com.example.deep com.example.deep:lib@2.1 pkg:maven/com.example.deep/lib@2.1 false ${m2}`]);
  // Debian's version-less `debian` folder takes the manifest's version, or falls back as usual.
  const deb = 'usr/share/maven-repo/org/x/lib/debian/lib-debian.jar';
  assert.deepEqual(await got(deb, vendor), [`org.x org.x:lib@2.1 pkg:maven/org.x/lib@2.1 false ${deb}`]);
  assert.deepEqual(await got(deb), []);
  // A classifier jar is not the artifact the folder names: ordinary file-name rules apply.
  assert.deepEqual(await got('usr/share/maven-repo/org/x/lib/1.0/lib-1.0-sources.jar'), [
    '- lib@1.0-sources pkg:maven/lib@1.0-sources true usr/share/maven-repo/org/x/lib/1.0/lib-1.0-sources.jar',
  ]);
  // A pom.properties that is the jar's own still wins over the path.
  const props = Buffer.from('groupId=org.real\nartifactId=lib\nversion=1.0\n');
  const withPom = jar('Manifest-Version: 1.0\n\n', [{ name: 'META-INF/maven/org.real/lib/pom.properties', data: props, method: 0, usize: props.length }]);
  assert.deepEqual(await got('usr/share/maven-repo/org/x/lib/1.0/lib-1.0.jar', withPom), ['org.real org.real:lib@1.0 pkg:maven/org.real/lib@1.0 false usr/share/maven-repo/org/x/lib/1.0/lib-1.0.jar']);
  // No manifest at all: the file name alone. No plausible version in the name: nothing.
  assert.deepEqual(await got('opt/lib/foo-1.2.jar', makeZip([{ name: 'a.class', data: Buffer.from('x'), method: 0, usize: 1 }])), [
    '- foo@1.2 pkg:maven/foo@1.2 true opt/lib/foo-1.2.jar',
  ]);
  assert.deepEqual(await got('opt/lib/level-3-jar.jar'), []);
  assert.deepEqual(await got('opt/lib/snyk.jar'), []);
});

test('hostile archives: zip bomb, lying sizes, garbage, truncation never throw', async () => {
  // A real deflate stream of 64 MiB of zeros stored as WEB-INF/lib/bomb.jar, declared as 100 bytes.
  const big = deflateRawSync(Buffer.alloc(64 * 1024 * 1024));
  const zip = makeZip([{ name: 'WEB-INF/lib/bomb.jar', data: big, method: 8, usize: 100 }]);
  const r = await scanJavaArchive(bufferSource(zip), 'app.war', { ...DEFAULT_JAVA_LIMITS, maxNestedArchive: 1024 * 1024 });
  assert.deepEqual(r.packages, []);
  assert.match(r.warnings.join('\n'), /inflates past the 1048576-byte limit/);
  const honest = makeZip([{ name: 'lib/bomb.jar', data: big, method: 8, usize: 64 * 1024 * 1024 }]);
  const h = await scanJavaArchive(bufferSource(honest), 'app.jar', { ...DEFAULT_JAVA_LIMITS, maxNestedArchive: 1024 * 1024 });
  assert.match(h.warnings.join('\n'), /exceeds the inflation budget/);
  for (const bad of [Buffer.alloc(100), Buffer.from('PK\x05\x06' + '\xff'.repeat(18), 'latin1'), zip.subarray(0, zip.length - 5), zip.subarray(20)]) {
    const x = await javaCataloger.parse({ path: 'x.jar', size: bad.length, mode: 0o644 }, bufferSource(bad));
    assert.equal(x.packages, undefined);
    assert.ok(x.warnings?.length);
  }
});

test('metadata parsers', () => {
  assert.deepEqual(fileNameCoordinates('lib/guava-31.1-jre.jar'), { artifactId: 'guava', version: '31.1-jre' });
  assert.deepEqual(fileNameCoordinates('commons-lang3-3.12.0.jar'), { artifactId: 'commons-lang3', version: '3.12.0' });
  assert.equal(fileNameCoordinates('snyk.jar'), undefined);
  const m = parseManifest('Manifest-Version: 1.0\r\nBundle-License: "Apache-2.0";link="http://x, y",\r\n MIT\r\n\r\nName: a\r\nBundle-License: X\r\n');
  assert.deepEqual(manifestLicenses(m), ['Apache-2.0', 'MIT']);
  const p = parseProperties('#c\ngroupId = a.b\nartifactId:c\\\n  d\nversion 1\\u00e9\n');
  // Header values as found in real manifests (objenesis 3.3, org.eclipse.osgi 3.22.0, junit 1.12.1).
  const mc = (text: string, file: string) => manifestCoordinates(parseManifest(text), fileNameCoordinates(file));
  assert.deepEqual(mc('Bundle-SymbolicName: org.objenesis\nBundle-Version: 3.3\n', 'objenesis-3.3.jar'), { groupId: 'org.objenesis', artifactId: 'objenesis', version: '3.3' });
  assert.deepEqual(mc('Bundle-SymbolicName: org.eclipse.osgi; singleton:=true\nBundle-Version: 3.22.0.v20241030-2121\n', 'org.eclipse.osgi-3.22.0.jar'), {
    groupId: 'org.eclipse',
    artifactId: 'org.eclipse.osgi',
    version: '3.22.0',
  });
  assert.equal(mc('Bundle-SymbolicName: junit-platform-launcher\nImplementation-Version: 1.12.1\n', 'junit-platform-launcher-1.12.1.jar').groupId, undefined);
  assert.deepEqual([...p], [['groupId', 'a.b'], ['artifactId', 'cd'], ['version', '1é']]);
});

/** A minimal zip writer for the hostile cases (sizes and methods exactly as given, lies included). */
function makeZip(files: Array<{ name: string; data: Buffer; method: number; usize: number }>): Buffer {
  const locals: Buffer[] = [];
  const central: Buffer[] = [];
  let off = 0;
  for (const f of files) {
    const name = Buffer.from(f.name);
    const lh = Buffer.alloc(30);
    lh.writeUInt32LE(0x04034b50, 0);
    lh.writeUInt16LE(f.method, 8);
    lh.writeUInt32LE(f.data.length, 18);
    lh.writeUInt32LE(f.usize, 22);
    lh.writeUInt16LE(name.length, 26);
    const ch = Buffer.alloc(46);
    ch.writeUInt32LE(0x02014b50, 0);
    ch.writeUInt16LE(f.method, 10);
    ch.writeUInt32LE(f.data.length, 20);
    ch.writeUInt32LE(f.usize, 24);
    ch.writeUInt16LE(name.length, 28);
    ch.writeUInt32LE(off, 42);
    locals.push(lh, name, f.data);
    central.push(ch, name);
    off += 30 + name.length + f.data.length;
  }
  const cd = Buffer.concat(central);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(files.length, 8);
  end.writeUInt16LE(files.length, 10);
  end.writeUInt32LE(cd.length, 12);
  end.writeUInt32LE(off, 16);
  return Buffer.concat([...locals, cd, end]);
}
