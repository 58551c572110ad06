// The network map: connect/accept events aggregated into flows between workloads.
//   source workload --(port/protocol)--> destination workload or external network
// A connect is seen in the source container, an accept in the destination; a connection between
// two monitored containers is usually seen from both sides, so a flow counts each side separately
// and reports the larger (one connection is one count, not two). Loopback and unix sockets never
// leave the pod and are not flows; events from the host are skipped (the container side sees them).
import type { ContainerInfo, RuntimeEvent } from '../event.ts';
import { workloadOf } from './identity.ts';
import { cidrOf, isLoopback, parseIp, type ParsedIp } from './ip.ts';

export interface FlowEndpoint {
  kind: 'k8s' | 'container' | 'external';
  /** Workload key (see identity.ts) or `cidr:NET/N` for external networks. */
  key: string;
  name: string;
  namespace?: string;
  /** Stable pod labels (k8s). */
  labels?: Record<string, string>;
  image?: string;
  /** Addresses seen for the endpoint (bounded): ipBlock rules for peers that are not pods. External: the CIDR. */
  addresses: string[];
  /** The agent saw events from inside this workload (not only connections to or from it). */
  monitored?: boolean;
}

export interface Flow {
  src: FlowEndpoint;
  dst: FlowEndpoint;
  port: number;
  protocol: 'TCP' | 'UDP';
  /** Connections observed (the larger of the two sides' counts). */
  count: number;
  egressSeen: number;
  ingressSeen: number;
  firstSeen: string;
  lastSeen: string;
}

export interface FlowMapOptions {
  /** IP → the container that has it (the container resolver's containerIPs()). */
  containerOf?: (ip: string) => ContainerInfo | undefined;
  /** External addresses as /N networks (default 32 / 128: exact addresses). */
  externalPrefixV4?: number;
  externalPrefixV6?: number;
  /** Most flows kept (default 50,000); further new flows are counted in `stats.dropped`. */
  maxFlows?: number;
}

const MAX_ADDRESSES = 16;
const ACCEPTS = new Set(['accept', 'accept4']);

export class FlowMap {
  private readonly byKey = new Map<string, Flow>();
  private readonly endpoints = new Map<string, FlowEndpoint>();
  private readonly opts: FlowMapOptions;
  readonly stats = { recorded: 0, ignored: 0, dropped: 0 };

  private readonly maxEndpoints: number;

  constructor(opts: FlowMapOptions = {}) {
    this.opts = opts;
    // Every flow has two endpoints; more than that many distinct ones cannot be in kept flows.
    this.maxEndpoints = 2 * Math.max(1, opts.maxFlows ?? 50_000);
  }

  flows(): Flow[] {
    return [...this.byKey.values()];
  }

  /** Records a connect/accept event; false when it is not a flow (other events, loopback, host, junk). */
  record(event: RuntimeEvent): boolean {
    const ok = this.tryRecord(event);
    if (!ok) this.stats.ignored++;
    return ok;
  }

  private tryRecord(event: RuntimeEvent): boolean {
    if (!event || typeof event !== 'object' || event.category !== 'network' || !event.net || typeof event.net !== 'object') return false;
    const inbound = ACCEPTS.has(event.type);
    if (!inbound && event.type !== 'connect') return false;
    if (typeof event.ret === 'number' && event.ret < 0 && event.ret !== -115) return false; // failed, except EINPROGRESS
    const net = event.net;
    if (net.family !== 'ipv4' && net.family !== 'ipv6') return false;
    const remote = parseIp(net.remoteAddr);
    if (!remote || isLoopback(remote)) return false;
    const self = this.workloadEndpoint(event.container);
    if (!self) {
      if (workloadOf(event.container)) this.stats.dropped++; // a container, but the map is full
      return false;
    }
    self.monitored = true;
    const local = parseIp(net.localAddr);
    if (local && !isLoopback(local) && local.address !== '0.0.0.0' && local.address !== '::') addAddress(self, local.address);
    const port = inbound ? net.localPort : net.remotePort;
    if (typeof port !== 'number' || !Number.isInteger(port) || port < 1 || port > 65535) return false;
    const peer = this.peerEndpoint(remote);
    if (!peer) {
      this.stats.dropped++;
      return true;
    }
    const protocol = net.protocol === 'udp' ? 'UDP' : 'TCP';
    const src = inbound ? peer : self;
    const dst = inbound ? self : peer;
    const key = `${src.key}\0${dst.key}\0${port}\0${protocol}`;
    const time = typeof event.time === 'string' && Number.isFinite(Date.parse(event.time)) ? new Date(Date.parse(event.time)).toISOString() : new Date().toISOString();
    let f = this.byKey.get(key);
    if (!f) {
      if (this.byKey.size >= (this.opts.maxFlows ?? 50_000)) {
        this.stats.dropped++;
        return true;
      }
      f = { src, dst, port, protocol, count: 0, egressSeen: 0, ingressSeen: 0, firstSeen: time, lastSeen: time };
      this.byKey.set(key, f);
    }
    if (inbound) f.ingressSeen++;
    else f.egressSeen++;
    f.count = Math.max(f.egressSeen, f.ingressSeen);
    if (time < f.firstSeen) f.firstSeen = time;
    if (time > f.lastSeen) f.lastSeen = time;
    this.stats.recorded++;
    return true;
  }

  private workloadEndpoint(c: ContainerInfo | undefined): FlowEndpoint | undefined {
    const w = workloadOf(c);
    if (!w) return undefined;
    let e = this.endpoints.get(w.key);
    if (!e) {
      if (this.endpoints.size >= this.maxEndpoints) return undefined;
      e = { kind: w.kind, key: w.key, name: w.name, addresses: [] };
      if (w.namespace) e.namespace = w.namespace;
      if (w.labels) e.labels = w.labels;
      if (w.image) e.image = w.image;
      this.endpoints.set(w.key, e);
    } else if (w.labels && Object.keys(w.labels).length > 0 && (!e.labels || Object.keys(e.labels).length === 0)) {
      e.labels = w.labels; // first seen through a container that did not know the pod labels
    }
    return e;
  }

  private peerEndpoint(ip: ParsedIp): FlowEndpoint | undefined {
    const c = this.opts.containerOf?.(ip.address);
    const peer = this.workloadEndpoint(c);
    if (peer) {
      addAddress(peer, ip.address);
      return peer;
    }
    if (workloadOf(c)) return undefined; // a container, but no room left to remember it
    const prefix = ip.family === 4 ? this.opts.externalPrefixV4 : this.opts.externalPrefixV6;
    const cidr = cidrOf(ip, prefix);
    const key = `cidr:${cidr}`;
    let e = this.endpoints.get(key);
    if (!e) {
      if (this.endpoints.size >= this.maxEndpoints) return undefined;
      this.endpoints.set(key, (e = { kind: 'external', key, name: cidr, addresses: [cidr] }));
    }
    return e;
  }
}

function addAddress(e: FlowEndpoint, address: string): void {
  if (e.addresses.length < MAX_ADDRESSES && !e.addresses.includes(address)) e.addresses.push(address);
}

/** Flows as text lines for a terminal: `shop/web → shop/db 5432/TCP ×12`. */
export function describeFlow(f: Flow): string {
  const name = (e: FlowEndpoint) => (e.kind === 'k8s' ? `${e.namespace}/${e.name}` : e.name);
  return `${name(f.src)} → ${name(f.dst)} ${f.port}/${f.protocol} ×${f.count}`;
}
