// Container image references as the container runtime resolves them: `nginx` is
// docker.io/library/nginx:latest; the first component is a registry only when it looks like a host.
export interface ImageRef {
  registry: string;
  repository: string;
  tag?: string;
  digest?: string;
}

export function parseImageRef(image: string): ImageRef {
  let rest = image.trim();
  let digest: string | undefined;
  const at = rest.indexOf('@');
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
  }
  let tag: string | undefined;
  const colon = rest.lastIndexOf(':');
  if (colon > rest.lastIndexOf('/')) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
  }
  const slash = rest.indexOf('/');
  const first = slash >= 0 ? rest.slice(0, slash) : '';
  let registry = 'docker.io';
  let repository = rest;
  if (slash >= 0 && (first.includes('.') || first.includes(':') || first === 'localhost')) {
    registry = first.toLowerCase();
    repository = rest.slice(slash + 1);
  } else if (slash < 0) {
    repository = `library/${rest}`;
  }
  if (registry === 'index.docker.io' || registry === 'registry-1.docker.io') registry = 'docker.io';
  const ref: ImageRef = { registry, repository };
  if (tag !== undefined) ref.tag = tag;
  if (digest !== undefined) ref.digest = digest;
  return ref;
}

/**
 * An allow-list entry matches a registry host (`gcr.io`), any host under a domain
 * (`amazonaws.com` matches `1234.dkr.ecr.eu-west-1.amazonaws.com`), or a registry/path prefix
 * (`ghcr.io/acme` matches `ghcr.io/acme/app`).
 */
export function registryAllowed(ref: ImageRef, allowList: readonly string[]): boolean {
  const full = `${ref.registry}/${ref.repository}`;
  for (const raw of allowList) {
    const entry = raw.trim().toLowerCase().replace(/^[a-z]+:\/\//, '').replace(/\/+$/, '');
    if (!entry) continue;
    if (entry.includes('/')) {
      if (full === entry || full.startsWith(`${entry}/`)) return true;
    } else if (ref.registry === entry || ref.registry.endsWith(`.${entry}`)) return true;
  }
  return false;
}
