// ContainerResolver: which container an event came from. cgroup id → cgroup path (CgroupIndex, or
// /proc/<pid>/cgroup) → container id + engine (naming conventions) → metadata from the engine
// (Docker API, podman API or CLI, ctr). Results are cached by cgroup id so the common case is a
// synchronous Map hit; the first events of a new container wait for the engine at most
// `lookupBudgetMs`, then go on with what is known while the rest is filled in (the ContainerInfo
// object is shared and completed in place). Docker's event stream evicts stopped containers and
// pre-resolves started ones.
import { existsSync, readFileSync } from 'node:fs';
import { posix } from 'node:path';
import { HOST_CONTAINER, type ContainerInfo, type RuntimeEvent } from '../event.ts';
import { CgroupIndex } from './cgroup-index.ts';
import { containerFromCgroupPath, unifiedPathFromProcCgroup, type CgroupMatch } from './cgroup-path.ts';
import { isExecEvent, markDrift, procExe, readMountinfo } from './drift.ts';
import { EngineClient, type EngineEvent } from './engine-api.ts';
import { CtrCli, PodmanCli } from './engine-cli.ts';
import { readProcStat } from './proc-stat.ts';
import { metaFromCtrInfo, metaFromInspect, podLabelsFromSandbox, upperDirFromMountinfo, type ContainerMeta } from './metadata.ts';

export interface ResolverOptions {
  cgroupRoot?: string;
  procRoot?: string;
  /** Docker engine (unix:///path); false disables. Default: $DOCKER_HOST or /var/run/docker.sock. */
  dockerHost?: string | false;
  /** Podman's Docker-compatible API socket; false disables. Default /run/podman/podman.sock. */
  podmanSocket?: string | false;
  /** Use `podman inspect` when podman's socket is not there. Default: when podman is installed. */
  podmanCli?: boolean;
  /** containerd sockets for ctr. Default /run/containerd/containerd.sock. */
  containerdAddresses?: string[];
  /** How long the first event of a new container may wait for the engine. */
  lookupBudgetMs?: number;
  maxEntries?: number;
  /** Record process.startTicks on exec (one /proc/<pid>/stat read) so kill can verify the pid. Default true. */
  recordStartTicks?: boolean;
}

interface Entry {
  meta: ContainerMeta;
  pending?: Promise<void>;
  /** The engine answered (false: only the cgroup path is known). */
  confirmed: boolean;
  lookedUpAt: number;
  match?: CgroupMatch;
}

const RETRY_MS = 10_000;
const UNKNOWN: ContainerInfo = Object.freeze({ id: 'unknown', runtime: 'unknown' }) as ContainerInfo;

export class ContainerResolver {
  readonly index: CgroupIndex;
  private readonly procRoot: string;
  private readonly docker?: EngineClient;
  private readonly podmanApi?: EngineClient;
  private readonly podman?: PodmanCli;
  private readonly ctrs: CtrCli[];
  private readonly budgetMs: number;
  private readonly maxEntries: number;
  private readonly recordStartTicks: boolean;
  private readonly byCgroup = new Map<number, Entry>();
  private readonly byId = new Map<string, Entry>();
  private readonly hostEntry: Entry = { meta: { info: HOST_CONTAINER, ips: [] }, confirmed: true, lookedUpAt: 0 };
  private stopEvents?: () => void;
  private closed = false;
  readonly stats = { hits: 0, misses: 0, lookups: 0, lookupFailures: 0, budgetExceeded: 0, evictions: 0 };

  constructor(opts: ResolverOptions = {}) {
    this.index = new CgroupIndex({ root: opts.cgroupRoot });
    this.procRoot = opts.procRoot ?? '/proc';
    if (opts.dockerHost !== false) this.docker = new EngineClient(opts.dockerHost || undefined);
    const podSock = opts.podmanSocket === false ? undefined : (opts.podmanSocket ?? '/run/podman/podman.sock');
    if (podSock && existsSync(podSock)) this.podmanApi = new EngineClient(`unix://${podSock}`);
    if (opts.podmanCli ?? ['/usr/bin/podman', '/usr/local/bin/podman'].some((p) => existsSync(p))) this.podman = new PodmanCli();
    this.ctrs = (opts.containerdAddresses ?? ['/run/containerd/containerd.sock']).map((a) => new CtrCli(a));
    this.budgetMs = opts.lookupBudgetMs ?? 200;
    this.maxEntries = opts.maxEntries ?? 4096;
    this.recordStartTicks = opts.recordStartTicks ?? true;
  }

