// A small TOML reader for lockfiles (poetry.lock, uv.lock). The project has no TOML dependency and
// lockfiles use a plain subset: tables, arrays of tables, strings, numbers, booleans, arrays and
// inline tables. Dates are kept as strings. Throws TomlError on anything it cannot read; callers
// turn that into a warning.

export class TomlError extends Error {}

type Table = Record<string, unknown>;

const BARE = /[A-Za-z0-9_-]/;

class Reader {
  private i = 0;
  private readonly s: string;
  constructor(s: string) {
    this.s = s;
  }
  private fail(msg: string): never {
    const line = this.s.slice(0, this.i).split('\n').length;
    throw new TomlError(`line ${line}: ${msg}`);
  }
  /** Skips spaces, tabs and (optionally) newlines and comments. */
  private skip(newlines: boolean): void {
    for (;;) {
      const c = this.s[this.i];
      if (c === ' ' || c === '\t' || c === '\r') this.i++;
      else if (newlines && c === '\n') this.i++;
      else if (c === '#') while (this.i < this.s.length && this.s[this.i] !== '\n') this.i++;
      else return;
    }
  }
  private endOfLine(): void {
    this.skip(false);
    if (this.i < this.s.length && this.s[this.i] !== '\n') this.fail(`unexpected ${JSON.stringify(this.s[this.i])}`);
  }
  document(): Table {
    const root: Table = {};
    let current = root;
    for (;;) {
      this.skip(true);
      if (this.i >= this.s.length) return root;
      if (this.s[this.i] === '[') {
        const array = this.s[this.i + 1] === '[';
        this.i += array ? 2 : 1;
        const path = this.key();
        if (this.s[this.i] !== ']' || (array && this.s[this.i + 1] !== ']')) this.fail('unterminated table header');
        this.i += array ? 2 : 1;
        this.endOfLine();
        current = this.table(root, path, array);
      } else {
        this.assign(current);
        this.endOfLine();
      }
    }
  }
  private table(root: Table, path: string[], array: boolean): Table {
    let t = root;
    path.forEach((seg, n) => {
      const last = n === path.length - 1;
      let v = t[seg];
      if (last && array) {
        if (v === undefined) v = t[seg] = [];
        if (!Array.isArray(v)) this.fail(`${seg} is not an array of tables`);
        const fresh: Table = {};
        v.push(fresh);
        t = fresh;
        return;
      }
      if (v === undefined) v = t[seg] = {};
      if (Array.isArray(v)) v = v[v.length - 1];
      if (typeof v !== 'object' || v === null) this.fail(`${seg} is not a table`);
      t = v as Table;
    });
    return t;
  }
  private assign(into: Table): void {
    const path = this.key();
    if (this.s[this.i] !== '=') this.fail('expected =');
    this.i++;
    this.skip(false);
    const value = this.value();
    let t = into;
    for (const seg of path.slice(0, -1)) {
      const v = (t[seg] ??= {});
      if (typeof v !== 'object' || v === null || Array.isArray(v)) this.fail(`${seg} is not a table`);
      t = v as Table;
    }
    t[path[path.length - 1]!] = value;
  }
  /** A dotted key; leaves the reader after trailing whitespace. */
  private key(): string[] {
    const out: string[] = [];
    for (;;) {
      this.skip(false);
      const c = this.s[this.i];
      if (c === '"' || c === "'") out.push(this.string());
      else {
        const start = this.i;
        while (this.i < this.s.length && BARE.test(this.s[this.i]!)) this.i++;
        if (this.i === start) this.fail('expected a key');
        out.push(this.s.slice(start, this.i));
      }
      this.skip(false);
      if (this.s[this.i] !== '.') return out;
      this.i++;
    }
  }
  private value(): unknown {
    const c = this.s[this.i];
    if (c === '"' || c === "'") return this.string();
    if (c === '[') return this.array();
    if (c === '{') return this.inline();
    const start = this.i;
    while (this.i < this.s.length && !/[,\]}\n#\r]/.test(this.s[this.i]!)) this.i++;
    const raw = this.s.slice(start, this.i).trim();
    if (raw === 'true') return true;
    if (raw === 'false') return false;
    if (/^[+-]?\d[\d_]*$/.test(raw)) return Number(raw.replace(/_/g, ''));
    if (/^[+-]?(\d[\d_]*)?(\.\d[\d_]*)?([eE][+-]?\d+)?$/.test(raw) && raw !== '') return Number(raw.replace(/_/g, ''));
    if (/^\d{4}-\d{2}-\d{2}|^\d{2}:\d{2}/.test(raw)) return raw;
    return this.fail(`cannot read value ${JSON.stringify(raw.slice(0, 40))}`);
  }
  private array(): unknown[] {
    this.i++;
    const out: unknown[] = [];
    for (;;) {
      this.skip(true);
      if (this.s[this.i] === ']') {
        this.i++;
        return out;
      }
      if (this.i >= this.s.length) this.fail('unterminated array');
      out.push(this.value());
      this.skip(true);
      if (this.s[this.i] === ',') this.i++;
      else if (this.s[this.i] !== ']') this.fail('expected , or ] in array');
    }
  }
  private inline(): Table {
    this.i++;
    const out: Table = {};
    for (;;) {
      this.skip(true);
      if (this.s[this.i] === '}') {
        this.i++;
        return out;
      }
      if (this.i >= this.s.length) this.fail('unterminated inline table');
      this.assign(out);
      this.skip(true);
      if (this.s[this.i] === ',') this.i++;
      else if (this.s[this.i] !== '}') this.fail('expected , or } in inline table');
    }
  }
  private string(): string {
    const q = this.s[this.i]!;
    const multi = this.s.startsWith(q + q + q, this.i);
    this.i += multi ? 3 : 1;
    if (multi && this.s[this.i] === '\n') this.i++;
    else if (multi && this.s.startsWith('\r\n', this.i)) this.i += 2;
    let out = '';
    for (;;) {
      if (this.i >= this.s.length) this.fail('unterminated string');
      const c = this.s[this.i]!;
      if (multi ? this.s.startsWith(q + q + q, this.i) : c === q) {
        this.i += multi ? 3 : 1;
        // Up to two quotes may directly precede the closing delimiter.
        for (let k = 0; multi && k < 2 && this.s[this.i] === q; k++) {
          out += q;
          this.i++;
        }
        return out;
      }
      if (!multi && c === '\n') this.fail('newline in string');
      if (c === '\\' && q === '"') {
        out += this.escape(multi);
        continue;
      }
      out += c;
      this.i++;
    }
  }
  private escape(multi: boolean): string {
    const e = this.s[this.i + 1];
    this.i += 2;
    switch (e) {
      case 'n':
        return '\n';
      case 't':
        return '\t';
      case 'r':
        return '\r';
      case 'b':
        return '\b';
      case 'f':
        return '\f';
      case '"':
        return '"';
      case '\\':
        return '\\';
      case 'u':
      case 'U': {
        const n = e === 'u' ? 4 : 8;
        const hex = this.s.slice(this.i, this.i + n);
        if (!/^[0-9A-Fa-f]+$/.test(hex) || hex.length !== n) this.fail('bad unicode escape');
        this.i += n;
        const cp = parseInt(hex, 16);
        if (cp > 0x10ffff) this.fail('bad unicode escape');
        return String.fromCodePoint(cp);
      }
      default:
        // Line-ending backslash in multi-line strings trims the following whitespace.
        if (multi && (e === '\n' || e === ' ' || e === '\t' || e === '\r')) {
          this.i--;
          while (this.i < this.s.length && /\s/.test(this.s[this.i]!)) this.i++;
          return '';
        }
        return this.fail(`bad escape \\${e}`);
    }
  }
}

export function parseToml(text: string): Table {
  return new Reader(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text).document();
}
