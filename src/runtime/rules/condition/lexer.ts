// Falco's filter language is lexed on demand, like libsinsp's own parser does: what a token is
// depends on where the parser stands (a bare string after `=` may contain ':' '[' '/' that would
// be nonsense elsewhere), so the parser asks the cursor for the token kind it expects.

export class ConditionSyntaxError extends Error {
  readonly offset: number;
  constructor(message: string, offset: number) {
    super(message);
    this.name = 'ConditionSyntaxError';
    this.offset = offset;
  }
}

const IDENT_START = /[A-Za-z_]/;
const IDENT_CHAR = /[A-Za-z0-9_]/;
/** A field name is dotted identifiers (`proc.name`, `evt.arg.flags`, `k8s.pod.name`): at least one dot. */
const FIELD_NAME = /[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z0-9_]+)+/y;
const IDENTIFIER = /[A-Za-z_][A-Za-z0-9_]*/y;
/** Bare (unquoted) strings stop at blanks, parentheses, commas, '=' and quotes, as in libsinsp. */
const BARE_STRING = /[^\s(),="']+/y;
const NUMBER = /[+-]?(?:0[xX][0-9a-fA-F]+|[0-9]+(?:\.[0-9]*)?(?:[eE][+-]?[0-9]+)?)/y;

export class Cursor {
  readonly text: string;
  pos = 0;

  constructor(text: string) {
    this.text = text;
  }

  error(message: string, at = this.pos): ConditionSyntaxError {
    const near = this.text.slice(at, at + 24).replace(/\s+/g, ' ');
    return new ConditionSyntaxError(`${message} at offset ${at}${near ? ` near '${near}'` : ' (end of condition)'}`, at);
  }

  skipBlanks(): void {
    const t = this.text;
    let p = this.pos;
    while (p < t.length) {
      const c = t.charCodeAt(p);
      if (c === 32 || c === 9 || c === 10 || c === 13 || c === 12 || c === 11) p++;
      else break;
    }
    this.pos = p;
  }

  atEnd(): boolean {
    this.skipBlanks();
    return this.pos >= this.text.length;
  }

  peekChar(): string {
    this.skipBlanks();
    return this.text[this.pos] ?? '';
  }

  /** Consumes a punctuation character ('(' ')' ',' '[' ']'). */
  tryChar(ch: string): boolean {
    this.skipBlanks();
    if (this.text[this.pos] === ch) {
      this.pos++;
      return true;
    }
    return false;
  }

  /** Consumes a keyword (`and`, `or`, `not`, `in`, `contains` ...) only when it is a whole word. */
  tryWord(word: string): boolean {
    this.skipBlanks();
    const t = this.text;
    if (!t.startsWith(word, this.pos)) return false;
    const next = t[this.pos + word.length];
    if (next !== undefined && IDENT_CHAR.test(next)) return false;
    // Word operators must be followed by something that can start a value (not '.' of a field name).
    if (next === '.') return false;
    this.pos += word.length;
    return true;
  }

  /** Consumes a symbolic operator (`==`, `!=`, `<=` ...). */
  trySymbol(sym: string): boolean {
    this.skipBlanks();
    if (this.text.startsWith(sym, this.pos)) {
      this.pos += sym.length;
      return true;
    }
    return false;
  }

  private sticky(re: RegExp): string | undefined {
    this.skipBlanks();
    re.lastIndex = this.pos;
    const m = re.exec(this.text);
    if (!m || m[0].length === 0) return undefined;
    this.pos += m[0].length;
    return m[0];
  }

  tryFieldName(): string | undefined {
    return this.sticky(FIELD_NAME);
  }

  tryIdentifier(): string | undefined {
    this.skipBlanks();
    if (!IDENT_START.test(this.text[this.pos] ?? '')) return undefined;
    return this.sticky(IDENTIFIER);
  }

  tryNumber(): string | undefined {
    const save = this.pos;
    const n = this.sticky(NUMBER);
    if (n === undefined) return undefined;
    // "12abc" is a bare string, not a number followed by garbage.
    const next = this.text[this.pos];
    if (next !== undefined && !/[\s(),]/.test(next)) {
      this.pos = save;
      return undefined;
    }
    return n;
  }

  tryBareString(): string | undefined {
    return this.sticky(BARE_STRING);
  }

  /** A single- or double-quoted string with C-like escapes (\" \' \\ \n \t \r \b \f \xNN). */
  tryQuotedString(): string | undefined {
    this.skipBlanks();
    const t = this.text;
    const quote = t[this.pos];
    if (quote !== '"' && quote !== "'") return undefined;
    const start = this.pos;
    let p = this.pos + 1;
    let out = '';
    while (p < t.length) {
      const c = t[p];
      if (c === quote) {
        this.pos = p + 1;
        return out;
      }
      if (c === '\\') {
        const e = t[p + 1];
        if (e === undefined) break;
        p += 2;
        switch (e) {
          case 'n': out += '\n'; break;
          case 't': out += '\t'; break;
          case 'r': out += '\r'; break;
          case 'b': out += '\b'; break;
          case 'f': out += '\f'; break;
          case 'x': {
            const hex = t.slice(p, p + 2);
            if (!/^[0-9a-fA-F]{2}$/.test(hex)) throw this.error('bad \\x escape in quoted string', p - 2);
            out += String.fromCharCode(parseInt(hex, 16));
            p += 2;
            break;
          }
          default:
            out += e; // \" \' \\ and anything else: the character itself
        }
        continue;
      }
      out += c;
      p++;
    }
    throw this.error('unterminated quoted string', start);
  }

  /** Raw text inside a field argument `[...]` (e.g. `proc.aname[2]`, `container.mount.dest[/etc]`). */
  readBracketArg(): string {
    const t = this.text;
    const start = this.pos;
    if (t[this.pos] === '"' || t[this.pos] === "'") {
      const q = this.tryQuotedString()!;
      if (!this.tryChar(']')) throw this.error("expected ']' after field argument");
      return q;
    }
    const end = t.indexOf(']', start);
    if (end < 0) throw this.error("unterminated field argument, expected ']'", start);
    this.pos = end + 1;
    return t.slice(start, end);
  }
}