  /** Fills event.container (and drift flags on exec). Synchronous when the cgroup is known. */
  attribute(event: RuntimeEvent): void | Promise<void> {
    if (event.container?.id) return; // Falco/Tetragon events arrive attributed
    const exec = isExecEvent(event);
    if (exec && this.recordStartTicks && event.process.startTicks === undefined) {
      const st = readProcStat(event.process.pid, this.procRoot);
      if (st) event.process.startTicks = st.startTicks;
    }
    let entry = event.cgroupId !== undefined ? this.byCgroup.get(event.cgroupId) : undefined;
    if (entry) this.stats.hits++;
    else {
      this.stats.misses++;
      entry = this.resolve(event);
    }
    event.container = entry.meta.info;
    if (entry !== this.hostEntry && !entry.pending && !entry.confirmed && Date.now() - entry.lookedUpAt > RETRY_MS) this.startLookup(entry);
    const pending = entry.pending;
    // The bpftrace sensor reports the drift verdict from the kernel (the overlay inode's upper
    // dentry): no /proc read and no lstat then.
    const drift = exec && event.process.exeFromUpperLayer === undefined;
    if (!pending) {
      if (drift) markDrift(event, entry.meta.upperDir, () => procExe(event.process.pid, this.procRoot));
      return;
    }
    // Read now, while the process surely exists: short-lived execs are gone when the engine answers.
    const real = drift ? procExe(event.process.pid, this.procRoot) : undefined;
    const e = entry;
    let timer: NodeJS.Timeout | undefined;
    const budget = new Promise<void>((r) => (timer = setTimeout(() => (this.stats.budgetExceeded++, r()), this.budgetMs)));
    return Promise.race([pending, budget]).then(() => {
      clearTimeout(timer);
      if (drift) markDrift(event, e.meta.upperDir, real);
    });
  }

  /** The sync part of a miss: path → match → entry (cached), starting the engine lookup. */
  private resolve(event: RuntimeEvent): Entry {
    const cg = event.cgroupId;
    let path = cg !== undefined ? this.index.get(cg) : undefined;
    let key = cg;
    if (path === undefined) {
      const fromProc = this.procCgroupPath(event.process.pid);
      if (fromProc !== undefined) {
        const ino = this.index.learn(fromProc);
        if (cg === undefined || ino === cg) {
          path = fromProc;
          key = ino;
        }
      }
    }
    if (path === undefined && cg !== undefined) path = this.index.lookup(cg);
    if (path === undefined) return { meta: { info: UNKNOWN, ips: [] }, confirmed: false, lookedUpAt: Date.now() };
    const m = containerFromCgroupPath(path);
    if (!m) {
      if (key !== undefined) this.remember(key, this.hostEntry);
      return this.hostEntry;
    }
    let entry = this.byId.get(m.id);
    if (!entry) {
      const info: ContainerInfo = { id: m.id, runtime: m.runtime, ...(m.podUid ? { k8s: { podUid: m.podUid } } : {}) };
      const mi = readMountinfo(event.process.pid, this.procRoot);
      entry = { meta: { info, ips: [], upperDir: mi ? upperDirFromMountinfo(mi) : undefined, ctrNamespace: m.ctrNamespace }, confirmed: false, lookedUpAt: 0, match: m };
      this.rememberId(m.id, entry);
      this.startLookup(entry);
      this.index.watchDir(posix.dirname(path));
    }
    if (key !== undefined) this.remember(key, entry);
    return entry;
  }

  private procCgroupPath(pid: number): string | undefined {
    try {
      return unifiedPathFromProcCgroup(readFileSync(`${this.procRoot}/${pid}/cgroup`, 'utf8'));
    } catch {
      return undefined;
    }
  }

  private remember(key: number, entry: Entry): void {
    if (this.byCgroup.size >= this.maxEntries) {
      const oldest = this.byCgroup.keys().next().value;
      if (oldest !== undefined) this.byCgroup.delete(oldest);
      this.stats.evictions++;
    }
    this.byCgroup.set(key, entry);
  }

  private rememberId(id: string, entry: Entry): void {
    if (this.byId.size >= this.maxEntries) {
      const oldest = this.byId.keys().next().value;
      if (oldest !== undefined) this.byId.delete(oldest);
    }
    this.byId.set(id, entry);
  }

