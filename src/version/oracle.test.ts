// Differential tests against the real tools installed here: Debian's dpkg (the C binary's
// --compare-versions, and dpkg's Perl Dpkg::Version for bulk) and rpm's own rpm.vercmp through its
// Lua interpreter. Pairs come from a seeded generator (seed printed, so failures reproduce) and are
// compared in batches so the whole run takes seconds.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deb } from './deb.ts';
import { rpm } from './rpm.ts';
import { seededRandom } from '../../test/infra/random.ts';

const SEED = Number(process.env.TRIAD_VERSION_FUZZ_SEED ?? 20261123);

const random = seededRandom;

function generator(seed: number) {
  const r = random(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)];
  const int = (n: number): number => Math.floor(r() * n);
  const piece = (alphabet: readonly string[]): string => {
    const kind = int(4);
    if (kind === 0) return String(int(12));
    if (kind === 1) return ['0', '00', '01', '010', '9', '10', '099', '100'][int(8)];
    if (kind === 2) return pick(['a', 'b', 'rc', 'alpha', 'beta', 'pre', 'git', 'p', 'Z', 'dfsg', 'el8', 'fc39', 'ubuntu']);
    return pick(alphabet);
  };
  const string = (first: string, alphabet: readonly string[], maxPieces: number): string => {
    let s = first;
    for (let i = int(maxPieces); i > 0; i--) s += piece(alphabet);
    return s;
  };
  return { r, int, pick, string };
}

/** Makes b a small edit of a half of the time, so that close calls (the interesting ones) are common. */
function pairs(count: number, make: () => string, mutate: (s: string) => string): [string, string][] {
  const out: [string, string][] = [];
  for (let i = 0; i < count; i++) {
    const a = make();
    out.push([a, i % 2 === 0 ? make() : mutate(a)]);
  }
  return out;
}

function debPairs(count: number, seed: number): [string, string][] {
  const g = generator(seed);
  const UP = ['.', '.', '+', '~', '~', 'a', '1', '.0'];
  const REV = ['.', '+', '~', '1', 'deb12u1', 'build1', '0'];
  const make = (): string => {
    const epoch = g.int(5) === 0 ? `${g.int(3)}:` : '';
    const upstream = g.string(String(g.int(10)), UP, 6);
    const revision = g.int(5) < 3 ? `-${g.string(String(g.int(4)), REV, 4)}` : '';
    return epoch + upstream + revision;
  };
  const mutate = (s: string): string => {
    const edits = ['~', '+', '.', '0', '1', 'a', '~~', '.0'];
    const at = 1 + g.int(s.length);
    const candidate = s.slice(0, at) + g.pick(edits) + s.slice(at);
    return deb.valid(candidate) && /^([0-9]+:)?[0-9]/.test(candidate) ? candidate : s + '.1';
  };
  return pairs(count, make, mutate);
}

function rpmPairs(count: number, seed: number): [string, string][] {
  const g = generator(seed);
  const ALPHABET = ['.', '.', '_', '+', '~', '^', 'a', '1', '.0', '~rc', '^git'];
  const make = (): string => {
    const epoch = g.int(5) === 0 ? `${g.int(3)}:` : '';
    const version = g.string(g.pick(['1', '2', '0', '10', 'a', '1.0']), ALPHABET, 6);
    const release = g.int(5) < 3 ? `-${g.string(String(g.int(4)), ALPHABET, 4)}` : '';
    return epoch + version + release;
  };
  const mutate = (s: string): string => {
    const at = 1 + g.int(s.length - 1);
    const candidate = s.slice(0, at) + g.pick(['~', '^', '.', '0', 'a', '_', '+']) + s.slice(at);
    return candidate.includes(':') && !/^[0-9]*:/.test(candidate) ? s : candidate.replace(/-(?=.*-)/g, '.');
  };
  return pairs(count, make, mutate);
}

const hasTool = (cmd: string, args: string[]): boolean => spawnSync(cmd, args, { stdio: 'ignore' }).status === 0;
const sgn = (n: number): number => Math.sign(n);

