// The secret scanner: one file in, findings out. Synchronous and bounded: files above the size
// bound and binaries are skipped (counted), every regex runs only on windows of bounded size
// around its keywords (so a pathological line cannot make a backtracking regex run for long), and
// a per-file time budget stops the scan of a file that still takes too long (reported, partial).
import { isUtf8 } from 'node:buffer';
import { KeywordMatcher } from './keywords.ts';
import type { CompiledAllowlist, CompiledRule, RuleSet } from './rules.ts';
import type { ScanResult, SecretFinding } from './types.ts';

export interface SecretScanOptions {
  /** Files larger than this are skipped (default 10 MiB). */
  maxFileSize?: number;
  /** Wall-clock budget per file in milliseconds (default 2000); past it the file's scan stops. */
  timeBudgetMs?: number;
}

export const DEFAULT_MAX_FILE_SIZE = 10 * 1024 * 1024;
const DEFAULT_TIME_BUDGET_MS = 2000;
/** Window around a keyword: single-line rules see its line, clipped to this much either side. */
const LINE_BACK = 256;
const LINE_AHEAD = 1024;
/** Multi-line rules (private keys, YAML documents). */
const MULTI_BACK = 4096;
const MULTI_AHEAD = 16 * 1024;
/** Keyword-less rules run over the text in chunks of this size (split at newlines where possible). */
const CHUNK = 64 * 1024;
const MAX_HITS = 200_000;
const SUPPRESS = /gitleaks:allow|pragma: ?allowlist secret|triad:allow-secret/;

/** The secret of each finding, kept in memory only (for de-duplication across layers); never serialised. */
const SECRETS = new WeakMap<SecretFinding, string>();
export function secretOf(f: SecretFinding): string | undefined {
  return SECRETS.get(f);
}

/** Shannon entropy in bits per character. */
export function shannonEntropy(s: string): number {
  if (!s) return 0;
  const counts = new Map<string, number>();
  for (const c of s) counts.set(c, (counts.get(c) ?? 0) + 1);
  const n = [...s].length;
  let h = 0;
  for (const k of counts.values()) {
    const p = k / n;
    h -= p * Math.log2(p);
  }
  return h;
}

/** First 4 characters (fewer for short secrets), then one asterisk per hidden character. */
export function redact(secret: string): string {
  const chars = [...secret];
  const show = Math.min(4, Math.floor(chars.length / 4));
  return chars.slice(0, show).join('') + '*'.repeat(Math.min(32, Math.max(4, chars.length - show)));
}

/** NUL bytes or mostly control characters in the first 8 KiB: a binary, whatever its name says. */
export function looksBinary(buf: Buffer): boolean {
  const n = Math.min(buf.length, 8192);
  let control = 0;
  for (let i = 0; i < n; i++) {
    const b = buf[i]!;
    if (b === 0) return true;
    if (b < 9 || (b > 13 && b < 32 && b !== 27)) control++;
  }
  return n > 0 && control / n > 0.1;
}

interface Candidate {
  rule: CompiledRule;
  start: number;
  end: number;
  secret: string;
}

export class SecretScanner {
  readonly rules: readonly CompiledRule[];
  private readonly globals: readonly CompiledAllowlist[];
  /** Global allowlists made of paths only: files they match are not read at all. */
  private readonly pathOnlyGlobals: readonly RegExp[];
  private readonly matcher: KeywordMatcher;
  private readonly rulesByKeyword: CompiledRule[][];
  private readonly alwaysRun: CompiledRule[];
  private readonly pathRules: CompiledRule[];
  private readonly maxFileSize: number;
  private readonly budget: number;

  constructor(set: RuleSet, opts: SecretScanOptions = {}) {
    this.rules = set.rules;
    this.globals = set.allowlists.filter((a) => a.regexes.length || a.stopwords.length || a.and);
    this.pathOnlyGlobals = set.allowlists.filter((a) => !a.and).flatMap((a) => a.paths);
    this.maxFileSize = opts.maxFileSize ?? DEFAULT_MAX_FILE_SIZE;
    this.budget = opts.timeBudgetMs ?? DEFAULT_TIME_BUDGET_MS;
    const keywords: string[] = [];
    const index = new Map<string, number>();
    this.rulesByKeyword = [];
    this.alwaysRun = [];
    this.pathRules = [];
    for (const r of set.rules) {
      if (!r.regex) {
        this.pathRules.push(r);
        continue;
      }
      if (!r.keywords.length) {
        this.alwaysRun.push(r);
        continue;
      }
      for (const kw of new Set(r.keywords)) {
        let k = index.get(kw);
        if (k === undefined) index.set(kw, (k = keywords.push(kw) - 1)), this.rulesByKeyword.push([]);
        this.rulesByKeyword[k]!.push(r);
      }
    }
    this.matcher = new KeywordMatcher(keywords);
  }

