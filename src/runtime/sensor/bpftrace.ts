// BpftraceSensor: runs bpftrace with the generated program and supervises it. bpftrace is spawned by
// absolute path (never through a shell), its stdout (JSON lines) goes through the parser and the
// flood sampler to the consumer. When bpftrace dies while the sensor should run, it is restarted with
// exponential backoff (bounded number of attempts in a row), and once it is attached again the gap is
// reported as an agent event, so downstream knows what it could not see.
import { spawn, type ChildProcess } from 'node:child_process';
import { accessSync, constants, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RuntimeEvent, Sensor, SensorHealth } from '../event.ts';
import { bpftraceScript, STRLEN, type ScriptOptions } from './bpftrace-script.ts';
import { BpftraceParser, monotonicEpochMs } from './parse.ts';
import { Sampler, type SamplerOptions } from './sampler.ts';
import { ensureTracefs, TRACEFS } from './tracefs.ts';

export interface BpftraceSensorOptions extends ScriptOptions, SamplerOptions {
  /** Absolute path of bpftrace; found on the usual system paths by default. */
  bpftrace?: string;
  /** Per-CPU perf ring pages (bpftrace's BPFTRACE_PERF_RB_PAGES); more pages absorb bigger bursts. */
  perfPages?: number;
  /** How long to wait for bpftrace to compile and attach (it takes 10-30 s on a busy 2-core VM). */
  attachTimeoutMs?: number;
  /** Restarts tried in a row before giving up (state 'failed'); a run longer than a minute resets it. */
  maxRestarts?: number;
  backoffMs?: number;
  maxBackoffMs?: number;
  /** bpftrace's stdout buffering: 'line' (default) delivers every event at once; 'full' saves bpftrace
   *  a write() per event but holds events until its stdio buffer fills (unbounded delay when quiet). */
  outputBuffering?: 'line' | 'full';
  /** Pause reading bpftrace's output this long after each read so lines arrive in batches (default
   *  5 ms: adds at most that to the latency; the 64 KiB pipe and the perf rings absorb the rest). */
  readBatchMs?: number;
  /** Every raw stdout line of bpftrace (recordings of the raw stream for parser benches). */
  onRawLine?: (line: string) => void;
  /** The sensor's own notes (what it cannot watch on this kernel), for logs. */
  log?: (message: string) => void;
  /** bpftrace's stderr lines (warnings), for logs. */
  onStderr?: (line: string) => void;
}

const SEARCH = ['/usr/bin/bpftrace', '/usr/sbin/bpftrace', '/usr/local/bin/bpftrace', '/bin/bpftrace', '/snap/bin/bpftrace'];
const MAX_LINE = 1 << 20;

/** Absolute path of an executable bpftrace, or undefined. */
export function findBpftrace(): string | undefined {
  for (const p of SEARCH) {
    try {
      accessSync(p, constants.X_OK);
      return p;
    } catch {
      // next
    }
  }
  return undefined;
}

/** Why the bpftrace sensor cannot run here, or undefined when it can (root + bpftrace). */
export function bpftraceUnavailable(): string | undefined {
  if (process.getuid?.() !== 0) return 'the bpftrace sensor needs root';
  if (!findBpftrace()) return 'bpftrace is not installed';
  if (!existsSync('/sys/kernel/btf/vmlinux')) return 'the kernel has no BTF (/sys/kernel/btf/vmlinux)';
  return undefined;
}

/**
 * How module load attempts are watched: as asked, or (undefined) through their syscall tracepoints
 * when this kernel has them, else not at all, with a note that says so. Needs tracefs mounted.
 */
export function moduleAttemptsMode(requested?: ScriptOptions['moduleAttempts']): { mode: NonNullable<ScriptOptions['moduleAttempts']>; note?: string } {
  if (requested) return { mode: requested };
  if (existsSync(`${TRACEFS}/events/syscalls/sys_exit_finit_module`)) return { mode: 'tracepoints' };
  return {
    mode: 'off',
    note: 'module load attempts are not watched: this kernel has no init/finit_module tracepoints (it was built without module support, so no module can load); --module-attempts raw watches them through raw_syscalls, at a cost on every syscall',
  };
}

export class BpftraceSensor implements Sensor {
  readonly name = 'bpftrace';
  private readonly opts: BpftraceSensorOptions;
  private child: ChildProcess | undefined;
  private parser: BpftraceParser | undefined;
  private sampler: Sampler | undefined;
  private emitFn: ((e: RuntimeEvent) => void) | undefined;
  private state: SensorHealth['state'] = 'stopped';
  private restarts = 0;
  private restartsInRow = 0;
  private lastError: string | undefined;
  private events = 0;
  private lost = 0;
  private malformed = 0;
  private stopping = false;
  private gapStart: number | undefined;
  private restartTimer: NodeJS.Timeout | undefined;
  private sweepTimer: NodeJS.Timeout | undefined;
  private scriptDir: string | undefined;
  private runStarted = 0;
  /** Parses whatever bpftrace wrote that is still waiting for the next batch. */
  private flushStdout: () => void = () => {};

