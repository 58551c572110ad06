import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Inventory } from '../model/types.ts';
import { cdxLicenses, toCycloneDX } from './cyclonedx.ts';
import { debianAppInventory, hostDpkgInventory, rootfsInventory, ubiInventory } from './tests/fixtures/inventory.ts';
import { cycloneDXValidator, formatErrors } from './tests/validate.ts';

const UUID = '3f2c1a4e-9b7d-4c2e-8f1a-0d5e6b7c8a9f';

interface Comp {
  'bom-ref': string;
  type: string;
  name: string;
  group?: string;
  version?: string;
  purl?: string;
  licenses?: Array<{ license?: { id?: string; name?: string }; expression?: string }>;
  properties?: Array<{ name: string; value: string }>;
  evidence?: { occurrences: Array<{ location: string }> };
}
interface Bom {
  serialNumber: string;
  metadata: { timestamp: string; tools: { components: Comp[] }; component: Comp };
  components: Comp[];
  dependencies: Array<{ ref: string; dependsOn: string[] }>;
}

const bom = (inv: Inventory, uuid = UUID) => toCycloneDX(inv, { uuid }) as unknown as Bom;
const prop = (c: Comp, name: string) => c.properties?.filter((p) => p.name === `triad:${name}`).map((p) => p.value) ?? [];

/** The checks the schema cannot make: refs resolve, bom-refs are unique, everything is reachable. */
function assertGraph(b: Bom): void {
  const refs = [b.metadata.component, ...b.components].map((c) => c['bom-ref']);
  assert.equal(new Set(refs).size, refs.length, 'bom-refs must be unique');
  const known = new Set(refs);
  const depRefs = b.dependencies.map((d) => d.ref);
  assert.equal(new Set(depRefs).size, depRefs.length, 'one dependencies entry per ref');
  for (const d of b.dependencies) {
    assert.ok(known.has(d.ref), `dependency ref ${d.ref} is not a bom-ref`);
    for (const t of d.dependsOn) assert.ok(known.has(t), `${d.ref} depends on unknown ${t}`);
    assert.deepEqual(d.dependsOn, [...new Set(d.dependsOn)], 'dependsOn without duplicates');
  }
  assert.deepEqual(new Set(depRefs), known, 'every component has a dependencies entry');
  const edges = new Map(b.dependencies.map((d) => [d.ref, d.dependsOn]));
  const seen = new Set<string>();
  const stack = [b.metadata.component['bom-ref']];
  while (stack.length) {
    const r = stack.pop()!;
    if (seen.has(r)) continue;
    seen.add(r);
    stack.push(...(edges.get(r) ?? []));
  }
  assert.deepEqual([...known].filter((r) => !seen.has(r)), [], 'every component is reachable from the image');
}

test('CycloneDX output validates against the official 1.6 schema for every fixture', () => {
  const validate = cycloneDXValidator();
  const invs = [debianAppInventory(), ubiInventory(), rootfsInventory()];
  const host = hostDpkgInventory();
  if (host) invs.push(host);
  for (const inv of invs) {
    const b = bom(inv);
    assert.ok(validate(b), `${inv.image.ref}:\n${formatErrors(validate.errors)}`);
    assertGraph(b);
    assert.equal(b.components.filter((c) => c.type !== 'operating-system').length, inv.packages.length);
  }
});

test('metadata describes the tool and the image as a container with an oci purl', () => {
  const b = bom(debianAppInventory());
  assert.equal(b.serialNumber, `urn:uuid:${UUID}`);
  assert.equal(b.metadata.timestamp, '2024-03-18T10:15:30Z');
  assert.deepEqual(b.metadata.tools.components, [{ type: 'application', name: 'triad', version: '0.1.0' }]);
  const img = b.metadata.component;
  assert.equal(img.type, 'container');
  assert.equal(img.name, 'registry.example.com:5000/team/web-app');
  assert.equal(img.version, '1.4.2');
  assert.match(img.purl!, /^pkg:oci\/web-app@sha256:f{64}\?arch=amd64&/);
  assert.match(img.purl!, /repository_url=registry\.example\.com%3A5000%2Fteam%2Fweb-app/);
  assert.deepEqual(prop(img, 'os:family'), ['debian']);
  assert.deepEqual(prop(img, 'os:version'), ['12']);
  assert.equal(prop(img, 'layer:diffID').length, 5);

  // Known only by digest: version is the digest; Docker Hub short names get their full repository.
  const ubi = bom(ubiInventory()).metadata.component;
  assert.equal(ubi.version, `sha256:${'9'.repeat(64)}`);
  assert.match(ubi.purl!, /repository_url=registry\.access\.redhat\.com%2Fubi9%2Fubi-minimal/);
  const hub = debianAppInventory();
  hub.image.repoTags = ['python:3.12-slim'];
  hub.image.repoDigests = [`python@sha256:${'1'.repeat(64)}`];
  const h = bom(hub).metadata.component;
  assert.equal(h.name, 'python');
  assert.equal(h.version, '3.12-slim');
  assert.match(h.purl!, /^pkg:oci\/python@sha256:1{64}\?arch=amd64&repository_url=docker\.io%2Flibrary%2Fpython&tag=3\.12-slim$/);

  // A rootfs has no digest, so no purl (the oci purl's version is the digest).
  const root = bom(rootfsInventory()).metadata.component;
  assert.equal(root.purl, undefined);
  assert.equal(root.name, '/tmp/rootfs');
});

