import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { hasSharedData, sharedData, SHARED_DATA } from '../../../test/shared-data.ts';
import type { FileMeta, FileResult, FoundPackage, ParsedFile } from '../cataloger.ts';
import { bufferSource } from '../binary/source.ts';
import { rustCataloger } from './index.ts';
import { parseToml } from './toml.ts';

const BIN = 'pkgdb/trivy-lang/pkg/dependency/parser/rust/binary/testdata';
const LOCKS = 'pkgdb/trivy-lang/pkg/dependency/parser/rust/cargo/testdata';
const GOLDEN = 'expected/trivy-integration/integration/testdata';

async function parseAs(path: string, buf: Buffer, mode = 0o644): Promise<FileResult> {
  const meta: FileMeta = { path, size: buf.length, mode };
  assert.ok(rustCataloger.wants(meta), path);
  return rustCataloger.parse(meta, bufferSource(buf));
}
const ids = (ps: FoundPackage[] | undefined) => (ps ?? []).map((p) => `${p.name}@${p.version}`);
const graph = (ps: FoundPackage[] | undefined) => Object.fromEntries((ps ?? []).map((p) => [`${p.name}@${p.version}`, [...(p.dependsOnNames ?? [])].sort()]));

/** Runs parse on each file, then finalize, the way the walker does. */
async function catalog(files: Array<[string, Buffer]>): Promise<FoundPackage[]> {
  const parsed: ParsedFile[] = [];
  for (const [path, buf] of files) parsed.push({ meta: { path, size: buf.length, mode: 0o644 }, result: await parseAs(path, buf) });
  return rustCataloger.finalize!({ files: parsed, exists: () => true });
}

test('cargo-auditable binaries (ELF, PE, Mach-O): crates from .dep-v0 with their edges', { skip: !hasSharedData(BIN) }, async () => {
  const r = await parseAs('usr/bin/app', readFileSync(sharedData(BIN, 'test.elf')), 0o755);
  assert.deepEqual(graph(r.packages), { 'crate_with_features@0.1.0': ['library_crate@0.1.0'], 'library_crate@0.1.0': [] });
  const root = r.packages![0]!;
  assert.equal(root.purl, 'pkg:cargo/crate_with_features@0.1.0');
  assert.equal(root.metadata?.root, true);
  assert.equal(root.ecosystem, 'cargo');
  assert.deepEqual(root.locations, ['usr/bin/app']);
  // The PE and Mach-O builds of the same program carry the same data.
  for (const f of ['test.exe', 'test.macho']) assert.deepEqual(graph((await parseAs('usr/bin/x', readFileSync(sharedData(BIN, f)), 0o755)).packages), graph(r.packages), f);
  assert.equal(rustCataloger.wants({ path: 'usr/bin/dummy', size: 45, mode: 0o755 }), false);
});

test('wants(): lock files and manifests, not those in Cargo\'s source caches', () => {
  assert.ok(rustCataloger.wants({ path: 'src/app/Cargo.lock', size: 100, mode: 0o644 }));
  assert.ok(rustCataloger.wants({ path: 'Cargo.toml', size: 100, mode: 0o644 }));
  assert.equal(rustCataloger.wants({ path: 'root/.cargo/registry/src/index.crates.io-6f17d22bba15001f/serde-1.0.0/Cargo.lock', size: 100, mode: 0o644 }), false);
  assert.equal(rustCataloger.wants({ path: 'usr/local/cargo/git/checkouts/x/Cargo.toml', size: 100, mode: 0o644 }), false);
  assert.ok(rustCataloger.wants({ path: 'usr/bin/rg', size: 5e6, mode: 0o755 }));
  assert.equal(rustCataloger.wants({ path: 'usr/share/doc/x.txt', size: 5e6, mode: 0o644 }), false);
});

