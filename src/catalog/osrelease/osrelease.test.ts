import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { hasSharedData, sharedData } from '../../../test/shared-data.ts';
import type { OSInfo } from '../../model/types.ts';
import type { ParsedFile } from '../cataloger.ts';
import { identifyOS, osReleaseCataloger } from './index.ts';
import { bufferContent, fileMeta, readImageFiles, runCataloger } from './testing.ts';

const TRIVY_RELEASE = 'pkgdb/trivy-os/pkg/fanal/analyzer/os/release/testdata';

async function parseAs(path: string, text: string | Buffer) {
  const buf = typeof text === 'string' ? Buffer.from(text) : text;
  return osReleaseCataloger.parse(fileMeta(path, buf.length), bufferContent(buf));
}

/** identifyOS over in-memory release files. */
async function identify(files: Record<string, string>): Promise<OSInfo | undefined> {
  const parsed: ParsedFile[] = [];
  for (const [path, text] of Object.entries(files)) parsed.push({ meta: fileMeta(path, text.length), result: await parseAs(path, text) });
  return identifyOS(parsed);
}

test('wants only the release files, with a small bound', () => {
  for (const p of ['etc/os-release', 'usr/lib/os-release', 'etc/alpine-release', 'etc/redhat-release', 'etc/centos-release', 'etc/debian_version', 'etc/lsb-release', 'etc/system-release', 'etc/SuSE-release']) {
    const w = osReleaseCataloger.wants(fileMeta(p, 100));
    assert.ok(typeof w === 'number' && w > 0 && w <= 1024 * 1024, p);
  }
  for (const p of ['etc/os-release.bak', 'usr/etc/os-release', 'os-release', 'etc/issue', 'var/lib/dpkg/status', 'usr/lib/os-release/x']) {
    assert.equal(osReleaseCataloger.wants(fileMeta(p, 100)), false, p);
  }
});

test("Trivy's os-release samples", async (t) => {
  if (!hasSharedData(TRIVY_RELEASE)) return t.skip('shared data absent');
  // [fixture, family, version, codename]
  const cases: Array<[string, string, string, string | undefined]> = [
    ['activestate', 'activestate', '1.0', undefined],
    ['alma', 'almalinux', '9.4', 'Seafoam Ocelot'],
    ['alpine', 'alpine', '3.15.4', undefined],
    ['azurelinux-3.0', 'azurelinux', '3.0', undefined],
    ['centos', 'centos', '7', 'Core'],
    ['centos-stream', 'centos', '8', undefined],
    ['coreos', 'coreos', '3.15.4', undefined],
    ['echo', 'echo', '1', undefined],
    ['fedora', 'fedora', '42', undefined], // VERSION_CODENAME="" means none, not "Container Image"
    ['mariner-1.0', 'mariner', '1.0', undefined],
    ['mariner-2.0', 'mariner', '2.0', undefined],
    ['minimos', 'minimos', '20241031', undefined],
    ['no-version', 'alpine', '', undefined],
    ['opensuseleap-15.2.1', 'opensuse-leap', '15.2.1', undefined],
    ['opensuseleap-42.3', 'opensuse-leap', '42.3', undefined],
    ['opensusetumbleweed', 'opensuse-tumbleweed', '20220412', undefined],
    ['oracle', 'ol', '8.10', undefined],
    ['photon', 'photon', '4.0', undefined],
    ['rhel', 'rhel', '9.4', 'Plow'],
    ['rocky', 'rocky', '9.3', 'Blue Onyx'],
    ['slemicro', 'sle-micro', '5.3', undefined],
    ['slemicro-rancher', 'sle-micro', '5.4', undefined],
    ['slemicro6.0', 'sle-micro', '6.0', undefined],
    ['sles', 'sles', '15.3', undefined],
    ['unknown', 'unknown', '4.3.2', undefined],
  ];
  for (const [file, family, version, codename] of cases) {
    const r = await parseAs('etc/os-release', readFileSync(sharedData(TRIVY_RELEASE, file)));
    assert.ok(r.os, file);
    assert.deepEqual([r.os.family, r.os.version, r.os.codename], [family, version, codename], file);
    assert.equal(r.os.source, 'etc/os-release');
  }
  const alma = (await parseAs('usr/lib/os-release', readFileSync(sharedData(TRIVY_RELEASE, 'alma')))).os!;
  assert.deepEqual(alma, {
    family: 'almalinux',
    version: '9.4',
    codename: 'Seafoam Ocelot',
    name: 'AlmaLinux',
    prettyName: 'AlmaLinux 9.4 (Seafoam Ocelot)',
    idLike: ['rhel', 'centos', 'fedora'],
    source: 'usr/lib/os-release',
  });
  // No ID: nothing identified, with a warning rather than a guess from NAME.
  const noId = await parseAs('etc/os-release', readFileSync(sharedData(TRIVY_RELEASE, 'no-id')));
  assert.equal(noId.os, undefined);
  assert.equal(noId.warnings?.length, 1);
});

