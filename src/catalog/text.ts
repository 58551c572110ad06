// Decoding helpers shared by catalogers: manifests are UTF-8 text, sometimes with a byte-order mark
// (Windows-built packages, .NET and Composer files), which JSON.parse and line parsers must not see.

/** UTF-8 text without a leading byte-order mark. */
export function decodeText(buf: Buffer): string {
  const s = buf.toString('utf8');
  return s.charCodeAt(0) === 0xfeff ? s.slice(1) : s;
}

/** A JSON document, or a warning saying why it is not one (never throws). */
export function parseJSONFile(buf: Buffer): { doc?: unknown; warning?: string } {
  try {
    return { doc: JSON.parse(decodeText(buf)) };
  } catch (e) {
    return { warning: `invalid JSON: ${(e as Error).message}` };
  }
}
