// Human-readable tables of an inventory, in the spirit of Trivy's table output: one row per package,
// or one row per layer. They fit the terminal width by truncating the widest columns, and use
// colour only when writing to a terminal (pipes and files get plain text).
import type { Inventory } from '../model/types.ts';
import { cleanCreatedBy, sortedPackages } from './common.ts';

export interface TableOptions {
  /** Maximum line width; default: the terminal's columns when stdout is a TTY, else unlimited. */
  width?: number;
  /** ANSI bold headers; default: stdout is a TTY and NO_COLOR is unset. */
  color?: boolean;
  /** Plain ASCII borders instead of box-drawing characters. */
  ascii?: boolean;
}

type Align = 'left' | 'right';
interface Column {
  title: string;
  align?: Align;
  /** Columns that may be cut to fit, narrowest allowed width. */
  min?: number;
}

const BOX = { h: '─', v: '│', tl: '┌', tm: '┬', tr: '┐', ml: '├', mm: '┼', mr: '┤', bl: '└', bm: '┴', br: '┘' };
const ASCII = { h: '-', v: '|', tl: '+', tm: '+', tr: '+', ml: '+', mm: '+', mr: '+', bl: '+', bm: '+', br: '+' };

// Code points, not UTF-16 units: a name with an astral character must not throw the columns off.
function width(s: string): number {
  return [...s].length;
}

function truncate(s: string, w: number): string {
  const cps = [...s];
  if (cps.length <= w) return s;
  return w <= 1 ? cps.slice(0, w).join('') : `${cps.slice(0, w - 1).join('')}…`;
}

function pad(s: string, w: number, align: Align = 'left'): string {
  const fill = ' '.repeat(Math.max(0, w - width(s)));
  return align === 'right' ? fill + s : s + fill;
}

/** Renders rows under headers; shrinks the widest shrinkable column until the table fits. */
export function renderTable(cols: Column[], rows: string[][], opts: TableOptions = {}): string {
  const tty = process.stdout.isTTY === true;
  const max = opts.width ?? (tty && process.stdout.columns ? process.stdout.columns : Infinity);
  const color = opts.color ?? (tty && !process.env.NO_COLOR);
  const b = opts.ascii ? ASCII : BOX;
  const clean = rows.map((r) => r.map((c) => c.replace(/[\u0000-\u001f\u007f]+/g, ' ')));
  const w = cols.map((c, i) => Math.max(width(c.title), ...clean.map((r) => width(r[i] ?? ''))));
  // Each column costs its width plus " x " padding and one border; plus the closing border.
  const total = () => w.reduce((a, x) => a + x + 3, 0) + 1;
  while (total() > max) {
    let widest = -1;
    cols.forEach((c, i) => {
      if (c.min !== undefined && w[i]! > c.min && (widest < 0 || w[i]! > w[widest]!)) widest = i;
    });
    if (widest < 0) break; // nothing left to shrink: better too wide than unreadable
    w[widest]!--;
  }
  const line = (l: string, m: string, r: string) => l + w.map((x) => b.h.repeat(x + 2)).join(m) + r;
  const row = (cells: string[], bold = false) =>
    b.v +
    cells
      .map((c, i) => {
        const text = pad(truncate(c, w[i]!), w[i]!, cols[i]!.align);
        return ` ${bold && color ? `\u001b[1m${text}\u001b[0m` : text} `;
      })
      .join(b.v) +
    b.v;
  const out = [line(b.tl, b.tm, b.tr), row(cols.map((c) => c.title), true), line(b.ml, b.mm, b.mr)];
  for (const r of clean) out.push(row(r));
  out.push(line(b.bl, b.bm, b.br));
  return `${out.join('\n')}\n`;
}

export function humanSize(n: number | undefined): string {
  if (n === undefined) return '-';
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let v = n;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return u === 0 ? `${v} B` : `${v.toFixed(v < 10 ? 1 : 0)} ${units[u]}`;
}

/** One row per package: name, version, ecosystem, layer index, declared licences. */
export function renderPackageTable(inv: Inventory, opts: TableOptions = {}): string {
  const cols: Column[] = [
    { title: 'Package', min: 12 },
    { title: 'Version', min: 8 },
    { title: 'Type' },
    { title: 'Layer', align: 'right' },
    { title: 'Licence', min: 8 },
  ];
  const rows = sortedPackages(inv).map((p) => [
    p.namespace && !p.name.startsWith(p.namespace) ? `${p.namespace}${p.ecosystem === 'maven' ? ':' : '/'}${p.name}` : p.name,
    p.version,
    p.ecosystem,
    p.layer ? String(p.layer.index) : '-',
    p.licenses.length ? p.licenses.join(', ') : '-',
  ]);
  return renderTable(cols, rows, opts);
}

/** One row per filesystem layer: the instruction that made it, its size, packages added/removed. */
export function renderLayerTable(inv: Inventory, opts: TableOptions = {}): string {
  const cols: Column[] = [
    { title: 'Layer', align: 'right' },
    { title: 'Created by', min: 16 },
    { title: 'Size', align: 'right' },
    { title: 'Added', align: 'right' },
    { title: 'Removed', align: 'right' },
  ];
  const rows = [...inv.layers]
    .sort((a, b) => a.index - b.index)
    .map((l) => [
      String(l.index),
      cleanCreatedBy(l.createdBy) || '-',
      humanSize(l.uncompressedSize ?? l.size),
      String(l.packagesAdded),
      String(l.packagesRemoved),
    ]);
  return renderTable(cols, rows, opts);
}
