// Dockerfile text -> instructions, following BuildKit's parser: parser directives at the top
// (syntax, escape, check; the first non-directive line ends them), comment lines (also inside
// continuations, where they are dropped), empty continuation lines, the escape character for line
// continuation (`\` or a backtick), heredocs for RUN/COPY/ADD (several per line, `<<-`, quoted
// delimiters), leading `--flags`, and JSON (exec) form.
import type { Directives, Flag, Heredoc, Instruction } from './types.ts';
import { rawWords } from './lexer.ts';

/** Hostile input: a Dockerfile is small; refuse what is not one rather than spend memory on it. */
export const MAX_DOCKERFILE_BYTES = 8 * 1024 * 1024;
const MAX_INSTRUCTIONS = 100_000;

const KNOWN = new Set([
  'ADD', 'ARG', 'CMD', 'COPY', 'ENTRYPOINT', 'ENV', 'EXPOSE', 'FROM', 'HEALTHCHECK', 'LABEL',
  'MAINTAINER', 'ONBUILD', 'RUN', 'SHELL', 'STOPSIGNAL', 'USER', 'VOLUME', 'WORKDIR',
]);
const HEREDOC_KEYWORDS = new Set(['RUN', 'COPY', 'ADD']);
const JSON_KEYWORDS = new Set(['RUN', 'CMD', 'ENTRYPOINT', 'SHELL', 'COPY', 'ADD', 'VOLUME']);
const DIRECTIVE = /^#\s*([A-Za-z][A-Za-z0-9]*)\s*=\s*(.+?)\s*$/;
const VALID_DIRECTIVES = new Set(['syntax', 'escape', 'check']);

export interface RawParse {
  directives: Directives;
  instructions: Instruction[];
  warnings: Array<{ line: number; message: string }>;
}

function isComment(line: string): boolean {
  return /^[ \t]*#/.test(line);
}

/** Splits off a trailing continuation escape (followed only by blanks). */
function trimContinuation(line: string, escape: string): { text: string; continues: boolean } {
  let end = line.length;
  while (end > 0 && (line[end - 1] === ' ' || line[end - 1] === '\t')) end--;
  if (end > 0 && line[end - 1] === escape) return { text: line.slice(0, end - 1), continues: true };
  return { text: line, continues: false };
}

export function parseDirectives(lines: string[]): { directives: Directives; consumed: number; warnings: RawParse['warnings'] } {
  const directives: Directives = { escape: '\\' };
  const seen = new Set<string>();
  const warnings: RawParse['warnings'] = [];
  let i = 0;
  for (; i < lines.length; i++) {
    const m = DIRECTIVE.exec(lines[i]!);
    if (!m) break;
    const key = m[1]!.toLowerCase();
    if (!VALID_DIRECTIVES.has(key)) break;
    if (seen.has(key)) {
      warnings.push({ line: i + 1, message: `only one ${key} parser directive can be used` });
      break;
    }
    seen.add(key);
    const value = m[2]!;
    if (key === 'escape') {
      if (value !== '\\' && value !== '`') warnings.push({ line: i + 1, message: `invalid escape token '${value}': must be \` or \\` });
      else directives.escape = value;
    } else if (key === 'syntax') directives.syntax = value;
    else directives.check = value;
  }
  return { directives, consumed: i, warnings };
}

/** Leading `--name[=value]` words (BuildKit's extractBuilderFlags); `--` alone ends them. */
export function extractFlags(rest: string, escape: string): { flags: Flag[]; rest: string } {
  const flags: Flag[] = [];
  let s = rest;
  for (;;) {
    const t = s.replace(/^[ \t]+/, '');
    if (!t.startsWith('--')) return { flags, rest: t };
    const word = rawWords(t, escape)[0] ?? '';
    const after = t.slice(t.indexOf(word) + word.length);
    if (word === '--') return { flags, rest: after.replace(/^[ \t]+/, '') };
    const body = word.slice(2);
    const eq = body.indexOf('=');
    if (eq < 0) flags.push({ name: body.toLowerCase() });
    else flags.push({ name: body.slice(0, eq).toLowerCase(), value: unquote(body.slice(eq + 1)) });
    s = after;
  }
}

function unquote(v: string): string {
  if (v.length >= 2 && (v[0] === '"' || v[0] === "'") && v[v.length - 1] === v[0]) return v.slice(1, -1);
  return v;
}

/** `["a", "b"]` -> ['a', 'b']; anything else (not JSON, not all strings) -> undefined. */
export function parseJsonArray(s: string): string[] | undefined {
  const t = s.trim();
  if (!t.startsWith('[') || !t.endsWith(']')) return undefined;
  try {
    const v: unknown = JSON.parse(t);
    if (Array.isArray(v) && v.every((x) => typeof x === 'string')) return v as string[];
  } catch {
    // Not JSON: BuildKit falls back to the shell form.
  }
  return undefined;
}

interface HeredocMarker {
  name: string;
  stripTabs: boolean;
  quoted: boolean;
  fd?: number;
}

