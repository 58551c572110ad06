import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Inventory } from '../model/types.ts';
import { classifyLicense } from './license.ts';
import { sanitizeSpdxId, toSPDX } from './spdx.ts';
import { debianAppInventory, hostDpkgInventory, rootfsInventory, ubiInventory } from './tests/fixtures/inventory.ts';
import { formatErrors, spdxValidator } from './tests/validate.ts';

const UUID = '3f2c1a4e-9b7d-4c2e-8f1a-0d5e6b7c8a9f';

interface SpdxPkg {
  SPDXID: string;
  name: string;
  versionInfo?: string;
  downloadLocation: string;
  filesAnalyzed?: boolean;
  licenseConcluded?: string;
  licenseDeclared?: string;
  supplier?: string;
  originator?: string;
  primaryPackagePurpose?: string;
  externalRefs?: Array<{ referenceCategory: string; referenceType: string; referenceLocator: string }>;
  sourceInfo?: string;
  comment?: string;
}
interface Rel {
  spdxElementId: string;
  relationshipType: string;
  relatedSpdxElement: string;
}
interface Doc {
  SPDXID: string;
  spdxVersion: string;
  dataLicense: string;
  name: string;
  documentNamespace: string;
  creationInfo: { created: string; creators: string[]; licenseListVersion?: string };
  packages: SpdxPkg[];
  relationships: Rel[];
  hasExtractedLicensingInfos?: Array<{ licenseId: string; name?: string; extractedText: string }>;
}

const doc = (inv: Inventory, uuid = UUID) => toSPDX(inv, { uuid }) as unknown as Doc;
const ID = /^SPDXRef-[A-Za-z0-9.-]+$/;

/** What the 2.3 schema does not check: id syntax and uniqueness, relationship targets, LicenseRefs. */
function assertConsistent(d: Doc): void {
  const ids = d.packages.map((p) => p.SPDXID);
  assert.equal(new Set(ids).size, ids.length, 'SPDXIDs must be unique');
  for (const id of ids) assert.match(id, ID);
  const known = new Set([d.SPDXID, ...ids]);
  for (const r of d.relationships) {
    assert.ok(known.has(r.spdxElementId), `relationship from unknown ${r.spdxElementId}`);
    assert.ok(known.has(r.relatedSpdxElement), `relationship to unknown ${r.relatedSpdxElement}`);
  }
  const keys = d.relationships.map((r) => `${r.spdxElementId} ${r.relationshipType} ${r.relatedSpdxElement}`);
  assert.equal(new Set(keys).size, keys.length, 'no duplicate relationships');
  const used = new Set<string>();
  for (const p of d.packages) {
    const l = p.licenseDeclared!;
    if (l === 'NOASSERTION') continue;
    // Every declared licence must be a valid expression over known ids and LicenseRefs.
    assert.notEqual(classifyLicense(l).kind, 'name', `${p.name}: "${l}" is not a valid SPDX expression`);
    for (const m of l.matchAll(/LicenseRef-[A-Za-z0-9.-]+/g)) used.add(m[0]);
  }
  const defined = new Set((d.hasExtractedLicensingInfos ?? []).map((x) => x.licenseId));
  assert.deepEqual([...used].filter((r) => !defined.has(r)), [], 'every LicenseRef used has an extracted-licensing entry');
  assert.deepEqual([...defined].filter((r) => !used.has(r)), [], 'no unused extracted-licensing entries');
}

test('SPDX output validates against the official 2.3 schema for every fixture', () => {
  const validate = spdxValidator();
  const invs = [debianAppInventory(), ubiInventory(), rootfsInventory()];
  const host = hostDpkgInventory();
  if (host) invs.push(host);
  for (const inv of invs) {
    const d = doc(inv);
    assert.ok(validate(d), `${inv.image.ref}:\n${formatErrors(validate.errors)}`);
    assertConsistent(d);
  }
});

