// Checks on OS package installs in RUN: non-interactive flags, recommended packages, version
// pinning, cache cleanup in the same layer (or a cache mount), and `update` left alone.
import { commandName, runCommands, type Command } from '../shell.ts';
import type { Instruction } from '../types.ts';
import { allRuns, type CheckHit, type DockerfileCheck } from './check.ts';

type Manager = 'apt' | 'apk' | 'yum' | 'dnf' | 'microdnf' | 'zypper';

const MANAGERS: Record<string, Manager> = { 'apt-get': 'apt', apt: 'apt', apk: 'apk', yum: 'yum', dnf: 'dnf', tdnf: 'dnf', microdnf: 'microdnf', zypper: 'zypper' };
const INSTALL: Record<Manager, Set<string>> = {
  apt: new Set(['install']),
  apk: new Set(['add']),
  yum: new Set(['install', 'groupinstall', 'localinstall', 'reinstall']),
  dnf: new Set(['install', 'groupinstall', 'localinstall', 'reinstall']),
  microdnf: new Set(['install', 'reinstall']),
  zypper: new Set(['install', 'in', 'source-install', 'si']),
};
/** Options that take a separate value word (so the value is not mistaken for a package). */
const VALUE_OPTS = new Set(['-o', '-c', '-t', '--option', '--config', '--target-release', '--repository', '-X', '--root', '-p', '--virtual', '-t', '--setopt', '--enablerepo', '--disablerepo', '--installroot', '--releasever', '-r', '--repo', '--from']);

interface PkgCommand {
  manager: Manager;
  sub: string;
  options: string[];
  packages: string[];
  cmd: Command;
}

export function packageCommand(c: Command): PkgCommand | undefined {
  const manager = MANAGERS[commandName(c)];
  if (!manager) return undefined;
  const options: string[] = [];
  const rest: string[] = [];
  const w = c.words;
  for (let k = 1; k < w.length; k++) {
    const x = w[k]!;
    if (x.startsWith('-')) {
      options.push(x);
      if (VALUE_OPTS.has(x) && k + 1 < w.length) options.push(w[++k]!);
    } else rest.push(x);
  }
  const sub = rest[0];
  if (sub === undefined) return undefined;
  return { manager, sub, options, packages: rest.slice(1), cmd: c };
}

function installs(cmds: Command[]): PkgCommand[] {
  return cmds.map(packageCommand).filter((p): p is PkgCommand => !!p && INSTALL[p.manager].has(p.sub));
}

function eachInstall(df: Parameters<DockerfileCheck['check']>[0], f: (p: PkgCommand, run: Instruction, cmds: Command[], all: PkgCommand[]) => string | undefined): CheckHit[] {
  const hits: CheckHit[] = [];
  for (const run of allRuns(df)) {
    const cmds = runCommands(run);
    const all = cmds.map(packageCommand).filter((p): p is PkgCommand => !!p);
    for (const p of installs(cmds)) {
      const msg = f(p, run, cmds, all);
      if (msg) {
        hits.push({ message: msg, at: run });
        break; // one finding per RUN and check
      }
    }
  }
  return hits;
}

function hasCacheMount(run: Instruction, dirs: RegExp): boolean {
  return run.flags.some((f) => f.name === 'mount' && /type=cache/.test(f.value ?? '') && dirs.test(f.value ?? ''));
}

/** `rm -rf` of one of the paths (globs allowed) somewhere in the same RUN. */
function removes(cmds: Command[], path: RegExp): boolean {
  return cmds.some((c) => commandName(c) === 'rm' && c.words.slice(1).some((w) => path.test(w)));
}

const cleaned = (manager: Manager, cmds: Command[], all: PkgCommand[]) => {
  const sub = (m: Manager, s: string, arg?: string) => all.some((p) => p.manager === m && p.sub === s && (arg === undefined || p.packages.includes(arg)));
  switch (manager) {
    case 'yum':
      return sub('yum', 'clean', 'all') || removes(cmds, /^\/var\/cache\/yum/);
    case 'dnf':
      return sub('dnf', 'clean', 'all') || removes(cmds, /^\/var\/cache\/(dnf|yum)/);
    case 'microdnf':
      return sub('microdnf', 'clean', 'all') || removes(cmds, /^\/var\/cache\/(dnf|yum)/);
    case 'zypper':
      return sub('zypper', 'clean') || sub('zypper', 'cc') || removes(cmds, /^\/var\/cache\/zypp/);
    default:
      return true;
  }
};