test('os-release quoting, comments, CRLF and garbage', async () => {
  const r = await parseAs('etc/os-release', '\ufeff# comment\r\nID="debian"\r\nVERSION_ID=\'12\'\r\nVERSION="12 (bookworm)"\r\nNAME="Say \\"hi\\""\r\nnot a line\r\n=x\r\n');
  assert.deepEqual(r.os, { family: 'debian', version: '12', codename: 'bookworm', name: 'Say "hi"', source: 'etc/os-release' });
  const bin = Buffer.from([0, 1, 2, 0xff, 0xfe, 10, 61, 61, 0x80]);
  for (const p of ['etc/os-release', 'etc/alpine-release', 'etc/redhat-release', 'etc/debian_version', 'etc/lsb-release', 'etc/SuSE-release']) {
    const g = await parseAs(p, bin);
    assert.equal(g.os, undefined, p);
  }
  assert.deepEqual(await parseAs('etc/alpine-release', ''), {});
});

test('release one-liners', async () => {
  const cases: Array<[string, string, string, string, string | undefined]> = [
    ['etc/centos-release', 'CentOS Linux release 7.9.2009 (Core)\n', 'centos', '7.9.2009', 'Core'],
    ['etc/centos-release', 'CentOS release 6.10 (Final)\n', 'centos', '6.10', 'Final'],
    ['etc/redhat-release', 'Red Hat Enterprise Linux Server release 7.7 (Maipo)\n', 'rhel', '7.7', 'Maipo'],
    ['etc/oracle-release', 'Oracle Linux Server release 6.10\n', 'ol', '6.10', undefined],
    ['etc/system-release', 'Amazon Linux AMI release 2018.03\n', 'amzn', '2018.03', undefined],
    ['etc/system-release', 'Amazon Linux release 2 (Karoo)\n', 'amzn', '2', 'Karoo'],
    ['etc/redhat-release', 'Rocky Linux release 8.5 (Green Obsidian)\n', 'rocky', '8.5', 'Green Obsidian'],
    ['etc/alpine-release', '3.14.2\n', 'alpine', '3.14.2', undefined],
    ['etc/debian_version', '12.5\n', 'debian', '12.5', undefined],
    ['etc/debian_version', 'trixie/sid\n', 'debian', 'trixie/sid', 'trixie'],
    ['etc/lsb-release', 'DISTRIB_ID=Ubuntu\nDISTRIB_RELEASE=22.04\nDISTRIB_CODENAME=jammy\nDISTRIB_DESCRIPTION="Ubuntu 22.04.3 LTS"\n', 'ubuntu', '22.04', 'jammy'],
    ['etc/SuSE-release', 'SUSE Linux Enterprise Server 11 (x86_64)\nVERSION = 11\nPATCHLEVEL = 4\n', 'sles', '11.4', undefined],
    ['etc/SuSE-release', 'openSUSE 13.2 (x86_64)\nVERSION = 13.2\nCODENAME = Harlequin\n', 'opensuse', '13.2', 'Harlequin'],
  ];
  for (const [path, text, family, version, codename] of cases) {
    const os = (await parseAs(path, text)).os;
    assert.deepEqual([os?.family, os?.version, os?.codename], [family, version, codename], text);
  }
  assert.equal((await parseAs('etc/redhat-release', 'Some Unknown OS release 1.0\n')).os, undefined);
});