test('document header: version, namespace from digest + uuid, tool creator, UTC seconds', () => {
  const d = doc(debianAppInventory());
  assert.equal(d.spdxVersion, 'SPDX-2.3');
  assert.equal(d.dataLicense, 'CC0-1.0');
  assert.equal(d.SPDXID, 'SPDXRef-DOCUMENT');
  assert.equal(d.name, 'registry.example.com:5000/team/web-app:1.4.2');
  assert.ok(d.documentNamespace.includes(`sha256-${'f'.repeat(64)}`));
  assert.ok(d.documentNamespace.endsWith(UUID));
  assert.doesNotThrow(() => new URL(d.documentNamespace));
  assert.ok(!d.documentNamespace.includes('#'), 'a namespace may not contain #');
  assert.deepEqual(d.creationInfo.creators, ['Tool: triad-0.1.0']);
  assert.equal(d.creationInfo.created, '2024-03-18T10:15:30Z');
  assert.match(d.creationInfo.licenseListVersion ?? '3.0', /^\d+\.\d+$/);
  // Unique per document unless a uuid is imposed.
  const inv = debianAppInventory();
  assert.notEqual((toSPDX(inv) as Doc).documentNamespace, (toSPDX(inv) as Doc).documentNamespace);
});

test('the image is a CONTAINER package the document DESCRIBES and which CONTAINS every package', () => {
  const inv = debianAppInventory();
  const d = doc(inv);
  const image = d.packages[0]!;
  assert.equal(image.primaryPackagePurpose, 'CONTAINER');
  assert.equal(image.versionInfo, '1.4.2');
  assert.equal(image.externalRefs![0]!.referenceType, 'purl');
  assert.match(image.externalRefs![0]!.referenceLocator, /^pkg:oci\/web-app@sha256:/);
  const describes = d.relationships.filter((r) => r.relationshipType === 'DESCRIBES');
  assert.deepEqual(describes, [{ spdxElementId: 'SPDXRef-DOCUMENT', relationshipType: 'DESCRIBES', relatedSpdxElement: image.SPDXID }]);
  const contained = new Set(d.relationships.filter((r) => r.spdxElementId === image.SPDXID && r.relationshipType === 'CONTAINS').map((r) => r.relatedSpdxElement));
  assert.equal(contained.size, d.packages.length - 1, 'image CONTAINS the OS and every package');
  const os = d.packages.find((p) => p.primaryPackagePurpose === 'OPERATING_SYSTEM')!;
  assert.deepEqual([os.name, os.versionInfo], ['debian', '12']);
});

test('packages: sanitised ids, NOASSERTION defaults, purl refs, layer in sourceInfo', () => {
  const inv = debianAppInventory();
  const d = doc(inv);
  const byPurl = (purl: string) => d.packages.find((p) => p.externalRefs?.some((r) => r.referenceLocator === purl))!;
  const libstdcpp = inv.packages.find((p) => p.name === 'libstdc++6')!;
  const p = byPurl(libstdcpp.purl);
  assert.match(p.SPDXID, ID);
  assert.equal(p.name, 'libstdc++6');
  assert.equal(p.versionInfo, '12.2.0-14');
  assert.equal(p.downloadLocation, 'NOASSERTION');
  assert.equal(p.filesAnalyzed, false);
  assert.equal(p.licenseConcluded, 'NOASSERTION');
  assert.equal(p.supplier, 'NOASSERTION');
  assert.equal(p.originator, 'NOASSERTION');
  assert.deepEqual(p.externalRefs, [{ referenceCategory: 'PACKAGE-MANAGER', referenceType: 'purl', referenceLocator: libstdcpp.purl }]);
  assert.match(p.sourceInfo!, /layer 0 \(sha256:a{64}\), created by: ADD file:/);
  assert.match(p.comment!, /source package: gcc-12 12\.2\.0-14/);
  // A maintainer becomes the supplier, in agent syntax.
  assert.equal(d.packages.find((x) => x.name === 'base-files')!.supplier, 'Organization: Santiago Vila (sanvila@debian.org)');
  assert.match(d.packages.find((x) => x.name === 'six')!.comment!, /installed by OS package: pkg:deb\/debian\/python3-six@/);
  assert.match(d.packages.find((x) => x.name === 'gopkg.in/yaml.v3')!.sourceInfo!, /no layer attribution/);
  // The two lodash copies (ids "<purl>" and "<purl>#2") stay two packages with distinct ids.
  const lodash = d.packages.filter((x) => x.name === 'lodash');
  assert.equal(lodash.length, 2);
  assert.notEqual(lodash[0]!.SPDXID, lodash[1]!.SPDXID);
});