function cleanCheck(id: string, manager: Manager, alias: string, title: string, clean: string): DockerfileCheck {
  return {
    id,
    aliases: [alias, `AVD-${id}`],
    title,
    severity: 'HIGH',
    rationale: `${manager} keeps downloaded packages and metadata in its cache; left in the layer they add size and stale repository data to the image.`,
    remediation: `Add '${clean}' at the end of the same RUN (or use a cache mount).`,
    check: (df) =>
      eachInstall(df, (p, run, cmds, all) =>
        p.manager === manager && !cleaned(manager, cmds, all) && !hasCacheMount(run, /\/var\/cache\/(yum|dnf|zypp)/) ? `'${commandName(p.cmd)} ${p.sub}' without '${clean}'` : undefined,
      ),
  };
}

export const yumClean = cleanCheck('DS-0015', 'yum', 'DS015', "'yum clean all' missing", 'yum clean all');
export const dnfClean = cleanCheck('DS-0019', 'dnf', 'DS019', "'dnf clean all' missing", 'dnf clean all');
export const zypperClean = cleanCheck('DS-0020', 'zypper', 'DS020', "'zypper clean' missing", 'zypper clean');
export const microdnfClean = cleanCheck('DS-0027', 'microdnf', 'DS027', "'microdnf clean all' missing", 'microdnf clean all');

export const aptYes: DockerfileCheck = {
  id: 'DS-0021',
  aliases: ['DS021', 'AVD-DS-0021'],
  title: "'apt-get' missing '-y' to avoid manual input",
  severity: 'HIGH',
  rationale: 'Without -y apt-get asks for confirmation, which a build cannot give: the step fails or hangs.',
  remediation: "Add '-y' (or '--yes', '--assume-yes', '-qq') to 'apt-get install'.",
  check: (df) =>
    eachInstall(df, (p) => {
      if (p.manager !== 'apt') return undefined;
      const yes = p.options.some((o) => o === '--yes' || o === '--assume-yes' || o === '-qq' || /^-[a-z]*y[a-z]*$/i.test(o) || /^--?(assume-yes|yes)=(1|true|yes)$/i.test(o));
      const conf = p.options.some((o) => /APT::Get::Assume-Yes\s*=\s*(true|1|yes)/i.test(o));
      return yes || conf ? undefined : `'${commandName(p.cmd)} install' without '-y'`;
    }),
};

export const aptNoRecommends: DockerfileCheck = {
  id: 'DS-0029',
  aliases: ['DS029', 'AVD-DS-0029'],
  title: "'apt-get' missing '--no-install-recommends'",
  severity: 'HIGH',
  rationale: 'Recommended packages are pulled in by default: more size, more packages to patch, more attack surface.',
  remediation: "Add '--no-install-recommends' to 'apt-get install'.",
  check: (df) =>
    eachInstall(df, (p) => {
      if (p.manager !== 'apt') return undefined;
      if (p.options.some((o) => o === '--no-install-recommends' || /APT::Install-Recommends\s*=\s*(false|0|no)/i.test(o))) return undefined;
      if (p.packages.every((x) => x.endsWith('.deb'))) return undefined;
      return `'${commandName(p.cmd)} install' without '--no-install-recommends'`;
    }),
};

export const apkNoCache: DockerfileCheck = {
  id: 'DS-0025',
  aliases: ['DS025', 'AVD-DS-0025'],
  title: "'apk add' is missing '--no-cache'",
  severity: 'HIGH',
  rationale: "Without --no-cache apk keeps the package index in /var/cache/apk: size and stale data in the layer.",
  remediation: "Use 'apk add --no-cache …' (or remove /var/cache/apk/* in the same RUN, or use a cache mount).",
  check: (df) =>
    eachInstall(df, (p, run, cmds) => {
      if (p.manager !== 'apk') return undefined;
      if (p.options.includes('--no-cache') || removes(cmds, /^\/var\/cache\/apk/) || hasCacheMount(run, /\/var\/cache\/apk/)) return undefined;
      return "'apk add' without '--no-cache'";
    }),
};