test('corrupt .dep-v0 data is a warning, never an exception', { skip: !hasSharedData(BIN) }, async () => {
  const orig = readFileSync(sharedData(BIN, 'test.elf'));
  const at = orig.indexOf(Buffer.from([0x78, 0x9c, 0x8d, 0x8d])); // the section's zlib header
  assert.ok(at > 0);
  const bad = Buffer.from(orig);
  bad.fill(0x41, at, at + 0x76);
  const r = await parseAs('usr/bin/app', bad, 0o755);
  assert.equal(r.packages, undefined);
  assert.match(r.warnings![0]!, /\.dep-v0: not zlib data/);
  for (const n of [70, 4096, at + 10]) await parseAs('usr/bin/app', orig.subarray(0, n), 0o755);
});

test('Cargo.lock v3: every crate, "name version" references resolved to the right version', { skip: !hasSharedData(LOCKS) }, async () => {
  const r = await parseAs('src/app/Cargo.lock', readFileSync(sharedData(LOCKS, 'cargo_v3.lock')));
  assert.deepEqual(graph(r.packages), {
    'aho-corasick@0.7.20': ['memchr@2.5.0'],
    'app@0.1.0': ['memchr@1.0.2', 'regex-syntax@0.5.6', 'regex@1.7.3'],
    'libc@0.2.140': [],
    'memchr@1.0.2': ['libc@0.2.140'],
    'memchr@2.5.0': [],
    'regex@1.7.3': ['aho-corasick@0.7.20', 'memchr@2.5.0', 'regex-syntax@0.6.29'],
    'regex-syntax@0.5.6': ['ucd-util@0.1.10'],
    'regex-syntax@0.6.29': [],
    'ucd-util@0.1.10': [],
  });
  const app = r.packages!.find((p) => p.name === 'app')!;
  assert.equal(app.metadata?.local, true);
  assert.equal(r.packages!.find((p) => p.name === 'libc')!.metadata?.checksum, '99227334921fae1a979cf0bfdfcc6b3e5ce376ef57e16fb6fb3ea2ed6095f80c');
  assert.equal(r.warnings, undefined);
});

test('Cargo.lock v1: "(source)" references, [metadata] checksums, odd but valid TOML', { skip: !hasSharedData(LOCKS) }, async () => {
  const want = {
    'libc@0.2.54': [],
    'normal@0.1.0': ['libc@0.2.54'],
    'unsafe-any@0.4.2': [],
    'typemap@0.3.3': ['unsafe-any@0.4.2'],
    'idna@0.1.5': [],
    'matches@0.1.8': [],
    'percent-encoding@1.0.1': [],
    'url@1.7.2': ['idna@0.1.5', 'matches@0.1.8', 'percent-encoding@1.0.1'],
  };
  for (const f of ['cargo_normal.lock', 'cargo_mixed.lock']) {
    const r = await parseAs('Cargo.lock', readFileSync(sharedData(LOCKS, f)));
    assert.deepEqual(graph(r.packages), want, f);
    assert.equal(r.warnings, undefined, f);
  }
  // Broken TOML ("version =" with no value): the broken entry is dropped with a warning, the rest kept.
  const bad = await parseAs('Cargo.lock', readFileSync(sharedData(LOCKS, 'cargo_invalid.lock')));
  assert.deepEqual(ids(bad.packages), ['libc@0.2.54', 'typemap@0.3.3', 'url@1.7.2']);
  assert.match(bad.warnings!.join('\n'), /line 10: expected a value[\s\S]*normal has no version/);
});

