import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { hasSharedData, sharedData } from '../../../test/shared-data.ts';
import type { FileResult, FoundPackage } from '../cataloger.ts';
import { bufferSource, openFileContent } from '../binary/source.ts';
import { goCataloger } from './index.ts';
import { ldflagsVersion, parseModInfo, splitFlags, stdlibVersion, unquote } from './modinfo.ts';

const TRIVY = 'pkgdb/trivy-lang/pkg/dependency/parser/golang/binary/testdata';
const meta = (path: string, size: number) => ({ path, size, mode: 0o755 });

async function parseFile(file: string, path = 'usr/local/bin/app'): Promise<FileResult> {
  const c = await openFileContent(file);
  try {
    return await goCataloger.parse(meta(path, c.size), c);
  } finally {
    await c.close();
  }
}

const ids = (r: FileResult) => (r.packages ?? []).map((p) => `${p.name}@${p.version}`);
const byName = (r: FileResult, n: string): FoundPackage | undefined => r.packages?.find((p) => p.name === n);

test('Go 1.15 binary (pointer format): main module, deps, stdlib', { skip: !hasSharedData(TRIVY) }, async () => {
  const r = await parseFile(sharedData(TRIVY, 'test.elf'));
  assert.deepEqual(ids(r), [
    'github.com/aquasecurity/test@(devel)',
    'github.com/aquasecurity/go-pep440-version@v0.0.0-20210121094942-22b2f8951d46',
    'github.com/aquasecurity/go-version@v0.0.0-20210121072130-637058cfe492',
    'golang.org/x/xerrors@v0.0.0-20200804184101-5ec99f83aff1',
    'stdlib@v1.15.2',
  ]);
  const main = r.packages![0]!;
  assert.equal(main.purl, 'pkg:golang/github.com/aquasecurity/test', '(devel) is not put in the purl');
  assert.equal(main.metadata?.develVersion, true);
  assert.deepEqual(main.locations, ['usr/local/bin/app']);
  assert.equal(main.dependsOnNames?.length, 4);
  const x = byName(r, 'golang.org/x/xerrors')!;
  assert.equal(x.purl, 'pkg:golang/golang.org/x/xerrors@v0.0.0-20200804184101-5ec99f83aff1');
  assert.equal(x.metadata?.sum, 'h1:go1bK/D/BFZV2I8cIQd1NKEZ+0owSTG1fDTci4IqFcE=');
  assert.equal(byName(r, 'stdlib')!.purl, 'pkg:golang/stdlib@v1.15.2');
  assert.equal(r.warnings, undefined);
});

test('Go 1.22 binary: main version from -ldflags -X main.version, build settings kept', { skip: !hasSharedData(TRIVY) }, async () => {
  const r = await parseFile(sharedData(TRIVY, 'main-version-via-ldflags.elf'));
  assert.deepEqual(ids(r), ['github.com/aquasecurity/test@v1.0.0', 'stdlib@v1.22.1']);
  const m = r.packages![0]!;
  assert.equal(m.purl, 'pkg:golang/github.com/aquasecurity/test@v1.0.0');
  assert.equal(m.metadata?.versionSource, 'ldflags');
  assert.equal(m.metadata?.['build.vcs.revision'], '9640d75c13845419f5797e2e3ac3475f8d801d79');
  assert.equal(m.metadata?.['build.-ldflags'], '-w -X main.version=v1.0.0');
  assert.equal(m.metadata?.['build.GOOS'], 'linux');
  assert.equal(m.metadata?.['build.GOARCH'], 'amd64');
});

test('arm64 binary without a main module (go run x.go) still reports stdlib; experiments dropped', { skip: !hasSharedData(TRIVY) }, async () => {
  const r = await parseFile(sharedData(TRIVY, 'goexperiment'));
  assert.deepEqual(ids(r), ['stdlib@v1.22.1']);
  assert.equal(byName(r, 'stdlib')!.metadata?.goVersion, 'go1.22.1 X:loopvar');
});

