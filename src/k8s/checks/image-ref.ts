// Container image references as the container runtime resolves them: `nginx` is
// docker.io/library/nginx:latest; the first component is a registry only when it looks like a host.
import { looseReference } from '../../image/registry/reference.ts';

export interface ImageRef {
  registry: string;
  repository: string;
  tag?: string;
  digest?: string;
}

export function parseImageRef(image: string): ImageRef {
  const { registry, repository, tag, digest } = looseReference(image.trim());
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
