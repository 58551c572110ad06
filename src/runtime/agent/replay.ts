// A Sensor that replays a file of JSON lines: recordings of Triad's own events
// (src/runtime/sensor/record.ts), or other sources' JSON through a converter (Falco, Tetragon: the
// ingest module). A named pipe is read as a live stream that ends only with stop(). Lines that are not JSON or not events are counted, reported once with their line
// number, and skipped; lines are bounded in length so a file without newlines cannot eat memory.
import { constants, createReadStream, openSync, statSync } from 'node:fs';
import { Socket } from 'node:net';
import type { Readable } from 'node:stream';
import type { RuntimeEvent, Sensor, SensorHealth } from '../event.ts';

export type EventConverter = (obj: unknown) => RuntimeEvent | RuntimeEvent[] | undefined;

export interface ReplayOptions {
  /** Turns one parsed line into events; default: lines that already are RuntimeEvents. */
  convert?: EventConverter;
  /** Lines longer than this are skipped (default 1 MiB). */
  maxLineBytes?: number;
  log?: (message: string) => void;
  /** Resolves when the whole file was replayed (the CLI then stops the agent). */
  onEnd?: (health: SensorHealth) => void;
}

/** True for objects shaped like RuntimeEvent (the minimum the pipeline relies on). */
export function isRuntimeEvent(o: unknown): o is RuntimeEvent {
  if (!o || typeof o !== 'object') return false;
  const e = o as Partial<RuntimeEvent>;
  return typeof e.type === 'string' && typeof e.time === 'string' && typeof e.category === 'string' && !!e.process && typeof e.process === 'object' && typeof e.process.pid === 'number';
}

export class ReplaySensor implements Sensor {
  readonly name: string;
  private readonly path: string;
  private readonly o: ReplayOptions;
  private h: SensorHealth = { state: 'starting', restarts: 0, events: 0, lost: 0, dropped: 0 };
  private stream: Readable | undefined;
  private finished: Promise<void> = Promise.resolve();
  private badLines = 0;

  constructor(path: string, opts: ReplayOptions = {}) {
    this.path = path;
    this.name = `replay:${path}`;
    this.o = opts;
  }

  async start(emit: (event: RuntimeEvent) => void): Promise<void> {
    const convert = this.o.convert ?? ((o: unknown) => (isRuntimeEvent(o) ? o : undefined));
    const maxLine = this.o.maxLineBytes ?? 1 << 20;
    let stream: Readable;
    let isFifo = false;
    try {
      isFifo = statSync(this.path).isFIFO();
    } catch (e) {
      throw new Error(`${this.path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
    }
    if (isFifo) {
      // A named pipe is a live stream (e.g. Falco's JSON output): read it through the event loop
      // (epoll), not a thread-pool read that would block shutdown while no writer is there. Opened
      // read-write so that a writer going away (Falco restarting) is not the end of the input.
      const fd = openSync(this.path, constants.O_RDWR | constants.O_NONBLOCK);
      stream = new Socket({ fd, readable: true, writable: false });
    } else {
      const fileStream = createReadStream(this.path);
      await new Promise<void>((resolve, reject) => {
        fileStream.once('open', () => resolve());
        fileStream.once('error', (e) => reject(new Error(`${this.path}: ${(e as NodeJS.ErrnoException).code ?? e.message}`)));
      });
      stream = fileStream;
    }
    this.stream = stream;
    this.h.state = 'running';
    this.finished = new Promise<void>((resolve) => {
      let rest = '';
      let lineNo = 0;
      let skipping = false;
      const handle = (line: string) => {
        lineNo++;
        if (!line.trim()) return;
        let obj: unknown;
        try {
          obj = JSON.parse(line);
        } catch {
          this.bad(lineNo, 'not JSON');
          return;
        }
        let evs: RuntimeEvent | RuntimeEvent[] | undefined;
        try {
          evs = convert(obj);
        } catch (e) {
          this.bad(lineNo, (e as Error).message);
          return;
        }
        if (!evs) {
          this.bad(lineNo, 'not an event');
          return;
        }
        for (const ev of Array.isArray(evs) ? evs : [evs]) {
          this.h.events++;
          emit(ev);
        }
      };
      stream.setEncoding('utf8');
      stream.on('data', (chunk: string | Buffer) => {
        const parts = (rest + chunk.toString()).split('\n');
        rest = parts.pop() ?? '';
        for (const p of parts) {
          if (skipping) {
            skipping = false;
            lineNo++;
            continue;
          }
          handle(p);
        }
        if (rest.length > maxLine) {
          this.bad(lineNo + 1, `line longer than ${maxLine} bytes`);
          rest = '';
          skipping = true;
        }
      });
      const end = () => {
        if (rest && !skipping) handle(rest);
        rest = '';
        this.h.state = 'stopped';
        resolve();
        this.o.onEnd?.({ ...this.h });
      };
      stream.once('end', end);
      stream.once('close', () => this.h.state !== 'stopped' && end());
      stream.once('error', (e) => {
        this.h.lastError = `${this.path}: ${e.message}`;
        end();
      });
    });
  }

  private bad(line: number, why: string): void {
    this.badLines++;
    this.h.dropped++;
    if (this.badLines <= 5) this.o.log?.(`${this.path}:${line}: skipped (${why})`);
    else if (this.badLines === 6) this.o.log?.(`${this.path}: more skipped lines not reported individually`);
  }

  async stop(): Promise<void> {
    this.stream?.destroy();
    // A read blocked on a FIFO with no writer keeps the stream from closing (the read sits in
    // libuv's thread pool): give it a moment, then stop regardless.
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([this.finished, new Promise<void>((r) => (timer = setTimeout(r, 500)))]);
    clearTimeout(timer);
    this.h.state = 'stopped';
  }

  /** Resolves when the file has been read to the end. */
  done(): Promise<void> {
    return this.finished;
  }

  health(): SensorHealth {
    return { ...this.h };
  }
}
