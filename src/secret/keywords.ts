// The pre-filter: every rule's keywords in one Aho-Corasick automaton, run once over a file's text
// (ASCII case-insensitive). Most files contain none of the keywords and never reach a regex; for
// the rest, each rule's regex runs only in windows around its keywords' positions.
//
// The automaton is a dense DFA over ASCII (128 columns, failure links folded in at build time), so
// the scan is one table lookup per character. Non-ASCII characters reset to the root (keywords are
// ASCII; a non-ASCII keyword is matched by a plain case-sensitive search instead).

export interface KeywordHit {
  /** Index into the keyword list given to the constructor. */
  keyword: number;
  /** Offset (UTF-16 units) of the keyword's first character. */
  at: number;
}

export class KeywordMatcher {
  readonly keywords: readonly string[];
  private readonly delta: Int32Array;
  /** For each state, the keywords that end there (own and via failure links). */
  private readonly out: Array<number[] | undefined>;
  private readonly nonAscii: number[];

  constructor(keywords: readonly string[]) {
    this.keywords = keywords;
    const gotoRows: Array<Int32Array> = [new Int32Array(128).fill(-1)];
    const out: Array<number[] | undefined> = [undefined];
    this.nonAscii = [];
    keywords.forEach((kw, k) => {
      if (!kw || /[^\x00-\x7f]/.test(kw)) {
        if (kw) this.nonAscii.push(k);
        return;
      }
      let s = 0;
      for (const ch of kw.toLowerCase()) {
        const c = ch.charCodeAt(0);
        let n = gotoRows[s]![c]!;
        if (n < 0) {
          n = gotoRows.length;
          gotoRows.push(new Int32Array(128).fill(-1));
          out.push(undefined);
          gotoRows[s]![c] = n;
        }
        s = n;
      }
      (out[s] ??= []).push(k);
    });
    // Breadth-first: complete the transition table with failure links.
    const n = gotoRows.length;
    const delta = new Int32Array(n * 128);
    const fail = new Int32Array(n);
    const queue: number[] = [];
    for (let c = 0; c < 128; c++) {
      const t = gotoRows[0]![c]!;
      delta[c] = t < 0 ? 0 : t;
      if (t > 0) queue.push(t);
    }
    for (let qi = 0; qi < queue.length; qi++) {
      const s = queue[qi]!;
      const f = fail[s]!;
      if (out[f]) out[s] = [...(out[s] ?? []), ...out[f]!];
      for (let c = 0; c < 128; c++) {
        const t = gotoRows[s]![c]!;
        if (t < 0) delta[s * 128 + c] = delta[f * 128 + c]!;
        else {
          delta[s * 128 + c] = t;
          fail[t] = delta[f * 128 + c]!;
          queue.push(t);
        }
      }
    }
    // Case folding: upper-case letters move like lower-case ones.
    for (let s = 0; s < n; s++) for (let c = 65; c <= 90; c++) delta[s * 128 + c] = delta[s * 128 + c + 32]!;
    this.delta = delta;
    this.out = out;
  }

  /** Every keyword occurrence, in text order (by end position). `limit` bounds the number kept. */
  scan(text: string, limit = 1_000_000): KeywordHit[] {
    const hits: KeywordHit[] = [];
    const delta = this.delta;
    const out = this.out;
    const kws = this.keywords;
    let s = 0;
    for (let i = 0, n = text.length; i < n; i++) {
      const c = text.charCodeAt(i);
      s = c < 128 ? delta[(s << 7) | c]! : 0;
      const o = out[s];
      if (o !== undefined) {
        for (const k of o) hits.push({ keyword: k, at: i + 1 - kws[k]!.length });
        if (hits.length >= limit) break;
      }
    }
    for (const k of this.nonAscii) {
      for (let at = text.indexOf(kws[k]!); at >= 0 && hits.length < limit; at = text.indexOf(kws[k]!, at + 1)) hits.push({ keyword: k, at });
    }
    return hits;
  }
}
