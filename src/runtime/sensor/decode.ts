// Decoding of bpftrace 0.17's `-f json` lines. For printf output bpftrace writes
//   {"type": "printf", "data": "<escaped>"}
// where its json_escape() turns `"` `\` into \" \\, \n \r \t into themselves, other bytes < 0x20 into
// \u00XX, and — because it tests a signed char — bytes >= 0x80 into the 8-digit "\uffffffXX". JSON.parse
// would read that last form as U+FFFF followed by "ffXX", so the data string is decoded here, back to
// the original bytes, then as UTF-8 (invalid sequences become U+FFFD).

const PRINTF_PREFIX = '{"type": "printf", "data": "';
const PRINTF_SUFFIX = '"}';

export type DecodedLine =
  | { kind: 'printf'; data: string }
  | { kind: 'lost'; events: number }
  | { kind: 'attached'; probes: number }
  | { kind: 'other'; type: string }
  | { kind: 'malformed'; reason: string };

function hexValue(s: string, from: number, len: number): number {
  let v = 0;
  for (let i = from; i < from + len; i++) {
    const c = s.charCodeAt(i);
    const d = c >= 48 && c <= 57 ? c - 48 : c >= 97 && c <= 102 ? c - 87 : c >= 65 && c <= 70 ? c - 55 : -1;
    if (d < 0) return -1;
    v = v * 16 + d;
  }
  return v;
}

/** The bytes of an escaped data string, as UTF-8 text; undefined when an escape is malformed. */
export function unescapeData(s: string): string | undefined {
  if (s.indexOf('\\') < 0) return s; // no escapes: plain printable ASCII
  let out = '';
  let high = false;
  let start = 0;
  for (let i = 0; i < s.length; i++) {
    if (s.charCodeAt(i) !== 92) continue;
    out += s.slice(start, i);
    const e = s[i + 1];
    if (e === '"' || e === '\\' || e === '/') out += e;
    else if (e === 'n') out += '\n';
    else if (e === 'r') out += '\r';
    else if (e === 't') out += '\t';
    else if (e === 'b') out += '\b';
    else if (e === 'f') out += '\f';
    else if (e === 'u') {
      if (s.startsWith('ffff', i + 2)) {
        const v = hexValue(s, i + 6, 4);
        if (v < 0xff80 || v > 0xffff) return undefined;
        out += String.fromCharCode(v & 0xff);
        high = true;
        i += 9;
        start = i + 1;
        continue;
      }
      const v = hexValue(s, i + 2, 4);
      if (v < 0) return undefined;
      if (v > 0xff) {
        // Not something bpftrace writes; keep the code point as text (UTF-8 encoded below).
        out += String.fromCharCode(v);
        high = true;
      } else {
        out += String.fromCharCode(v);
        if (v >= 0x80) high = true;
      }
      i += 5;
      start = i + 1;
      continue;
    } else return undefined;
    i += 1;
    start = i + 1;
  }
  out += s.slice(start);
  // Raw bytes >= 0x80 were collected one per char: reassemble them as UTF-8.
  return high ? Buffer.from(out, 'latin1').toString('utf8') : out;
}

/** One line of bpftrace -f json output (without the newline). Never throws. */
export function decodeLine(line: string): DecodedLine {
  if (line.startsWith(PRINTF_PREFIX) && line.endsWith(PRINTF_SUFFIX) && line.length >= PRINTF_PREFIX.length + PRINTF_SUFFIX.length) {
    const data = unescapeData(line.slice(PRINTF_PREFIX.length, line.length - PRINTF_SUFFIX.length));
    return data === undefined ? { kind: 'malformed', reason: 'bad escape in printf data' } : { kind: 'printf', data };
  }
  if (line.length > 1_000_000) return { kind: 'malformed', reason: 'line too long' };
  let v: unknown;
  try {
    v = JSON.parse(line);
  } catch {
    return { kind: 'malformed', reason: 'not JSON' };
  }
  if (!v || typeof v !== 'object') return { kind: 'malformed', reason: 'not a JSON object' };
  const o = v as { type?: unknown; data?: unknown };
  const type = typeof o.type === 'string' ? o.type : '';
  const data = (o.data && typeof o.data === 'object' ? o.data : {}) as Record<string, unknown>;
  if (type === 'lost_events') return { kind: 'lost', events: typeof data.events === 'number' ? data.events : 0 };
  if (type === 'attached_probes') return { kind: 'attached', probes: typeof data.probes === 'number' ? data.probes : 0 };
  if (type === 'printf' && typeof o.data === 'string') return { kind: 'printf', data: o.data };
  return { kind: 'other', type };
}
