// Starts a real OCI registry (Debian's docker-registry, i.e. distribution 2.8) on a free loopback
// port with filesystem storage in a temp dir, optionally behind htpasswd (Basic) or token (Bearer)
// auth, and pushes images into it with skopeo. For token auth this process runs the token server:
// it issues RS256 JWTs whose header `kid` is the libtrust key ID of the signing key, which is how
// distribution matches a token to a certificate of its rootcertbundle.
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash, createPrivateKey, createPublicKey, randomBytes, sign, type KeyObject } from 'node:crypto';
import { closeSync, openSync, promises as fs, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, missingBinary, run, waitFor } from './util.ts';

export type RegistryAuth = 'none' | 'basic' | 'token';

export interface RegistryOptions {
  auth?: RegistryAuth;
  /** username → password, for basic and token auth. */
  users?: Record<string, string>;
  /** Token auth: which field the token server answers with (`token`, `access_token` or both). */
  tokenField?: 'token' | 'access_token' | 'both';
}

export interface TokenRequest {
  user?: string;
  scope: string[];
  service?: string;
}

export interface TestRegistry {
  /** "127.0.0.1:PORT": the registry part of image references. */
  readonly host: string;
  /** Filesystem storage root (docker/registry/v2/... below it). */
  readonly root: string;
  /** Requests the token server answered (token auth only). */
  readonly tokenRequests: TokenRequest[];
  /** skopeo copy SRC docker://HOST/DEST; `all` copies every platform of an index. */
  push(src: string, dest: string, opts?: { creds?: string; all?: boolean }): Promise<void>;
  /** Path of a blob's data file in the storage. */
  blobPath(digest: string): string;
  stop(): Promise<void>;
}

/** Why registry tests cannot run here, or undefined when they can. */
export function registryUnavailable(auth: RegistryAuth = 'none'): string | undefined {
  const bins = ['docker-registry', 'skopeo'];
  if (auth === 'basic') bins.push('htpasswd');
  if (auth === 'token') bins.push('openssl');
  return missingBinary(...bins);
}

const B32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

function base32(buf: Buffer): string {
  let bits = 0;
  let value = 0;
  let out = '';
  for (const b of buf) {
    value = (value << 8) | b;
    bits += 8;
    while (bits >= 5) {
      out += B32[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += B32[(value << (5 - bits)) & 31];
  return out;
}

/**
 * libtrust's key ID: SHA-256 of the DER SubjectPublicKeyInfo, first 240 bits, base32, in twelve
 * ':'-separated groups of four. distribution indexes its trusted keys by this string.
 */
export function libtrustKeyID(publicKey: KeyObject): string {
  const der = publicKey.export({ type: 'spki', format: 'der' });
  const id = base32(createHash('sha256').update(der).digest().subarray(0, 30));
  return id.match(/.{4}/g)!.join(':');
}

const b64url = (b: Buffer | string) => Buffer.from(b).toString('base64url');

function jwt(key: KeyObject, kid: string, claims: object): string {
  const head = b64url(JSON.stringify({ alg: 'RS256', typ: 'JWT', kid }));
  const body = b64url(JSON.stringify(claims));
  return `${head}.${body}.${b64url(sign('sha256', Buffer.from(`${head}.${body}`), key))}`;
}

function parseScopes(scopes: string[]): Array<{ type: string; name: string; actions: string[] }> {
  const out: Array<{ type: string; name: string; actions: string[] }> = [];
  for (const s of scopes.flatMap((x) => x.split(' ')).filter(Boolean)) {
    // repository:NAME:ACTIONS — NAME may itself contain ':' (a registry with a port), so split from both ends.
    const first = s.indexOf(':');
    const last = s.lastIndexOf(':');
    if (first < 0 || last === first) continue;
    out.push({ type: s.slice(0, first), name: s.slice(first + 1, last), actions: s.slice(last + 1).split(',') });
  }
  return out;
}

async function startTokenServer(dir: string, opts: RegistryOptions, requests: TokenRequest[]): Promise<{ server: Server; realm: string; certFile: string }> {
  const keyFile = join(dir, 'token.key');
  const certFile = join(dir, 'token.crt');
  await run('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', keyFile, '-out', certFile, '-subj', '/CN=triad-test-token', '-days', '2']);
  const key = createPrivateKey(readFileSync(keyFile));
  const kid = libtrustKeyID(createPublicKey(key));
  const users = opts.users ?? {};
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    let user: string | undefined;
    const auth = req.headers.authorization;
    if (auth?.startsWith('Basic ')) {
      const dec = Buffer.from(auth.slice(6), 'base64').toString();
      const i = dec.indexOf(':');
      user = dec.slice(0, i);
      if (users[user] === undefined || users[user] !== dec.slice(i + 1)) {
        res.writeHead(401, { 'content-type': 'application/json' }).end('{"details":"incorrect username or password"}');
        return;
      }
    }
    const scope = url.searchParams.getAll('scope');
    requests.push({ user, scope, service: url.searchParams.get('service') ?? undefined });
    const now = Math.floor(Date.now() / 1000);
    // Anonymous callers get a valid token that grants nothing, as public token servers do for private repos.
    const access = user ? parseScopes(scope) : [];
    const token = jwt(key, kid, {
      iss: 'triad-test-issuer',
      sub: user ?? '',
      aud: url.searchParams.get('service') ?? '',
      exp: now + 300,
      nbf: now - 10,
      iat: now,
      jti: randomBytes(8).toString('hex'),
      access,
    });
    const field = opts.tokenField ?? 'token';
    const body: Record<string, unknown> = { expires_in: 300, issued_at: new Date().toISOString() };
    if (field === 'token' || field === 'both') body.token = token;
    if (field === 'access_token' || field === 'both') body.access_token = token;
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
  });
  await new Promise<void>((res) => server.listen(0, '127.0.0.1', res));
  const addr = server.address();
  const port = typeof addr === 'object' && addr ? addr.port : 0;
  return { server, realm: `http://127.0.0.1:${port}/token`, certFile };
}

