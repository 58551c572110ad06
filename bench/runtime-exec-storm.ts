// Exec storm: N short processes (`/bin/true` in a shell loop) inside a Docker container (on the host
// when Docker is unavailable), timed inside the container WITHOUT the sensor, WITH it, and WITHOUT it
// again, in the same run (the slowdown is against the mean of the two baselines). Figures: slowdown ratio (target <= 25 % for the full agent; bpftrace alone ~10 % here),
// events lost (the storm's exec events counted by parent pid must equal N), sensor CPU per event
// (bpftrace from /proc/<pid>/stat plus this process's cpuUsage()).
//   scripts/with-node.sh bench/runtime-exec-storm.ts [COUNT]
// The agent bench reuses runExecStorm() with its own consumer (the whole pipeline after the sensor).
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { BpftraceParser } from '../src/runtime/sensor/parse.ts';
import type { RuntimeEvent } from '../src/runtime/event.ts';
import { BpftraceSensor, bpftraceUnavailable, type BpftraceSensorOptions } from '../src/runtime/sensor/bpftrace.ts';
import { dockerUnavailable, startDocker, type TestDocker } from '../test/infra/docker.ts';
import { ensureDebianRootfs } from '../test/infra/debian-image.ts';
import { REPO_ROOT, table, type Figure } from './util.ts';

export interface ExecStormOptions {
  count?: number;
  /** Called with every sensor event (the agent's pipeline); the bench only counts by default. */
  consumer?: (e: RuntimeEvent) => void;
  /** Sensor options (e.g. moduleAttempts: 'raw' to measure that probe's cost). */
  sensor?: BpftraceSensorOptions;
  /** Run on the host instead of in a container. */
  host?: boolean;
  log?: (s: string) => void;
}

export interface ExecStormResult {
  count: number;
  where: 'docker' | 'host';
  /** Mean of the runs before and after the one with the sensor. */
  baselineMs: number;
  withSensorMs: number;
  slowdown: number;
  stormExecsSeen: number;
  lost: number;
  sensorLost: number;
  dropped: number;
  eventsDuringStorm: number;
  bpftraceCpuMs: number;
  nodeCpuMs: number;
  cpuUsPerEvent: number;
}

const TICK_MS = 10; // USER_HZ = 100 on Linux

function procCpuMs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(f[11]) + Number(f[12])) * TICK_MS; // utime + stime
}

function stormScript(count: number, marker: string): string {
  // The marker is argv of the shell, so the storm's shell is found in the events by its argv.
  return `s=$(date +%s%N); i=0; while [ $i -lt ${count} ]; do /bin/true; i=$((i+1)); done; e=$(date +%s%N); echo $(( (e - s) / 1000000 )) # ${marker}`;
}

function runCmd(file: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const c = spawn(file, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    c.stdout.on('data', (d) => (out += d));
    c.stderr.on('data', (d) => (err += d));
    c.once('error', reject);
    c.once('exit', (code) => (code === 0 ? resolve(out) : reject(new Error(`${file} ${args.slice(0, 3).join(' ')}: exit ${code}: ${err.slice(-300)}`))));
  });
}

