// Image misconfiguration checks (CIS Docker Benchmark §4 and common practice), computed from the
// image config, its history and the final filesystem with each path's layer of origin.
import { parseShell, commandName } from '../../dockerfile/shell.ts';
import type { ImageInfo, Layer, Package } from '../../model/types.ts';
import type { FinalEntry } from '../../scan/squash.ts';
import { secretInVariable } from '../secret-env.ts';
import type { CheckMeta } from '../types.ts';
import { historyInstruction, type BaseLayers } from './base.ts';

export interface ImageFacts {
  ref: string;
  info: ImageInfo;
  layers: Layer[];
  /** The final filesystem: path (no leading '/') -> entry with mode and layer of origin. */
  files: ReadonlyMap<string, FinalEntry>;
  packages: Package[];
  base: BaseLayers;
}

export interface ImageHit {
  message: string;
  path?: string;
  layer?: number;
}

export interface ImageCheck extends CheckMeta {
  check(f: ImageFacts): ImageHit[];
}

const CIS = 'https://www.cisecurity.org/benchmark/docker';

export const runsAsRoot: ImageCheck = {
  id: 'TRIAD-IMG-0001',
  aliases: ['CIS-DI-0001', 'DS-0002'],
  title: 'Image runs as root',
  severity: 'HIGH',
  rationale: 'With no USER (or USER root/0) every process in the container is root: any code execution is root in the container, one kernel or runtime bug from the host (CIS Docker 4.1).',
  remediation: "Create an unprivileged user and set it as the image's user (Dockerfile: USER app).",
  references: [CIS],
  check(f) {
    const u = (f.info.config.user ?? '').trim();
    if (u === '') return [{ message: 'The image config sets no user: containers run as root' }];
    if (/^(root|0)(:.*)?$/.test(u)) return [{ message: `The image user is '${u}'` }];
    return [];
  },
};

export const noHealthcheck: ImageCheck = {
  id: 'TRIAD-IMG-0002',
  aliases: ['CIS-DI-0006', 'DS-0026'],
  title: 'No HEALTHCHECK in the image',
  severity: 'LOW',
  rationale: 'Without a health check the engine cannot tell a hung service from a healthy one (CIS Docker 4.6). An explicit HEALTHCHECK NONE passes.',
  remediation: "Add 'HEALTHCHECK CMD <probe>' (or 'HEALTHCHECK NONE' when the orchestrator probes instead).",
  references: [CIS],
  check(f) {
    const h = f.info.config.healthcheck as { Test?: string[] } | undefined;
    return h && Array.isArray(h.Test) && h.Test.length > 0 ? [] : [{ message: 'The image config has no HEALTHCHECK' }];
  },
};

export const secretsInEnv: ImageCheck = {
  id: 'TRIAD-IMG-0003',
  aliases: ['CIS-DI-0010', 'DS-0031'],
  title: 'Secrets in ENV',
  severity: 'CRITICAL',
  rationale: 'Environment variables are part of the image config, readable by anyone who can pull the image and by every process in it (CIS Docker 4.10).',
  remediation: 'Remove the value from the image; inject secrets at run time (orchestrator secrets mounted as files).',
  references: [CIS],
  check(f) {
    const hits: ImageHit[] = [];
    for (const kv of f.info.config.env ?? []) {
      const eq = kv.indexOf('=');
      const name = eq < 0 ? kv : kv.slice(0, eq);
      const s = secretInVariable(name, eq < 0 ? '' : kv.slice(eq + 1));
      if (s) hits.push({ message: `ENV ${name}=${s.redacted}: ${s.reason}` });
    }
    return hits;
  },
};

/** Non-empty history entries, each with the index of the layer it made (undefined for empty ones). */
function historyWithLayers(f: ImageFacts): Array<{ text: string; layer?: number }> {
  let n = 0;
  return f.info.history.map((h) => ({ text: historyInstruction(h.created_by), ...(h.empty_layer ? {} : { layer: n++ }) }));
}