function mismatches(list: [string, string][], expected: number[], ours: (a: string, b: string) => number): string[] {
  assert.equal(expected.length, list.length, 'oracle answered every pair');
  // The generator must exercise all three outcomes, or the comparison proves little.
  for (const outcome of [-1, 0, 1]) assert.ok(expected.filter((e) => e === outcome).length >= 5, `too few ${outcome} answers`);
  const bad: string[] = [];
  list.forEach(([a, b], i) => {
    const got = sgn(ours(a, b));
    if (got !== expected[i]) bad.push(`${a} vs ${b}: oracle ${expected[i]}, ours ${got}`);
  });
  return bad;
}

test('deb order agrees with dpkg (Dpkg::Version, bulk)', { skip: !hasTool('perl', ['-MDpkg::Version', '-e', '1']) && 'perl Dpkg::Version absent' }, () => {
  const list = debPairs(4000, SEED);
  const input = list.map(([a, b]) => `${a}\t${b}`).join('\n') + '\n';
  const script = 'use Dpkg::Version; while (<STDIN>) { chomp; my ($a, $b) = split /\\t/; print version_compare($a, $b) <=> 0, "\\n"; }';
  const out = execFileSync('perl', ['-e', script], { input, encoding: 'utf8', maxBuffer: 1 << 24 });
  const bad = mismatches(list, out.trim().split('\n').map(Number), deb.compare);
  console.log(`dpkg (Dpkg::Version) fuzz: ${list.length} pairs, seed ${SEED}, ${bad.length} mismatches`);
  assert.deepEqual(bad.slice(0, 20), []);
});

test('deb order agrees with the dpkg binary (--compare-versions)', { skip: !hasTool('dpkg', ['--version']) && 'dpkg absent' }, () => {
  const list = debPairs(400, SEED + 1);
  // One shell per half, each looping over its pairs: answers "lt", "eq" or "gt" with at most two execs.
  const script =
    'while IFS="\t" read -r a b; do if dpkg --compare-versions "$a" lt "$b"; then echo -1; ' +
    'elif dpkg --compare-versions "$a" eq "$b"; then echo 0; else echo 1; fi; done';
  const halves = [list.slice(0, list.length / 2), list.slice(list.length / 2)];
  const outputs = halves.map((half) =>
    spawnSync('sh', ['-c', script], { input: half.map(([a, b]) => `${a}\t${b}`).join('\n') + '\n', encoding: 'utf8' }),
  );
  const expected = outputs.flatMap((o) => o.stdout.trim().split('\n').map(Number));
  const bad = mismatches(list, expected, deb.compare);
  console.log(`dpkg --compare-versions fuzz: ${list.length} pairs, seed ${SEED + 1}, ${bad.length} mismatches`);
  assert.deepEqual(bad.slice(0, 20), []);
});

test('rpm order agrees with rpm.vercmp (one rpm --eval with a Lua loop)', { skip: !hasTool('rpm', ['--version']) && 'rpm absent' }, () => {
  const list = rpmPairs(4000, SEED + 2);
  const dir = mkdtempSync(join(tmpdir(), 'triad-rpmvercmp-'));
  try {
    const lua = join(dir, 'pairs.lua');
    const rows = list.map(([a, b]) => `{[[${a}]],[[${b}]]}`).join(',\n');
    writeFileSync(lua, `local p = {\n${rows}\n}\nfor _, x in ipairs(p) do print(rpm.vercmp(x[1], x[2]) .. "\\n") end\n`);
    const out = execFileSync('rpm', ['--eval', `%{lua: dofile('${lua}')}`], { encoding: 'utf8', maxBuffer: 1 << 24 });
    const expected = out.split('\n').filter((l) => l !== '').map(Number);
    const bad = mismatches(list, expected, rpm.compare);
    console.log(`rpm.vercmp fuzz: ${list.length} pairs, seed ${SEED + 2}, ${bad.length} mismatches`);
    assert.deepEqual(bad.slice(0, 20), []);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
