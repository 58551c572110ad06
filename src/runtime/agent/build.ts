// Wires an Agent from the command line's choices: the sensor (live bpftrace or a replayed file),
// process table, container attribution, Falco rules, baselines (loaded from and saved to a
// directory), the response policy and responder, and the outputs. Everything the CLI needs to start
// and stop the agent cleanly, in one place, so tests and benches build exactly what `triad agent
// run` builds.
import { BaselineManager, loadBaselines, saveBaselines } from '../baseline/index.ts';
import { writeFileAtomic } from '../baseline/store.ts';
import { ContainerResolver } from '../container/resolver.ts';
import type { ContainerInfo, RuntimeEvent, Sensor } from '../event.ts';
import { FlowMap, flowsToJson } from '../netmap/index.ts';
import { createOutput, type Output } from '../output/index.ts';
import type { Attributor, ProcessEnricher, ResponseExecutor, RuleEvaluator } from './components.ts';
import { Agent } from './pipeline.ts';
import { ReplaySensor, isRuntimeEvent, type EventConverter } from './replay.ts';
import { ALERT_ONLY, loadResponsePolicy } from './response-policy.ts';

export interface AgentConfig {
  rules: string[];
  defaultRules: boolean;
  /** Maturity levels of the bundled Falco rules (default all). */
  ruleSets?: ('stable' | 'incubating' | 'sandbox')[];
  outputs: string[];
  spoolDir: string;
  baselineDir?: string;
  learningMs: number;
  quietMs?: number;
  responseFile?: string;
  events: boolean;
  replay?: string;
  replayFormat?: 'auto' | 'triad' | 'falco' | 'tetragon';
  dockerHost?: string;
  /** containerd sockets to ask about ctr/nerdctl/Kubernetes containers (default /run/containerd/containerd.sock). */
  containerdAddresses?: string[];
  metricsIntervalMs: number;
  /** Keep the network map (flows between workloads) and save it here (TriadFlows JSON) every minute and at stop. */
  netmapFile?: string;
  /** How the live sensor sees init/finit/delete_module: their tracepoints when the kernel has them
   *  (auto), raw_syscalls on every syscall (raw: works everywhere, costs in syscall-heavy loads), off. */
  moduleAttempts?: 'auto' | 'raw' | 'off';
  /** Live events are held this long to restore kernel order (default 20 ms). */
  reorderWindowMs?: number;
  log: (message: string) => void;
}

/** The parts that other runtime modules provide; build.ts plugs them in (see makeParts). */
export interface AgentParts {
  sensor: Sensor;
  processes?: ProcessEnricher;
  attributor?: Attributor & { start?(): Promise<void>; close?(): Promise<void>; containerIPs?(): Map<string, ContainerInfo> };
  rules?: RuleEvaluator;
  responder?: ResponseExecutor;
}

export interface BuiltAgent {
  agent: Agent;
  sensor: Sensor;
  baselines: BaselineManager;
  /** The live network map (with --netmap). */
  netmap?: FlowMap;
  /** Replay: resolves when the whole file went through (live: never). */
  replayDone?: Promise<void>;
  /** Stops the sensor, drains, saves baselines, flushes and closes outputs. */
  stop(): Promise<ReturnType<Agent['metrics']>>;
}

/** Replay converter for --replay-format: Triad recordings here; Falco/Tetragon via the ingest module. */
export function replayConverter(format: AgentConfig['replayFormat'], extra: Partial<Record<'falco' | 'tetragon', EventConverter>> = {}): EventConverter {
  const triad: EventConverter = (o) => (isRuntimeEvent(o) ? o : undefined);
  if (format === 'triad') return triad;
  if (format === 'falco' || format === 'tetragon') {
    const c = extra[format];
    if (!c) throw new Error(`--replay-format ${format}: the ${format} ingest module is not available`);
    return c;
  }
  return (o) => triad(o) ?? extra.falco?.(o) ?? extra.tetragon?.(o);
}