test('Cargo.lock + Cargo.toml: dev-only crates dropped, as in Trivy\'s golden report', { skip: !hasSharedData(GOLDEN) }, async () => {
  const dir = sharedData(GOLDEN, 'fixtures/repo/cargo');
  const pkgs = await catalog([
    ['src/app/Cargo.lock', readFileSync(join(dir, 'Cargo.lock'))],
    ['src/app/Cargo.toml', readFileSync(join(dir, 'Cargo.toml'))],
  ]);
  const golden = JSON.parse(readFileSync(sharedData(GOLDEN, 'cargo.lock.json.golden'), 'utf8')) as {
    Results: Array<{ Packages: Array<{ ID: string; DependsOn?: string[]; Identifier: { PURL: string } }> }>;
  };
  const want = Object.fromEntries(golden.Results[0]!.Packages.map((p) => [p.ID, [...(p.DependsOn ?? [])].sort()]));
  assert.deepEqual(graph(pkgs), want);
  assert.deepEqual(pkgs.map((p) => p.purl).sort(), golden.Results[0]!.Packages.map((p) => p.Identifier.PURL).sort());
  // Without the manifest nothing is pruned (winapi and its two target crates come back).
  assert.equal((await catalog([['Cargo.lock', readFileSync(join(dir, 'Cargo.lock'))]])).length, pkgs.length + 3);
});

test('large real lock file: one package per [[package]], references resolved or reported', { skip: !hasSharedData(GOLDEN) }, async () => {
  const text = readFileSync(sharedData(GOLDEN, 'fixtures/repo/trivy-ci-test/Cargo.lock'));
  const r = await parseAs('Cargo.lock', text);
  assert.equal(r.packages!.length, (text.toString().match(/^\[\[package\]\]$/gm) ?? []).length);
  // The fixture was edited by hand (ammonia downgraded to 1.9.0 but still required at 2.0.0).
  assert.deepEqual(r.warnings, ['Cargo.lock: normal@0.1.0: dependency "ammonia 2.0.0 (registry+https://github.com/rust-lang/crates.io-index)" is not in the lock file']);
  assert.equal(r.packages!.find((p) => p.name === 'normal')!.dependsOnNames!.length, 2);
});