  /** True when the path is allowlisted as a whole: callers may skip reading such files. */
  pathAllowed(path: string): boolean {
    return this.pathOnlyGlobals.some((re) => re.test(path));
  }

  scan(path: string, content: Buffer): ScanResult {
    if (this.pathAllowed(path)) return { findings: [] };
    const findings: SecretFinding[] = [];
    for (const r of this.pathRules) {
      if (r.path!.test(path) && !r.allowlists.some((a) => allowedByPath(a, path))) {
        const f: SecretFinding = { ruleId: r.id, title: r.title, severity: r.severity, path, startLine: 1, endLine: 1, startColumn: 1, endColumn: 1, match: '(the file)' };
        SECRETS.set(f, path);
        findings.push(f);
      }
    }
    if (content.length > this.maxFileSize) return { findings, skipped: 'too-large', warning: `${path}: ${content.length} bytes, above the ${this.maxFileSize}-byte bound` };
    if (looksBinary(content)) return { findings, skipped: 'binary' };
    let warning: string | undefined;
    let text: string;
    if (isUtf8(content)) text = content.toString('utf8');
    else {
      // Latin-1 keeps every byte as one character: ASCII secrets are found, nothing is lost.
      text = content.toString('latin1');
      warning = `${path}: invalid UTF-8, read as Latin-1`;
    }
    const t0 = performance.now();
    const over = () => performance.now() - t0 > this.budget;
    const cands: Candidate[] = [];
    const seen = new Set<string>();
    let timedOut = false;

    const runRule = (r: CompiledRule, windows: Array<[number, number]>) => {
      if (r.path && !r.path.test(path)) return;
      const re = r.regex!;
      for (const [a, b] of windows) {
        if (over()) return void (timedOut = true);
        const w = text.slice(a, b);
        re.lastIndex = 0;
        let m: RegExpExecArray | null;
        let count = 0;
        while ((m = re.exec(w)) !== null) {
          if (m[0].length === 0) {
            re.lastIndex++;
            continue;
          }
          if ((++count & 63) === 0 && over()) return void (timedOut = true);
          const secret = secretGroup(m, r.secretGroup);
          if (!secret) continue;
          const rel = m[0].indexOf(secret);
          const start = a + m.index + (rel < 0 ? 0 : rel);
          let mStart = a + m.index;
          if (r.prefix) for (let k = 0; k < r.prefix.max && mStart > a && r.prefix.char.test(text[mStart - 1]!); k++) mStart--;
          const key = `${r.id}\0${start}\0${secret.length}`;
          if (seen.has(key)) continue;
          seen.add(key);
          if (this.accept(r, path, text, mStart, a + m.index + m[0].length, text.slice(mStart, a + m.index + m[0].length), secret)) cands.push({ rule: r, start, end: start + secret.length, secret });
        }
      }
    };

    const hits = this.matcher.scan(text, MAX_HITS);
    let chunked: Array<[number, number]> | undefined;
    const chunks = () => (chunked ??= chunkWindows(text));
    if (hits.length >= MAX_HITS) {
      warning = `${path}: more than ${MAX_HITS} keyword occurrences; scanned in chunks`;
      for (const r of new Set(this.rulesByKeyword.flat())) {
        runRule(r, chunks());
        if (timedOut) break;
      }
    } else if (hits.length) {
      const perRule = new Map<CompiledRule, number[]>();
      for (const h of hits) {
        for (const r of this.rulesByKeyword[h.keyword]!) {
          let l = perRule.get(r);
          if (!l) perRule.set(r, (l = []));
          l.push(h.at);
        }
      }
      for (const [r, at] of perRule) {
        runRule(r, r.gated ? chunks() : windowsAround(text, at, r.multiline));
        if (timedOut) break;
      }
    }
    for (const r of this.alwaysRun) {
      if (timedOut) break;
      runRule(r, chunks());
    }

    // Generic (fallback) findings give way to a specific rule that found the same secret.
    const specific = cands.filter((c) => !c.rule.fallback);
    const kept = cands.filter((c) => !c.rule.fallback || !specific.some((s) => s.start < c.end && c.start < s.end));
    kept.sort((x, y) => x.start - y.start || x.rule.id.localeCompare(y.rule.id));
    const lines = kept.length ? lineIndex(text) : [];
    for (const c of kept) {
      const [sl, sc] = position(lines, c.start);
      const [el, ec] = position(lines, c.end);
      const f: SecretFinding = { ruleId: c.rule.id, title: c.rule.title, severity: c.rule.severity, path, startLine: sl, endLine: el, startColumn: sc, endColumn: ec, match: redact(c.secret) };
      SECRETS.set(f, c.secret);
      findings.push(f);
    }
    if (timedOut) return { findings, skipped: 'time-budget', warning: `${path}: secret scan stopped after ${this.budget} ms (partial)` };
    return warning ? { findings, warning } : { findings };
  }