/** Heredoc markers among the shell words of a RUN/COPY/ADD line, in order. */
export function heredocMarkers(line: string, escape: string): HeredocMarker[] {
  const out: HeredocMarker[] = [];
  for (const w of rawWords(line, escape)) {
    const m = /^(\d*)<<(-?)([^<]+)$/.exec(w);
    if (!m) continue;
    let name = m[3]!;
    let quoted = false;
    const q = /^(["'])(.*)\1$/.exec(name);
    if (q) {
      name = q[2]!;
      quoted = true;
    } else if (/["']/.test(name)) {
      // Partly quoted (`<<E"OF"`): the shell takes the unquoted word and no expansion.
      name = name.replace(/["']/g, '');
      quoted = true;
    }
    // A word like `<<$(cmd)` or with redirections is not a delimiter BuildKit accepts.
    if (!/^[^\s$`()<>|;&]+$/.test(name)) continue;
    const marker: HeredocMarker = { name, stripTabs: m[2] === '-', quoted };
    if (m[1]) marker.fd = Number(m[1]);
    out.push(marker);
  }
  return out;
}

export function parseInstructions(text: string, source = 'Dockerfile'): RawParse {
  if (text.length > MAX_DOCKERFILE_BYTES) throw new Error(`${source}: ${text.length} bytes is too large for a Dockerfile (limit ${MAX_DOCKERFILE_BYTES})`);
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  const lines = text.split(/\r?\n/);
  if (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  const { directives, consumed, warnings } = parseDirectives(lines);
  const escape = directives.escape;
  const instructions: Instruction[] = [];
  let i = consumed;
  while (i < lines.length) {
    const first = lines[i]!;
    const startLine = i + 1;
    i++;
    if (isComment(first)) continue;
    const lead = first.length - first.replace(/^[ \t]+/, '').length;
    let { text: logical, continues } = trimContinuation(first.slice(lead), escape);
    if (!continues && logical.trim() === '') continue;
    let lastLine = startLine;
    while (continues && i < lines.length) {
      const l = lines[i]!;
      i++;
      lastLine = i;
      if (isComment(l)) continue;
      if (l.trim() === '') continue; // empty continuation line: deprecated but accepted
      const t = trimContinuation(l, escape);
      logical += t.text;
      continues = t.continues;
    }
    if (instructions.length >= MAX_INSTRUCTIONS) {
      warnings.push({ line: startLine, message: `more than ${MAX_INSTRUCTIONS} instructions; the rest is ignored` });
      break;
    }
    const ins = buildInstruction(logical, escape, startLine, lead + 1, warnings);
    // Heredoc bodies follow the logical line, one after the other.
    if (HEREDOC_KEYWORDS.has(ins.keyword) && logical.includes('<<')) {
      for (const mk of heredocMarkers(ins.args, escape)) {
        const bodyStart = i + 1;
        const body: string[] = [];
        let terminated = false;
        while (i < lines.length) {
          const l = lines[i]!;
          i++;
          const cand = mk.stripTabs ? l.replace(/^\t+/, '') : l;
          if (cand === mk.name) {
            terminated = true;
            break;
          }
          body.push(mk.stripTabs ? cand : l);
        }
        lastLine = i;
        if (!terminated) warnings.push({ line: startLine, message: `unterminated heredoc ${mk.name}` });
        const h: Heredoc = {
          name: mk.name,
          content: body.length ? body.join('\n') + '\n' : '',
          stripTabs: mk.stripTabs,
          quoted: mk.quoted,
          startLine: bodyStart,
          endLine: bodyStart + body.length - 1,
        };
        if (mk.fd !== undefined) h.fd = mk.fd;
        ins.heredocs.push(h);
      }
    }
    ins.end = { line: lastLine, column: (lines[lastLine - 1] ?? '').length + 1 };
    if (ins.trigger) ins.trigger.end = ins.end;
    instructions.push(ins);
  }
  return { directives, instructions, warnings };
}

/** One logical line -> an instruction (keyword, flags, JSON form, ONBUILD trigger). */
function buildInstruction(logical: string, escape: string, line: number, column: number, warnings: RawParse['warnings']): Instruction {
  const m = /^(\S+)[ \t]*([\s\S]*)$/.exec(logical)!;
  const keyword = m[1]!.toUpperCase();
  if (!KNOWN.has(keyword)) warnings.push({ line, message: `unknown instruction: ${m[1]}` });
  const ins: Instruction = { keyword, args: '', flags: [], heredocs: [], start: { line, column }, end: { line, column }, stage: -1 };
  let rest = m[2]!;
  if (keyword === 'ONBUILD') {
    const inner = rest.trim();
    ins.args = inner;
    if (inner) {
      const t = buildInstruction(inner, escape, line, column + logical.indexOf(inner), warnings);
      if (['ONBUILD', 'FROM', 'MAINTAINER'].includes(t.keyword)) warnings.push({ line, message: `${t.keyword} isn't allowed as an ONBUILD trigger` });
      ins.trigger = t;
    }
    return ins;
  }
  // Every instruction may carry flags syntactically; BuildKit validates which are allowed.
  const f = extractFlags(rest, escape);
  ins.flags = f.flags;
  rest = f.rest.replace(/[ \t]+$/, '');
  ins.args = rest;
  if (JSON_KEYWORDS.has(keyword)) {
    const j = parseJsonArray(rest);
    if (j) ins.json = j;
  } else if (keyword === 'HEALTHCHECK') {
    const hm = /^CMD[ \t]+([\s\S]*)$/i.exec(rest);
    const j = hm ? parseJsonArray(hm[1]!) : undefined;
    if (j) ins.json = j;
  }
  return ins;
}
