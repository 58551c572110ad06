// Just enough POSIX shell to lint RUN lines: split a script into simple commands (on newlines,
// `;`, `&&`, `||`, `&`, pipes, subshell/group brackets), words with quotes removed, leading
// `VAR=value` assignments and harmless wrappers peeled off, `sh -c "..."` looked into. Not an
// interpreter: variables are left as written.
import type { Instruction } from './types.ts';

export interface Command {
  /** Words with quotes removed; assignments before the command name dropped. */
  words: string[];
  /** The command's output is piped into the next command. */
  pipesTo: boolean;
  /** Ran under `sudo` (the wrapper is removed from `words`). */
  sudo: boolean;
}

const MAX_SCRIPT = 1 << 20;
const MAX_NESTING = 3;

type Tok = { word: string } | { op: string };

function tokenize(s: string): Tok[] {
  const out: Tok[] = [];
  let cur = '';
  let inWord = false;
  const push = () => {
    if (inWord) out.push({ word: cur });
    cur = '';
    inWord = false;
  };
  for (let i = 0; i < s.length && i < MAX_SCRIPT; i++) {
    const c = s[i]!;
    if (c === '\\') {
      if (s[i + 1] === '\n') {
        i++;
        continue;
      }
      inWord = true;
      if (i + 1 < s.length) cur += s[++i]!;
      continue;
    }
    if (c === "'") {
      const e = s.indexOf("'", i + 1);
      const end = e < 0 ? s.length : e;
      cur += s.slice(i + 1, end);
      inWord = true;
      i = end;
      continue;
    }
    if (c === '"') {
      inWord = true;
      let j = i + 1;
      for (; j < s.length && s[j] !== '"'; j++) {
        if (s[j] === '\\' && j + 1 < s.length && '"\\$`'.includes(s[j + 1]!)) j++;
        cur += s[j]!;
      }
      i = j;
      continue;
    }
    if (c === '#' && !inWord) {
      while (i + 1 < s.length && s[i + 1] !== '\n') i++;
      continue;
    }
    if (c === ' ' || c === '\t' || c === '\r') {
      push();
      continue;
    }
    if (c === '\n' || c === ';' || c === '(' || c === ')') {
      push();
      out.push({ op: c === '\n' ? ';' : c });
      continue;
    }
    if (c === '&' || c === '|') {
      push();
      const two = s[i + 1] === c;
      if (c === '|' && s[i + 1] === '&') {
        out.push({ op: '|' });
        i++;
      } else if (two) {
        out.push({ op: c + c });
        i++;
      } else if (c === '&' && (s[i - 1] === '>' || s[i + 1] === '>')) {
        cur += c; // redirection like 2>&1 or &>file
        inWord = true;
      } else out.push({ op: c });
      continue;
    }
    cur += c;
    inWord = true;
  }
  push();
  return out;
}

const WRAPPERS = new Set(['env', 'nohup', 'time', 'exec', 'command', 'nice', 'stdbuf', 'eatmydata']);
const SHELLS = new Set(['sh', 'bash', 'ash', 'dash', 'zsh', '/bin/sh', '/bin/bash', '/bin/ash', '/bin/dash', '/usr/bin/bash']);
const KEYWORDS = new Set(['if', 'then', 'else', 'elif', 'fi', 'do', 'done', 'while', 'until', '{', '}', '!', 'for', 'case', 'esac']);

function finish(words: string[], pipesTo: boolean, out: Command[], depth: number): void {
  let i = 0;
  let sudo = false;
  for (;;) {
    while (i < words.length && (/^[A-Za-z_][A-Za-z0-9_]*=/.test(words[i]!) || KEYWORDS.has(words[i]!))) i++;
    const w = words[i];
    if (w === 'sudo') {
      sudo = true;
      i++;
      while (i < words.length && words[i]!.startsWith('-')) i += /^-[ugpCrth]$/.test(words[i]!) ? 2 : 1;
      continue;
    }
    if (w !== undefined && WRAPPERS.has(w)) {
      i++;
      while (i < words.length && words[i]!.startsWith('-')) i++;
      continue;
    }
    break;
  }
  const rest = words.slice(i);
  if (rest.length === 0) return;
  out.push({ words: rest, pipesTo, sudo });
  // `sh -c "script"`: the script's commands count too.
  if (depth < MAX_NESTING && SHELLS.has(rest[0]!)) {
    const ci = rest.findIndex((x, k) => k > 0 && /^-[a-z]*c[a-z]*$/.test(x));
    if (ci > 0 && rest[ci + 1] !== undefined) out.push(...parseShell(rest[ci + 1]!, depth + 1));
  }
}

/** Simple commands of a shell script, in order. */
export function parseShell(script: string, depth = 0): Command[] {
  const out: Command[] = [];
  let words: string[] = [];
  for (const t of tokenize(script)) {
    if ('word' in t) {
      words.push(t.word);
      continue;
    }
    // `( ... ) | sh`: the pipe follows a group; its last command feeds the pipe.
    if (t.op === '|' && words.length === 0 && out.length > 0) out[out.length - 1]!.pipesTo = true;
    finish(words, t.op === '|', out, depth);
    words = [];
  }
  finish(words, false, out, depth);
  return out;
}

/** The shell scripts a RUN executes: its shell-form line, its exec form, and heredoc scripts. */
export function runScripts(ins: Instruction): string[] {
  if (ins.json) {
    const [cmd, ...rest] = ins.json;
    if (cmd !== undefined && SHELLS.has(cmd)) {
      const ci = rest.findIndex((x) => /^-[a-z]*c[a-z]*$/.test(x));
      if (ci >= 0 && rest[ci + 1] !== undefined) return [rest[ci + 1]!];
    }
    // Exec form: one command; quote its words so the splitter keeps them whole.
    return [ins.json.map((w) => `'${w.replace(/'/g, `'\\''`)}'`).join(' ')];
  }
  const scripts: string[] = [];
  const line = ins.args.replace(/(^|\s)\d*<<-?\S+/g, ' ').trim();
  if (line) scripts.push(line);
  // A heredoc is a script when RUN has no command of its own or feeds it to a shell.
  const first = line.split(/\s+/)[0] ?? '';
  if (ins.heredocs.length && (line === '' || SHELLS.has(first))) for (const h of ins.heredocs) scripts.push(h.content);
  return scripts;
}

export function runCommands(ins: Instruction): Command[] {
  return runScripts(ins).flatMap((s) => parseShell(s));
}

/** Base name of the command (`/usr/bin/apt-get` -> `apt-get`). */
export function commandName(c: Command): string {
  const w = c.words[0] ?? '';
  return w.slice(w.lastIndexOf('/') + 1);
}