export const addRemote: ImageCheck = {
  id: 'TRIAD-IMG-0004',
  aliases: ['CIS-DI-0009'],
  title: 'ADD of a remote URL in the history',
  severity: 'MEDIUM',
  rationale: 'ADD <url> downloads unverified content at build time; the image carries whatever the server returned (CIS Docker 4.9).',
  remediation: 'Download in a RUN step with checksum verification, or ADD --checksum=…; prefer COPY.',
  references: [CIS],
  check: (f) =>
    historyWithLayers(f)
      .filter((h) => /^ADD\b.*\b(https?|ftp):\/\//i.test(h.text))
      .map((h) => ({ message: `History: ${h.text.slice(0, 200)}`, ...(h.layer !== undefined ? { layer: h.layer } : {}) })),
};

export const latestTag: ImageCheck = {
  id: 'TRIAD-IMG-0005',
  aliases: ['DKL-DI-0006'],
  title: "Image tagged ':latest'",
  severity: 'LOW',
  rationale: "':latest' is a moving name: what runs depends on when it was pulled, and rollbacks and audits cannot name the version.",
  remediation: 'Tag images with a version (and deploy by digest).',
  check(f) {
    const tags = [...f.info.repoTags];
    const refTag = /^(?:docker-daemon:|registry:)?([^@]+)$/.exec(f.ref)?.[1];
    if (refTag && !/^(docker-archive|oci-archive|oci|rootfs):/.test(f.ref) && !f.ref.startsWith('/') && !f.ref.startsWith('.')) tags.push(/:[^/]+$/.test(refTag) ? refTag : `${refTag}:latest`);
    const latest = [...new Set(tags.filter((t) => t.endsWith(':latest')))];
    return latest.length ? [{ message: `Tagged ${latest.join(', ')}` }] : [];
  },
};

function mode(e: FinalEntry): number {
  return e.rec.mode & 0o7777;
}

export const setuidAdded: ImageCheck = {
  id: 'TRIAD-IMG-0006',
  aliases: ['CIS-DI-0008'],
  title: 'setuid/setgid file added by the image',
  severity: 'HIGH',
  rationale: 'A setuid/setgid executable runs with its owner\'s rights whatever the caller: one the image added (rather than the base OS) is an unreviewed privilege escalation path (CIS Docker 4.8).',
  remediation: "Remove the bit ('chmod u-s,g-s FILE') or the file, or run containers with --security-opt no-new-privileges.",
  references: [CIS],
  check(f) {
    const hits: ImageHit[] = [];
    for (const [path, e] of f.files) {
      if (e.rec.type !== 'file' && e.rec.type !== 'hardlink') continue;
      const m = mode(e);
      if (!(m & 0o6000) || e.layer < f.base.count) continue;
      const what = m & 0o4000 && m & 0o2000 ? 'setuid+setgid' : m & 0o4000 ? 'setuid' : 'setgid';
      hits.push({ message: `/${path} is ${what} (mode ${m.toString(8).padStart(4, '0')})`, path: '/' + path, layer: e.layer });
    }
    return hits;
  },
};

export const worldWritableDirs: ImageCheck = {
  id: 'TRIAD-IMG-0007',
  title: 'World-writable directory without the sticky bit',
  severity: 'MEDIUM',
  rationale: 'Any user in the container can create, replace and delete other users\' files in such a directory: a way to plant binaries or tamper with data another process trusts (/tmp-style directories need the sticky bit, mode 1777).',
  remediation: "Tighten the mode ('chmod 755 DIR') or add the sticky bit ('chmod +t DIR').",
  check(f) {
    const hits: ImageHit[] = [];
    for (const [path, e] of f.files) {
      if (e.rec.type !== 'dir') continue;
      const m = mode(e);
      if ((m & 0o002) && !(m & 0o1000)) hits.push({ message: `/${path} is world-writable without the sticky bit (mode ${m.toString(8).padStart(4, '0')})`, path: '/' + path, layer: e.layer });
    }
    return hits;
  },
};

/** Package-manager caches: a path pattern and a name. */
const CACHES: Array<{ name: string; re: RegExp; root: (p: string) => string }> = [
  { name: 'apt package archives', re: /^var\/cache\/apt\/archives\/[^/]+\.deb$/, root: () => 'var/cache/apt/archives' },
  { name: 'apt package lists', re: /^var\/lib\/apt\/lists\/(?!lock$|partial(\/|$)|auxfiles(\/|$))[^/]+$/, root: () => 'var/lib/apt/lists' },
  { name: 'apk cache', re: /^(etc\/apk\/cache|var\/cache\/apk)\/[^/]+\.(apk|tar\.gz)$/, root: (p) => p.slice(0, p.lastIndexOf('/')) },
  { name: 'yum/dnf cache', re: /^var\/cache\/(yum|dnf)\/.+\.(rpm|sqlite|xml\.gz|solv)$/, root: (p) => p.split('/').slice(0, 3).join('/') },
  { name: 'pip cache', re: /^(root|home\/[^/]+)\/\.cache\/pip\/.+/, root: (p) => p.slice(0, p.indexOf('.cache/pip') + 10) },
  { name: 'npm cache', re: /^(root|home\/[^/]+)\/\.npm\/_cacache\/.+/, root: (p) => p.slice(0, p.indexOf('.npm') + 4) },
  { name: 'yarn cache', re: /^(root|home\/[^/]+)\/\.cache\/yarn\/.+/, root: (p) => p.slice(0, p.indexOf('.cache/yarn') + 11) },
];

export const packageCaches: ImageCheck = {
  id: 'TRIAD-IMG-0008',
  aliases: ['DKL-DI-0005'],
  title: 'Package manager cache left in the image',
  severity: 'LOW',
  rationale: 'Downloaded packages and indexes left in a layer add size and stale data to every pull and scan, and cached downloads may include packages that were never installed.',
  remediation: "Clean in the same RUN that fills the cache: 'rm -rf /var/lib/apt/lists/*', 'apk add --no-cache', 'pip install --no-cache-dir', 'npm cache clean --force' (or use BuildKit cache mounts).",
  check(f) {
    const byRoot = new Map<string, { name: string; files: number; bytes: number; layers: Set<number> }>();
    for (const [path, e] of f.files) {
      if (e.rec.type !== 'file') continue;
      const c = CACHES.find((x) => x.re.test(path));
      if (!c) continue;
      const root = c.root(path);
      let r = byRoot.get(root);
      if (!r) byRoot.set(root, (r = { name: c.name, files: 0, bytes: 0, layers: new Set() }));
      r.files++;
      r.bytes += e.rec.size;
      r.layers.add(e.layer);
    }
    return [...byRoot].map(([root, r]) => ({
      message: `${r.name} in /${root}: ${r.files} files, ${(r.bytes / 1024).toFixed(0)} KiB`,
      path: '/' + root,
      layer: Math.max(...r.layers),
    }));
  },
};

function installed(f: ImageFacts, names: string[], paths: string[]): ImageHit[] {
  const pkgs = f.packages.filter((p) => ['deb', 'apk', 'rpm'].includes(p.ecosystem) && names.includes(p.name));
  if (pkgs.length) return pkgs.map((p) => ({ message: `Package ${p.name} ${p.version} is installed`, ...(p.layer ? { layer: p.layer.index } : {}) }));
  const out: ImageHit[] = [];
  for (const p of paths) {
    const e = f.files.get(p);
    if (e && (e.rec.type === 'file' || e.rec.type === 'hardlink')) out.push({ message: `/${p} is present`, path: '/' + p, layer: e.layer });
  }
  return out;
}

export const sudoInstalled: ImageCheck = {
  id: 'TRIAD-IMG-0009',
  title: 'sudo installed',
  severity: 'MEDIUM',
  rationale: 'sudo in a container is a ready privilege escalation path for any process that gets a shell as a sudoer, and a sign the image expects root access at run time.',
  remediation: 'Remove sudo; do privileged setup at build time before USER, or give the container only the capabilities it needs.',
  check: (f) => installed(f, ['sudo', 'doas', 'opendoas'], ['usr/bin/sudo', 'bin/sudo', 'usr/bin/doas']),
};

export const sshServer: ImageCheck = {
  id: 'TRIAD-IMG-0010',
  title: 'SSH server installed',
  severity: 'MEDIUM',
  rationale: 'An SSH daemon in a container is a remote login path with its own keys and passwords to manage, outside the runtime\'s access control (use docker exec / kubectl exec).',
  remediation: 'Remove the SSH server package from the image.',
  check: (f) => installed(f, ['openssh-server', 'dropbear', 'dropbear-bin', 'tinysshd'], ['usr/sbin/sshd', 'usr/sbin/dropbear']),
};

const RISKY_PORTS: Record<number, string> = {
  21: 'FTP', 22: 'SSH', 23: 'Telnet', 111: 'rpcbind', 445: 'SMB', 2375: 'Docker API (plain)', 2376: 'Docker API', 3389: 'RDP', 5900: 'VNC',
  3306: 'MySQL', 5432: 'PostgreSQL', 6379: 'Redis', 27017: 'MongoDB', 9200: 'Elasticsearch', 11211: 'memcached', 5984: 'CouchDB',
  1433: 'SQL Server', 1521: 'Oracle', 9042: 'Cassandra', 2379: 'etcd', 8086: 'InfluxDB', 7001: 'WebLogic',
};

export const riskyPorts: ImageCheck = {
  id: 'TRIAD-IMG-0011',
  aliases: ['DS-0004'],
  title: 'Risky port exposed',
  severity: 'MEDIUM',
  rationale: 'Remote-administration, plain-text and database ports invite publishing services that should stay on an internal network, or reveal that the image runs them.',
  remediation: 'Remove the EXPOSE (and the service) or keep the port off published networks; put databases in their own hardened images.',
  check(f) {
    const hits: ImageHit[] = [];
    for (const p of f.info.config.exposedPorts ?? []) {
      const n = Number(p.split('/')[0]);
      const what = RISKY_PORTS[n];
      if (what && !/\/udp$/i.test(p)) hits.push({ message: `Port ${p} (${what}) is exposed` });
    }
    return hits;
  },
};

const SINKS = new Set(['sh', 'bash', 'ash', 'dash', 'zsh', 'ksh', 'python', 'python3', 'perl', 'ruby', 'node']);

export const pipeToShell: ImageCheck = {
  id: 'TRIAD-IMG-0012',
  aliases: ['TRIAD-DF-0003'],
  title: 'Download piped into a shell in the history',
  severity: 'HIGH',
  rationale: 'curl … | sh ran unverified remote code while building the image; nothing records what that code was.',
  remediation: 'Download to a file and verify a checksum or signature before running it.',
  check(f) {
    const hits: ImageHit[] = [];
    for (const h of historyWithLayers(f)) {
      if (!/^RUN /.test(h.text)) continue;
      const script = h.text.replace(/^RUN\s+/, '').replace(/^\|\d+(\s+\S+=\S*)*\s+/, '').replace(/^\/bin\/sh -c\s+/, '').replace(/\s+# buildkit$/, '');
      const cmds = parseShell(script);
      for (let k = 0; k + 1 < cmds.length; k++) {
        if (!cmds[k]!.pipesTo || !['curl', 'wget'].includes(commandName(cmds[k]!))) continue;
        let j = k + 1;
        while (j < cmds.length && cmds[j - 1]!.pipesTo && !SINKS.has(commandName(cmds[j]!))) j++;
        if (j < cmds.length && cmds[j - 1]!.pipesTo && SINKS.has(commandName(cmds[j]!))) {
          hits.push({ message: `History: ${commandName(cmds[k]!)} piped into ${commandName(cmds[j]!)}: ${script.slice(0, 160)}`, ...(h.layer !== undefined ? { layer: h.layer } : {}) });
          break;
        }
      }
    }
    return hits;
  },
};

export const IMAGE_CHECKS: readonly ImageCheck[] = [
  runsAsRoot, noHealthcheck, secretsInEnv, addRemote, latestTag, setuidAdded, worldWritableDirs, packageCaches, sudoInstalled, sshServer, riskyPorts, pipeToShell,
];
