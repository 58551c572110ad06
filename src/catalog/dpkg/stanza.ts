// A tolerant reader for dpkg's RFC822-like control format (deb822): stanzas of "Field: value"
// lines separated by blank lines, with continuation lines starting with a space or tab.
// Real status files are machine-written and clean, but images carry hand-edited, truncated and
// CRLF-converted copies; every oddity becomes a counted warning instead of an exception.

export interface Stanza {
  /** Field names lower-cased (dpkg compares them case-insensitively); only the requested fields. */
  fields: Map<string, string>;
  /** 1-based line of the stanza's first field, for warnings. */
  line: number;
}

export interface StanzaParse {
  stanzas: Stanza[];
  warnings: string[];
}

/**
 * Splits `text` into stanzas. `keep` limits which fields are stored (lower-case names): a status
 * file is mostly descriptions and conffiles we never use, and keeping them would multiply memory.
 * Continuation lines are joined to their field with '\n' (trimmed).
 */
export function parseStanzas(text: string, keep?: ReadonlySet<string>, label = 'control data'): StanzaParse {
  const stanzas: Stanza[] = [];
  let cur: Stanza | undefined;
  let field: string | undefined; // field receiving continuation lines (undefined when not kept)
  let inField = false; // whether the previous line was a field or continuation (kept or not)
  let bad = 0;
  let firstBad = 0;

  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    let line = lines[i];
    if (line.endsWith('\r')) line = line.slice(0, -1);
    // Blank or whitespace-only lines end a stanza (deb822).
    if (line.trim() === '') {
      cur = undefined;
      inField = false;
      continue;
    }
    const c0 = line.charCodeAt(0);
    if (c0 === 0x20 || c0 === 0x09) {
      if (!inField) {
        bad++;
        firstBad ||= i + 1;
        continue;
      }
      if (cur && field !== undefined) cur.fields.set(field, cur.fields.get(field) + '\n' + line.trim());
      continue;
    }
    if (c0 === 0x23 /* # */) continue; // comment (deb822 allows them in control files)
    const colon = line.indexOf(':');
    const name = colon > 0 ? line.slice(0, colon) : '';
    if (!name || /[\s]/.test(name)) {
      bad++;
      firstBad ||= i + 1;
      inField = false;
      continue;
    }
    if (!cur) {
      cur = { fields: new Map(), line: i + 1 };
      stanzas.push(cur);
    }
    inField = true;
    const key = name.toLowerCase();
    if ((keep && !keep.has(key)) || cur.fields.has(key)) {
      // Unwanted field, or a duplicate (dpkg rejects those; we keep the first).
      field = undefined;
      continue;
    }
    field = key;
    cur.fields.set(key, line.slice(colon + 1).trim());
  }
  const warnings = bad > 0 ? [`${label}: ${bad} malformed line(s) ignored (first at line ${firstBad})`] : [];
  return { stanzas, warnings };
}
