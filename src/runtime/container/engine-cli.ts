// Engines without a reachable API socket are driven through their own CLIs: `podman inspect|pause|stop`
// (when podman's API service is not running) and containerd's `ctr` (its API is gRPC). execFile only,
// never a shell; every call has a timeout and an output cap.
import { execFile } from 'node:child_process';

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

export function runCli(cmd: string, args: string[], timeoutMs = 5000): Promise<CliResult> {
  return new Promise((resolve) => {
    execFile(cmd, args, { timeout: timeoutMs, maxBuffer: 8 * 1024 * 1024, encoding: 'utf8' }, (err, stdout, stderr) => {
      const e = err as (NodeJS.ErrnoException & { code?: number | string }) | null;
      const code = !e ? 0 : typeof e.code === 'number' ? e.code : -1;
      resolve({ code, stdout: stdout ?? '', stderr: (stderr || (e && typeof e.code === 'string' ? `${cmd}: ${e.code}` : '') || e?.message || '').trim() });
    });
  });
}

export class PodmanCli {
  readonly bin: string;
  constructor(bin = 'podman') {
    this.bin = bin;
  }

  async inspect(id: string): Promise<Record<string, unknown> | undefined> {
    const r = await runCli(this.bin, ['container', 'inspect', id]);
    if (r.code !== 0) return undefined;
    try {
      const arr = JSON.parse(r.stdout) as unknown;
      return Array.isArray(arr) && arr[0] && typeof arr[0] === 'object' ? (arr[0] as Record<string, unknown>) : undefined;
    } catch {
      return undefined;
    }
  }

  async action(action: 'pause' | 'stop', id: string, graceSeconds = 10): Promise<void> {
    const r = await runCli(this.bin, action === 'stop' ? ['stop', '-t', String(graceSeconds), id] : ['pause', id], (graceSeconds + 20) * 1000);
    if (r.code !== 0) throw new Error(`podman ${action} ${id}: ${r.stderr || `exit ${r.code}`}`);
  }

  async version(): Promise<string | undefined> {
    const r = await runCli(this.bin, ['version', '--format', '{{.Client.Version}}']);
    return r.code === 0 ? r.stdout.trim() : undefined;
  }
}

export class CtrCli {
  readonly address: string;
  readonly bin: string;
  constructor(address: string, bin = 'ctr') {
    this.address = address;
    this.bin = bin;
  }

  private run(ns: string, args: string[], timeoutMs?: number): Promise<CliResult> {
    return runCli(this.bin, ['-a', this.address, '-n', ns, ...args], timeoutMs);
  }

  async info(ns: string, id: string): Promise<Record<string, unknown> | undefined> {
    const r = await this.run(ns, ['containers', 'info', id]);
    if (r.code !== 0) return undefined;
    try {
      return JSON.parse(r.stdout) as Record<string, unknown>;
    } catch {
      return undefined;
    }
  }

  /** Digest (manifest or index) of an image by reference, from `ctr images ls`. */
  async imageDigest(ns: string, ref: string): Promise<string | undefined> {
    const r = await this.run(ns, ['images', 'ls']);
    if (r.code !== 0) return undefined;
    for (const line of r.stdout.split('\n').slice(1)) {
      const cols = line.trim().split(/\s+/);
      if (cols[0] === ref && /^sha256:[0-9a-f]{64}$/.test(cols[2] ?? '')) return cols[2];
    }
    return undefined;
  }

  async taskStatus(ns: string, id: string): Promise<string | undefined> {
    const r = await this.run(ns, ['tasks', 'ls']);
    if (r.code !== 0) return undefined;
    for (const line of r.stdout.split('\n').slice(1)) {
      const cols = line.trim().split(/\s+/);
      if (cols[0] === id) return cols[2];
    }
    return undefined;
  }

  async pause(ns: string, id: string): Promise<void> {
    const r = await this.run(ns, ['tasks', 'pause', id], 15_000);
    if (r.code !== 0) throw new Error(`ctr tasks pause ${id}: ${r.stderr || `exit ${r.code}`}`);
  }

  async kill(ns: string, id: string, signal: string): Promise<void> {
    const r = await this.run(ns, ['tasks', 'kill', '-s', signal, id], 15_000);
    if (r.code !== 0) throw new Error(`ctr tasks kill -s ${signal} ${id}: ${r.stderr || `exit ${r.code}`}`);
  }

  async version(): Promise<string | undefined> {
    const r = await runCli(this.bin, ['-a', this.address, 'version'], 3000);
    if (r.code !== 0) return undefined;
    return /Server:[\s\S]*?Version:\s*(\S+)/.exec(r.stdout)?.[1] ?? 'unknown';
  }
}
