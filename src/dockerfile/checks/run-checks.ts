// Checks on what RUN executes (shell form, exec form and heredoc scripts alike): sudo, cd as a
// WORKDIR substitute, piping downloads into a shell, mixing curl and wget, upgrading everything.
import { commandName, runCommands, type Command } from '../shell.ts';
import type { Instruction } from '../types.ts';
import { allRuns, type CheckHit, type DockerfileCheck } from './check.ts';

function eachRun(df: Parameters<DockerfileCheck['check']>[0], f: (i: Instruction, cmds: Command[]) => string | undefined): CheckHit[] {
  const hits: CheckHit[] = [];
  for (const i of allRuns(df)) {
    const msg = f(i, runCommands(i));
    if (msg) hits.push({ message: msg, at: i });
  }
  return hits;
}

export const sudo: DockerfileCheck = {
  id: 'DS-0010',
  aliases: ['DS010', 'AVD-DS-0010'],
  title: "RUN using 'sudo'",
  severity: 'CRITICAL',
  rationale: 'Builds already run as the current USER with its rights; sudo in a RUN means sudo is installed and configured in the image, a ready privilege escalation path at run time, with unpredictable TTY and signal behaviour.',
  remediation: 'Drop sudo: run the step before switching USER, or switch USER around it.',
  check: (df) => eachRun(df, (_i, cmds) => (cmds.some((c) => c.sudo) ? 'RUN uses sudo' : undefined)),
};

export const cdInsteadOfWorkdir: DockerfileCheck = {
  id: 'DS-0013',
  aliases: ['DS013', 'AVD-DS-0013'],
  title: "'RUN cd ...' to change directory",
  severity: 'MEDIUM',
  rationale: 'A cd in RUN lasts only for that RUN; starting a RUN with cd hides the directory the rest depends on, and a lone `RUN cd` does nothing. WORKDIR is explicit and persists.',
  remediation: "Use 'WORKDIR /path' instead of 'RUN cd /path'.",
  check: (df) =>
    eachRun(df, (_i, cmds) => {
      const first = cmds[0];
      return first && commandName(first) === 'cd' && first.words[1]?.startsWith('/') ? `RUN starts with 'cd ${first.words[1]}': use WORKDIR` : undefined;
    }),
};

const SHELL_SINKS = new Set(['sh', 'bash', 'ash', 'dash', 'zsh', 'ksh', 'python', 'python3', 'perl', 'ruby', 'node', 'php']);
const FETCHERS = new Set(['curl', 'wget', 'fetch']);

export const pipeToShell: DockerfileCheck = {
  id: 'TRIAD-DF-0003',
  title: 'Download piped into a shell',
  severity: 'HIGH',
  rationale: 'curl … | sh runs whatever the server (or anyone on the path) returns, unverified, as the build user; nothing in the image records what was run.',
  remediation: 'Download to a file, verify its checksum or signature, then run it: curl -fsSLo install.sh URL && echo "SHA  install.sh" | sha256sum -c && sh install.sh',
  check: (df) =>
    eachRun(df, (_i, cmds) => {
      for (let k = 0; k + 1 < cmds.length; k++) {
        const c = cmds[k]!;
        if (!c.pipesTo || !FETCHERS.has(commandName(c))) continue;
        // The pipeline may pass through other filters before the shell: follow it to its end.
        for (let j = k + 1; j < cmds.length; j++) {
          const sink = commandName(cmds[j]!);
          if (SHELL_SINKS.has(sink)) return `${commandName(c)} output is piped into ${sink}`;
          if (!cmds[j]!.pipesTo) break;
        }
      }
      return undefined;
    }),
};

/** A fetcher used to download (not being installed by a package manager). */
function uses(cmds: Command[], tool: string): boolean {
  return cmds.some((c) => commandName(c) === tool);
}

export const curlAndWget: DockerfileCheck = {
  id: 'DS-0014',
  aliases: ['DS014', 'AVD-DS-0014'],
  title: "RUN using 'wget' and 'curl'",
  severity: 'LOW',
  rationale: 'Two download tools where one does: more image size and attack surface for nothing.',
  remediation: "Pick one of 'curl' or 'wget'.",
  check(df) {
    const runs = allRuns(df).map((i) => ({ i, cmds: runCommands(i) }));
    const curl = runs.filter((r) => uses(r.cmds, 'curl'));
    const wget = runs.filter((r) => uses(r.cmds, 'wget'));
    if (!curl.length || !wget.length) return [];
    return wget.map((r) => ({ message: 'Both wget and curl are used in this Dockerfile', at: r.i }));
  },
};

/** Upgrading every installed package: `apt-get upgrade`, `yum update` with no package named ... */
function fullUpgrade(c: Command): string | undefined {
  const name = commandName(c);
  const args = c.words.slice(1).filter((w) => !w.startsWith('-'));
  const sub = args[0];
  if ((name === 'apt-get' || name === 'apt' || name === 'aptitude') && (sub === 'upgrade' || sub === 'full-upgrade' || sub === 'safe-upgrade')) return `${name} ${sub}`;
  if ((name === 'yum' || name === 'dnf' || name === 'microdnf' || name === 'tdnf') && (sub === 'update' || sub === 'upgrade') && args.length === 1) return `${name} ${sub}`;
  if (name === 'apk' && sub === 'upgrade') return 'apk upgrade';
  if (name === 'zypper' && (sub === 'update' || sub === 'up' || sub === 'dup' || sub === 'dist-upgrade') && args.length === 1) return `zypper ${sub}`;
  return undefined;
}

export const distUpgrade: DockerfileCheck = {
  id: 'DS-0024',
  aliases: ['DS024', 'AVD-DS-0024'],
  title: "'apt-get dist-upgrade' used",
  severity: 'HIGH',
  rationale: "'apt-get dist-upgrade' may add and remove packages and jump to new major versions: the image contents stop being predictable from the base image.",
  remediation: 'Update the base image instead, or install the specific packages you need.',
  check: (df) =>
    eachRun(df, (_i, cmds) =>
      cmds.some((c) => ['apt-get', 'apt'].includes(commandName(c)) && c.words.slice(1).find((w) => !w.startsWith('-')) === 'dist-upgrade') ? 'RUN uses apt-get dist-upgrade' : undefined,
    ),
};

export const upgradeAll: DockerfileCheck = {
  id: 'TRIAD-DF-0007',
  title: 'Upgrading all packages in RUN',
  severity: 'LOW',
  rationale: "'apt-get upgrade', 'yum update', 'apk upgrade' and the like make the image depend on the day it was built and hide that the base image is stale (security fixes belong in a newer base image).",
  remediation: 'Use a newer (patched) base image and install specific packages; rebuild regularly.',
  check: (df) =>
    eachRun(df, (_i, cmds) => {
      for (const c of cmds) {
        const u = fullUpgrade(c);
        if (u) return `RUN uses '${u}'`;
      }
      return undefined;
    }),
};

export const RUN_CHECKS: DockerfileCheck[] = [sudo, cdInsteadOfWorkdir, pipeToShell, curlAndWget, distUpgrade, upgradeAll];