export async function buildAgent(cfg: AgentConfig, parts: AgentParts): Promise<BuiltAgent> {
  const policy = cfg.responseFile ? loadResponsePolicy(cfg.responseFile) : ALERT_ONLY;
  const protect = policy.baseline.protect && policy.baseline.protect !== 'alert' ? policy.baseline.protect : undefined;
  // Peers by what they run, not by their IP (which changes with every restart): baselines and the
  // network map ask attribution which container holds an address.
  const peerOf = containerByIp(parts.attributor);
  const baselines = new BaselineManager({ learningWindowMs: cfg.learningMs, peerOf, ...(cfg.quietMs !== undefined ? { quietPeriodMs: cfg.quietMs } : {}), ...(protect ? { protectResponse: protect } : {}) });
  const netmap = cfg.netmapFile ? new FlowMap({ containerOf: peerOf }) : undefined;
  if (cfg.baselineDir) for (const err of loadBaselines(baselines, cfg.baselineDir)) cfg.log(`baseline: ${err}`);
  const outputs: Output[] = cfg.outputs.map((s) => createOutput(s, { spoolDir: cfg.spoolDir }));
  const agent = new Agent({
    sensor: parts.sensor,
    outputs,
    processes: parts.processes,
    attributor: parts.attributor,
    rules: parts.rules,
    baselines,
    responder: parts.responder,
    responsePolicy: policy,
    emitEvents: cfg.events,
    metricsIntervalMs: cfg.metricsIntervalMs,
    reorderWindowMs: cfg.replay ? 0 : (cfg.reorderWindowMs ?? 20),
    ...(netmap ? { observers: [(e: RuntimeEvent) => void netmap.record(e)] } : {}),
    log: cfg.log,
  });
  await parts.attributor?.start?.();
  // Baselines are saved periodically too: a killed agent loses at most a minute of learning.
  const save = () => {
    if (!cfg.baselineDir) return;
    try {
      saveBaselines(baselines, cfg.baselineDir);
    } catch (e) {
      cfg.log(`baseline: cannot save to ${cfg.baselineDir}: ${(e as Error).message}`);
    }
  };
  const saveNetmap = () => {
    if (!netmap || !cfg.netmapFile) return;
    try {
      // Whole file or nothing: a reader never sees half a map.
      writeFileAtomic(cfg.netmapFile, flowsToJson(netmap.flows()));
    } catch (e) {
      cfg.log(`netmap: cannot save to ${cfg.netmapFile}: ${(e as Error).message}`);
    }
  };
  const saver = cfg.baselineDir || netmap ? setInterval(() => (save(), saveNetmap()), 60_000) : undefined;
  saver?.unref();
  await agent.start();
  const replayDone = parts.sensor instanceof ReplaySensor ? parts.sensor.done() : undefined;
  let stopping: Promise<ReturnType<Agent['metrics']>> | undefined;
  return {
    agent,
    sensor: parts.sensor,
    baselines,
    ...(netmap ? { netmap } : {}),
    replayDone,
    stop: () =>
      (stopping ??= (async () => {
        if (saver) clearInterval(saver);
        const m = await agent.stop();
        save();
        saveNetmap();
        await parts.attributor?.close?.();
        return m;
      })()),
  };
}

/** IP → container from attribution, refreshed at most once a second (the lookup runs per network event). */
function containerByIp(attributor: AgentParts['attributor']): ((ip: string) => ContainerInfo | undefined) | undefined {
  if (!attributor?.containerIPs) return undefined;
  let map = new Map<string, ContainerInfo>();
  let at = 0;
  return (ip) => {
    const now = Date.now();
    if (now - at > 1_000 || (!map.has(ip) && now - at > 100)) {
      map = attributor.containerIPs!();
      at = now;
    }
    return map.get(ip);
  };
}

/** A replay sensor for a file (for --replay). */
export function replaySensor(cfg: AgentConfig, extra: Partial<Record<'falco' | 'tetragon', EventConverter>> = {}): ReplaySensor {
  return new ReplaySensor(cfg.replay!, { convert: replayConverter(cfg.replayFormat ?? 'auto', extra), log: cfg.log });
}

/** Container attribution through the engines (Docker, podman, containerd); replayed events that carry a container keep it. */
export function containerAttributor(cfg: AgentConfig): ContainerResolver {
  return new ContainerResolver({ ...(cfg.dockerHost ? { dockerHost: cfg.dockerHost } : {}), ...(cfg.containerdAddresses?.length ? { containerdAddresses: cfg.containerdAddresses } : {}) });
}

export type { RuntimeEvent };