export async function runExecStorm(opts: ExecStormOptions = {}): Promise<ExecStormResult> {
  const why = bpftraceUnavailable();
  if (why) throw new Error(`exec storm: ${why}`);
  const count = opts.count ?? 20_000;
  const log = opts.log ?? (() => {});
  const useDocker = !opts.host && !dockerUnavailable();
  let docker: TestDocker | undefined;
  const image = 'triad-bench-storm:bookworm';
  try {
    if (useDocker) {
      docker = await startDocker();
      if ((await docker.docker(['image', 'inspect', image], { allowFail: true })).code !== 0) await docker.docker(['import', await ensureDebianRootfs(), image]);
    }
    const storm = async (marker: string): Promise<number> => {
      const script = stormScript(count, marker);
      const out = docker ? (await docker.docker(['run', '--rm', '--network', 'none', image, 'sh', '-c', script])).stdout : await runCmd('/bin/sh', ['-c', script]);
      return Number(out.trim().split('\n').pop());
    };
    // Baseline before AND after the run with the sensor (this 2-core VM is shared: load drifts).
    log(`baseline: ${count} execs without the sensor`);
    const baseline1 = await storm('baseline');

    let shPid = -1;
    let seen = 0;
    let events = 0;
    const marker = `triad-storm-${process.pid}-${Date.now()}`;
    const sensor = new BpftraceSensor(opts.sensor);
    await sensor.start((e) => {
      events++;
      if (e.type === 'execve') {
        if (shPid < 0 && e.process.argv?.[0] === 'sh' && e.process.argv[2]?.includes(marker)) shPid = e.process.pid;
        else if (e.process.exe === '/bin/true' && e.process.ppid === shPid) seen++;
      }
      opts.consumer?.(e);
    });
    try {
      const bpfPid = sensor.pid!;
      const cpu0 = procCpuMs(bpfPid);
      const node0 = process.cpuUsage();
      const ev0 = events;
      log(`with the sensor: ${count} execs`);
      const withSensorMs = await storm(marker);
      // Let the tail of the stream arrive: until every exec is seen or nothing new for 2 s.
      let last = -1;
      for (let quiet = 0; seen < count && quiet < 20; ) {
        await new Promise((r) => setTimeout(r, 100));
        quiet = seen === last ? quiet + 1 : 0;
        last = seen;
      }
      const bpftraceCpuMs = procCpuMs(bpfPid) - cpu0;
      const nodeCpu = process.cpuUsage(node0);
      const nodeCpuMs = (nodeCpu.user + nodeCpu.system) / 1000;
      const eventsDuringStorm = events - ev0;
      const h = sensor.health();
      await sensor.stop();
      log(`baseline again: ${count} execs without the sensor`);
      const baseline2 = await storm('baseline');
      const baselineMs = Math.round((baseline1 + baseline2) / 2);
      return {
        count,
        where: docker ? 'docker' : 'host',
        baselineMs,
        withSensorMs,
        slowdown: withSensorMs / baselineMs - 1,
        stormExecsSeen: seen,
        lost: count - seen,
        sensorLost: h.lost - h.dropped,
        dropped: h.dropped,
        eventsDuringStorm,
        bpftraceCpuMs,
        nodeCpuMs,
        cpuUsPerEvent: ((bpftraceCpuMs + nodeCpuMs) * 1000) / Math.max(1, eventsDuringStorm),
      };
    } finally {
      if (sensor.health().state !== 'stopped') await sensor.stop();
    }
  } finally {
    await docker?.stop();
  }
}

export function execStormFigures(r: ExecStormResult, label = 'bpftrace sensor'): Figure[] {
  return [
    { figure: `exec storm slowdown (${label}, ${r.where})`, measured: `${(r.slowdown * 100).toFixed(1)} % (${r.baselineMs} → ${r.withSensorMs} ms for ${r.count} execs)`, target: '<= 25 % (full agent)', pass: r.slowdown <= 0.25 },
    { figure: `exec storm events lost (${label})`, measured: `${r.lost} (${r.stormExecsSeen}/${r.count} execs seen; bpftrace lost ${r.sensorLost}, sampled away ${r.dropped})`, target: '0', pass: r.lost === 0 },
    { figure: `sensor CPU per event (${label})`, measured: `${r.cpuUsPerEvent.toFixed(1)} µs (bpftrace ${r.bpftraceCpuMs} ms + node ${r.nodeCpuMs.toFixed(0)} ms for ${r.eventsDuringStorm} events)`, target: 'reported' },
  ];
}

/** The parser alone on the recorded raw bpftrace stream (testdata/recording.raw.jsonl), replayed for ~2 s. */
export function parserThroughput(): Figure {
  const lines = readFileSync(join(REPO_ROOT, 'src/runtime/sensor/testdata/recording.raw.jsonl'), 'utf8').split('\n').filter(Boolean);
  let events = 0;
  const p = new BpftraceParser(() => events++, { monotonicEpochMs: 0 });
  for (const l of lines) p.line(l); // warm-up
  events = 0;
  let n = 0;
  const t0 = performance.now();
  while (performance.now() - t0 < 2000) {
    for (const l of lines) p.line(l);
    n += lines.length;
  }
  const secs = (performance.now() - t0) / 1000;
  const perSec = events / secs;
  return { figure: 'bpftrace stream parsing (one core, recorded stream)', measured: `${Math.round(perSec)} events/s (${Math.round(n / secs)} lines/s)`, target: '>= 100,000 events/s', pass: perSec >= 100_000 };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  console.log(table([parserThroughput()]));
  const count = Number(process.argv[2] ?? 20_000);
  // Variants for measuring what costs what: TRIAD_STORM_MODULES=raw, TRIAD_STORM_BUFFERING=full.
  const sensor: BpftraceSensorOptions = {};
  if (process.env.TRIAD_STORM_MODULES === 'raw') sensor.moduleAttempts = 'raw';
  if (process.env.TRIAD_STORM_BUFFERING === 'full') sensor.outputBuffering = 'full';
  const r = await runExecStorm({ count, log: (s) => console.error(s), sensor });
  console.log(table(execStormFigures(r)));
}
