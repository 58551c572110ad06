import assert from 'node:assert/strict';
import { test } from 'node:test';
import { normalizePackageName as n } from './names.ts';

test('PyPI names follow PEP 503', () => {
  assert.equal(n('pypi', 'Django'), 'django');
  assert.equal(n('pypi', 'zope.interface'), 'zope-interface');
  assert.equal(n('pypi', 'Foo__Bar-.baz'), 'foo-bar-baz');
  assert.equal(n('pypi', n('pypi', 'A_B')), n('pypi', 'a-b'));
});

test('npm lower-cases scopes only; legacy capitalised names stay distinct', () => {
  assert.equal(n('npm', '@Babel/Core'), '@babel/Core');
  assert.equal(n('npm', 'JSONStream'), 'JSONStream');
  assert.notEqual(n('npm', 'JSONStream'), n('npm', 'jsonstream'));
});

test('Composer and NuGet are case-insensitive, crates.io also equates - and _', () => {
  assert.equal(n('composer', 'Symfony/Yaml'), 'symfony/yaml');
  assert.equal(n('nuget', 'Newtonsoft.Json'), 'newtonsoft.json');
  assert.equal(n('cargo', 'Serde_JSON'), 'serde-json');
});

test('Maven is group:artifact; Go, gems and OS packages are compared as written', () => {
  assert.equal(n('maven', 'org.apache.logging.log4j/log4j-core'), 'org.apache.logging.log4j:log4j-core');
  assert.equal(n('maven', 'org.apache.logging.log4j:log4j-core'), 'org.apache.logging.log4j:log4j-core');
  assert.equal(n('golang', 'github.com/BurntSushi/toml'), 'github.com/BurntSushi/toml');
  assert.equal(n('gem', 'RedCloth'), 'RedCloth');
  assert.equal(n('deb', 'libssl1.1'), 'libssl1.1');
  assert.equal(n('rpm', ' openssl-libs '), 'openssl-libs');
});
