// Progress for long scans on stderr: one bar per layer on a terminal, nothing in CI, in pipes or
// with --quiet (stdout stays clean for the report either way).
export interface Progress {
  open(layers: Array<{ index: number; size?: number }>): void;
  start(index: number): void;
  update(index: number, bytes: number): void;
  done(index: number, bytes: number): void;
  finish(): void;
}

const silent: Progress = { open() {}, start() {}, update() {}, done() {}, finish() {} };

export function createProgress(quiet: boolean): Progress {
  const err = process.stderr;
  if (quiet || !err.isTTY || process.env.CI) return silent;
  let rows: Array<{ label: string; bytes: number; state: 'wait' | 'run' | 'done' }> = [];
  let drawn = 0;
  let last = 0;
  const fmt = (n: number) => (n >= 1 << 30 ? `${(n / (1 << 30)).toFixed(1)} GiB` : n >= 1 << 20 ? `${(n / (1 << 20)).toFixed(1)} MiB` : `${(n / 1024).toFixed(0)} KiB`);
  const draw = (force = false) => {
    const now = Date.now();
    if (!force && now - last < 100) return;
    last = now;
    if (drawn) err.write(`\x1b[${drawn}A`);
    const width = Math.max(10, Math.min(40, (err.columns ?? 80) - 40));
    for (const r of rows) {
      const fill = r.state === 'done' ? width : r.state === 'run' ? Math.min(width - 1, Math.floor((now / 120) % width)) : 0;
      const bar = r.state === 'run' ? ' '.repeat(fill) + '█' + ' '.repeat(width - fill - 1) : '█'.repeat(fill) + ' '.repeat(width - fill);
      err.write(`\x1b[2K${r.label} [${bar}] ${r.state === 'wait' ? '' : fmt(r.bytes)}\n`);
    }
    drawn = rows.length;
  };
  return {
    open(layers) {
      rows = layers.map((l) => ({ label: `layer ${String(l.index + 1).padStart(2)}/${layers.length}`, bytes: 0, state: 'wait' }));
      draw(true);
    },
    start(i) { if (rows[i]) rows[i]!.state = 'run'; draw(); },
    update(i, b) { if (rows[i]) rows[i]!.bytes = b; draw(); },
    done(i, b) { if (rows[i]) { rows[i]!.state = 'done'; rows[i]!.bytes = b; } draw(true); },
    finish() { draw(true); },
  };
}
