// A small TOML reader, enough for Cargo.lock and Cargo.toml: tables, arrays of tables, dotted and
// quoted keys, all four string forms, numbers, booleans, dates (kept as text), arrays and inline
// tables. It is lenient where Cargo files never need strictness (no duplicate-key or table
// redefinition errors) and recovers from a bad line by reporting it and moving to the next one,
// so one broken entry does not hide the rest of a lock file. Tables have no prototype, so hostile
// keys like "__proto__" are plain data.

export type TomlValue = string | number | boolean | TomlValue[] | TomlTable;
export interface TomlTable {
  [key: string]: TomlValue;
}

class TomlError extends Error {}

const MAX_DEPTH = 64;

export function parseToml(text: string, warnings: string[] = [], maxWarnings = 20): TomlTable {
  const root = table();
  let current = root;
  const p = new Parser(text);
  while (true) {
    p.skipBlank();
    if (p.eof()) break;
    const start = p.pos;
    try {
      if (p.peek() === '[') {
        const isArray = p.text.startsWith('[[', p.pos);
        p.pos += isArray ? 2 : 1;
        const keys = p.key(']');
        p.expect(isArray ? ']]' : ']');
        current = isArray ? appendTable(root, keys) : openTable(root, keys);
      } else {
        const keys = p.key('=');
        p.expect('=');
        const value = p.value(0);
        const parent = openTable(current, keys.slice(0, -1));
        parent[keys[keys.length - 1]!] = value;
      }
      p.endOfLine();
    } catch (e) {
      if (!(e instanceof TomlError)) throw e;
      if (warnings.length < maxWarnings) warnings.push(`line ${lineOf(text, start)}: ${e.message}`);
      p.pos = Math.max(p.pos, start + 1);
      p.skipLine();
    }
  }
  return root;
}

function table(): TomlTable {
  return Object.create(null) as TomlTable;
}

function lineOf(text: string, pos: number): number {
  let n = 1;
  for (let i = 0; i < pos && i < text.length; i++) if (text.charCodeAt(i) === 10) n++;
  return n;
}

function openTable(root: TomlTable, keys: string[]): TomlTable {
  let t = root;
  for (const k of keys) {
    let next = t[k];
    // [a.b] after [[a]] addresses the last element of the array of tables.
    if (Array.isArray(next)) next = next[next.length - 1];
    if (next === undefined) t[k] = next = table();
    if (typeof next !== 'object' || Array.isArray(next)) throw new TomlError(`key "${k}" is not a table`);
    t = next;
  }
  return t;
}

function appendTable(root: TomlTable, keys: string[]): TomlTable {
  const parent = openTable(root, keys.slice(0, -1));
  const k = keys[keys.length - 1]!;
  const arr = (parent[k] ??= []);
  if (!Array.isArray(arr)) throw new TomlError(`key "${k}" is not an array of tables`);
  const t = table();
  arr.push(t);
  return t;
}

const BARE = /[A-Za-z0-9_-]/;
const ESC: Record<string, string> = { b: '\b', t: '\t', n: '\n', f: '\f', r: '\r', e: '\x1b', '"': '"', '\\': '\\' };

