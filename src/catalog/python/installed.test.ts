import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { hasSharedData, sharedData } from '../../../test/shared-data.ts';
import type { FileContent } from '../cataloger.ts';
import { MemContent, runCataloger, treeFiles } from '../testing.ts';
import { pythonCataloger } from './index.ts';
import { normalizeName, parseMetadata } from './metadata.ts';

const HERE = dirname(fileURLToPath(import.meta.url));
const PKG = 'pkgdb/trivy-lang/pkg/dependency/parser/python/packaging/testdata';

test('wants: metadata files anywhere, lockfiles outside installed package trees', () => {
  const w = (path: string) => pythonCataloger.wants({ path, size: 1, mode: 0o644 });
  for (const p of [
    'usr/lib/python3/dist-packages/six-1.16.0.dist-info/METADATA',
    'usr/local/lib/python3.12/site-packages/Django-4.2.egg-info/PKG-INFO',
    'usr/lib/python3/dist-packages/crit-3.17.1-py3.11.egg-info',
    'opt/lib/foo-1.0-py3.8.egg/EGG-INFO/PKG-INFO',
    'var/task/requests-2.31.0.dist-info/METADATA',
    'app/requirements.txt',
    'app/Pipfile.lock',
    'poetry.lock',
    'srv/uv.lock',
  ]) {
    assert.ok(w(p), p);
  }
  for (const p of [
    'usr/lib/python3/dist-packages/six-1.16.0.dist-info/RECORD',
    'app/METADATA',
    'app/docs/PKG-INFO',
    'usr/lib/python3/dist-packages/foo/requirements.txt',
    'app/node_modules/x/requirements.txt',
    'app/requirements-dev.txt',
    'app/Gemfile.lock',
  ]) {
    assert.equal(w(p), false, p);
  }
});

test('names normalise per PEP 503', () => {
  assert.equal(normalizeName('Zope.Interface'), 'zope-interface');
  assert.equal(normalizeName('ruamel__yaml'), 'ruamel-yaml');
  assert.equal(parseMetadata('x/lazr.uri-1.0.6.egg-info/PKG-INFO', 'Name: lazr.uri\nVersion: 1.0.6\n').pkg!.purl, 'pkg:pypi/lazr-uri@1.0.6');
});

test('Trivy packaging testdata: names, versions, licences', { skip: !hasSharedData(PKG) }, () => {
  const meta = (f: string) => parseMetadata(`usr/lib/python3/site-packages/${f}`, readFileSync(sharedData(PKG, f), 'utf8'));
  const got = (f: string) => {
    const p = meta(f).pkg!;
    return [p.name, p.version, p.licenses];
  };
  assert.deepEqual(got('simple-0.1.0.METADATA'), ['simple', '0.1.0', []]);
  assert.deepEqual(got('distlib-0.3.1.METADATA'), ['distlib', '0.3.1', ['Python license']]);
  assert.deepEqual(got('distlib-0.3.1-py3.9.egg-info'), ['distlib', '0.3.1', ['Python license']]);
  assert.deepEqual(got('iniconfig-2.0.0.METADATA'), ['iniconfig', '2.0.0', ['MIT']]);
  assert.deepEqual(got('zipp-3.12.1.METADATA'), ['zipp', '3.12.1', ['MIT License']]);
  assert.deepEqual(got('asyncssh-2.14.2.METADATA'), ['asyncssh', '2.14.2', ['Eclipse Public License v2.0']]);
  // License: UNKNOWN falls back to the classifier, which follows a multi-line Description header.
  assert.deepEqual(got('setuptools-51.3.3-py3.8.egg-info.PKG-INFO'), ['setuptools', '51.3.3', ['MIT License']]);
  assert.deepEqual(got('unidecode-egg-info.PKG-INFO'), ['Unidecode', '0.4.1', []]);
  assert.deepEqual(got('pyphen-0.14.0.METADATA'), [
    'pyphen',
    '0.14.0',
    ['GNU General Public License v2 or later (GPLv2+)', 'GNU Lesser General Public License v2 or later (LGPLv2+)', 'Mozilla Public License 1.1 (MPL 1.1)'],
  ]);
  // Requires-Dist entries behind an extra are optional and not dependencies.
  assert.deepEqual(meta('asyncssh-2.14.2.METADATA').pkg!.dependsOnNames, ['cryptography', 'typing-extensions']);
  assert.equal(meta('invalid.json').pkg, undefined);
  assert.match(meta('invalid.json').warning!, /without Name or Version/);
});