  constructor(opts: BpftraceSensorOptions = {}) {
    this.opts = opts;
  }

  /** Pid of the running bpftrace (benches read its CPU time from /proc). */
  get pid(): number | undefined {
    return this.child?.pid;
  }

  health(): SensorHealth {
    const dropped = this.sampler?.dropped ?? 0;
    const h: SensorHealth = { state: this.state, restarts: this.restarts, events: this.events, lost: this.lost + dropped, dropped };
    if (this.lastError) h.lastError = this.lastError;
    return h;
  }

  /** Lines that were not valid records (a sign of a parser/program mismatch). */
  get malformedLines(): number {
    return this.malformed + (this.parser?.stats.malformed ?? 0);
  }

  async start(emit: (event: RuntimeEvent) => void): Promise<void> {
    if (this.state !== 'stopped' && this.state !== 'failed') throw new Error('bpftrace sensor already started');
    const bin = this.opts.bpftrace ?? findBpftrace();
    if (!bin) throw new Error('bpftrace sensor: bpftrace is not installed');
    ensureTracefs();
    this.stopping = false;
    this.emitFn = emit;
    this.sampler = new Sampler((e) => {
      this.events++;
      emit(e);
    }, this.opts);
    this.scriptDir = mkdtempSync(join(tmpdir(), 'triad-sensor-'));
    const { mode: moduleAttempts, note } = moduleAttemptsMode(this.opts.moduleAttempts);
    if (note) this.opts.log?.(note);
    writeFileSync(join(this.scriptDir, 'sensor.bt'), bpftraceScript({ ...this.opts, moduleAttempts }));
    this.state = 'starting';
    this.sweepTimer = setInterval(() => this.parser?.sweep(), 500);
    this.sweepTimer.unref();
    await this.launch(bin);
    this.agentEvent('sensor-start', {});
  }

  async stop(): Promise<void> {
    this.stopping = true;
    if (this.restartTimer) clearTimeout(this.restartTimer);
    if (this.sweepTimer) clearInterval(this.sweepTimer);
    const child = this.child;
    if (child && child.exitCode === null && child.signalCode === null) {
      const gone = new Promise((r) => child.once('exit', r));
      child.kill('SIGINT');
      const t = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await gone;
      clearTimeout(t);
    }
    this.parser?.flush();
    this.sampler?.flush();
    if (this.scriptDir) rmSync(this.scriptDir, { recursive: true, force: true });
    this.state = 'stopped';
  }

  private agentEvent(type: 'sensor-start' | 'sensor-restart' | 'sensor-gap', args: Record<string, string | number>): void {
    const now = new Date();
    this.sampler?.push({ time: now.toISOString(), source: 'agent', type, category: 'agent', process: { pid: process.pid, comm: 'triad' }, args });
  }