class Parser {
  readonly text: string;
  pos = 0;
  constructor(text: string) {
    this.text = text;
  }
  eof(): boolean {
    return this.pos >= this.text.length;
  }
  peek(): string {
    return this.text[this.pos] ?? '';
  }
  expect(s: string): void {
    this.ws();
    if (!this.text.startsWith(s, this.pos)) throw new TomlError(`expected "${s}"`);
    this.pos += s.length;
  }
  /** Spaces and tabs only. */
  ws(): void {
    while (this.peek() === ' ' || this.peek() === '\t') this.pos++;
  }
  skipLine(): void {
    const nl = this.text.indexOf('\n', this.pos);
    this.pos = nl < 0 ? this.text.length : nl + 1;
  }
  /** Whitespace, newlines and comments between statements (or inside arrays). */
  skipBlank(): void {
    for (;;) {
      const c = this.peek();
      if (c === ' ' || c === '\t' || c === '\r' || c === '\n') this.pos++;
      else if (c === '#') this.skipLine();
      else return;
    }
  }
  endOfLine(): void {
    this.ws();
    if (this.peek() === '#') return this.skipLine();
    if (this.peek() === '\r') this.pos++;
    if (this.eof()) return;
    if (this.peek() !== '\n') throw new TomlError('unexpected text after value');
    this.pos++;
  }
  /** a.b."c d".'e' up to (not including) `stop`. */
  key(stop: string): string[] {
    const keys: string[] = [];
    for (;;) {
      this.ws();
      const c = this.peek();
      if (c === '"') keys.push(this.basicString());
      else if (c === "'") keys.push(this.literalString());
      else {
        const s = this.pos;
        while (BARE.test(this.peek())) this.pos++;
        if (s === this.pos) throw new TomlError('expected a key');
        keys.push(this.text.slice(s, this.pos));
      }
      this.ws();
      if (this.peek() !== '.') break;
      this.pos++;
    }
    if (this.peek() !== stop[0]) throw new TomlError(`expected "${stop}" after key`);
    return keys;
  }
  value(depth: number): TomlValue {
    if (depth > MAX_DEPTH) throw new TomlError('values nested too deeply');
    this.ws();
    const c = this.peek();
    if (c === '"') return this.text.startsWith('"""', this.pos) ? this.multiBasic() : this.basicString();
    if (c === "'") return this.text.startsWith("'''", this.pos) ? this.multiLiteral() : this.literalString();
    if (c === '[') return this.array(depth);
    if (c === '{') return this.inlineTable(depth);
    const m = /^[^\s,\]}#]+/.exec(this.text.slice(this.pos, this.pos + 128));
    if (!m) throw new TomlError('expected a value');
    let tok = m[0];
    // A date-time may have a space between date and time.
    const dt = /^(\d{4}-\d{2}-\d{2}) (\d{2}:\d{2}[^\s,\]}#]*)/.exec(this.text.slice(this.pos, this.pos + 64));
    if (dt) tok = dt[0];
    this.pos += tok.length;
    if (tok === 'true') return true;
    if (tok === 'false') return false;
    if (/^\d{4}-\d{2}-\d{2}|^\d{2}:\d{2}/.test(tok)) return tok;
    const num = tok.replace(/_/g, '');
    if (/^[+-]?(0x[0-9a-fA-F]+|0o[0-7]+|0b[01]+)$/.test(num)) return Number(num.replace(/^\+/, ''));
    if (/^[+-]?(\d+(\.\d+)?([eE][+-]?\d+)?|inf|nan)$/.test(num)) return num.endsWith('inf') ? (num.startsWith('-') ? -Infinity : Infinity) : Number(num);
    throw new TomlError(`bad value "${tok.slice(0, 40)}"`);
  }
  array(depth: number): TomlValue[] {
    this.pos++;
    const out: TomlValue[] = [];
    for (;;) {
      this.skipBlank();
      if (this.peek() === ']') break;
      if (this.eof()) throw new TomlError('unterminated array');
      out.push(this.value(depth + 1));
      this.skipBlank();
      if (this.peek() === ',') this.pos++;
      else if (this.peek() !== ']') throw new TomlError('expected "," or "]" in array');
    }
    this.pos++;
    return out;
  }
  inlineTable(depth: number): TomlTable {
    this.pos++;
    const t = table();
    for (;;) {
      this.skipBlank();
      if (this.peek() === '}') break;
      if (this.eof()) throw new TomlError('unterminated inline table');
      const keys = this.key('=');
      this.expect('=');
      openTable(t, keys.slice(0, -1))[keys[keys.length - 1]!] = this.value(depth + 1);
      this.skipBlank();
      if (this.peek() === ',') this.pos++;
      else if (this.peek() !== '}') throw new TomlError('expected "," or "}" in inline table');
    }
    this.pos++;
    return t;
  }
  basicString(): string {
    this.pos++;
    let out = '';
    for (;;) {
      const c = this.text[this.pos++];
      if (c === undefined || c === '\n') throw new TomlError('unterminated string');
      if (c === '"') return out;
      out += c === '\\' ? this.escape() : c;
    }
  }
  multiBasic(): string {
    this.pos += 3;
    if (this.peek() === '\n') this.pos++;
    else if (this.text.startsWith('\r\n', this.pos)) this.pos += 2;
    let out = '';
    for (;;) {
      if (this.eof()) throw new TomlError('unterminated multi-line string');
      // Content cannot hold three quotes in a row, so any run of three or more ends it; up to two
      // of them belong to the content.
      if (this.text.startsWith('"""', this.pos)) {
        let q = 3;
        while (q < 5 && this.text[this.pos + q] === '"') q++;
        out += '"'.repeat(q - 3);
        this.pos += q;
        return out;
      }
      const c = this.text[this.pos++]!;
      if (c !== '\\') {
        out += c;
        continue;
      }
      // A backslash at the end of a line eats the newline and following whitespace.
      const rest = /^[ \t]*\r?\n[\s]*/.exec(this.text.slice(this.pos, this.pos + 4096));
      if (rest) this.pos += rest[0].length;
      else out += this.escape();
    }
  }
  literalString(): string {
    const end = this.text.indexOf("'", this.pos + 1);
    const nl = this.text.indexOf('\n', this.pos + 1);
    if (end < 0 || (nl >= 0 && nl < end)) throw new TomlError('unterminated literal string');
    const s = this.text.slice(this.pos + 1, end);
    this.pos = end + 1;
    return s;
  }
  multiLiteral(): string {
    let start = this.pos + 3;
    if (this.text[start] === '\n') start++;
    else if (this.text.startsWith('\r\n', start)) start += 2;
    let end = this.text.indexOf("'''", start);
    if (end < 0) throw new TomlError('unterminated multi-line literal string');
    // As for basic strings: up to two extra quotes before the delimiter are content.
    for (let extra = 0; extra < 2 && this.text[end + 3] === "'"; extra++) end++;
    this.pos = end + 3;
    return this.text.slice(start, end);
  }
  escape(): string {
    const e = this.text[this.pos++] ?? '';
    if (e in ESC) return ESC[e]!;
    const len = e === 'u' ? 4 : e === 'U' ? 8 : e === 'x' ? 2 : 0;
    const hex = this.text.slice(this.pos, this.pos + len);
    if (!len || !new RegExp(`^[0-9a-fA-F]{${len}}$`).test(hex)) throw new TomlError(`bad escape "\\${e}"`);
    const cp = parseInt(hex, 16);
    if (cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) throw new TomlError('bad unicode escape');
    this.pos += len;
    return String.fromCodePoint(cp);
  }
}