test('PE and Mach-O builds of the same program give the same packages; text gives nothing', { skip: !hasSharedData(TRIVY) }, async () => {
  const elf = ids(await parseFile(sharedData(TRIVY, 'test.elf')));
  for (const f of ['test.exe', 'test.macho']) assert.deepEqual(ids(await parseFile(sharedData(TRIVY, f))), elf, f);
  // A released main module version (not "(devel)") is kept as built.
  const bbolt = await parseFile(sharedData(TRIVY, 'semver-main-module-version.macho'));
  assert.deepEqual(ids(bbolt), ['go.etcd.io/bbolt@v1.3.5', 'stdlib@v1.20.6']);
  assert.equal(bbolt.packages![0]!.purl, 'pkg:golang/go.etcd.io/bbolt@v1.3.5');
  assert.equal(bbolt.packages![0]!.metadata?.['build.GOOS'], 'darwin');
  assert.deepEqual(await parseFile(sharedData(TRIVY, 'dummy')), {});
});

/** A copy with the section header table removed from the ELF header, as `sstrip` leaves it. */
function withoutSections(buf: Buffer): Buffer {
  const b = Buffer.from(buf);
  assert.equal(b[4], 2, '64-bit');
  b.writeBigUInt64LE(0n, 40);
  b.writeUInt16LE(0, 60);
  b.writeUInt16LE(0, 62);
  return b;
}

test('without section headers the build info is found by scanning the data segment', { skip: !hasSharedData(TRIVY) }, async () => {
  for (const f of ['test.elf', 'main-version-via-ldflags.elf']) {
    const orig = readFileSync(sharedData(TRIVY, f));
    const want = ids(await goCataloger.parse(meta('a', orig.length), bufferSource(orig)));
    const got = ids(await goCataloger.parse(meta('a', orig.length), bufferSource(withoutSections(orig))));
    assert.ok(want.length >= 2);
    assert.deepEqual(got, want, f);
  }
});

test('hostile input: truncations and corrupted build info never throw', { skip: !hasSharedData(TRIVY) }, async () => {
  for (const f of ['test.elf', 'main-version-via-ldflags.elf', 'test.exe', 'test.macho']) {
    const orig = readFileSync(sharedData(TRIVY, f));
    const at = orig.indexOf('\xff Go buildinf:', 0, 'latin1');
    assert.ok(at > 0);
    const cuts = [4, 60, 64, 200, at + 10, at + 20, at + 40, orig.length >> 1, orig.length - 1];
    for (const n of cuts) {
      const r = await goCataloger.parse(meta('a', n), bufferSource(orig.subarray(0, n)));
      assert.ok(!r.packages || r.packages.length <= 5, `cut ${n}`);
    }
    const bad = Buffer.from(orig);
    bad.fill(0xff, at + 16, at + 48); // wild pointers (old format) / runaway varint (inline)
    const r = await goCataloger.parse(meta('a', bad.length), bufferSource(bad));
    assert.equal(r.packages, undefined);
    assert.match(r.warnings?.[0] ?? '', /Go (build info|string)/);
  }
  const junk = Buffer.concat([Buffer.from([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1]), Buffer.alloc(4096, 0xee)]);
  assert.deepEqual(await goCataloger.parse(meta('a', junk.length), bufferSource(junk)), {});
});

test('wants(): executables by mode or .exe name, scripts and small files skipped', () => {
  assert.ok(goCataloger.wants({ path: 'usr/bin/kubectl', size: 5e7, mode: 0o100755 }));
  assert.equal(goCataloger.wants({ path: 'usr/bin/kubectl', size: 5e7, mode: 0o100644 }), false);
  assert.equal(goCataloger.wants({ path: 'usr/bin/run.sh', size: 5e5, mode: 0o755 }), false);
  assert.equal(goCataloger.wants({ path: 'usr/bin/tiny', size: 10, mode: 0o755 }), false);
  assert.ok(goCataloger.wants({ path: 'Files/app/app.exe', size: 5e6, mode: 0o644 }));
});

