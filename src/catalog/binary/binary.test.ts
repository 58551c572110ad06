// The ZIP and ELF readers against independent tools on real files: Info-ZIP's zip/unzip and
// binutils' readelf. Each comparison is skipped when its tool or files are missing.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { hasSharedData, sharedData } from '../../../test/shared-data.ts';
import { findSection, readElf, addrToOffset } from './elf.ts';
import { detectExe, readExe } from './exe.ts';
import { bufferSource, openFileContent } from './source.ts';
import { isDirectory, readZipDirectory, readZipEntry } from './zip.ts';

function has(tool: string, arg = '--version'): boolean {
  try {
    execFileSync(tool, [arg], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}
const UNZIP = has('unzip', '-v');
const ZIP = has('zip', '-v');
const READELF = has('readelf');
const OBJDUMP = has('objdump');

const TRIVY_JARS = 'pkgdb/trivy-lang/pkg/dependency/parser/java/jar/testdata';

/** Our entry list and every entry's bytes must equal what unzip lists and extracts. */
async function compareWithUnzip(file: string): Promise<number> {
  const c = await openFileContent(file);
  const out = mkdtempSync(join(tmpdir(), 'triad-unzip-'));
  try {
    const dir = await readZipDirectory(c);
    const want = execFileSync('unzip', ['-Z1', file], { encoding: 'utf8', maxBuffer: 1 << 26 }).split('\n').filter(Boolean);
    assert.deepEqual(dir.entries.map((e) => e.name), want, file);
    execFileSync('unzip', ['-qq', '-o', file, '-d', out]);
    let n = 0;
    for (const e of dir.entries) {
      if (isDirectory(e)) continue;
      const ours = await readZipEntry(c, e, 64 * 1024 * 1024);
      assert.ok(ours.equals(readFileSync(join(out, e.name))), `${file}: ${e.name}`);
      n++;
    }
    return n;
  } finally {
    await c.close();
    rmSync(out, { recursive: true, force: true });
  }
}

test('zip reader = unzip on real jars and wars', { skip: (!UNZIP || !hasSharedData(TRIVY_JARS)) && 'needs unzip and shared data' }, async () => {
  let n = 0;
  for (const f of ['maven.war', 'gradle.war', 'nested.jar', 'io.quarkus.gizmo.gizmo-1.1.jar', 'hadoop-shaded-guava-1.1.0-SNAPSHOT.jar']) {
    n += await compareWithUnzip(sharedData(TRIVY_JARS, f));
  }
  for (const f of ['/usr/share/java/guava.jar', '/usr/share/java/commons-lang3.jar']) if (existsSync(f)) n += await compareWithUnzip(f);
  assert.ok(n > 100);
});

test('zip64 archives written by Info-ZIP (zip -fz) and archives behind a launcher script', { skip: (!UNZIP || !ZIP || !hasSharedData(TRIVY_JARS)) && 'needs zip and unzip' }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'triad-zip-'));
  try {
    copyFileSync(sharedData(TRIVY_JARS, 'nested.jar'), join(dir, 'nested.jar'));
    copyFileSync(sharedData(TRIVY_JARS, 'test.jar'), join(dir, 'test.jar'));
    execFileSync('zip', ['-q', '-fz', 'z64.zip', 'nested.jar', 'test.jar'], { cwd: dir });
    const z64 = readFileSync(join(dir, 'z64.zip'));
    assert.ok(z64.includes(Buffer.from([0x50, 0x4b, 0x06, 0x06])), 'has a zip64 end record');
    assert.equal(await compareWithUnzip(join(dir, 'z64.zip')), 2);
    // "Fully executable" jars: a shell script in front of the zip. Offsets either ignore the
    // prefix (plain cat) or are rewritten by `zip -A`; both must read.
    const script = Buffer.from('#!/bin/sh\nexec java -jar "$0" "$@"\n'.repeat(40));
    writeFileSync(join(dir, 'exec.jar'), Buffer.concat([script, readFileSync(join(dir, 'nested.jar'))]));
    const plain = await readZipDirectory(bufferSource(readFileSync(join(dir, 'exec.jar'))));
    assert.equal(plain.prefix, script.length);
    assert.ok(plain.entries.some((e) => e.name === 'META-INF/jars/nested2.jar'));
    execFileSync('zip', ['-q', '-A', 'exec.jar'], { cwd: dir });
    const adjusted = readFileSync(join(dir, 'exec.jar'));
    const d = await readZipDirectory(bufferSource(adjusted));
    assert.equal(d.prefix, 0);
    const props = d.entries.find((e) => e.name === 'META-INF/nested/pom.properties')!;
    assert.match((await readZipEntry(bufferSource(adjusted), props, 1024)).toString(), /artifactId=nested/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

/** Section names, offsets and sizes as readelf prints them (wide mode, one line per section). */
function readelfSections(file: string): Array<{ name: string; offset: number; size: number }> {
  const out = execFileSync('readelf', ['-S', '-W', file], { encoding: 'utf8', maxBuffer: 1 << 26 });
  const rows: Array<{ name: string; offset: number; size: number }> = [];
  for (const m of out.matchAll(/^\s*\[\s*(\d+)\]\s+(\S*)\s+\S+\s+[0-9a-f]+\s+([0-9a-f]+)\s+([0-9a-f]+)/gm)) {
    if (m[1] === '0') continue;
    rows.push({ name: m[2]!, offset: parseInt(m[3]!, 16), size: parseInt(m[4]!, 16) });
  }
  return rows;
}

test('ELF reader = readelf on real binaries (executables, PIE, shared library, arm64)', { skip: !READELF && 'needs readelf' }, async () => {
  const files = [
    sharedData('pkgdb/trivy-lang/pkg/dependency/parser/golang/binary/testdata/test.elf'),
    sharedData('pkgdb/trivy-lang/pkg/dependency/parser/golang/binary/testdata/goexperiment'),
    sharedData('pkgdb/trivy-lang/pkg/dependency/parser/rust/binary/testdata/test.elf'),
    '/usr/bin/ls',
    '/usr/lib/x86_64-linux-gnu/libc.so.6',
  ].filter((f) => existsSync(f));
  assert.ok(files.length > 0);
  for (const f of files) {
    const c = await openFileContent(f);
    try {
      const elf = await readElf(c);
      const ours = elf.sections.slice(1).map((s) => ({ name: s.name, offset: s.offset, size: s.size }));
      const theirs = readelfSections(f);
      // readelf truncates nothing in -W mode; compare names, offsets and sizes one for one.
      assert.deepEqual(ours, theirs, f);
      const text = findSection(elf, '.text');
      if (text && text.addr > 0) assert.equal(addrToOffset(elf, text.addr, 16), text.offset, `${f}: .text address maps to its offset`);
    } finally {
      await c.close();
    }
  }
});

/** PE sections as binutils' objdump -h lists them: name, size, absolute address, file offset. */
function objdumpSections(file: string): Array<{ name: string; size: number; addr: number; offset: number }> {
  const out = execFileSync('objdump', ['-h', '-w', file], { encoding: 'utf8', maxBuffer: 1 << 26 });
  const rows: Array<{ name: string; size: number; addr: number; offset: number }> = [];
  for (const m of out.matchAll(/^\s*\d+\s+(\S+)\s+([0-9a-f]+)\s+([0-9a-f]+)\s+[0-9a-f]+\s+([0-9a-f]+)/gm)) {
    rows.push({ name: m[1]!, size: parseInt(m[2]!, 16), addr: parseInt(m[3]!, 16), offset: parseInt(m[4]!, 16) });
  }
  return rows;
}

test('PE reader = objdump on real Go and Rust Windows builds', { skip: (!OBJDUMP || !hasSharedData('pkgdb/trivy-lang')) && 'needs objdump' }, async () => {
  for (const f of ['golang/binary/testdata/test.exe', 'rust/binary/testdata/test.exe']) {
    const file = sharedData('pkgdb/trivy-lang/pkg/dependency/parser', f);
    const c = await openFileContent(file);
    try {
      assert.equal(await detectExe(c), 'pe');
      const pe = await readExe(c, 'pe');
      // objdump reports compressed debug sections (.zdebug_*) at their inflated size: skip those.
      const plain = (s: { name: string }) => !s.name.startsWith('.zdebug');
      const want = objdumpSections(file).filter(plain);
      assert.ok(want.length > 3);
      assert.deepEqual(pe.sections.filter(plain).map((s) => ({ name: s.name, size: s.size, addr: s.addr, offset: s.offset })), want, f);
      if (f.startsWith('golang')) assert.ok(pe.sections.some((s) => s.name === '.zdebug_info'), 'long names come from the string table');
    } finally {
      await c.close();
    }
  }
});

test('ELF reader refuses garbage without throwing anything but its own errors', async () => {
  const ls = existsSync('/usr/bin/ls') ? readFileSync('/usr/bin/ls') : undefined;
  const cases = [Buffer.alloc(10), Buffer.from('\x7fELF\x09\x01', 'latin1')];
  if (ls) {
    const wild = Buffer.from(ls);
    wild.writeBigUInt64LE(0xffffffffffffn, 40); // section headers far past the end
    cases.push(wild, ls.subarray(0, 200));
  }
  for (const b of cases) {
    try {
      const elf = await readElf(bufferSource(b));
      assert.equal(elf.sections.length, 0);
    } catch (e) {
      assert.equal((e as Error).constructor.name, 'FormatError');
    }
  }
});