  private startLookup(entry: Entry): void {
    entry.lookedUpAt = Date.now();
    this.stats.lookups++;
    entry.pending = this.lookup(entry)
      .then((meta) => {
        if (meta) this.merge(entry, meta);
        else {
          this.stats.lookupFailures++;
          // A /<ns>/<name> path no engine knows is not a container we can describe: settled, no
          // retries (they would spawn ctr every RETRY_MS for an ordinary cgroup).
          if (entry.match?.candidate) {
            entry.meta.info.runtime = 'unknown';
            entry.confirmed = true;
          }
        }
      })
      .catch(() => {
        this.stats.lookupFailures++;
      })
      .finally(() => {
        entry.pending = undefined;
      });
  }

  private merge(entry: Entry, meta: ContainerMeta): void {
    const info = entry.meta.info;
    const podUid = info.k8s?.podUid;
    Object.assign(info, meta.info);
    if (podUid && !info.k8s?.podUid) info.k8s = { ...info.k8s, podUid };
    entry.meta.upperDir = meta.upperDir ?? entry.meta.upperDir;
    entry.meta.ips = meta.ips;
    entry.meta.pid = meta.pid;
    entry.meta.via = meta.via;
    entry.meta.ctrNamespace = meta.ctrNamespace ?? entry.meta.ctrNamespace;
    entry.meta.ctrAddress = meta.ctrAddress;
    entry.meta.sandboxId = meta.sandboxId;
    entry.confirmed = true;
    if (info.id !== entry.match?.id && info.id) this.rememberId(info.id, entry);
  }

  /** Asks the engines the path points at (all of them for kubepods paths) for the container. */
  private async lookup(entry: Entry): Promise<ContainerMeta | undefined> {
    const id = entry.meta.info.id;
    const rt = entry.match?.runtime ?? entry.meta.info.runtime;
    if ((rt === 'docker' || rt === 'unknown') && this.docker) {
      const m = await this.fromApi(this.docker, id, 'docker');
      if (m) return m;
    }
    if (rt === 'podman' || rt === 'unknown') {
      const m = (this.podmanApi && (await this.fromApi(this.podmanApi, id, 'podman'))) || (await this.fromPodmanCli(id));
      if (m) return m;
    }
    if (rt === 'containerd' || rt === 'unknown') {
      const namespaces = entry.meta.ctrNamespace ? [entry.meta.ctrNamespace] : ['k8s.io', 'default'];
      for (const ctr of this.ctrs) {
        for (const ns of namespaces) {
          const m = await this.fromCtr(ctr, ns, id);
          if (m) return m;
        }
      }
    }
    return undefined;
  }

  private async fromApi(client: EngineClient, id: string, runtime: 'docker' | 'podman'): Promise<ContainerMeta | undefined> {
    let raw: Record<string, unknown> | undefined;
    if (runtime === 'podman') {
      // podman's own endpoint names the digest the image was pulled by (ImageDigest); its Docker
      // dialect only lists RepoDigests, in no telling order.
      raw = await client.inspectLibpodContainer(id).catch(() => undefined);
      if (raw) {
        const meta = metaFromInspect(raw, 'podman');
        meta.via = client.label;
        return meta;
      }
    }
    try {
      raw = await client.inspectContainer(id);
    } catch {
      return undefined; // not this engine's, or the engine is down
    }
    if (!raw) return undefined;
    let repoDigests: string[] = [];
    try {
      const img = typeof raw.Image === 'string' ? await client.inspectImage(raw.Image) : undefined;
      if (Array.isArray(img?.RepoDigests)) repoDigests = img.RepoDigests.filter((d): d is string => typeof d === 'string');
    } catch {
      // image removed while the container runs: no digest
    }
    const meta = metaFromInspect(raw, runtime, repoDigests);
    meta.via = client.label;
    if (meta.sandboxId && meta.sandboxId !== meta.info.id) {
      try {
        const sb = await client.inspectContainer(meta.sandboxId);
        const labels = metaFromInspect(sb ?? {}, runtime).info.labels ?? {};
        const podLabels = podLabelsFromSandbox(labels);
        if (Object.keys(podLabels).length) meta.info.k8s = { ...meta.info.k8s, labels: podLabels };
      } catch {
        // sandbox gone: pod labels stay unknown
      }
    }
    return meta;
  }

