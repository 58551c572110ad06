// go.mod parsing, checked against the Go toolchain's own parser: `go mod edit -json FILE` prints the
// require and replace directives it reads. Inputs are every real go.mod at hand: the Go toolchain
// sources Debian installs and Trivy's go.mod fixtures (replacements by versions and local paths).
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { test } from 'node:test';
import { globSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { goModCataloger, goModPackages, parseGoMod } from './gomod.ts';
import { MemContent } from '../testing.ts';

const GOMODS = [
  ...globSync('/usr/share/go*/src/**/go.mod'),
  ...globSync('../shared/data/pkgdb/trivy-lang/pkg/dependency/parser/golang/mod/testdata/**/go.mod'),
  ...globSync('../shared/data/expected/trivy-integration/integration/testdata/fixtures/repo/gomod/**/go.mod'),
].map((f) => resolve(f));
const HAVE_GO = (() => {
  try {
    execFileSync('go', ['version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

interface GoEditJSON {
  Require?: Array<{ Path: string; Version: string; Indirect?: boolean }>;
  Replace?: Array<{ Old: { Path: string; Version?: string }; New: { Path: string; Version?: string } }>;
}

test('go.mod requires and replaces equal what `go mod edit -json` reads', { skip: !HAVE_GO && 'no go command' }, (t) => {
  assert.ok(GOMODS.length >= 10, `only ${GOMODS.length} go.mod files found`);
  const tmp = mkdtempSync(join(tmpdir(), 'triad-gomod-'));
  t.after(() => rmSync(tmp, { recursive: true, force: true }));
  let requires = 0;
  for (const f of GOMODS) {
    // Debian's go may predate the file's `go 1.22.0` / `toolchain` lines, which do not bear on
    // requires and replaces: the oracle reads a copy without them.
    const copy = join(tmp, 'go.mod');
    writeFileSync(copy, readFileSync(f, 'utf8').replace(/^(go|toolchain)\s.*$/gm, ''));
    const oracle = JSON.parse(execFileSync('go', ['mod', 'edit', '-json', copy], { cwd: tmp, encoding: 'utf8', env: { ...process.env, GOTOOLCHAIN: 'local' } })) as GoEditJSON;
    const warnings: string[] = [];
    const mod = parseGoMod(readFileSync(f, 'utf8'), warnings);
    assert.deepEqual(warnings, [], f);
    assert.deepEqual(
      mod.requires.map((r) => [r.path, r.version, r.indirect]),
      (oracle.Require ?? []).map((r) => [r.Path, r.Version, r.Indirect === true]),
      f,
    );
    assert.deepEqual(
      mod.replaces.map((r) => [r.from, r.fromVersion ?? '', r.to, r.toVersion ?? '']),
      (oracle.Replace ?? []).map((r) => [r.Old.Path, r.Old.Version ?? '', r.New.Path, r.New.Version ?? '']),
      f,
    );
    requires += mod.requires.length;
  }
  assert.ok(requires > 20);
});

test('replace directives: module replacements win, local directories drop the module', () => {
  const mod = parseGoMod(
    [
      'module example.com/app',
      'go 1.21',
      'require (',
      '\tgolang.org/x/xerrors v0.0.0-20200804184101-5ec99f83aff1 // indirect',
      '\tgithub.com/a/b v1.0.0',
      '\tgithub.com/c/d v1.2.0',
      '\t"github.com/e/f" v2.0.0+incompatible',
      ')',
      'replace github.com/a/b => github.com/fork/b v1.0.1',
      'replace github.com/c/d v1.1.0 => github.com/fork/d v9.9.9 // other version: does not apply',
      'replace golang.org/x/xerrors => ./xerrors',
      'exclude github.com/x/y v0.1.0',
    ].join('\n'),
    [],
  );
  const pkgs = goModPackages('src/go.mod', mod);
  assert.deepEqual(
    pkgs.map((p) => [p.name, p.version, p.metadata ?? {}]),
    [
      ['github.com/fork/b', 'v1.0.1', { replaces: 'github.com/a/b@v1.0.0' }],
      ['github.com/c/d', 'v1.2.0', {}],
      ['github.com/e/f', 'v2.0.0+incompatible', {}],
    ],
  );
  assert.equal(pkgs[0]!.purl, 'pkg:golang/github.com/fork/b@v1.0.1');
});

test('the cataloger wants go.mod files only and survives garbage', async () => {
  assert.ok(goModCataloger.wants({ path: 'usr/lib/go/src/go.mod', size: 100, mode: 0o644 }));
  assert.ok(goModCataloger.wants({ path: 'go.mod', size: 100, mode: 0o644 }));
  assert.equal(goModCataloger.wants({ path: 'src/notgo.mod', size: 100, mode: 0o644 }), false);
  const r = await goModCataloger.parse({ path: 'x/go.mod', size: 40, mode: 0o644 }, new MemContent(Buffer.from('require (\nonlyone\nreplace => \n\u0000\u00ff')));
  assert.deepEqual(r.packages, []);
  assert.ok(r.warnings?.some((w) => w.includes('x/go.mod')));
});

test('a go.mod older than Go 1.17 takes its indirect modules from go.sum, at their highest version', async () => {
  const { runCataloger } = await import('../testing.ts');
  // Lines from the real go.sum of Go 1.19's crypto/internal/edwards25519/field/_asm module.
  const files = [
    { path: 'app/go.mod', data: Buffer.from('module example.com/app\n\ngo 1.16\n\nrequire github.com/mmcloughlin/avo v0.2.0\n') },
    {
      path: 'app/go.sum',
      data: Buffer.from(
        [
          'github.com/mmcloughlin/avo v0.2.0 h1:6vhoSaKtxb6f4RiH+LK2qL6GSMpFzhEwJYTTSZNy09w=',
          'golang.org/x/mod v0.3.0 h1:RM4zey1++hCTbCVQfnWeKs9/IEsaBLA8vTkd0WVtmH4=',
          'golang.org/x/mod v0.3.0/go.mod h1:s0Qsj1ACt9ePp/hMypM3fl4fZqREWJwdYDEqhRiZZUA=',
          'golang.org/x/sys v0.0.0-20190215142949-d0b11bdaac8a/go.mod h1:STP8DvDyc/dI5b8T5hshtkjS+E42TnysNCUPdjciGhY=',
          'golang.org/x/sys v0.0.0-20210403161142-5e06dd20ab57/go.mod h1:h1NjWce9XRLGQEsW7wpKNCjG9DtNlClVuFLEZdDNbEs=',
          'golang.org/x/tools v0.1.0/go.mod h1:xkSsbof2nBLbhDlRMhhhyNLN/zl3eTqcnHD5viDpcZ0=',
          'golang.org/x/tools v0.0.0-20191119224855-298f0cb1881e/go.mod h1:b+2E5dAYhXwXZwtnZ6UAqBI28+e2cm9otk0dWdXHAEo=',
        ].join('\n'),
      ),
    },
    // Go 1.17+: go.mod is complete, go.sum adds nothing.
    { path: 'new/go.mod', data: Buffer.from('module example.com/new\n\ngo 1.19\n\nrequire golang.org/x/text v0.3.7\n') },
    { path: 'new/go.sum', data: Buffer.from('golang.org/x/tools v0.1.0/go.mod h1:xkSsbof2nBLbhDlRMhhhyNLN/zl3eTqcnHD5viDpcZ0=\n') },
  ];
  const { packages } = await runCataloger(goModCataloger, files);
  assert.deepEqual(
    packages.map((p) => `${p.name}@${p.version}${p.metadata?.fromGoSum ? ' (go.sum)' : ''}`).sort(),
    [
      'github.com/mmcloughlin/avo@v0.2.0',
      'golang.org/x/mod@v0.3.0 (go.sum)',
      'golang.org/x/sys@v0.0.0-20210403161142-5e06dd20ab57 (go.sum)',
      'golang.org/x/text@v0.3.7',
      'golang.org/x/tools@v0.1.0 (go.sum)',
    ],
  );
});
