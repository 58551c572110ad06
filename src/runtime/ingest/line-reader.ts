// JSON lines from another tool's output, one object per line. Garbage (non-JSON, non-objects,
// over-long lines) is counted and skipped, never fatal: one broken line must not stop the stream.
// Memory is bounded by maxLineBytes: an over-long line is discarded while it streams in.
import type { Readable } from 'node:stream';

export interface LineStats {
  lines: number;
  objects: number;
  /** Lines that were not a JSON object. */
  garbage: number;
  /** Lines longer than maxLineBytes (dropped unparsed). */
  oversized: number;
  lastError?: string;
}

export function newLineStats(): LineStats {
  return { lines: 0, objects: 0, garbage: 0, oversized: 0 };
}

/** Parses one line; undefined (and counted) when it is not a JSON object. */
export function parseLine(line: string, stats: LineStats, where: string): Record<string, unknown> | undefined {
  stats.lines++;
  const t = line.trim();
  if (!t) {
    stats.lines--; // blank lines are not lines of data
    return undefined;
  }
  try {
    const v = JSON.parse(t) as unknown;
    if (v && typeof v === 'object' && !Array.isArray(v)) {
      stats.objects++;
      return v as Record<string, unknown>;
    }
    stats.garbage++;
    stats.lastError = `${where}: line ${stats.lines} is JSON but not an object`;
  } catch (e) {
    stats.garbage++;
    stats.lastError = `${where}: line ${stats.lines}: ${(e as Error).message.slice(0, 120)}`;
  }
  return undefined;
}

/** Reads `stream` to its end, calling onObject for each JSON object line. */
export async function readJsonLines(stream: Readable, onObject: (o: Record<string, unknown>) => void, opts: { maxLineBytes?: number; where?: string; stats?: LineStats } = {}): Promise<LineStats> {
  const max = opts.maxLineBytes ?? 1024 * 1024;
  const where = opts.where ?? 'input';
  const stats = opts.stats ?? newLineStats();
  let parts: Buffer[] = [];
  let size = 0;
  let skipping = false;
  const flush = () => {
    if (!skipping && size > 0) {
      const o = parseLine(Buffer.concat(parts, size).toString('utf8'), stats, where);
      if (o) onObject(o);
    }
    parts = [];
    size = 0;
    skipping = false;
  };
  for await (const chunk of stream) {
    const buf = typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer);
    let start = 0;
    for (;;) {
      const nl = buf.indexOf(10, start);
      const end = nl < 0 ? buf.length : nl;
      if (!skipping) {
        if (size + (end - start) > max) {
          skipping = true;
          stats.lines++;
          stats.oversized++;
          stats.lastError = `${where}: line ${stats.lines} longer than ${max} bytes`;
          parts = [];
          size = 0;
        } else if (end > start) {
          parts.push(buf.subarray(start, end));
          size += end - start;
        }
      }
      if (nl < 0) break;
      flush();
      start = nl + 1;
    }
  }
  flush();
  return stats;
}
