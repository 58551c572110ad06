// The webhook's on-disk buffer: append-only segment files in a spool directory. A record is in the
// spool once append() returns (one write(2) of the whole line: it survives the agent being killed,
// and flush() fsyncs it against power loss). The sender reads sealed segments oldest first, posts
// each as one batch and deletes it only after the receiver acknowledged it; segments left by a
// previous run are picked up on start. The directory is bounded: when it is full the oldest segments
// are deleted and their records counted as dropped.
import { closeSync, fsyncSync, mkdirSync, openSync, readdirSync, readFileSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { join } from 'node:path';

export interface SpoolOptions {
  /** A segment is sealed (and becomes one batch) at this size (default 1 MiB). */
  segmentMaxBytes?: number;
  /** Bound on the whole spool directory (default 256 MiB). */
  maxBytes?: number;
}

export interface Segment {
  readonly name: string;
  readonly path: string;
  size: number;
  /** Parsed once: a batch is retried many times while the receiver is down. */
  records?: string[];
}

const SEGMENT_RE = /^seg-(\d{14})-(\d{8})\.jsonl$/;
/** One record bigger than this cannot be a sensible alert: it is dropped rather than spooled. */
const MAX_RECORD_BYTES = 16 << 20;

export class Spool {
  readonly dir: string;
  private readonly segmentMaxBytes: number;
  private readonly maxBytes: number;
  private readonly sealed: Segment[] = [];
  private current: (Segment & { fd: number }) | undefined;
  private totalBytes = 0;
  private seq = 0;
  private lastStamp = 0;
  /** Records deleted unsent because the spool was full or a segment was unreadable. */
  dropped = 0;

  constructor(dir: string, opts: SpoolOptions = {}) {
    this.dir = dir;
    this.maxBytes = Math.max(64 << 10, opts.maxBytes ?? 256 << 20);
    this.segmentMaxBytes = Math.max(1024, Math.min(opts.segmentMaxBytes ?? 1 << 20, Math.floor(this.maxBytes / 4)));
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    // Resume: whatever a previous run left is sealed and will be sent first, in order.
    for (const name of readdirSync(dir).filter((n) => SEGMENT_RE.test(n)).sort()) {
      const path = join(dir, name);
      const size = statSync(path).size;
      if (size === 0) {
        unlinkSync(path);
        continue;
      }
      this.sealed.push({ name, path, size });
      this.totalBytes += size;
      this.lastStamp = Math.max(this.lastStamp, Number(SEGMENT_RE.exec(name)![1]));
    }
  }

  /** Bytes on disk in all segments. */
  bytes(): number {
    return this.totalBytes;
  }

  /** Sealed segments waiting plus the open one if it holds records. */
  pendingSegments(): number {
    return this.sealed.length + (this.current && this.current.size > 0 ? 1 : 0);
  }

  /** Appends one complete line (ending in \n). Returns false when the record was dropped. */
  append(line: string): boolean {
    const bytes = Buffer.byteLength(line);
    if (bytes > MAX_RECORD_BYTES) {
      this.dropped++;
      return false;
    }
    if (this.current && this.current.size > 0 && this.current.size + bytes > this.segmentMaxBytes) this.seal();
    while (this.totalBytes + bytes > this.maxBytes && this.sealed.length > 0) this.dropOldest();
    if (!this.current) this.openSegment();
    writeSync(this.current!.fd, line);
    this.current!.size += bytes;
    this.totalBytes += bytes;
    return true;
  }

  private openSegment(): void {
    // Names sort in write order across restarts: a wall-clock stamp that never goes backwards
    // relative to the segments found on disk, then a per-run counter.
    const stamp = Math.max(Date.now(), this.lastStamp);
    if (stamp !== this.lastStamp) this.seq = 0;
    this.lastStamp = stamp;
    const name = `seg-${String(stamp).padStart(14, '0')}-${String(this.seq++).padStart(8, '0')}.jsonl`;
    const path = join(this.dir, name);
    const fd = openSync(path, 'wx', 0o600);
    this.current = { name, path, size: 0, fd };
  }

  /** Closes the open segment so that it can be sent. */
  seal(): void {
    const c = this.current;
    if (!c) return;
    this.current = undefined;
    closeSync(c.fd);
    if (c.size === 0) unlinkSync(c.path);
    else this.sealed.push({ name: c.name, path: c.path, size: c.size });
  }

  /** The oldest segment to send; seals the open one when nothing older waits. */
  next(): Segment | undefined {
    if (this.sealed.length === 0 && this.current && this.current.size > 0) this.seal();
    return this.sealed[0];
  }

  /**
   * The records of a segment as JSON texts. A torn last line (the writer died inside write(2)) and
   * lines that are not JSON (a damaged file) are skipped and counted as dropped.
   */
  read(seg: Segment): string[] {
    if (seg.records) return seg.records;
    let text: string;
    try {
      text = readFileSync(seg.path, 'utf8');
    } catch {
      return [];
    }
    const lines = text.split('\n');
    const tail = lines.pop();
    if (tail) this.dropped++;
    const ok: string[] = [];
    for (const line of lines) {
      if (!line) continue;
      try {
        JSON.parse(line);
        ok.push(line);
      } catch {
        this.dropped++;
      }
    }
    seg.records = ok;
    return ok;
  }

  /** The receiver has the segment: delete it. */
  ack(seg: Segment): void {
    const i = this.sealed.indexOf(seg);
    if (i < 0) return; // already dropped to make room
    this.sealed.splice(i, 1);
    this.totalBytes -= seg.size;
    try {
      unlinkSync(seg.path);
    } catch {
      // gone already
    }
  }

  /** Deletes a segment unsent (spool full, or the receiver rejected it for good), counting its records. */
  discard(seg: Segment): void {
    if (!this.sealed.includes(seg)) return;
    this.dropped += this.read(seg).length;
    this.ack(seg);
  }

  private dropOldest(): void {
    this.discard(this.sealed[0]!);
  }

  /** fsyncs the open segment (power-loss safety at flush points). */
  sync(): void {
    if (this.current) fsyncSync(this.current.fd);
  }

  close(): void {
    this.seal();
  }
}