test('components carry ids, groups, purls, layer/source/owner properties and evidence', () => {
  const inv = debianAppInventory();
  const b = bom(inv);
  const os = b.components.find((c) => c.type === 'operating-system')!;
  assert.deepEqual([os.name, os.version], ['debian', '12']);
  for (const p of inv.packages) assert.ok(b.components.some((c) => c['bom-ref'] === p.id), `no component for ${p.id}`);
  const by = (ref: string) => b.components.find((c) => c['bom-ref'] === ref)!;

  const babel = by('pkg:npm/%40babel/core@7.24.0');
  assert.deepEqual([babel.group, babel.name, babel.type], ['@babel', 'core', 'library']);
  const log4j = by('pkg:maven/org.apache.logging.log4j/log4j-core@2.17.1');
  assert.deepEqual([log4j.group, log4j.name], ['org.apache.logging.log4j', 'log4j-core']);
  assert.equal(by('pkg:golang/github.com/spf13/cobra@v1.8.0').group, undefined);

  const login = inv.packages.find((p) => p.name === 'login')!;
  const c = by(login.id);
  assert.equal(c.version, '1:4.13+dfsg1-1+b1');
  assert.equal(c.purl, login.purl);
  assert.deepEqual(prop(c, 'source:name'), ['shadow']);
  assert.deepEqual(prop(c, 'source:version'), ['1:4.13+dfsg1-1']);
  assert.deepEqual(prop(c, 'package:arch'), ['amd64']);
  assert.deepEqual(prop(c, 'package:ecosystem'), ['deb']);
  assert.deepEqual(prop(c, 'layer:index'), ['0']);
  assert.deepEqual(prop(c, 'layer:diffID'), [inv.layers[0]!.diffID]);
  assert.match(prop(c, 'layer:createdBy')[0]!, /^ADD file:[0-9a-f]+ in \/$/);
  assert.deepEqual(c.evidence, { occurrences: [{ location: 'var/lib/dpkg/status' }] });

  const six = b.components.find((x) => x.name === 'six')!;
  assert.deepEqual(prop(six, 'owner:purl'), [inv.packages.find((p) => p.name === 'python3-six')!.purl]);
  assert.deepEqual(prop(six, 'location:path'), ['usr/lib/python3/dist-packages/six-1.16.0.egg-info/PKG-INFO']);
  // No layer attribution: no layer properties at all rather than empty ones.
  assert.deepEqual(prop(by('pkg:golang/gopkg.in/yaml.v3@v3.0.1'), 'layer:index'), []);
});

