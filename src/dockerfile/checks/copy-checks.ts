// Checks on COPY and ADD: ADD where COPY does the job, ADD of remote URLs, multi-source
// destinations that are not directories.
import type { Instruction } from '../types.ts';
import { byKeyword, type CheckHit, type DockerfileCheck } from './check.ts';

/** Archives ADD unpacks (tar, optionally gzip/bzip2/xz compressed): the one reason to prefer ADD. */
const LOCAL_ARCHIVE = /\.(tar|tar\.gz|tgz|tar\.bz2|tbz2?|tar\.xz|txz|tar\.zst|tzst|tar\.lz|gz|bz2|xz)$/i;
const REMOTE = /^(https?|ftp):\/\//i;
const GIT = /^(git@|git:\/\/|ssh:\/\/|https?:\/\/.*\.git(#.*)?$)/i;

/** Sources and destination of COPY/ADD (exec form or words; heredoc markers as their names). */
export function copyArgs(i: Instruction): { sources: string[]; dest: string } | undefined {
  const words = i.expanded ?? i.json ?? i.args.split(/\s+/).filter(Boolean);
  if (words.length < 2) return undefined;
  return { sources: words.slice(0, -1), dest: words[words.length - 1]! };
}

export const addInsteadOfCopy: DockerfileCheck = {
  id: 'DS-0005',
  aliases: ['DS005', 'AVD-DS-0005'],
  title: 'ADD instead of COPY',
  severity: 'LOW',
  rationale: 'ADD also fetches URLs and unpacks archives, so a plain file copy with ADD can do more than the author meant; COPY does only what it says (CIS Docker 4.9).',
  remediation: 'Use COPY for local files; keep ADD for local tar archives that must be unpacked.',
  references: ['https://docs.docker.com/build/building/best-practices/#add-or-copy'],
  check(df) {
    const hits: CheckHit[] = [];
    for (const i of byKeyword(df.stages, 'ADD')) {
      const a = copyArgs(i);
      if (!a) continue;
      const plain = a.sources.filter((s) => !REMOTE.test(s) && !GIT.test(s) && !LOCAL_ARCHIVE.test(s));
      if (plain.length) hits.push({ message: `ADD ${plain.join(' ')}: use COPY for files that need no unpacking`, at: i });
    }
    return hits;
  },
};

export const addRemote: DockerfileCheck = {
  id: 'TRIAD-DF-0002',
  title: 'ADD of a remote URL without a checksum',
  severity: 'MEDIUM',
  rationale: 'ADD <url> downloads at build time whatever the server returns, unverified; a compromised or changed file lands in the image silently.',
  remediation: "Download in a RUN step and verify a checksum (curl -fsSLo f URL && echo 'SHA  f' | sha256sum -c), or pass ADD --checksum=sha256:… (git sources: pin a commit).",
  check(df) {
    const hits: CheckHit[] = [];
    for (const i of byKeyword(df.stages, 'ADD')) {
      const a = copyArgs(i);
      if (!a) continue;
      const checksum = i.flags.some((f) => f.name === 'checksum' && f.value);
      for (const s of a.sources) {
        if (GIT.test(s)) {
          if (!/#[0-9a-f]{40}$/i.test(s)) hits.push({ message: `ADD ${s}: a git source not pinned to a commit`, at: i });
        } else if (REMOTE.test(s) && !checksum) hits.push({ message: `ADD ${s}: remote download without --checksum`, at: i });
      }
    }
    return hits;
  },
};

export const copyDestNotDir: DockerfileCheck = {
  id: 'DS-0011',
  aliases: ['DS011', 'AVD-DS-0011'],
  title: "COPY with more than two arguments not ending with slash",
  severity: 'CRITICAL',
  rationale: 'With several sources the destination must be a directory, written with a trailing slash; otherwise the build fails or files overwrite each other.',
  remediation: "End the destination with '/': COPY a b /app/",
  check(df) {
    const hits: CheckHit[] = [];
    for (const i of [...byKeyword(df.stages, 'COPY'), ...byKeyword(df.stages, 'ADD')]) {
      const a = copyArgs(i);
      if (!a || a.sources.length < 2) continue;
      if (!/[/\\]$/.test(a.dest) && !a.dest.startsWith('$')) hits.push({ message: `${i.keyword} with ${a.sources.length} sources into '${a.dest}', which does not end with '/'`, at: i });
    }
    return hits;
  },
};

export const COPY_CHECKS: DockerfileCheck[] = [addInsteadOfCopy, addRemote, copyDestNotDir];
