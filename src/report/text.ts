// Drawing boxed text tables that fit the terminal: display width (wide CJK and emoji count two
// columns, combining marks none), shrinking the widest shrinkable column until the table fits,
// and per-cell colour applied after padding so escape codes never disturb the alignment.
import { oneLine } from './common.ts';

export interface DrawOptions {
  /** Maximum line width (Infinity: never shrink). */
  width: number;
  color: boolean;
  ascii?: boolean;
}

export interface Column {
  title: string;
  align?: 'left' | 'right';
  /** Set for columns that may be cut to fit; the narrowest they may become. */
  min?: number;
}

/** A cell: its text and an optional SGR colour code ("31", "1;31"). */
export type Cell = string | { text: string; sgr?: string };

const BOX = { h: '─', v: '│', tl: '┌', tm: '┬', tr: '┐', ml: '├', mm: '┼', mr: '┤', bl: '└', bm: '┴', br: '┘' };
const ASCII = { h: '-', v: '|', tl: '+', tm: '+', tr: '+', ml: '+', mm: '+', mr: '+', bl: '+', bm: '+', br: '+' };

const WIDE = /[\u1100-\u115f\u2e80-\u303e\u3041-\u33ff\u3400-\u4dbf\u4e00-\u9fff\ua000-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6]|[\u{1f300}-\u{1f64f}\u{1f900}-\u{1f9ff}\u{20000}-\u{3fffd}]/u;
const ZERO = /^[\p{Mn}\p{Me}\u200b-\u200d\ufe00-\ufe0f]$/u;

function charWidth(ch: string): number {
  if (ZERO.test(ch)) return 0;
  return WIDE.test(ch) ? 2 : 1;
}

export function displayWidth(s: string): number {
  let w = 0;
  for (const ch of s) w += charWidth(ch);
  return w;
}

/** Cuts to at most `w` columns, ending with an ellipsis when something was cut. */
export function fit(s: string, w: number): string {
  if (displayWidth(s) <= w) return s;
  let out = '';
  let used = 0;
  for (const ch of s) {
    const cw = charWidth(ch);
    if (used + cw > w - 1) break;
    out += ch;
    used += cw;
  }
  return w >= 1 ? `${out}…` : '';
}

function pad(s: string, w: number, align: 'left' | 'right' = 'left'): string {
  const fill = ' '.repeat(Math.max(0, w - displayWidth(s)));
  return align === 'right' ? fill + s : s + fill;
}

export function paint(text: string, sgr: string | undefined, color: boolean): string {
  return color && sgr ? `\u001b[${sgr}m${text}\u001b[0m` : text;
}

export function drawTable(cols: Column[], rows: Cell[][], opts: DrawOptions): string {
  const b = opts.ascii ? ASCII : BOX;
  const cells = rows.map((r) => cols.map((_, i) => {
    const c = r[i] ?? '';
    return typeof c === 'string' ? { text: oneLine(c) } : { text: oneLine(c.text), sgr: c.sgr };
  }));
  const w = cols.map((c, i) => Math.max(displayWidth(c.title), ...cells.map((r) => displayWidth(r[i]!.text))));
  const total = () => w.reduce((a, x) => a + x + 3, 0) + 1;
  // Shrink the widest shrinkable column one step at a time: cuts spread over the long columns.
  while (total() > opts.width) {
    let widest = -1;
    cols.forEach((c, i) => {
      if (c.min !== undefined && w[i]! > c.min && (widest < 0 || w[i]! > w[widest]!)) widest = i;
    });
    if (widest < 0) break;
    w[widest]!--;
  }
  const line = (l: string, m: string, r: string) => l + w.map((x) => b.h.repeat(x + 2)).join(m) + r;
  const row = (cs: Array<{ text: string; sgr?: string }>) =>
    b.v + cs.map((c, i) => ` ${paint(pad(fit(c.text, w[i]!), w[i]!, cols[i]!.align), c.sgr, opts.color)} `).join(b.v) + b.v;
  const out = [line(b.tl, b.tm, b.tr), row(cols.map((c) => ({ text: c.title, sgr: '1' }))), line(b.ml, b.mm, b.mr)];
  for (const r of cells) out.push(row(r));
  out.push(line(b.bl, b.bm, b.br));
  return out.join('\n');
}