test('licences: valid SPDX kept, Debian/Fedora names become LicenseRefs with extracted text', () => {
  const d = doc(debianAppInventory());
  const lic = (name: string, version?: string) => d.packages.find((p) => p.name === name && (!version || p.versionInfo === version))!.licenseDeclared;
  assert.equal(lic('serde'), 'MIT OR Apache-2.0');
  assert.equal(lic('libc', '0.2.153'), 'MIT AND Apache-2.0');
  assert.equal(lic('node-forge'), 'BSD-3-Clause OR GPL-2.0');
  assert.equal(lic('libgcc-s1'), 'GPL-3.0-or-later WITH GCC-exception-3.1');
  assert.equal(lic('base-files'), 'LicenseRef-GPL-2plus');
  assert.equal(lic('bash'), 'LicenseRef-GPL-3plus AND BSD-4-Clause-UC');
  assert.equal(lic('@company/ui-kit'), 'NOASSERTION');
  const info = d.hasExtractedLicensingInfos!.find((x) => x.licenseId === 'LicenseRef-GPL-2plus')!;
  assert.equal(info.extractedText, 'GPL-2+');
  // A LicenseRef written in the metadata keeps its exact id and gets its entry too.
  const r = doc(rootfsInventory());
  assert.equal(r.packages.find((p) => p.name === 'ünïcødé-lib')!.licenseDeclared, 'LicenseRef-Proprietary');
  assert.ok(r.hasExtractedLicensingInfos!.some((x) => x.licenseId === 'LicenseRef-Proprietary'));
  // Distinct names that sanitise alike get distinct refs.
  const inv = rootfsInventory();
  inv.packages[0]!.licenses = ['Public Domain'];
  inv.packages[1]!.licenses = ['Public-Domain'];
  const c = doc(inv);
  assertConsistent(c);
  const refs = c.hasExtractedLicensingInfos!.filter((x) => x.licenseId.startsWith('LicenseRef-Public-Domain'));
  assert.equal(refs.length, 2);
});

test('relationships: DEPENDS_ON for resolvable edges only, none dangling', () => {
  const inv = debianAppInventory();
  const d = doc(inv);
  const idOf = (name: string, version?: string) => {
    const pkg = inv.packages.find((p) => p.name === name && (!version || p.version === version))!;
    return d.packages.find((p) => p.externalRefs?.[0]?.referenceLocator === pkg.purl && p.comment!.endsWith(`triad id: ${pkg.id}`))!.SPDXID;
  };
  const dependsOn = (from: string) => d.relationships.filter((r) => r.spdxElementId === from && r.relationshipType === 'DEPENDS_ON').map((r) => r.relatedSpdxElement);
  assert.deepEqual(dependsOn(idOf('express')), [idOf('debug', '2.6.9')]);
  assert.deepEqual(dependsOn(idOf('bash')), [idOf('base-files')]);
  assert.deepEqual(dependsOn(idOf('log4j-core')), [idOf('log4j-api')]);
  assert.deepEqual(dependsOn(idOf('libc6')), [idOf('libgcc-s1')]);
  assert.deepEqual(dependsOn(idOf('libgcc-s1')), [idOf('libc6')]);
});

test('ids: sanitised to the SPDX alphabet, colliding sanitised ids made unique', () => {
  assert.equal(sanitizeSpdxId('pkg:npm/%40babel/core@7.24.0'), 'pkg-npm-40babel-core-7.24.0');
  assert.equal(sanitizeSpdxId('ünï'), 'n');
  assert.equal(sanitizeSpdxId('@@@'), 'x');
  const inv = rootfsInventory();
  inv.packages.push({ ...inv.packages[0]!, id: inv.packages[0]!.id.replace('?', '/') });
  const d = doc(inv);
  assert.ok(spdxValidator()(d));
  assertConsistent(d);
});

test('output is deterministic and the validator is live', () => {
  const a = debianAppInventory();
  const b = debianAppInventory();
  b.packages.reverse();
  for (const p of b.packages) p.licenses = [...p.licenses];
  assert.equal(JSON.stringify(doc(a)), JSON.stringify(doc(b)));
  const validate = spdxValidator();
  const bad = structuredClone(doc(a));
  bad.relationships[0]!.relationshipType = 'IS_FRIENDS_WITH';
  assert.equal(validate(bad), false);
  const bad2 = structuredClone(doc(a)) as unknown as Record<string, unknown>;
  delete bad2.documentNamespace;
  assert.equal(validate(bad2), false);
});
