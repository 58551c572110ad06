// Registry authentication: parsing WWW-Authenticate challenges and running the Docker token flow
// (GET realm?service=&scope= with Basic credentials when there are any, or the OAuth2 refresh-token
// POST for identity tokens). Token servers answer with `token` (Docker) or `access_token` (OAuth2).
import type { Credentials } from './credentials.ts';

export interface Challenge {
  scheme: string;
  params: Record<string, string>;
}

/** 'Bearer realm="https://auth",service="reg",scope="repository:x:pull"' → {scheme: 'bearer', params}. */
export function parseChallenge(header: string | null): Challenge | undefined {
  if (!header) return undefined;
  const m = /^\s*([A-Za-z][\w-]*)\s*(.*)$/s.exec(header);
  if (!m) return undefined;
  const params: Record<string, string> = {};
  const re = /([\w-]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^,\s]*))/g;
  for (let p = re.exec(m[2]!); p; p = re.exec(m[2]!)) {
    params[p[1]!.toLowerCase()] = p[2] !== undefined ? p[2].replace(/\\(.)/g, '$1') : p[3]!;
  }
  return { scheme: m[1]!.toLowerCase(), params };
}

export function basicHeader(c: Credentials): string {
  return 'Basic ' + Buffer.from(`${c.username ?? ''}:${c.password ?? ''}`).toString('base64');
}

export interface TokenResult {
  token: string;
  /** Seconds, when the server says; tokens without one are reused until a 401 says otherwise. */
  expiresIn?: number;
}

/** Thrown when the token server rejects the credentials (or demands some). */
export class TokenAuthError extends Error {
  readonly status: number;
  constructor(status: number, message: string) {
    super(message);
    this.status = status;
  }
}

type Fetcher = (url: string, init: { method: string; headers: Record<string, string>; body?: string }) => Promise<Response>;

const MAX_TOKEN_RESPONSE = 1024 * 1024;

async function readSmallJSON(res: Response, what: string): Promise<Record<string, unknown>> {
  const text = await res.text();
  if (text.length > MAX_TOKEN_RESPONSE) throw new Error(`${what}: response too large`);
  try {
    const v = JSON.parse(text) as unknown;
    if (v && typeof v === 'object' && !Array.isArray(v)) return v as Record<string, unknown>;
  } catch {
    // fall through to the error below
  }
  throw new Error(`${what}: token response is not a JSON object`);
}

/** Gets a bearer token for `scope` from the challenge's realm. */
export async function fetchBearerToken(fetcher: Fetcher, ch: Challenge, scope: string, creds: Credentials | undefined): Promise<TokenResult> {
  const realm = ch.params.realm;
  if (!realm) throw new Error('registry asked for a bearer token without naming a realm');
  let url: URL;
  try {
    url = new URL(realm);
  } catch {
    throw new Error(`registry token realm ${JSON.stringify(realm)} is not a URL`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new Error(`registry token realm ${realm} is not http(s)`);
  const service = ch.params.service;
  let res: Response;
  if (creds?.identityToken) {
    const form = new URLSearchParams({ grant_type: 'refresh_token', refresh_token: creds.identityToken, client_id: 'triad' });
    if (service) form.set('service', service);
    if (scope) form.set('scope', scope);
    res = await fetcher(url.toString(), { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: form.toString() });
  } else {
    if (service) url.searchParams.set('service', service);
    for (const s of scope.split(' ').filter(Boolean)) url.searchParams.append('scope', s);
    const headers: Record<string, string> = {};
    if (creds && (creds.username || creds.password)) {
      headers.authorization = basicHeader(creds);
      if (creds.username) url.searchParams.set('account', creds.username);
    }
    res = await fetcher(url.toString(), { method: 'GET', headers });
  }
  if (res.status === 401 || res.status === 403) {
    await res.body?.cancel();
    throw new TokenAuthError(res.status, creds ? `token server ${url.host} rejected the credentials from ${creds.source}` : `token server ${url.host} requires credentials`);
  }
  if (!res.ok) {
    await res.body?.cancel();
    throw new Error(`token server ${url.host} answered HTTP ${res.status}`);
  }
  const body = await readSmallJSON(res, `token server ${url.host}`);
  const token = typeof body.token === 'string' && body.token ? body.token : typeof body.access_token === 'string' ? body.access_token : '';
  if (!token) throw new Error(`token server ${url.host} answered without a token`);
  const exp = typeof body.expires_in === 'number' && body.expires_in > 0 ? body.expires_in : undefined;
  return { token, expiresIn: exp };
}
