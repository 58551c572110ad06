// The few Docker Engine API calls Triad needs, over node:http on the daemon's unix socket (or a
// plain tcp:// endpoint). Unversioned paths: every daemon since 1.x serves them at its own API
// version, and the two endpoints used here (image inspect, image export) have not changed shape.
import { request, type IncomingMessage } from 'node:http';

export interface DockerEndpoint {
  socketPath?: string;
  host?: string;
  port?: number;
  /** As the user would write it: "unix:///var/run/docker.sock". */
  label: string;
}

export const DEFAULT_DOCKER_HOST = 'unix:///var/run/docker.sock';

/** opts.dockerHost, else $DOCKER_HOST, else the default socket. */
export function dockerEndpoint(explicit?: string): DockerEndpoint {
  const raw = explicit || process.env.DOCKER_HOST || DEFAULT_DOCKER_HOST;
  if (raw.startsWith('unix://')) {
    const socketPath = raw.slice('unix://'.length);
    if (!socketPath.startsWith('/')) throw new Error(`invalid Docker host ${raw}: expected unix:///absolute/path`);
    return { socketPath, label: raw };
  }
  if (raw.startsWith('/')) return { socketPath: raw, label: `unix://${raw}` };
  if (raw.startsWith('tcp://')) {
    // TLS endpoints need client certificates (DOCKER_CERT_PATH): not supported, and not silently ignored.
    if (process.env.DOCKER_TLS_VERIFY) throw new Error(`Docker host ${raw} with DOCKER_TLS_VERIFY is not supported (use the unix socket)`);
    const u = new URL(raw.replace(/^tcp:/, 'http:'));
    return { host: u.hostname.replace(/^\[|\]$/g, ''), port: Number(u.port || 2375), label: raw };
  }
  throw new Error(`unsupported Docker host ${raw} (expected unix:///path or tcp://host:port)`);
}

/** Thrown when nothing answers on the endpoint. */
export class DaemonUnreachableError extends Error {}

/**
 * GET `path`; resolves with the response once headers arrive. `idleMs` bounds silence on the
 * socket both before the headers and while the body streams.
 */
export function dockerGet(ep: DockerEndpoint, path: string, idleMs: number): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => {
    const req = request({
      socketPath: ep.socketPath,
      host: ep.socketPath ? 'docker' : ep.host,
      port: ep.socketPath ? undefined : ep.port,
      path,
      method: 'GET',
      headers: { 'user-agent': 'triad' },
    });
    req.setTimeout(idleMs, () => req.destroy(new Error(`Docker daemon at ${ep.label} did not answer for ${idleMs} ms`)));
    req.once('response', (res) => {
      // The timeout set on the request keeps applying to the socket while the body streams.
      resolve(res);
    });
    req.once('error', (e: NodeJS.ErrnoException) => {
      if (e.code === 'ENOENT' || e.code === 'ECONNREFUSED') {
        reject(new DaemonUnreachableError(`cannot connect to the Docker daemon at ${ep.label} (${e.code}): is dockerd running?`));
      } else if (e.code === 'EACCES') {
        reject(new DaemonUnreachableError(`permission denied on the Docker daemon socket ${ep.label} (run as root or as a member of the docker group)`));
      } else {
        reject(new Error(`Docker daemon at ${ep.label}: ${e.message}`));
      }
    });
    req.end();
  });
}

/** Reads a small body (JSON answers, error messages), refusing more than `max` bytes. */
export async function readBody(res: IncomingMessage, max: number, what: string): Promise<string> {
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const c of res) {
    total += (c as Buffer).length;
    if (total > max) {
      res.destroy();
      throw new Error(`${what} is larger than ${max} bytes`);
    }
    chunks.push(c as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** The daemon's error message for a non-2xx answer ({"message": "..."}), else the status. */
export async function daemonError(res: IncomingMessage): Promise<string> {
  try {
    const text = await readBody(res, 64 * 1024, 'error response');
    const msg = (JSON.parse(text) as { message?: unknown }).message;
    if (typeof msg === 'string' && msg) return msg;
  } catch {
    // fall back to the status line
  }
  return `HTTP ${res.statusCode}`;
}
