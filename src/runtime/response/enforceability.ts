// Which responses can actually be carried out on this node, probed rather than assumed: a real
// SIGKILL of a throw-away child, the capabilities the agent holds, the freezer (cgroup v1 freezer
// controller or cgroup v2 cgroup.freeze) that pause needs, and whether each engine answers.
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { defaultCgroupRoot } from '../container/cgroup-index.ts';
import { EngineClient } from '../container/engine-api.ts';
import { CtrCli, PodmanCli } from '../container/engine-cli.ts';

export interface Capability {
  possible: boolean;
  /** Why not, or how (engines that can do it). */
  reason: string;
}

export interface EngineProbe {
  endpoint: string;
  reachable: boolean;
  version?: string;
  error?: string;
}

export interface EnforceabilityReport {
  node: string;
  time: string;
  root: boolean;
  capabilities: { CAP_KILL: boolean; CAP_SYS_ADMIN: boolean };
  freezer: { cgroupV1: boolean; cgroupV2: boolean };
  engines: { docker?: EngineProbe; podman?: EngineProbe; containerd: EngineProbe[] };
  actions: { alert: Capability; kill: Capability; pause: Capability; stop: Capability };
}

export interface ProbeOptions {
  dockerHost?: string | false;
  podmanSocket?: string | false;
  podmanCli?: boolean;
  containerdAddresses?: string[];
}

function capEff(): bigint {
  const m = /^CapEff:\s*([0-9a-f]+)$/m.exec(readFileSync('/proc/self/status', 'utf8'));
  return m ? BigInt(`0x${m[1]}`) : 0n;
}

/** Kills a child of our own with SIGKILL and checks it died: signals work from here at all. */
async function probeKill(): Promise<string | undefined> {
  const child = spawn('sleep', ['30'], { stdio: 'ignore' });
  const started = await new Promise<boolean>((r) => {
    child.once('spawn', () => r(true));
    child.once('error', () => r(false));
  });
  if (!started || !child.pid) return 'could not start a probe process';
  const exited = new Promise<string | null>((r) => child.once('exit', (_c, sig) => r(sig)));
  try {
    process.kill(child.pid, 'SIGKILL');
  } catch (e) {
    return `SIGKILL failed: ${(e as Error).message}`;
  }
  const sig = await Promise.race([exited, new Promise<string>((r) => setTimeout(() => r('timeout'), 2000))]);
  return sig === 'SIGKILL' ? undefined : `probe process not killed (${sig})`;
}

function freezerV1(): boolean {
  try {
    return readFileSync('/proc/self/mountinfo', 'utf8').split('\n').some((l) => / - cgroup cgroup \S*freezer/.test(l));
  } catch {
    return false;
  }
}

/** cgroup.freeze exists only in non-root cgroups of a v2 hierarchy (kernel ≥ 5.2). */
function freezerV2(): boolean {
  const root = defaultCgroupRoot();
  try {
    for (const d of readdirSync(root, { withFileTypes: true })) if (d.isDirectory() && existsSync(join(root, d.name, 'cgroup.freeze'))) return true;
  } catch {
    // no v2 hierarchy
  }
  return false;
}

export async function probeEnforceability(opts: ProbeOptions = {}): Promise<EnforceabilityReport> {
  const caps = capEff();
  const root = process.getuid?.() === 0;
  const CAP_KILL = (caps & (1n << 5n)) !== 0n;
  const CAP_SYS_ADMIN = (caps & (1n << 21n)) !== 0n;
  const freezer = { cgroupV1: freezerV1(), cgroupV2: freezerV2() };

  const engines: EnforceabilityReport['engines'] = { containerd: [] };
  if (opts.dockerHost !== false) {
    const c = new EngineClient(opts.dockerHost || undefined);
    const reachable = await c.ping();
    let version: string | undefined;
    if (reachable) version = ((await c.call<{ Version?: string }>('GET', '/version').catch(() => undefined))?.Version) ?? undefined;
    engines.docker = { endpoint: c.label, reachable, ...(version ? { version } : {}), ...(reachable ? {} : { error: 'no answer to GET /_ping' }) };
  }
  if (opts.podmanSocket && existsSync(opts.podmanSocket)) {
    const c = new EngineClient(`unix://${opts.podmanSocket}`);
    const ok = await c.ping();
    engines.podman = { endpoint: c.label, reachable: ok, ...(ok ? {} : { error: 'no answer to GET /_ping' }) };
  } else if (opts.podmanCli !== false) {
    const v = await new PodmanCli().version();
    engines.podman = { endpoint: 'podman (CLI)', reachable: v !== undefined, ...(v ? { version: v } : { error: 'podman not installed or not working' }) };
  }
  for (const a of opts.containerdAddresses ?? ['/run/containerd/containerd.sock']) {
    const v = existsSync(a) ? await new CtrCli(a).version() : undefined;
    engines.containerd.push({ endpoint: a, reachable: v !== undefined, ...(v ? { version: v } : { error: existsSync(a) ? 'ctr cannot talk to it' : 'no socket' }) });
  }

  const killProbe = await probeKill();
  const kill: Capability = killProbe
    ? { possible: false, reason: killProbe }
    : CAP_KILL || root
      ? { possible: true, reason: `SIGKILL probe ok; CAP_KILL ${CAP_KILL ? 'held (processes of any uid)' : 'missing, but root'}` }
      : { possible: true, reason: 'SIGKILL probe ok, but without CAP_KILL only processes of the agent\'s own uid can be killed' };
  const reachable = [
    engines.docker?.reachable ? 'docker' : undefined,
    engines.podman?.reachable ? 'podman' : undefined,
    ...engines.containerd.filter((c) => c.reachable).map((c) => `containerd(${c.endpoint})`),
  ].filter((x): x is string => !!x);
  const hasFreezer = freezer.cgroupV1 || freezer.cgroupV2;
  const pause: Capability = !reachable.length
    ? { possible: false, reason: 'no container engine reachable' }
    : !hasFreezer
      ? { possible: false, reason: 'no freezer: neither the cgroup v1 freezer controller nor cgroup v2 cgroup.freeze' }
      : { possible: true, reason: `via ${reachable.join(', ')}; freezer ${freezer.cgroupV1 ? 'cgroup v1' : 'cgroup v2'}` };
  const stop: Capability = reachable.length ? { possible: true, reason: `via ${reachable.join(', ')}` } : { possible: false, reason: 'no container engine reachable' };
  return {
    node: hostname(),
    time: new Date().toISOString(),
    root,
    capabilities: { CAP_KILL, CAP_SYS_ADMIN },
    freezer,
    engines,
    actions: { alert: { possible: true, reason: 'always' }, kill, pause, stop },
  };
}