function which(cmd: string, arg = '--version'): boolean {
  try {
    execFileSync(cmd, [arg], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

test('oracle: cargo writes the lock file, cargo tree says what is built', { skip: !which('cargo') && 'no cargo' }, async () => {
  const root = mkdtempSync(join(tmpdir(), 'triad-cargo-'));
  try {
    const crate = (dir: string, name: string, version: string, extra = '') => {
      mkdirSync(join(root, dir, 'src'), { recursive: true });
      writeFileSync(join(root, dir, 'Cargo.toml'), `[package]\nname = "${name}"\nversion = "${version}"\nedition = "2021"\n${extra}`);
      writeFileSync(join(root, dir, 'src', name === 'app' ? 'main.rs' : 'lib.rs'), name === 'app' ? 'fn main() {}\n' : 'pub fn f() {}\n');
    };
    // Two versions of one crate name, a renamed dependency, a target-specific one, a build one and
    // a dev-only one that shares a dependency with a normal one.
    crate('bar', 'bar', '0.3.0');
    crate('buildy', 'buildy', '0.2.0');
    crate('v1/foo', 'foo', '1.0.0');
    crate('v2/foo', 'foo', '2.0.0', '\n[dependencies]\nbar = { path = "../../bar" }\n');
    crate('devonly', 'devonly', '0.9.0', '\n[dependencies]\nbar = { path = "../bar" }\n');
    crate('app', 'app', '0.1.0',
      '\n[dependencies]\nfoo = { path = "../v1/foo" }\nfoo2 = { package = "foo", path = "../v2/foo" }\n\n' +
        "[target.'cfg(unix)'.dependencies]\nbar = { path = \"../bar\" }\n\n[build-dependencies]\nbuildy = { path = \"../buildy\" }\n\n" +
        '[dev-dependencies]\ndevonly = { path = "../devonly" }\n');
    const app = join(root, 'app');
    const env = { ...process.env, CARGO_HOME: join(root, '.cargo'), CARGO_NET_OFFLINE: 'true' };
    execFileSync('cargo', ['generate-lockfile', '--offline'], { cwd: app, env, stdio: 'pipe' });
    const lock = readFileSync(join(app, 'Cargo.lock'));
    const meta = JSON.parse(execFileSync('cargo', ['metadata', '--offline', '--format-version', '1'], { cwd: app, env, encoding: 'utf8' })) as {
      packages: Array<{ id: string; name: string; version: string }>;
      resolve: { nodes: Array<{ id: string; deps: Array<{ pkg: string }> }> };
    };
    const idOf = new Map(meta.packages.map((p) => [p.id, `${p.name}@${p.version}`]));
    const want = Object.fromEntries(meta.resolve.nodes.map((n) => [idOf.get(n.id), n.deps.map((d) => idOf.get(d.pkg)!).sort()]));
    const all = await parseAs('src/app/Cargo.lock', lock);
    assert.deepEqual(graph(all.packages), want);

    const tree = execFileSync('cargo', ['tree', '--offline', '-e', 'normal,build', '--prefix', 'none'], { cwd: app, env, encoding: 'utf8' });
    const built = [...new Set(tree.split('\n').filter(Boolean).map((l) => l.replace(/^(\S+) v(\S+).*$/, '$1@$2')))].sort();
    const pruned = await catalog([
      ['src/app/Cargo.lock', lock],
      ['src/app/Cargo.toml', readFileSync(join(app, 'Cargo.toml'))],
    ]);
    assert.deepEqual(ids(pruned).sort(), built);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

/** Every TOML file in the shared data must read exactly as Python's tomllib reads it. */
function tomlFiles(dir: string, out: string[] = []): string[] {
  for (const e of readdirSync(dir)) {
    const p = join(dir, e);
    if (statSync(p).isDirectory()) tomlFiles(p, out);
    else if (/\.toml$|^Cargo\.lock$|cargo.*\.lock$/i.test(p)) out.push(p);
  }
  return out;
}
const PY_TOML = (() => {
  try {
    execFileSync('python3', ['-c', 'import tomllib'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

test('oracle: TOML reader = Python tomllib on every TOML file of the shared data', { skip: (!PY_TOML || !hasSharedData('pkgdb')) && 'needs python3 tomllib' }, () => {
  const files = [...tomlFiles(sharedData('pkgdb')), ...tomlFiles(sharedData('expected'))];
  // Dates become ISO text on both sides; numbers and strings are compared as JSON.
  const py = `import tomllib,json,sys,datetime
out={}
for f in sys.argv[1:]:
  try: out[f]=tomllib.load(open(f,'rb'))
  except Exception: out[f]=None
print(json.dumps(out,default=lambda o:'DATE'))`;
  const want = JSON.parse(execFileSync('python3', ['-c', py, ...files], { encoding: 'utf8', maxBuffer: 1 << 28 })) as Record<string, unknown>;
  let compared = 0;
  for (const f of files) {
    if (want[f] === null) continue; // invalid TOML on purpose (sad-path fixtures)
    const ours = JSON.parse(JSON.stringify(parseToml(readFileSync(f, 'utf8')), (_k, v) => (typeof v === 'string' && /^\d{4}-\d{2}-\d{2}[T ]\d{2}:|^\d{4}-\d{2}-\d{2}$|^\d{2}:\d{2}:\d{2}/.test(v) ? 'DATE' : v)));
    assert.deepEqual(ours, want[f], f.slice(SHARED_DATA.length));
    compared++;
  }
  assert.ok(compared >= 20, `compared ${compared}`);
});

test('TOML reader: hostile input', () => {
  const w: string[] = [];
  const deep = parseToml(`a = ${'['.repeat(5000)}${']'.repeat(5000)}\nb = 1\n__proto__ = "x"\n[c]\nconstructor = 2\n`, w);
  assert.match(w[0]!, /nested too deeply/);
  assert.equal(deep.b, 1);
  assert.equal(deep.__proto__, 'x');
  assert.equal(({} as Record<string, unknown>).x, undefined);
  assert.deepEqual({ ...(deep.c as object) }, { constructor: 2 });
  assert.deepEqual(parseToml('s = """a\\\n   b"""\nt = \'\'\'x\'\'\'\'\'\n', w), Object.assign(Object.create(null), { s: 'ab', t: "x''" }));
});
