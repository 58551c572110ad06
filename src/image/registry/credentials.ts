// Registry credentials the way the Docker CLI finds them: explicit username/password first, then the
// Docker config.json (opts.dockerConfig, $DOCKER_CONFIG/config.json, ~/.docker/config.json) with
// its per-registry credHelpers, the global credsStore, and finally the inline base64 `auths` entries.
// Credential helpers are programs the user configured (docker-credential-<name>); running one is
// what `docker pull` would do, and they never see image content.
import { spawn } from 'node:child_process';
import { promises as fs } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { DOCKER_HUB } from './reference.ts';

export interface Credentials {
  username?: string;
  password?: string;
  /** OAuth2 refresh token (config.json `identitytoken`, or a helper answering Username "<token>"). */
  identityToken?: string;
  /** Where they came from, for error messages ("docker config /root/.docker/config.json"). */
  source: string;
}

interface DockerConfigFile {
  auths?: Record<string, { auth?: string; username?: string; password?: string; identitytoken?: string }>;
  credHelpers?: Record<string, string>;
  credsStore?: string;
}

/** Docker Hub credentials are stored under this legacy key. */
const HUB_KEY = 'https://index.docker.io/v1/';
const HELPER_TIMEOUT_MS = 30_000;

function configPath(explicit?: string): { path: string; explicit: boolean } {
  if (explicit) return { path: explicit.endsWith('.json') ? explicit : join(explicit, 'config.json'), explicit: true };
  if (process.env.DOCKER_CONFIG) return { path: join(process.env.DOCKER_CONFIG, 'config.json'), explicit: false };
  return { path: join(homedir(), '.docker', 'config.json'), explicit: false };
}

/** "https://127.0.0.1:5000/v2/" → "127.0.0.1:5000": config keys carry schemes and paths inconsistently. */
function normaliseKey(k: string): string {
  return k.replace(/^[a-z]+:\/\//i, '').replace(/\/.*$/, '').toLowerCase();
}

function keysFor(registry: string): string[] {
  return registry === DOCKER_HUB ? ['index.docker.io', 'docker.io', 'registry-1.docker.io'] : [registry.toLowerCase()];
}

function lookup<T>(map: Record<string, T> | undefined, registry: string): T | undefined {
  if (!map) return undefined;
  const want = keysFor(registry);
  for (const [k, v] of Object.entries(map)) if (want.includes(normaliseKey(k))) return v;
  return undefined;
}

/** Runs `docker-credential-<helper> get`; undefined when it has nothing for this registry. */
export async function runCredentialHelper(helper: string, serverURL: string, source: string): Promise<Credentials | undefined> {
  // The name becomes part of a program name: keep it to what helper names look like.
  if (!/^[A-Za-z0-9][A-Za-z0-9_.-]*$/.test(helper)) throw new Error(`${source}: invalid credential helper name ${JSON.stringify(helper)}`);
  const prog = `docker-credential-${helper}`;
  const { code, stdout, stderr } = await new Promise<{ code: number; stdout: string; stderr: string }>((resolve, reject) => {
    const child = spawn(prog, ['get'], { stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), HELPER_TIMEOUT_MS);
    child.once('error', (e: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      reject(new Error(e.code === 'ENOENT' ? `${source}: credential helper ${prog} is not installed` : `${source}: ${prog}: ${e.message}`));
    });
    child.once('close', (c) => {
      clearTimeout(timer);
      resolve({ code: c ?? -1, stdout: out, stderr: err });
    });
    child.stdin.end(serverURL);
  });
  if (code !== 0) {
    // The helper protocol reports a miss as this message on stdout; that is not an error.
    if (/credentials not found/i.test(stdout + stderr)) return undefined;
    throw new Error(`${source}: ${prog} get failed: ${(stdout + stderr).trim() || `exit code ${code}`}`);
  }
  let parsed: { Username?: string; Secret?: string };
  try {
    parsed = JSON.parse(stdout) as { Username?: string; Secret?: string };
  } catch {
    throw new Error(`${source}: ${prog} returned invalid JSON`);
  }
  if (!parsed.Secret) return undefined;
  if (parsed.Username === '<token>') return { identityToken: parsed.Secret, source: `${source} (${prog})` };
  return { username: parsed.Username ?? '', password: parsed.Secret, source: `${source} (${prog})` };
}

export interface CredentialOptions {
  username?: string;
  password?: string;
  dockerConfig?: string;
}

/** Credentials for `registry` (as written in references: "docker.io", "host:port"), or undefined. */
export async function findCredentials(registry: string, opts: CredentialOptions): Promise<Credentials | undefined> {
  if (opts.username !== undefined || opts.password !== undefined) {
    return { username: opts.username ?? '', password: opts.password ?? '', source: 'the given username/password' };
  }
  const { path, explicit } = configPath(opts.dockerConfig);
  let text: string;
  try {
    text = await fs.readFile(path, 'utf8');
  } catch (e) {
    // A config the user pointed at must exist; the default locations are optional.
    if (explicit || (e as NodeJS.ErrnoException).code !== 'ENOENT') throw new Error(`cannot read docker config ${path}: ${(e as Error).message}`);
    return undefined;
  }
  let cfg: DockerConfigFile;
  try {
    cfg = JSON.parse(text) as DockerConfigFile;
  } catch (e) {
    throw new Error(`docker config ${path} is not valid JSON (${(e as Error).message})`);
  }
  const source = `docker config ${path}`;
  const serverURL = registry === DOCKER_HUB ? HUB_KEY : registry;
  const helper = lookup(cfg.credHelpers, registry) ?? cfg.credsStore;
  if (helper) {
    const found = await runCredentialHelper(helper, serverURL, source);
    if (found) return found;
  }
  const entry = lookup(cfg.auths, registry);
  if (!entry) return undefined;
  if (entry.identitytoken) return { identityToken: entry.identitytoken, source };
  if (entry.auth) {
    const dec = Buffer.from(entry.auth, 'base64').toString('utf8');
    const i = dec.indexOf(':');
    if (i < 0) throw new Error(`${source}: auths entry for ${registry} is not base64 "user:password"`);
    return { username: dec.slice(0, i), password: dec.slice(i + 1), source };
  }
  if (entry.username !== undefined || entry.password !== undefined) return { username: entry.username ?? '', password: entry.password ?? '', source };
  return undefined;
}