test('identifyOS precedence', async () => {
  const debian = 'ID=debian\nVERSION_ID="12"\nVERSION_CODENAME=bookworm\n';
  // alpine-release gives the full version and beats os-release.
  assert.equal((await identify({ 'etc/os-release': 'ID=alpine\nVERSION_ID=3.14\n', 'etc/alpine-release': '3.14.2\n' }))?.version, '3.14.2');
  // Debian: VERSION_ID, not the point release.
  const d = await identify({ 'usr/lib/os-release': debian, 'etc/debian_version': '12.5\n' });
  assert.deepEqual([d?.family, d?.version, d?.codename, d?.source], ['debian', '12', 'bookworm', 'usr/lib/os-release']);
  // Debian sid: no VERSION_ID, so debian_version gives it.
  assert.equal((await identify({ 'etc/os-release': 'ID=debian\nPRETTY_NAME="Debian GNU/Linux trixie/sid"\n', 'etc/debian_version': 'trixie/sid\n' }))?.version, 'trixie/sid');
  // Ubuntu ships debian_version too; another family's file never changes the answer.
  const u = await identify({ 'etc/os-release': 'ID=ubuntu\nVERSION_ID="22.04"\nVERSION_CODENAME=jammy\n', 'etc/debian_version': 'bookworm/sid\n' });
  assert.deepEqual([u?.family, u?.version], ['ubuntu', '22.04']);
  // CentOS: centos-release extends VERSION_ID 7 to 7.9.2009; a disagreeing file is ignored.
  assert.equal((await identify({ 'etc/os-release': 'ID="centos"\nVERSION_ID="7"\n', 'etc/centos-release': 'CentOS Linux release 7.9.2009 (Core)\n' }))?.version, '7.9.2009');
  assert.equal((await identify({ 'etc/os-release': 'ID="centos"\nVERSION_ID="8"\n', 'etc/centos-release': 'CentOS Linux release 7.9.2009 (Core)\n' }))?.version, '8');
  // Amazon Linux 2023: VERSION_ID, not system-release's build stamp.
  assert.equal((await identify({ 'etc/os-release': 'ID="amzn"\nVERSION_ID="2023"\n', 'etc/system-release': 'Amazon Linux release 2023.3.20240219 (Amazon Linux)\n' }))?.version, '2023');
  // etc/os-release (a regular file, overriding) beats usr/lib/os-release.
  assert.equal((await identify({ 'etc/os-release': 'ID=wolfi\nVERSION_ID=20230201\n', 'usr/lib/os-release': 'ID=alpine\nVERSION_ID=3.18.0\n' }))?.family, 'wolfi');
  // No os-release: Oracle Linux 6 has oracle-release and a redhat-release claiming RHEL.
  const ol = await identify({ 'etc/redhat-release': 'Red Hat Enterprise Linux Server release 6.10 (Santiago)\n', 'etc/oracle-release': 'Oracle Linux Server release 6.10\n' });
  assert.deepEqual([ol?.family, ol?.version, ol?.source], ['ol', '6.10', 'etc/oracle-release']);
  // Old Ubuntu without os-release: lsb-release beats debian_version.
  assert.equal((await identify({ 'etc/lsb-release': 'DISTRIB_ID=Ubuntu\nDISTRIB_RELEASE=12.04\n', 'etc/debian_version': 'wheezy/sid\n' }))?.family, 'ubuntu');
  // An os-release without ID does not hide the release file.
  assert.equal((await identify({ 'etc/os-release': 'NAME="Alpine Linux"\n', 'etc/alpine-release': '3.15.4\n' }))?.family, 'alpine');
  assert.equal(await identify({}), undefined);
  assert.equal(await identify({ 'etc/os-release': 'garbage\n' }), undefined);
});

test('real images: alpine 3.14 and a Debian image whose etc/os-release is a symlink', async (t) => {
  const fx = 'images/snyk/test/fixtures';
  if (!hasSharedData(fx)) return t.skip('shared data absent');
  const wanted = (p: string) => osReleaseCataloger.wants(fileMeta(p, 0)) !== false;

  const alpine = await readImageFiles(sharedData(fx, 'containerd-archives/alpine.tar'), wanted);
  const a = await runCataloger(osReleaseCataloger, alpine);
  assert.deepEqual(a.packages, []);
  assert.deepEqual(identifyOS(a.parsed), { family: 'alpine', version: '3.14.9', prettyName: 'Alpine Linux v3.14', name: 'Alpine Linux', source: 'etc/os-release' });

  const nginx = await readImageFiles(sharedData(fx, 'docker-archives/docker-save/nginx-os-release-link.tar'), wanted);
  assert.deepEqual([...nginx.keys()], ['usr/lib/os-release']); // the symlink is not a regular file
  const n = identifyOS((await runCataloger(osReleaseCataloger, nginx)).parsed);
  assert.deepEqual([n?.family, n?.version, n?.codename, n?.source], ['debian', '10', 'buster', 'usr/lib/os-release']);
});

test('this host (Debian 12) as a root filesystem', async (t) => {
  if (!existsSync('/usr/lib/os-release') || !existsSync('/etc/debian_version')) return t.skip('not a Debian host');
  const files: Array<[string, Buffer]> = [];
  for (const p of ['usr/lib/os-release', 'etc/debian_version', 'etc/lsb-release']) if (existsSync('/' + p)) files.push([p, readFileSync('/' + p)]);
  const os = identifyOS((await runCataloger(osReleaseCataloger, files)).parsed);
  const kv = Object.fromEntries(readFileSync('/usr/lib/os-release', 'utf8').split('\n').filter((l) => l.includes('=')).map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1).replace(/^"|"$/g, '')]));
  assert.equal(os?.family, kv.ID);
  assert.equal(os?.version, kv.VERSION_ID);
  assert.equal(os?.codename, kv.VERSION_CODENAME);
});
