// Responder: carries out the response a rule or baseline asked for. kill = SIGKILL to the host pid
// of the process, after checking it is still the same process (start time) in the same container,
// and never the host's pid 1, a kernel thread, the agent or its ancestors. pause/stop go through the
// container's engine (Docker/podman API, podman CLI, ctr), never for the host.
import { readFileSync } from 'node:fs';
import type { Alert, ResponseAction, RuntimeEvent } from '../event.ts';
import { containerFromCgroupPath, unifiedPathFromProcCgroup } from '../container/cgroup-path.ts';
import { EngineClient } from '../container/engine-api.ts';
import { CtrCli, PodmanCli } from '../container/engine-cli.ts';
import { ancestry, bootTimeMs, CLOCK_TICKS, PF_KTHREAD, readProcStat } from '../container/proc-stat.ts';
import type { ContainerResolver } from '../container/resolver.ts';
import { probeEnforceability, type EnforceabilityReport } from './enforceability.ts';

export interface ResponseResult {
  action: ResponseAction;
  ok: boolean;
  error?: string;
}

export interface ResponderOptions {
  resolver?: ContainerResolver;
  dockerHost?: string | false;
  podmanSocket?: string | false;
  /** Use the podman CLI for podman containers. Default true. */
  podmanCli?: boolean;
  containerdAddresses?: string[];
  procRoot?: string;
  /** Seconds `stop` waits before the engine kills (Docker's t=). */
  stopGraceSeconds?: number;
}

/** A pid recycled after the event started later than the event: wall-clock slack for btime's 1 s resolution. */
const WALL_SLACK_MS = 1500;

export class Responder {
  private readonly resolver?: ContainerResolver;
  private readonly docker?: EngineClient;
  private readonly podmanApi?: EngineClient;
  private readonly podman?: PodmanCli;
  private readonly ctrs: CtrCli[];
  private readonly procRoot: string;
  private readonly grace: number;
  private readonly protectedPids: Set<number>;
  private readonly opts: ResponderOptions;

  constructor(opts: ResponderOptions = {}) {
    this.opts = opts;
    this.resolver = opts.resolver;
    if (opts.dockerHost !== false) this.docker = new EngineClient(opts.dockerHost || undefined);
    if (opts.podmanSocket) this.podmanApi = new EngineClient(`unix://${opts.podmanSocket}`);
    if (opts.podmanCli !== false) this.podman = new PodmanCli();
    this.ctrs = (opts.containerdAddresses ?? ['/run/containerd/containerd.sock']).map((a) => new CtrCli(a));
    this.procRoot = opts.procRoot ?? '/proc';
    this.grace = opts.stopGraceSeconds ?? 10;
    this.protectedPids = new Set([1, ...ancestry(process.pid, this.procRoot)]);
  }

  /** Which actions can be carried out on this node with this responder's engines (probed). */
  enforceability(): Promise<EnforceabilityReport> {
    const o = this.opts;
    return probeEnforceability({ dockerHost: o.dockerHost, podmanSocket: o.podmanSocket, podmanCli: o.podmanCli, containerdAddresses: o.containerdAddresses });
  }

  async execute(action: ResponseAction, alert: Alert): Promise<ResponseResult> {
    try {
      if (action === 'alert') return { action, ok: true };
      if (action === 'kill') return await this.kill(alert.event, alert.container.id);
      if (action === 'pause' || action === 'stop') return await this.engineAction(action, alert);
      return { action, ok: false, error: `unknown action ${String(action)}` };
    } catch (e) {
      return { action, ok: false, error: (e as Error).message };
    }
  }

  /** Why `pid` must not or cannot be killed for this event, or undefined when it is the same process. */
  checkKillTarget(event: RuntimeEvent, containerId: string): string | undefined {
    const pid = event.process.pid;
    if (!Number.isInteger(pid) || pid <= 1) return `refusing to kill pid ${pid}`;
    if (this.protectedPids.has(pid)) return `refusing to kill pid ${pid}: the agent or one of its ancestors`;
    const st = readProcStat(pid, this.procRoot);
    if (!st) return `pid ${pid} is gone`;
    if (st.state === 'Z' || st.state === 'X') return `pid ${pid} already exited`;
    if (st.flags & PF_KTHREAD) return `refusing to kill pid ${pid}: kernel thread`;
    if (event.process.startTicks !== undefined) {
      if (st.startTicks !== event.process.startTicks) return `pid ${pid} was reused (start time ${st.startTicks} ≠ recorded ${event.process.startTicks})`;
    } else {
      // No recorded start time: the process must have started before the event happened.
      const boot = bootTimeMs(this.procRoot);
      const evMs = Date.parse(event.time);
      if (boot !== undefined && Number.isFinite(evMs) && boot + (st.startTicks * 1000) / CLOCK_TICKS > evMs + WALL_SLACK_MS) return `pid ${pid} was reused (started after the event)`;
    }
    // Same container: the pid must still live in the container the alert is about.
    if (containerId && containerId !== 'host' && containerId !== 'unknown') {
      let path: string | undefined;
      try {
        path = unifiedPathFromProcCgroup(readFileSync(`${this.procRoot}/${pid}/cgroup`, 'utf8'));
      } catch {
        return `pid ${pid} is gone`;
      }
      const m = path !== undefined ? containerFromCgroupPath(path) : undefined;
      if (!m || !(m.id === containerId || containerId.startsWith(m.id) || m.id.startsWith(containerId))) return `pid ${pid} is no longer in container ${containerId}`;
    }
    return undefined;
  }

