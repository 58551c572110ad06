// JSON lines to a file with size-based rotation: PATH is the live file, PATH.1 the most recent
// rotated one ... PATH.N the oldest kept. Rotation fsyncs the live file and renames (atomic on one
// filesystem), so a reader of PATH.k always sees a complete file and a crash never leaves a
// half-rotated set. Writes are gathered per event-loop turn into one write(2).
import { closeSync, fstatSync, fsyncSync, mkdirSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import { toJsonLine, type Output, type OutputRecord, type OutputStats } from './output.ts';

export interface FileOutputOptions {
  /** Rotate when the live file would grow past this many bytes (default 100 MiB). */
  maxBytes?: number;
  /** Rotated files kept besides the live one (default 5); older ones are deleted. */
  keep?: number;
}

export class RotatingFileOutput implements Output {
  readonly name: string;
  readonly path: string;
  private readonly maxBytes: number;
  private readonly keep: number;
  private fd: number | undefined;
  private size = 0;
  private batch: string[] = [];
  private scheduled = false;
  private readonly counters: OutputStats = { written: 0, dropped: 0, errors: 0 };

  constructor(path: string, opts: FileOutputOptions = {}) {
    this.path = path;
    this.name = `file:${path}`;
    this.maxBytes = Math.max(1024, opts.maxBytes ?? 100 << 20);
    this.keep = Math.max(0, Math.min(1000, opts.keep ?? 5));
    mkdirSync(dirname(path), { recursive: true });
    this.open();
  }

  private open(): void {
    this.fd = openSync(this.path, 'a', 0o600);
    this.size = fstatSync(this.fd).size;
  }

  write(record: OutputRecord): void {
    this.batch.push(toJsonLine(record));
    // A bounded batch: at 10,000 lines write now rather than let memory grow within one turn.
    if (this.batch.length >= 10_000) this.writeBatch();
    else if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(() => this.writeBatch());
    }
  }

  private writeBatch(): void {
    this.scheduled = false;
    const lines = this.batch;
    this.batch = [];
    for (const line of lines) {
      try {
        const bytes = Buffer.byteLength(line);
        if (this.size > 0 && this.size + bytes > this.maxBytes) this.rotate();
        if (this.fd === undefined) this.open();
        writeSync(this.fd!, line);
        this.size += bytes;
        this.counters.written++;
      } catch (e) {
        this.counters.dropped++;
        this.counters.errors++;
        this.counters.lastError = `${this.path}: ${(e as Error).message}`;
        // Reopen on the next line: the file may have been removed or the disk freed meanwhile.
        this.closeFd();
      }
    }
  }

  private rotate(): void {
    if (this.fd !== undefined) fsyncSync(this.fd);
    this.closeFd();
    if (this.keep === 0) rmSync(this.path, { force: true });
    else {
      rmSync(`${this.path}.${this.keep}`, { force: true });
      for (let i = this.keep - 1; i >= 1; i--) {
        try {
          renameSync(`${this.path}.${i}`, `${this.path}.${i + 1}`);
        } catch (e) {
          if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
        }
      }
      renameSync(this.path, `${this.path}.1`);
    }
    this.open();
  }

  private closeFd(): void {
    if (this.fd === undefined) return;
    try {
      closeSync(this.fd);
    } catch {
      // already closed
    }
    this.fd = undefined;
  }

  async flush(): Promise<void> {
    this.writeBatch();
    if (this.fd !== undefined) {
      try {
        fsyncSync(this.fd);
      } catch (e) {
        this.counters.errors++;
        this.counters.lastError = `${this.path}: ${(e as Error).message}`;
      }
    }
  }

  async close(): Promise<void> {
    await this.flush();
    this.closeFd();
  }

  stats(): OutputStats {
    return { ...this.counters };
  }
}