  /** Spawns bpftrace; resolves when its probes are attached, rejects if it dies or times out first. */
  private launch(bin: string): Promise<void> {
    let attached = false;
    let ready: () => void = () => {};
    const parser = new BpftraceParser((e) => this.sampler!.push(e), {
      monotonicEpochMs: monotonicEpochMs(),
      onLost: (n) => (this.lost += n),
      onReady: () => {
        if (attached) return;
        attached = true;
        ready();
      },
    });
    if (this.parser) this.malformed += this.parser.stats.malformed;
    this.parser = parser;
    const env = {
      ...process.env,
      BPFTRACE_STRLEN: String(STRLEN),
      BPFTRACE_PERF_RB_PAGES: String(this.opts.perfPages ?? 1024),
      BPFTRACE_MAP_KEYS_MAX: '65536',
    };
    const child = spawn(bin, ['-B', this.opts.outputBuffering ?? 'line', '-f', 'json', join(this.scriptDir!, 'sensor.bt')], { stdio: ['ignore', 'pipe', 'pipe'], env });
    this.child = child;
    return new Promise((resolve, reject) => {
      let stderrTail = '';
      const timer = setTimeout(() => {
        if (!attached) child.kill('SIGKILL');
      }, this.opts.attachTimeoutMs ?? 120_000);
      ready = () => {
        clearTimeout(timer);
        this.onAttached();
        resolve();
      };
      let carry = '';
      child.stdout!.setEncoding('utf8');
      const batchMs = this.opts.readBatchMs ?? 5;
      // bpftrace writes line by line (-B line, for latency). Chunks are collected and parsed every few
      // ms instead of on every write: in a storm that batches hundreds of lines per turn and halves
      // this process's CPU. (Pausing the stream per chunk instead would cap the rate at one chunk,
      // often one line, per batchMs.) Past maxBuffered unparsed characters the pipe is paused, so
      // bpftrace blocks and its perf rings absorb the burst rather than this heap.
      const chunks: string[] = [];
      let buffered = 0;
      let batchTimer: NodeJS.Timeout | undefined;
      const maxBuffered = 8 << 20;
      const parse = () => {
        batchTimer = undefined;
        const all = chunks.length === 1 ? chunks[0]! : chunks.join('');
        chunks.length = 0;
        buffered = 0;
        if (child.stdout!.isPaused()) child.stdout!.resume();
        let start = 0;
        let nl = all.indexOf('\n');
        if (nl < 0) {
          carry = carry.length + all.length > MAX_LINE ? '' : carry + all;
          return;
        }
        let first = carry + all.slice(0, nl);
        carry = '';
        for (;;) {
          this.opts.onRawLine?.(first);
          parser.line(first);
          start = nl + 1;
          nl = all.indexOf('\n', start);
          if (nl < 0) break;
          first = all.slice(start, nl);
        }
        const rest = all.slice(start);
        carry = rest.length > MAX_LINE ? '' : rest;
      };
      this.flushStdout = () => {
        if (batchTimer) clearTimeout(batchTimer);
        if (chunks.length) parse();
      };
      child.stdout!.on('data', (chunk: string) => {
        chunks.push(chunk);
        buffered += chunk.length;
        if (batchMs <= 0) return parse();
        if (buffered > maxBuffered) child.stdout!.pause();
        batchTimer ??= setTimeout(parse, batchMs);
      });
      child.stdout!.once('end', () => this.flushStdout());
      child.stderr!.setEncoding('utf8');
      let errCarry = '';
      child.stderr!.on('data', (s: string) => {
        stderrTail = (stderrTail + s).slice(-4000);
        const lines = (errCarry + s).split('\n');
        errCarry = (lines.pop() ?? '').slice(-4000);
        for (const l of lines) if (l.trim() && !l.includes('RLIMIT_MEMLOCK')) this.opts.onStderr?.(l);
      });
      child.once('error', (err) => {
        this.lastError = `bpftrace: ${err.message}`;
      });
      child.once('exit', (code, sig) => {
        clearTimeout(timer);
        this.flushStdout();
        parser.flush();
        const why = `bpftrace exited (${code ?? sig})${stderrTail ? `: ${lastLines(stderrTail)}` : ''}`;
        if (!attached) {
          this.lastError = this.lastError ?? why;
          if (this.state === 'starting') {
            this.state = 'failed';
            reject(new Error(`bpftrace sensor: ${this.lastError}`));
            return;
          }
        } else this.lastError = why;
        if (!this.stopping) this.onCrash(bin);
      });
    });
  }

  private onAttached(): void {
    this.runStarted = Date.now();
    const wasGap = this.gapStart;
    this.state = 'running';
    if (wasGap !== undefined) {
      const end = Date.now();
      this.agentEvent('sensor-gap', { gapStart: new Date(wasGap).toISOString(), gapEnd: new Date(end).toISOString(), gapMs: end - wasGap, reason: this.lastError ?? 'bpftrace exited' });
      this.agentEvent('sensor-restart', { restarts: this.restarts });
      this.gapStart = undefined;
    }
  }

  private onCrash(bin: string): void {
    if (this.gapStart === undefined) this.gapStart = Date.now();
    if (Date.now() - this.runStarted > 60_000) this.restartsInRow = 0;
    const max = this.opts.maxRestarts ?? 10;
    if (this.restartsInRow >= max) {
      this.state = 'failed';
      this.lastError = `${this.lastError ?? 'bpftrace exited'}; gave up after ${max} restarts in a row`;
      return;
    }
    this.state = 'restarting';
    const base = this.opts.backoffMs ?? 500;
    const delay = Math.min(this.opts.maxBackoffMs ?? 30_000, base * 2 ** this.restartsInRow);
    this.restartsInRow++;
    this.restartTimer = setTimeout(() => {
      if (this.stopping) return;
      this.restarts++;
      this.launch(bin).catch((e: Error) => {
        this.lastError = e.message;
      });
    }, delay);
  }
}

function lastLines(s: string): string {
  return s
    .split('\n')
    .filter((l) => l.trim() && !l.includes('RLIMIT_MEMLOCK'))
    .slice(-3)
    .join(' | ');
}