test('modinfo helpers: Go quoting, flags, versions', () => {
  assert.equal(unquote('"-w -X \\"main.v=1\\" \\t\\u00e9\\x41"'), '-w -X "main.v=1" \té\x41'.replace('\\x41', 'A'));
  assert.deepEqual(splitFlags(`-s -w -X 'main.Version=1.2.3' -X "a.b=c d"`), ['-s', '-w', '-X', 'main.Version=1.2.3', '-X', 'a.b=c d']);
  assert.equal(ldflagsVersion('-s -w -X main.version=1.2.3'), 'v1.2.3');
  assert.equal(ldflagsVersion('-X=github.com/x/y/pkg/version.Version=v0.4.0-rc.1'), 'v0.4.0-rc.1');
  assert.equal(ldflagsVersion('-X main.commit=abc -X main.version=dev'), undefined);
  assert.equal(stdlibVersion('go1.22.1'), 'v1.22.1');
  assert.equal(stdlibVersion('go1.20'), 'v1.20.0');
  assert.equal(stdlibVersion('go1.21rc2'), 'v1.21.0-rc.2');
  assert.equal(stdlibVersion('go1.22.1 X:loopvar'), 'v1.22.1');
  assert.equal(stdlibVersion('go1.22-20231128-RC02 cl/586117301'), undefined);
  assert.equal(stdlibVersion('devel go1.23-abcdef'), undefined);
  const mi = parseModInfo('path\tp\nmod\tm\t(devel)\t\ndep\ta\tv1\th1:x\n=>\tb\tv2\th1:y\nbuild\t"we ird"="x\\ty"\n');
  assert.deepEqual(mi.deps[0], { path: 'a', version: 'v1', sum: 'h1:x', replace: { path: 'b', version: 'v2', sum: 'h1:y' } });
  assert.deepEqual(mi.settings, [['we ird', 'x\ty']]);
});

// --- The Go toolchain as the oracle: `go version -m` must list exactly what we report. ---