  private async fromPodmanCli(id: string): Promise<ContainerMeta | undefined> {
    if (!this.podman) return undefined;
    const raw = await this.podman.inspect(id);
    if (!raw) return undefined;
    const meta = metaFromInspect(raw, 'podman');
    meta.via = 'podman-cli';
    return meta;
  }

  private async fromCtr(ctr: CtrCli, ns: string, id: string): Promise<ContainerMeta | undefined> {
    if (!existsSync(ctr.address)) return undefined;
    const raw = await ctr.info(ns, id);
    if (!raw) return undefined;
    const meta = metaFromCtrInfo(raw, ns);
    meta.ctrAddress = ctr.address;
    meta.via = `ctr:${ctr.address}`;
    if (meta.info.image) meta.info.imageDigest = await ctr.imageDigest(ns, meta.info.image);
    if (meta.sandboxId && meta.sandboxId !== id) {
      const sb = await ctr.info(ns, meta.sandboxId);
      const podLabels = podLabelsFromSandbox(metaFromCtrInfo(sb ?? {}, ns).info.labels ?? {});
      if (Object.keys(podLabels).length) meta.info.k8s = { ...meta.info.k8s, labels: podLabels };
    }
    return meta;
  }

  /** Follows Docker's event stream: pre-resolves started containers, forgets dead ones. */
  async start(): Promise<void> {
    if (!this.docker || this.closed) return;
    if (!(await this.docker.ping())) return;
    for (const c of await this.docker.listContainers().catch(() => [])) {
      if (typeof c.Id === 'string') await this.prefetch(c.Id);
    }
    let backoff = 500;
    const connect = () => {
      if (this.closed) return;
      this.stopEvents = this.docker!.watchEvents(
        (e) => {
          backoff = 500;
          this.onEngineEvent(e);
        },
        () => {
          if (this.closed) return;
          setTimeout(connect, backoff).unref();
          backoff = Math.min(backoff * 2, 30_000);
        },
      );
    };
    connect();
  }

  private onEngineEvent(e: EngineEvent): void {
    const id = e.Actor?.ID ?? e.id;
    const action = e.Action ?? e.status ?? '';
    if (!id || (e.Type && e.Type !== 'container')) return;
    if (action === 'start') void this.prefetch(id);
    else if (action === 'die' || action === 'destroy') this.evict(id);
  }

  /** Resolves a running Docker container before its first event (its cgroup inode is cached). */
  private async prefetch(id: string): Promise<void> {
    const meta = this.docker ? await this.fromApi(this.docker, id, 'docker') : undefined;
    if (!meta) return;
    const entry: Entry = this.byId.get(meta.info.id) ?? { meta: { info: meta.info, ips: [] }, confirmed: false, lookedUpAt: Date.now(), match: { runtime: 'docker', id: meta.info.id } };
    this.merge(entry, meta);
    this.rememberId(meta.info.id, entry);
    if (meta.pid) {
      const path = this.procCgroupPath(meta.pid);
      const ino = path !== undefined ? this.index.learn(path) : undefined;
      if (ino !== undefined) this.remember(ino, entry);
      if (path !== undefined) this.index.watchDir(posix.dirname(path));
    }
  }

  evict(id: string): void {
    const entry = this.byId.get(id);
    if (!entry) return;
    this.byId.delete(id);
    for (const [k, v] of this.byCgroup) if (v === entry) this.byCgroup.delete(k);
  }

  /** Container metadata by full id or unique prefix (12+ chars), from the cache. */
  describe(id: string): ContainerMeta | undefined {
    const hit = this.byId.get(id)?.meta;
    if (hit || id.length < 12) return hit;
    let found: ContainerMeta | undefined;
    for (const [k, e] of this.byId) {
      if (k.startsWith(id)) {
        if (found) return undefined; // ambiguous
        found = e.meta;
      }
    }
    return found;
  }

  /** IP → container, for the network map (IPs of containers the engines reported). */
  containerIPs(): Map<string, ContainerInfo> {
    const out = new Map<string, ContainerInfo>();
    for (const e of this.byId.values()) for (const ip of e.meta.ips) out.set(ip, e.meta.info);
    return out;
  }

  async close(): Promise<void> {
    this.closed = true;
    this.stopEvents?.();
    this.index.close();
    await Promise.all([...this.byId.values()].map((e) => e.pending).filter(Boolean));
  }
}
