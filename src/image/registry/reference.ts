// Image references as users type them (`busybox`, `ghcr.io/o/r:tag`, `127.0.0.1:5000/x@sha256:...`),
// normalised the way the Docker CLI does: a first path component is a registry host only if it has a
// '.' or ':' or is "localhost"; everything else lives on Docker Hub, where one-component names get
// the `library/` prefix and the API is served by registry-1.docker.io.
import { ImageInputError } from '../source.ts';

export interface ImageReference {
  /** Registry as named in references: "docker.io", "127.0.0.1:5000". */
  registry: string;
  /** host[:port] the API is served on (registry-1.docker.io for docker.io). */
  apiHost: string;
  /** Repository path: "library/busybox", "test/busybox". */
  repository: string;
  tag?: string;
  digest?: string;
  /** What to ask the manifests endpoint for: the digest when given (it wins over a tag), else the tag. */
  reference: string;
  /** Docker's short form of the name: "busybox", "user/app", "127.0.0.1:5000/test/busybox". */
  familiarName: string;
}

export const DOCKER_HUB = 'docker.io';
export const DOCKER_HUB_API = 'registry-1.docker.io';

// Path components as distribution's reference grammar allows them (lowercase, separators . _ __ -).
const COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const TAG = /^[\w][\w.-]{0,127}$/;
const DIGEST = /^(sha256:[a-f0-9]{64}|sha512:[a-f0-9]{128})$/;
const HOST = /^(?:\[[0-9a-fA-F:.]+\]|[a-zA-Z0-9](?:[a-zA-Z0-9.-]*[a-zA-Z0-9])?)(?::[0-9]{1,5})?$/;

/** A reference split without validation: for names from manifests, SBOMs and engines that may hold anything. */
export interface LooseReference {
  /** The name as written, without tag and digest ("nginx", "127.0.0.1:5000/app"). */
  name: string;
  /** Normalised as Docker does: "docker.io" unless the first component looks like a host. */
  registry: string;
  /** Normalised repository path ("library/nginx" on Docker Hub). */
  repository: string;
  tag?: string;
  digest?: string;
}

/** Docker's splitting and normalisation rules without the grammar checks; never throws. */
export function looseReference(ref: string): LooseReference {
  let rest = ref;
  let digest: string | undefined;
  const at = rest.indexOf('@');
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
  }
  let tag: string | undefined;
  // A colon before the last '/' belongs to a registry port, not a tag.
  const colon = rest.lastIndexOf(':');
  if (colon > rest.lastIndexOf('/')) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
  }
  const name = rest;
  let registry = DOCKER_HUB;
  const slash = rest.indexOf('/');
  const first = slash >= 0 ? rest.slice(0, slash) : '';
  if (slash >= 0 && (first.includes('.') || first.includes(':') || first === 'localhost' || first.startsWith('['))) {
    registry = first.toLowerCase();
    rest = rest.slice(slash + 1);
  }
  if (registry === 'index.docker.io' || registry === DOCKER_HUB_API) registry = DOCKER_HUB;
  if (registry === DOCKER_HUB && !rest.includes('/')) rest = `library/${rest}`;
  const out: LooseReference = { name, registry, repository: rest };
  if (tag !== undefined) out.tag = tag;
  if (digest !== undefined) out.digest = digest;
  return out;
}

export function parseReference(ref: string): ImageReference {
  const bad = (why: string) => new ImageInputError(ref, `invalid image reference: ${why}`);
  if (ref.length === 0 || ref.length > 512) throw bad('empty or too long');
  const loose = looseReference(ref);
  const { digest, registry } = loose;
  let tag = loose.tag;
  const rest = loose.repository;
  if (digest !== undefined && !DIGEST.test(digest)) throw bad(`unsupported digest "${digest}" (expected sha256:<64 hex> or sha512:<128 hex>)`);
  if (tag !== undefined && !TAG.test(tag)) throw bad(`invalid tag "${tag}"`);
  const host = loose.name.slice(0, loose.name.indexOf('/'));
  if (registry !== DOCKER_HUB && !HOST.test(host)) throw bad(`invalid registry host "${host}"`);
  const parts = rest.split('/');
  for (const p of parts) {
    if (!COMPONENT.test(p)) throw bad(`invalid repository name "${rest}" (lowercase letters, digits and . _ - separators only)`);
  }
  if (rest.length > 255) throw bad('repository name longer than 255 characters');
  if (!tag && !digest) tag = 'latest';
  const familiarName = registry === DOCKER_HUB ? rest.replace(/^library\/(?=[^/]+$)/, '') : `${registry}/${rest}`;
  return {
    registry,
    apiHost: registry === DOCKER_HUB ? DOCKER_HUB_API : registry,
    repository: rest,
    tag,
    digest,
    reference: digest ?? tag!,
    familiarName,
  };
}

/** Loopback registries are plain http by default, as Docker treats 127.0.0.0/8 as insecure. */
export function isLoopbackHost(hostPort: string): boolean {
  let host = hostPort;
  if (host.startsWith('[')) host = host.slice(1, host.indexOf(']'));
  else if (host.includes(':')) host = host.slice(0, host.lastIndexOf(':'));
  host = host.toLowerCase();
  return host === 'localhost' || host === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}