test('licences: SPDX ids, expressions and free-text names each land where CycloneDX wants them', () => {
  assert.deepEqual(cdxLicenses(['MIT']), [{ license: { id: 'MIT', acknowledgement: 'declared' } }]);
  assert.deepEqual(cdxLicenses(['apache-2.0']), [{ license: { id: 'Apache-2.0', acknowledgement: 'declared' } }]);
  assert.deepEqual(cdxLicenses(['MIT OR Apache-2.0']), [{ expression: 'MIT OR Apache-2.0', acknowledgement: 'declared' }]);
  assert.deepEqual(cdxLicenses(['(BSD-3-Clause OR GPL-2.0)']), [{ expression: 'BSD-3-Clause OR GPL-2.0', acknowledgement: 'declared' }]);
  // Debian's "GPL-2+" is not an SPDX id: a named licence, never a bogus id.
  assert.deepEqual(cdxLicenses(['GPL-2+']), [{ license: { name: 'GPL-2+', acknowledgement: 'declared' } }]);
  // An expression next to another valid licence: one combined expression (CycloneDX allows only one).
  assert.deepEqual(cdxLicenses(['MIT OR Apache-2.0', 'BSD-3-Clause']), [
    { expression: '(MIT OR Apache-2.0) AND BSD-3-Clause', acknowledgement: 'declared' },
  ]);
  // …but not with a free-text name: then a list, the expression kept as a name.
  assert.deepEqual(cdxLicenses(['MIT OR Apache-2.0', 'Artistic']), [
    { license: { name: 'MIT OR Apache-2.0', acknowledgement: 'declared' } },
    { license: { name: 'Artistic', acknowledgement: 'declared' } },
  ]);
  assert.deepEqual(cdxLicenses(['mit', 'MIT']), [{ license: { id: 'MIT', acknowledgement: 'declared' } }]);
  assert.equal(cdxLicenses([]), undefined);
  assert.equal(cdxLicenses(['  ']), undefined);
});

test('dependencies: image -> OS + top-level packages; package edges kept, dangling ones dropped', () => {
  const inv = debianAppInventory();
  const b = bom(inv);
  const deps = new Map(b.dependencies.map((d) => [d.ref, d.dependsOn]));
  const imageDeps = deps.get(b.metadata.component['bom-ref'])!;
  assert.equal(imageDeps[0], 'os:debian@12');
  const id = (name: string, version?: string) => inv.packages.find((p) => p.name === name && (!version || p.version === version))!.id;
  assert.ok(imageDeps.includes(id('express')));
  assert.ok(!imageDeps.includes(id('debug', '2.6.9')), 'debug is reached through express, not top-level');
  assert.deepEqual(deps.get(id('express')), [id('debug', '2.6.9')]);
  assert.deepEqual(deps.get(id('debug', '4.3.4')), [id('ms', '2.1.2')]);
  assert.deepEqual(deps.get(id('requests')), [id('certifi'), id('charset-normalizer'), id('idna'), id('urllib3')].sort());
  // bash -> debianutils: not installed, so the edge is dropped rather than pointing nowhere.
  assert.deepEqual(deps.get(id('bash')), [id('base-files')]);
  // libc6 <-> libgcc-s1 is a cycle nothing else points at: one member is adopted as top-level.
  assert.ok(imageDeps.includes(id('libc6')) || imageDeps.includes(id('libgcc-s1')));
  assert.deepEqual(deps.get(id('ms', '2.0.0')), []);
});

test('duplicate package ids still give unique bom-refs', () => {
  const inv = rootfsInventory();
  inv.packages.push({ ...inv.packages[0]!, locations: ['other/lib/apk/db/installed'] });
  const b = bom(inv);
  assert.ok(cycloneDXValidator()(b));
  assertGraph(b);
  const refs = b.components.map((c) => c['bom-ref']).filter((r) => r.startsWith(inv.packages[0]!.id));
  assert.equal(refs.length, 2);
  assert.notEqual(refs[0], refs[1]);
});

test('output is deterministic: same inventory in any order gives identical JSON', () => {
  const a = debianAppInventory();
  const b = debianAppInventory();
  b.packages.reverse();
  b.layers.reverse();
  for (const p of b.packages) if (p.dependsOn) p.dependsOn = [...p.dependsOn].reverse();
  assert.equal(JSON.stringify(bom(a)), JSON.stringify(bom(b)));
  // Without a fixed uuid only the serial number differs.
  const x = toCycloneDX(a) as Bom;
  const y = toCycloneDX(a) as Bom;
  assert.notEqual(x.serialNumber, y.serialNumber);
  assert.equal(JSON.stringify({ ...x, serialNumber: '' }), JSON.stringify({ ...y, serialNumber: '' }));
});

test('the validator is live: it rejects a non-SPDX licence id and an unknown component type', () => {
  const validate = cycloneDXValidator();
  const b = bom(rootfsInventory());
  const bad = structuredClone(b);
  bad.components[0]!.licenses = [{ license: { id: 'GPL-2+' } }];
  assert.equal(validate(bad), false);
  const bad2 = structuredClone(b);
  bad2.components[0]!.type = 'gizmo';
  assert.equal(validate(bad2), false);
});
