// Picking one image out of a multi-platform index: os/arch/variant, with the usual arm defaults
// and attestation manifests (platform unknown/unknown) never chosen.
export interface Descriptor {
  mediaType?: string;
  digest: string;
  size?: number;
  platform?: { os?: string; architecture?: string; variant?: string };
  annotations?: Record<string, string>;
}

export interface Platform {
  os: string;
  architecture: string;
  variant?: string;
}

export function parsePlatform(s: string): Platform {
  const [os, architecture, variant] = s.split('/');
  if (!os || !architecture) throw new Error(`invalid platform "${s}" (expected os/arch[/variant], e.g. linux/amd64)`);
  return { os, architecture, variant };
}

const DEFAULT_VARIANT: Record<string, string> = { arm64: 'v8', arm: 'v7' };

function isAttestation(d: Descriptor): boolean {
  return d.platform?.os === 'unknown' || d.annotations?.['vnd.docker.reference.type'] === 'attestation-manifest';
}

export function choosePlatform(list: Descriptor[], platform: string, ref: string): Descriptor {
  const want = parsePlatform(platform);
  const real = list.filter((d) => !isAttestation(d));
  if (real.length === 1 && !real[0]!.platform) return real[0]!;
  const matches = real.filter((d) => {
    const p = d.platform;
    if (!p) return false;
    if (p.os !== want.os || p.architecture !== want.architecture) return false;
    if (!want.variant) return true;
    return (p.variant ?? DEFAULT_VARIANT[p.architecture ?? '']) === want.variant;
  });
  if (matches.length > 0) {
    // Without a requested variant prefer the architecture's default one.
    const dv = DEFAULT_VARIANT[want.architecture];
    return matches.find((d) => !d.platform?.variant || d.platform.variant === dv) ?? matches[0]!;
  }
  const noPlatform = real.filter((d) => !d.platform);
  if (noPlatform.length > 0) return noPlatform[0]!;
  const have = real.map((d) => [d.platform?.os, d.platform?.architecture, d.platform?.variant].filter(Boolean).join('/')).join(', ');
  throw new Error(`${ref}: no image for platform ${platform} (available: ${have || 'none'})`);
}