function configYaml(root: string, port: number, authBlock: string): string {
  return [
    'version: 0.1',
    'log:',
    '  level: warn',
    '  accesslog:',
    '    disabled: true',
    'storage:',
    '  filesystem:',
    `    rootdirectory: ${root}`,
    '  delete:',
    '    enabled: true',
    'http:',
    `  addr: 127.0.0.1:${port}`,
    `  secret: ${randomBytes(16).toString('hex')}`,
    authBlock,
    '',
  ].join('\n');
}

export async function startRegistry(opts: RegistryOptions = {}): Promise<TestRegistry> {
  const auth = opts.auth ?? 'none';
  const why = registryUnavailable(auth);
  if (why) throw new Error(`cannot start a registry: ${why}`);
  const dir = await fs.mkdtemp(join(tmpdir(), 'triad-registry-'));
  const root = join(dir, 'storage');
  const tokenRequests: TokenRequest[] = [];
  let tokenServer: Server | undefined;
  let authBlock = '';
  try {
    if (auth === 'basic') {
      const lines: string[] = [];
      for (const [u, p] of Object.entries(opts.users ?? {})) lines.push((await run('htpasswd', ['-Bbn', u, p])).stdout.trim());
      await fs.writeFile(join(dir, 'htpasswd'), lines.join('\n') + '\n');
      authBlock = `auth:\n  htpasswd:\n    realm: triad-test\n    path: ${join(dir, 'htpasswd')}`;
    } else if (auth === 'token') {
      const t = await startTokenServer(dir, opts, tokenRequests);
      tokenServer = t.server;
      authBlock = `auth:\n  token:\n    realm: ${t.realm}\n    service: triad-test-registry\n    issuer: triad-test-issuer\n    rootcertbundle: ${t.certFile}`;
    }
  } catch (e) {
    tokenServer?.close();
    await fs.rm(dir, { recursive: true, force: true });
    throw e;
  }

  // A port picked by freePort() can be taken by someone else before the registry binds it: retry.
  let child: ChildProcess | undefined;
  let port = 0;
  let lastErr: Error | undefined;
  for (let attempt = 0; attempt < 5 && !child; attempt++) {
    port = await freePort();
    const cfg = join(dir, 'config.yml');
    await fs.writeFile(cfg, configYaml(root, port, authBlock));
    const logFile = join(dir, 'registry.log');
    const log = openSync(logFile, 'a');
    const c = spawn('docker-registry', ['serve', cfg], { stdio: ['ignore', log, log], detached: true });
    closeSync(log);
    let exited: string | undefined;
    c.once('exit', (code, sig) => (exited = `exited (${code ?? sig}): ${readFileSync(logFile, 'utf8').trim().split('\n').slice(-3).join(' | ')}`));
    try {
      await waitFor(`registry on 127.0.0.1:${port}`, async () => {
        const r = await fetch(`http://127.0.0.1:${port}/v2/`);
        await r.arrayBuffer();
        return r.status === 200 || r.status === 401;
      }, 15_000, () => exited);
      child = c;
    } catch (e) {
      lastErr = e as Error;
      if (!exited) c.kill('SIGKILL');
    }
  }
  if (!child) {
    tokenServer?.close();
    await fs.rm(dir, { recursive: true, force: true });
    throw lastErr ?? new Error('registry did not start');
  }
  const proc = child;
  const host = `127.0.0.1:${port}`;

  return {
    host,
    root,
    tokenRequests,
    async push(src, dest, o = {}) {
      const args = ['copy', '--insecure-policy', '--quiet', '--dest-tls-verify=false'];
      if (o.creds) args.push('--dest-creds', o.creds);
      if (o.all) args.push('--all');
      args.push(src, `docker://${host}/${dest}`);
      await run('skopeo', args, { timeoutMs: 180_000 });
    },
    blobPath(digest) {
      const [alg, hex] = digest.split(':') as [string, string];
      return join(root, 'docker', 'registry', 'v2', 'blobs', alg, hex.slice(0, 2), hex, 'data');
    },
    async stop() {
      if (proc.exitCode === null && proc.signalCode === null) {
        const gone = new Promise((r) => proc.once('exit', r));
        proc.kill('SIGTERM');
        const t = setTimeout(() => proc.kill('SIGKILL'), 5000);
        await gone;
        clearTimeout(t);
      }
      tokenServer?.closeAllConnections();
      await new Promise<void>((r) => (tokenServer ? tokenServer.close(() => r()) : r()));
      await fs.rm(dir, { recursive: true, force: true });
    },
  };
}