test('a real Debian + pyenv + venv tree: dual metadata merged, the interpreter is not a package', async () => {
  const r = await runCataloger(pythonCataloger, treeFiles(pythonCataloger, join(HERE, 'testdata/image'), ''));
  const got = r.packages.map((p) => [p.purl, p.licenses.join(' | '), p.locations!.join(' + ')]);
  assert.deepEqual(got, [
    ['pkg:pypi/attrs@26.1.0', 'MIT', 'opt/venv/lib/python3.11/site-packages/attrs-26.1.0.dist-info/METADATA'],
    ['pkg:pypi/flask@3.1.3', 'BSD-3-Clause', 'opt/venv/lib/python3.11/site-packages/flask-3.1.3.dist-info/METADATA'],
    ['pkg:pypi/pygobject@3.42.2', 'GNU LGPL', 'usr/lib/python3/dist-packages/PyGObject-3.42.2.egg-info/PKG-INFO'],
    ['pkg:pypi/crit@3.17.1', 'GPLv2', 'usr/lib/python3/dist-packages/crit-3.17.1-py3.11.egg-info'],
    [
      'pkg:pypi/cryptography@38.0.4',
      'BSD-3-Clause OR Apache-2.0',
      'usr/lib/python3/dist-packages/cryptography-38.0.4.dist-info/METADATA + usr/lib/python3/dist-packages/cryptography.egg-info/PKG-INFO',
    ],
  ]);
  const flask = r.packages.find((p) => p.name === 'Flask')!;
  assert.deepEqual(flask.dependsOnNames, ['blinker', 'click', 'importlib-metadata', 'itsdangerous', 'jinja2', 'markupsafe', 'werkzeug']);
  assert.ok(r.packages.every((p) => p.ecosystem === 'pypi'));
  assert.deepEqual(r.warnings, []);
  // Dependency names take the spelling of the distribution installed beside them.
  const flaskDir = 'opt/venv/lib/python3.11/site-packages/';
  const more = await runCataloger(pythonCataloger, [
    ...treeFiles(pythonCataloger, join(HERE, 'testdata/image'), ''),
    { path: `${flaskDir}Jinja2-3.1.6.dist-info/METADATA`, data: Buffer.from('Name: Jinja2\nVersion: 3.1.6\n') },
  ]);
  assert.ok(more.packages.find((p) => p.name === 'Flask')!.dependsOnNames!.includes('Jinja2'));
});

test('only the metadata headers are read, whatever the size of the embedded README', async () => {
  const readme = 'x'.repeat(3 * 1024 * 1024);
  const data = Buffer.from(`Metadata-Version: 2.1\nName: big\nVersion: 1.0\nLicense: MIT\n\n${readme}`);
  let asked = 0;
  const content: FileContent = {
    size: data.length,
    read: async (o, l) => ((asked += l), new MemContent(data).read(o, l)),
    readAll: async () => assert.fail('readAll must not be used for METADATA'),
  };
  const meta = { path: 'site-packages/big-1.0.dist-info/METADATA', size: data.length, mode: 0o644 };
  assert.ok((pythonCataloger.wants(meta) as number) >= data.length);
  const r = await pythonCataloger.parse(meta, content);
  assert.equal(r.packages![0]!.version, '1.0');
  assert.ok(asked <= 512 * 1024);
});

test('malformed metadata yields a warning, not an exception', async () => {
  for (const text of ['', '\u0000\u0001binary', 'Name: only-a-name\n', ':\n:\n']) {
    const r = await pythonCataloger.parse({ path: 'a/x.dist-info/METADATA', size: text.length, mode: 0 }, new MemContent(Buffer.from(text)));
    assert.deepEqual(r.packages, []);
    assert.equal(r.warnings!.length, 1);
  }
});

/** importlib.metadata's view of a directory: the reference implementation of these formats. */
function importlibView(dir: string): string[] | undefined {
  try {
    const out = execFileSync(
      'python3',
      ['-c', 'import importlib.metadata as m,sys,re\nfor d in m.distributions(path=[sys.argv[1]]):\n n=d.metadata["Name"];v=d.metadata["Version"]\n if n and v: print(re.sub(r"[-_.]+","-",n).lower()+"@"+v)', dir],
      { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] },
    );
    return [...new Set(out.split('\n').filter(Boolean))].sort();
  } catch {
    return undefined;
  }
}

test('host site-packages/dist-packages agree with importlib.metadata', async (t) => {
  const dirs = ['/usr/lib/python3/dist-packages'];
  for (const root of ['/usr/local/lib', '/usr/lib']) {
    if (!existsSync(root)) continue;
    for (const d of readdirSync(root)) if (/^python3\.\d+$/.test(d)) dirs.push(join(root, d, 'site-packages'), join(root, d, 'dist-packages'));
  }
  const present = dirs.filter((d) => existsSync(d) && readdirSync(d).some((n) => n.endsWith('.dist-info') || n.endsWith('.egg-info')));
  if (!present.length || !importlibView(present[0]!)) return t.skip('no python3 or no installed distributions on this host');
  for (const dir of present) {
    const r = await runCataloger(pythonCataloger, treeFiles(pythonCataloger, dir, dir.slice(1)));
    const ours = [...new Set(r.packages.map((p) => p.purl.slice('pkg:pypi/'.length)))].sort();
    assert.deepEqual(ours, importlibView(dir), dir);
    assert.ok(ours.length > 0);
  }
});