  private async kill(event: RuntimeEvent, containerId: string): Promise<ResponseResult> {
    const why = this.checkKillTarget(event, containerId);
    if (why) return { action: 'kill', ok: false, error: why };
    const pid = event.process.pid;
    const before = readProcStat(pid, this.procRoot)!;
    process.kill(pid, 'SIGKILL');
    // Verified: gone, a zombie, or a different process under the same pid.
    for (let i = 0; i < 50; i++) {
      const st = readProcStat(pid, this.procRoot);
      if (!st || st.state === 'Z' || st.state === 'X' || st.startTicks !== before.startTicks) return { action: 'kill', ok: true };
      await new Promise((r) => setTimeout(r, 20));
    }
    return { action: 'kill', ok: false, error: `pid ${pid} still running 1 s after SIGKILL` };
  }

  private async engineAction(action: 'pause' | 'stop', alert: Alert): Promise<ResponseResult> {
    const id = alert.container.id;
    const runtime = alert.event.container?.runtime ?? this.resolver?.describe(id)?.info.runtime ?? 'unknown';
    if (!id || id === 'host' || runtime === 'host') return { action, ok: false, error: `refusing to ${action} the host` };
    if (id === 'unknown') return { action, ok: false, error: `cannot ${action}: the container is unknown` };
    const meta = this.resolver?.describe(id);
    const errors: string[] = [];
    if ((runtime === 'docker' || runtime === 'unknown') && this.docker) {
      const r = await this.viaApi(this.docker, action, id);
      if (r === true) return { action, ok: true };
      errors.push(r);
    }
    if (runtime === 'podman' || runtime === 'unknown') {
      if (this.podmanApi) {
        const r = await this.viaApi(this.podmanApi, action, id);
        if (r === true) return { action, ok: true };
        errors.push(r);
      }
      if (this.podman) {
        try {
          await this.podman.action(action, id, this.grace);
          return { action, ok: true };
        } catch (e) {
          errors.push((e as Error).message);
        }
      }
    }
    if (runtime === 'containerd' || runtime === 'unknown') {
      const ns = meta?.ctrNamespace ?? 'k8s.io';
      const ctrs = meta?.ctrAddress ? [this.ctrs.find((c) => c.address === meta.ctrAddress) ?? new CtrCli(meta.ctrAddress)] : this.ctrs;
      for (const ctr of ctrs) {
        try {
          if (action === 'pause') await ctr.pause(ns, id);
          else await this.ctrStop(ctr, ns, id);
          return { action, ok: true };
        } catch (e) {
          errors.push((e as Error).message);
        }
      }
    }
    return { action, ok: false, error: errors.join('; ') || `no engine for ${runtime} container ${id}` };
  }

  private async viaApi(client: EngineClient, action: 'pause' | 'stop', id: string): Promise<true | string> {
    try {
      if (action === 'pause') await client.pause(id);
      else await client.stop(id, this.grace);
      const state = (await client.inspectContainer(id))?.State as { Paused?: boolean; Running?: boolean } | undefined;
      if (action === 'pause' && state?.Paused !== true) return `${client.label}: ${id} not paused after pause`;
      if (action === 'stop' && state?.Running === true) return `${client.label}: ${id} still running after stop`;
      return true;
    } catch (e) {
      return (e as Error).message;
    }
  }

  /** containerd has no stop: SIGTERM, wait for the grace period, then SIGKILL. */
  private async ctrStop(ctr: CtrCli, ns: string, id: string): Promise<void> {
    await ctr.kill(ns, id, 'SIGTERM');
    const deadline = Date.now() + this.grace * 1000;
    while (Date.now() < deadline) {
      const s = await ctr.taskStatus(ns, id);
      if (s === undefined || s === 'STOPPED') return;
      await new Promise((r) => setTimeout(r, 200));
    }
    await ctr.kill(ns, id, 'SIGKILL');
    for (let i = 0; i < 25; i++) {
      const s = await ctr.taskStatus(ns, id);
      if (s === undefined || s === 'STOPPED') return;
      await new Promise((r) => setTimeout(r, 200));
    }
    throw new Error(`ctr: ${id} still running after SIGKILL`);
  }
}
