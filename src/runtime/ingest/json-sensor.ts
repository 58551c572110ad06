// Falco and Tetragon as event sources of the agent's pipeline: a Sensor over a stream of their JSON
// lines (a file, a FIFO, or stdin: `falco -o json_output=true | triad agent ...`). Garbage lines and
// events that are not runtime events are counted, never fatal.
import { createReadStream } from 'node:fs';
import type { Readable } from 'node:stream';
import type { RuntimeEvent, Sensor, SensorHealth } from '../event.ts';
import { falcoToEvent } from './falco.ts';
import { newLineStats, readJsonLines, type LineStats } from './line-reader.ts';
import { tetragonToEvent } from './tetragon.ts';

export type IngestFormat = 'falco' | 'tetragon';

export interface JsonSensorOptions {
  format: IngestFormat;
  /** A path (file or FIFO) or an open stream. */
  input: string | Readable;
  maxLineBytes?: number;
}

export function convert(format: IngestFormat, obj: Record<string, unknown>): RuntimeEvent | { skip: string } {
  return format === 'falco' ? falcoToEvent(obj) : tetragonToEvent(obj);
}

export class JsonLinesSensor implements Sensor {
  readonly name: string;
  private readonly opts: JsonSensorOptions;
  private state: SensorHealth['state'] = 'stopped';
  private stream?: Readable;
  private done?: Promise<void>;
  readonly lineStats: LineStats = newLineStats();
  /** Objects that parsed but were not runtime events (other Falco sources, unknown Tetragon kinds). */
  skipped = 0;
  private events = 0;
  private lastError?: string;
  private stopping = false;

  constructor(opts: JsonSensorOptions) {
    this.opts = opts;
    this.name = `${opts.format}-json`;
  }

  async start(emit: (event: RuntimeEvent) => void): Promise<void> {
    const where = typeof this.opts.input === 'string' ? this.opts.input : `${this.opts.format} stream`;
    this.stream = typeof this.opts.input === 'string' ? createReadStream(this.opts.input) : this.opts.input;
    this.state = 'running';
    this.done = readJsonLines(
      this.stream,
      (obj) => {
        const ev = convert(this.opts.format, obj);
        if ('skip' in ev) this.skipped++;
        else {
          this.events++;
          emit(ev);
        }
      },
      { maxLineBytes: this.opts.maxLineBytes, where, stats: this.lineStats },
    )
      .then(() => {
        this.state = 'stopped';
      })
      .catch((e: Error) => {
        if (this.stopping) return;
        this.lastError = `${where}: ${e.message}`;
        this.state = 'failed';
      });
  }

  /** Resolves when the input has been read to its end. */
  finished(): Promise<void> {
    return this.done ?? Promise.resolve();
  }

  async stop(): Promise<void> {
    this.stopping = true;
    this.stream?.destroy();
    await this.done;
    this.state = 'stopped';
  }

  health(): SensorHealth {
    return {
      state: this.state,
      restarts: 0,
      events: this.events,
      lost: 0,
      dropped: this.lineStats.garbage + this.lineStats.oversized,
      ...(this.lastError ?? this.lineStats.lastError ? { lastError: this.lastError ?? this.lineStats.lastError } : {}),
    };
  }
}