  private accept(r: CompiledRule, path: string, text: string, mStart: number, mEnd: number, match: string, secret: string): boolean {
    if (r.entropy && shannonEntropy(secret) <= r.entropy) return false;
    if (r.requireDigit && !/[0-9]/.test(secret)) return false;
    const line = lineAround(text, mStart, mEnd);
    if (SUPPRESS.test(line)) return false;
    const ctx = { path, secret, match, line };
    return !r.allowlists.some((a) => allowed(a, ctx)) && !this.globals.some((a) => allowed(a, ctx));
  }
}

function secretGroup(m: RegExpExecArray, group: number | undefined): string {
  if (group !== undefined && group > 0) return m[group] ?? '';
  for (let g = 1; g < m.length; g++) if (m[g]) return m[g]!;
  return m[0];
}

function allowedByPath(a: CompiledAllowlist, path: string): boolean {
  return !a.and && a.paths.some((re) => re.test(path));
}

/** gitleaks semantics: OR — any criterion; AND — every kind of criterion the allowlist lists. */
function allowed(a: CompiledAllowlist, ctx: { path: string; secret: string; match: string; line: string }): boolean {
  const target = a.target === 'match' ? ctx.match : a.target === 'line' ? ctx.line : ctx.secret;
  const checks: boolean[] = [];
  if (a.paths.length) checks.push(a.paths.some((re) => re.test(ctx.path)));
  if (a.regexes.length) checks.push(a.regexes.some((re) => re.test(target)));
  if (a.stopwords.length) {
    const s = ctx.secret.toLowerCase();
    checks.push(a.stopwords.some((w) => s.includes(w)));
  }
  return a.and ? checks.length > 0 && checks.every(Boolean) : checks.some(Boolean);
}

/** The line(s) holding [start, end), at most 4 KiB either side. */
function lineAround(text: string, start: number, end: number): string {
  let a = start;
  while (a > 0 && start - a < 4096 && text.charCodeAt(a - 1) !== 10) a--;
  let b = end;
  while (b < text.length && b - end < 4096 && text.charCodeAt(b) !== 10) b++;
  return text.slice(a, b);
}

/** Merged windows around keyword positions (sorted or not). */
function windowsAround(text: string, positions: number[], multiline: boolean): Array<[number, number]> {
  positions.sort((x, y) => x - y);
  const n = text.length;
  const out: Array<[number, number]> = [];
  for (const p of positions) {
    let a: number;
    let b: number;
    if (multiline) {
      a = Math.max(0, p - MULTI_BACK);
      b = Math.min(n, p + MULTI_AHEAD);
    } else {
      const lo = Math.max(0, p - LINE_BACK);
      a = p;
      while (a > lo && text.charCodeAt(a - 1) !== 10) a--;
      const hi = Math.min(n, p + LINE_AHEAD);
      b = p;
      while (b < hi && text.charCodeAt(b) !== 10) b++;
      if (b < n) b++; // the newline: patterns end on \s or $
    }
    const last = out[out.length - 1];
    // Merge overlapping windows, but never beyond CHUNK: a regex never sees more than that at once
    // (the ReDoS bound redos.test.ts checks), and the time budget is checked between windows.
    if (last && a <= last[1] && Math.max(last[1], b) - last[0] <= CHUNK) last[1] = Math.max(last[1], b);
    else out.push([a, b]);
  }
  return out;
}

/** The whole text as windows of about CHUNK characters, cut after a newline where there is one. */
function chunkWindows(text: string): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  for (let a = 0; a < text.length; ) {
    let b = Math.min(text.length, a + CHUNK);
    if (b < text.length) {
      // Cut after the last newline in the second half of the chunk (a bounded look-back: an
      // unbounded lastIndexOf on one giant line would make chunking quadratic).
      let nl = b - 1;
      while (nl > a + CHUNK / 2 && text.charCodeAt(nl) !== 10) nl--;
      // No newline there: cut hard, overlapping the next chunk so a token on the cut is seen whole.
      if (text.charCodeAt(nl) === 10) b = nl + 1;
      else {
        out.push([a, b]);
        a = b - 1024;
        continue;
      }
    }
    out.push([a, b]);
    a = b;
  }
  return out;
}

function lineIndex(text: string): number[] {
  const starts = [0];
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) starts.push(i + 1);
  return starts;
}

/** 1-based line and column of an offset. */
function position(starts: number[], off: number): [number, number] {
  let lo = 0;
  let hi = starts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (starts[mid]! <= off) lo = mid;
    else hi = mid - 1;
  }
  return [lo + 1, off - starts[lo]! + 1];
}