export const aptListsLeft: DockerfileCheck = {
  id: 'TRIAD-DF-0005',
  title: 'apt lists left in the layer',
  severity: 'LOW',
  rationale: "'apt-get update' writes tens of MB of package lists to /var/lib/apt/lists; 'apt-get clean' does not remove them. Left in the layer they bloat the image and go stale.",
  remediation: "End the RUN with 'rm -rf /var/lib/apt/lists/*' (or use cache mounts for /var/lib/apt and /var/cache/apt).",
  check: (df) =>
    eachInstall(df, (p, run, cmds, all) => {
      if (p.manager !== 'apt' || !all.some((x) => x.manager === 'apt' && x.sub === 'update')) return undefined;
      if (removes(cmds, /^\/var\/lib\/apt\/lists/) || hasCacheMount(run, /\/var\/lib\/apt/)) return undefined;
      return "'apt-get update' lists are not removed in the same RUN";
    }),
};

/** Whether a package argument names a version (apt `p=1.2`, apk `p=1.2`/`p~1.2`, rpm `p-1.2`). */
function pinned(manager: Manager, pkg: string): boolean {
  if (pkg.startsWith('$') || pkg.includes('/') || /\.(deb|rpm|apk)$/.test(pkg)) return true;
  if (manager === 'apt') return /=/.test(pkg);
  if (manager === 'apk') return /[=~<>]/.test(pkg);
  if (manager === 'zypper') return /[=<>]/.test(pkg) || /-\d[\w.+~]*(-[\w.+~]+)?$/.test(pkg);
  return /-\d[\w.+~:]*(-[\w.+~]+)?$/.test(pkg) || /[=<>]/.test(pkg) || pkg.startsWith('@');
}

export const unpinnedPackages: DockerfileCheck = {
  id: 'TRIAD-DF-0004',
  title: 'OS packages installed without a pinned version',
  severity: 'LOW',
  rationale: 'Unpinned installs take whatever the repository has at build time: two builds of the same Dockerfile differ, and a regression or compromised package slips in unnoticed.',
  remediation: "Pin versions ('apt-get install curl=7.88.1-10+deb12u5', 'apk add curl=8.5.0-r0'), and update the pins deliberately.",
  check: (df) =>
    eachInstall(df, (p) => {
      const loose = p.packages.filter((x) => !pinned(p.manager, x));
      return loose.length ? `${commandName(p.cmd)} ${p.sub} without versions: ${loose.slice(0, 5).join(' ')}${loose.length > 5 ? ' …' : ''}` : undefined;
    }),
};

const UPDATE = new Set(['update', 'up', 'makecache', 'refresh', 'ref']);

export const updateAlone: DockerfileCheck = {
  id: 'DS-0017',
  aliases: ['DS017', 'AVD-DS-0017'],
  title: "'RUN <package-manager> update' instruction alone",
  severity: 'HIGH',
  rationale: "An index update in its own RUN is cached as a layer: later 'install' steps reuse the stale index and install old (vulnerable) versions or fail.",
  remediation: "Combine '<package-manager> update' and '<package-manager> install' in one RUN.",
  check(df) {
    const hits: CheckHit[] = [];
    for (const run of allRuns(df)) {
      const all = runCommands(run).map(packageCommand).filter((p): p is PkgCommand => !!p);
      all.forEach((p, k) => {
        if (!UPDATE.has(p.sub) || (p.manager !== 'apt' && p.packages.length > 0)) return;
        // yum/dnf/zypper 'update' with no package also upgrades: that counts as installing.
        if (p.manager !== 'apt' && p.manager !== 'apk' && p.sub !== 'makecache' && p.sub !== 'refresh' && p.sub !== 'ref') return;
        const followed = all.slice(k + 1).some((q) => q.manager === p.manager && (INSTALL[q.manager].has(q.sub) || q.sub === 'upgrade' || q.sub === 'dist-upgrade'));
        if (!followed) hits.push({ message: `'${commandName(p.cmd)} ${p.sub}' is not followed by an install in the same RUN`, at: run });
      });
    }
    return hits;
  },
};

export const PACKAGE_CHECKS: DockerfileCheck[] = [yumClean, dnfClean, zypperClean, microdnfClean, aptYes, aptNoRecommends, apkNoCache, aptListsLeft, unpinnedPackages, updateAlone];