function haveGo(): boolean {
  try {
    execFileSync('go', ['version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}
const GO = haveGo();

/** module@version lines as `go version -m` states them, replacements applied like the cataloger. */
function oracle(file: string): { mods: string[]; stdlib?: string } {
  const out = execFileSync('go', ['version', '-m', file], { encoding: 'utf8', maxBuffer: 1 << 26 });
  const lines = out.split('\n');
  const mods: string[] = [];
  let lastKind = '';
  for (const line of lines.slice(1)) {
    const f = line.replace(/^\t/, '').split('\t');
    if (f[0] === 'mod' || f[0] === 'dep') {
      mods.push(`${f[1]}@${f[2]}`);
      lastKind = f[0];
    } else if (f[0] === '=>' && lastKind === 'dep') {
      if (!/^(\.\.?\/|\/)/.test(f[1]!)) mods[mods.length - 1] = `${f[1]}@${f[2]}`;
      lastKind = '';
    }
  }
  const go = lines[0]!.slice(lines[0]!.indexOf(': ') + 2);
  return { mods, stdlib: stdlibVersion(go) };
}

async function compareWithGo(file: string): Promise<FileResult> {
  const r = await parseFile(file);
  const want = oracle(file);
  const got = (r.packages ?? []).filter((p) => p.name !== 'stdlib' || p.metadata?.main);
  const gotIds = got.map((p) => `${p.name}@${p.metadata?.versionSource === 'ldflags' ? '(devel)' : p.version}`);
  assert.deepEqual(gotIds.sort(), want.mods.sort(), file);
  assert.equal(byName(r, 'stdlib')?.version, want.stdlib, file);
  return r;
}

test('oracle: binaries built here by the Go toolchain (vendored deps, replacements, 32-bit, big endian, PE, Mach-O)', { skip: !GO && 'no go toolchain' }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'triad-go-'));
  try {
    // The build cache outlives the test (kept in the temp dir) so later runs skip recompiling.
    const env = { ...process.env, GOCACHE: join(tmpdir(), 'triad-test-gocache'), HOME: dir, GOFLAGS: '-mod=vendor', GOPROXY: 'off', CGO_ENABLED: '0' };
    const src = join(dir, 'src');
    const files: Record<string, string> = {
      'go.mod': 'module example.com/probe\n\ngo 1.19\n\nrequire (\n\texample.com/dep v1.4.0\n\texample.com/local v0.0.0-00010101000000-000000000000\n\texample.com/plain v0.3.1\n)\n\nreplace example.com/dep => example.com/fork v1.5.0\n\nreplace example.com/local => ./local\n',
      'local/go.mod': 'module example.com/local\n',
      'vendor/modules.txt': '# example.com/dep v1.4.0 => example.com/fork v1.5.0\n## explicit\nexample.com/dep\n# example.com/local v0.0.0-00010101000000-000000000000 => ./local\n## explicit\nexample.com/local\n# example.com/plain v0.3.1\n## explicit\nexample.com/plain\n# example.com/dep => example.com/fork v1.5.0\n# example.com/local => ./local\n',
      'main.go': 'package main\n\nimport (\n\t"example.com/dep"\n\t"example.com/local"\n\t"example.com/plain"\n)\n\nvar version = "dev"\n\nfunc main() { println(dep.N, local.N, plain.N, version) }\n',
    };
    for (const n of ['dep', 'local', 'plain']) files[`vendor/example.com/${n}/${n}.go`] = `package ${n}\n\nconst N = "${n}"\n`;
    for (const [name, body] of Object.entries(files)) {
      mkdirSync(join(src, name, '..'), { recursive: true });
      writeFileSync(join(src, name), body);
    }
    // 32-bit little and big endian ELF, 64-bit big endian ELF, a 32-bit PE and an arm64 Mach-O.
    const targets = [['linux', 'amd64'], ['linux', '386'], ['linux', 'mips'], ['linux', 's390x'], ['windows', '386'], ['darwin', 'arm64']];
    for (const [os, arch] of targets) {
      const out = join(dir, `probe-${os}-${arch}`);
      execFileSync('go', ['build', '-o', out, '-ldflags', '-X main.version=1.2.3', '.'], { cwd: src, env: { ...env, GOOS: os, GOARCH: arch }, stdio: 'pipe' });
      const r = await compareWithGo(out);
      assert.equal(r.packages![0]!.version, 'v1.2.3', arch);
      assert.equal(r.packages![0]!.metadata?.['build.GOARCH'], arch);
      const fork = byName(r, 'example.com/fork')!;
      assert.equal(fork.version, 'v1.5.0');
      assert.equal(fork.metadata?.replaces, 'example.com/dep@v1.4.0');
      assert.equal(byName(r, 'example.com/local')!.metadata?.localReplace, './local');
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('oracle: every Trivy fixture (ELF, PE, Mach-O; Go 1.15 to 1.22) matches `go version -m`', { skip: (!GO || !hasSharedData(TRIVY)) && 'no go toolchain' }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'triad-go-'));
  try {
    for (const f of ['test.elf', 'test.exe', 'test.macho', 'main-version-via-ldflags.elf', 'goexperiment', 'semver-main-module-version.macho']) {
      // `go version -m` only looks at files with an execute bit.
      const copy = join(dir, f);
      writeFileSync(copy, readFileSync(sharedData(TRIVY, f)), { mode: 0o755 });
      await compareWithGo(copy);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

/** Real third-party Go programs that Debian or the machine image install (skipped when absent). */
const SYSTEM_GO = [
  '/usr/sbin/dockerd',
  '/usr/bin/containerd',
  '/usr/bin/skopeo',
  '/usr/bin/umoci',
  '/usr/local/bin/terraform',
  '/usr/lib/google-cloud-sdk/bin/kubectl',
  '/usr/lib/google-cloud-sdk/bin/anthoscli',
  '/usr/lib/google-cloud-sdk/bin/kpt',
  '/usr/lib/google-cloud-sdk/platform/google_appengine/go-app-stager',
  '/opt/tf-plugins/registry.terraform.io/hashicorp/aws/5.100.0/linux_amd64/terraform-provider-aws_v5.100.0_x5',
].filter((f) => existsSync(f));

test('oracle: installed Go programs match `go version -m` exactly', { skip: (!GO || SYSTEM_GO.length === 0) && 'no go toolchain or no Go programs installed' }, async () => {
  for (const f of SYSTEM_GO) {
    const r = await compareWithGo(f);
    // Bazel-built anthoscli lists its own code as a "(devel)" dependency: no version in the purl.
    const devel = r.packages?.find((p) => p.version === '(devel)' && !p.metadata?.main);
    if (devel) assert.equal(devel.purl, `pkg:golang/${devel.name}`);
  }
});
