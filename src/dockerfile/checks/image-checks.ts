// Checks on what the Dockerfile declares about the image: base images, user, entrypoint, ports,
// health checks, working directory, stage names, metadata and secrets in ARG/ENV.
import { secretInVariable } from '../../misconfig/secret-env.ts';
import { parseImageRef } from '../../sbom/common.ts';
import { splitPairs } from '../lexer.ts';
import type { Instruction } from '../types.ts';
import { byKeyword, finalStage, stageChain, type CheckHit, type DockerfileCheck } from './check.ts';

const DOCKER_BP = 'https://docs.docker.com/build/building/best-practices/';

/** FROM lines that name an external image (not scratch, not an earlier stage, fully resolved). */
function externalFroms(df: Parameters<DockerfileCheck['check']>[0]) {
  return df.stages.filter((s) => s.baseStage === undefined && s.baseImage.toLowerCase() !== 'scratch' && s.baseImage !== '');
}

export const latestTag: DockerfileCheck = {
  id: 'DS-0001',
  aliases: ['DS001', 'AVD-DS-0001'],
  title: "':latest' tag used",
  severity: 'MEDIUM',
  rationale: 'A FROM without a tag (or with :latest) builds on whatever the tag points to today: builds are not reproducible and a base image update can break or compromise the image unnoticed.',
  remediation: "Name a specific tag in FROM (e.g. 'debian:12.5'), ideally with a digest.",
  references: [DOCKER_BP],
  check(df) {
    const hits: CheckHit[] = [];
    for (const s of externalFroms(df)) {
      const r = parseImageRef(s.baseImage);
      // A variable left in the reference: the tag is decided at build time, nothing to judge.
      if (s.baseUnresolved && !r.tag && !r.digest) continue;
      if (r.digest) continue;
      if (!r.tag) hits.push({ message: `FROM ${s.baseImage} has no tag: it means ':latest'`, at: s.from });
      else if (r.tag === 'latest') hits.push({ message: `FROM ${s.baseImage} uses the ':latest' tag`, at: s.from });
    }
    return hits;
  },
};

export const unpinnedDigest: DockerfileCheck = {
  id: 'TRIAD-DF-0001',
  title: 'Base image not pinned by digest',
  severity: 'LOW',
  rationale: 'Tags are mutable: the same FROM line can pull a different (possibly tampered) image tomorrow. Only a digest names exactly one image.',
  remediation: "Pin the base image by digest: 'FROM debian:12.5@sha256:…' (tools like Renovate keep digests current).",
  references: [DOCKER_BP],
  check(df) {
    return externalFroms(df)
      .filter((s) => !s.baseUnresolved && !parseImageRef(s.baseImage).digest)
      .map((s) => ({ message: `FROM ${s.baseImage} is not pinned by digest`, at: s.from }));
  },
};

function isRoot(user: string): boolean {
  return /^(root|0)(:.*)?$/.test(user.trim());
}

export const rootUser: DockerfileCheck = {
  id: 'DS-0002',
  aliases: ['DS002', 'AVD-DS-0002'],
  title: "Image user should not be 'root'",
  severity: 'HIGH',
  rationale: 'A container that runs as root turns any code execution in it into root in the container, one kernel or runtime bug away from root on the host (CIS Docker 4.1).',
  remediation: "Create a user and switch to it in the final stage: 'RUN useradd -r app' then 'USER app'.",
  references: [DOCKER_BP],
  check(df) {
    const last = finalStage(df);
    if (!last) return [];
    // The final stage inherits USER from the stages it is built FROM.
    for (const s of stageChain(df, last)) {
      const users = byKeyword([s], 'USER');
      const u = users[users.length - 1];
      if (!u) continue;
      const name = u.expanded?.[0] ?? u.args;
      if (isRoot(name)) return [{ message: `The last USER of the final stage is '${name}'`, at: u }];
      return [];
    }
    return [{ message: 'The final stage has no USER instruction: the container runs as root', at: last.from }];
  },
};

function ports(ins: Instruction): Array<{ port: number; raw: string }> {
  return (ins.expanded ?? []).map((w) => ({ port: Number(w.split('/')[0]!.split('-')[0]), raw: w }));
}

export const port22: DockerfileCheck = {
  id: 'DS-0004',
  aliases: ['DS004', 'AVD-DS-0004'],
  title: 'Port 22 exposed',
  severity: 'MEDIUM',
  rationale: 'Exposing SSH invites running an SSH server in the container, a remote entry point that bypasses the runtime (use docker exec / kubectl exec instead).',
  remediation: "Remove 'EXPOSE 22' and the SSH server.",
  check(df) {
    return df.stages
      .flatMap((s) => byKeyword([s], 'EXPOSE'))
      .filter((i) => ports(i).some((p) => p.port === 22 && !/\/udp$/i.test(p.raw)))
      .map((i) => ({ message: 'Port 22 (SSH) is exposed', at: i }));
  },
};

export const portOutOfRange: DockerfileCheck = {
  id: 'DS-0008',
  aliases: ['DS008', 'AVD-DS-0008'],
  title: 'Exposed port out of range',
  severity: 'CRITICAL',
  rationale: 'UNIX ports range from 0 to 65535; anything else is a typo that Docker rejects or silently mangles.',
  remediation: 'Use a port number between 1 and 65535 in EXPOSE.',
  check(df) {
    const hits: CheckHit[] = [];
    for (const i of byKeyword(df.stages, 'EXPOSE')) {
      for (const p of ports(i)) {
        if (p.raw.startsWith('$') || Number.isNaN(p.port)) continue;
        if (p.port > 65535) hits.push({ message: `EXPOSE ${p.raw}: port out of range`, at: i });
      }
    }
    return hits;
  },
};

function duplicates(df: Parameters<DockerfileCheck['check']>[0], keyword: string): CheckHit[] {
  const hits: CheckHit[] = [];
  for (const s of df.stages) {
    const list = byKeyword([s], keyword);
    // Only the last one takes effect; the others mislead readers.
    for (const i of list.slice(0, -1)) hits.push({ message: `Stage ${s.name ?? s.index} has ${list.length} ${keyword} instructions; only the last takes effect`, at: i });
  }
  return hits;
}

export const multipleEntrypoint: DockerfileCheck = {
  id: 'DS-0007',
  aliases: ['DS007', 'AVD-DS-0007'],
  title: 'Multiple ENTRYPOINT instructions listed',
  severity: 'CRITICAL',
  rationale: 'Only the last ENTRYPOINT of a stage is used; earlier ones are dead code that misleads readers about what the image runs.',
  remediation: 'Keep one ENTRYPOINT per stage.',
  check: (df) => duplicates(df, 'ENTRYPOINT'),
};

export const multipleCmd: DockerfileCheck = {
  id: 'DS-0016',
  aliases: ['DS016', 'AVD-DS-0016'],
  title: 'Multiple CMD instructions listed',
  severity: 'HIGH',
  rationale: 'Only the last CMD of a stage is used; earlier ones are dead code that misleads readers about what the image runs.',
  remediation: 'Keep one CMD per stage.',
  check: (df) => duplicates(df, 'CMD'),
};

export const multipleHealthcheck: DockerfileCheck = {
  id: 'DS-0023',
  aliases: ['DS023', 'AVD-DS-0023'],
  title: 'Multiple HEALTHCHECK defined',
  severity: 'CRITICAL',
  rationale: 'Only the last HEALTHCHECK of a stage is used; earlier ones suggest a health check that never runs.',
  remediation: 'Keep one HEALTHCHECK per stage.',
  check: (df) => duplicates(df, 'HEALTHCHECK'),
};

export const noHealthcheck: DockerfileCheck = {
  id: 'DS-0026',
  aliases: ['DS026', 'AVD-DS-0026'],
  title: 'No HEALTHCHECK defined',
  severity: 'LOW',
  rationale: 'Without a HEALTHCHECK the engine cannot tell a hung service from a healthy one (CIS Docker 4.6). HEALTHCHECK NONE is an explicit decision and passes.',
  remediation: "Add 'HEALTHCHECK CMD <probe>' to the final stage (or 'HEALTHCHECK NONE' when the orchestrator probes instead).",
  check(df) {
    const last = finalStage(df);
    if (!last) return [];
    if (stageChain(df, last).some((s) => byKeyword([s], 'HEALTHCHECK').length > 0)) return [];
    return [{ message: 'The final stage has no HEALTHCHECK instruction', at: last.from }];
  },
};

function isAbsolute(p: string): boolean {
  return p.startsWith('/') || /^[A-Za-z]:[\\/]/.test(p) || p.startsWith('\\');
}

export const workdirRelative: DockerfileCheck = {
  id: 'DS-0009',
  aliases: ['DS009', 'AVD-DS-0009'],
  title: 'WORKDIR path not absolute',
  severity: 'HIGH',
  rationale: 'A relative WORKDIR depends on the previous WORKDIR (possibly set in a base image): the effective directory is easy to get wrong.',
  remediation: "Use an absolute path: 'WORKDIR /app'.",
  check(df) {
    return byKeyword(df.stages, 'WORKDIR')
      .filter((i) => {
        const raw = i.args.trim().replace(/^["']|["']$/g, '');
        if (raw.startsWith('$')) return false;
        return !isAbsolute(i.expanded?.join(' ') ?? raw);
      })
      .map((i) => ({ message: `WORKDIR ${i.args.trim()} is not absolute`, at: i }));
  },
};

export const copyFromSelf: DockerfileCheck = {
  id: 'DS-0006',
  aliases: ['DS006', 'AVD-DS-0006'],
  title: "COPY '--from' referring to the current image",
  severity: 'CRITICAL',
  rationale: "'COPY --from' naming the stage it is in cannot work: the stage is not built yet.",
  remediation: "Point '--from' at an earlier stage or an image.",
  check(df) {
    const hits: CheckHit[] = [];
    for (const s of df.stages) {
      for (const i of byKeyword([s], 'COPY')) {
        const from = i.flags.find((f) => f.name === 'from')?.value;
        if (from === undefined) continue;
        if ((s.name !== undefined && from.toLowerCase() === s.name) || from === String(s.index)) hits.push({ message: `COPY --from=${from} refers to its own stage`, at: i });
      }
    }
    return hits;
  },
};

export const duplicateAlias: DockerfileCheck = {
  id: 'DS-0012',
  aliases: ['DS012', 'AVD-DS-0012'],
  title: 'Duplicate aliases defined in different FROMs',
  severity: 'CRITICAL',
  rationale: 'Two stages with the same name make `--from` and `--target` ambiguous (BuildKit rejects it).',
  remediation: 'Give every stage a unique name.',
  check(df) {
    const seen = new Set<string>();
    const hits: CheckHit[] = [];
    for (const s of df.stages) {
      if (s.name === undefined) continue;
      if (seen.has(s.name)) hits.push({ message: `Stage name '${s.name}' is used more than once`, at: s.from });
      seen.add(s.name);
    }
    return hits;
  },
};

export const maintainer: DockerfileCheck = {
  id: 'DS-0022',
  aliases: ['DS022', 'AVD-DS-0022'],
  title: 'Deprecated MAINTAINER used',
  severity: 'HIGH',
  rationale: 'MAINTAINER is deprecated since Docker 1.13; tools read the maintainer from labels.',
  remediation: "Use 'LABEL org.opencontainers.image.authors=\"…\"' instead.",
  references: ['https://docs.docker.com/engine/deprecated/#maintainer-in-dockerfile'],
  check: (df) => byKeyword(df.stages, 'MAINTAINER').map((i) => ({ message: `MAINTAINER ${i.args}`, at: i })),
};

export const shellFormEntrypoint: DockerfileCheck = {
  id: 'TRIAD-DF-0006',
  title: 'Shell-form ENTRYPOINT or CMD in the final stage',
  severity: 'MEDIUM',
  rationale: "In shell form the container's PID 1 is /bin/sh -c, which does not forward SIGTERM: the application is killed after the stop timeout instead of shutting down cleanly, and an ENTRYPOINT in shell form ignores CMD and `docker run` arguments.",
  remediation: 'Use the exec (JSON) form: ENTRYPOINT ["/app/server", "--port", "8080"] (use exec in a wrapper script).',
  check(df) {
    const last = finalStage(df);
    if (!last) return [];
    const hits: CheckHit[] = [];
    for (const kw of ['ENTRYPOINT', 'CMD']) {
      const list = byKeyword([last], kw);
      const eff = list[list.length - 1];
      if (!eff || eff.json || eff.args.trim() === '') continue;
      // A shell-form CMD under an exec-form ENTRYPOINT is passed as arguments, not run by a shell.
      if (kw === 'CMD' && byKeyword([last], 'ENTRYPOINT').length > 0) continue;
      if (/^exec\s/.test(eff.args.trim())) continue;
      hits.push({ message: `${kw} ${eff.args.trim()} is in shell form: signals do not reach the application`, at: eff });
    }
    return hits;
  },
};

export const secretsInArgEnv: DockerfileCheck = {
  id: 'DS-0031',
  aliases: ['DS031', 'AVD-DS-0031'],
  title: 'Secrets passed via build-args or envs',
  severity: 'CRITICAL',
  rationale: 'ARG and ENV values are stored in the image (config and history) for anyone who can pull it; a credential there is a leaked credential.',
  remediation: "Use build secrets ('RUN --mount=type=secret,id=…') for the build and inject runtime secrets at run time (orchestrator secrets, files).",
  references: ['https://docs.docker.com/build/building/secrets/'],
  check(df) {
    const hits: CheckHit[] = [];
    const all = [...df.globalArgs, ...df.stages.flatMap((s) => s.instructions)];
    for (const i of all) {
      if (i.keyword !== 'ARG' && i.keyword !== 'ENV' && i.keyword !== 'LABEL') continue;
      for (const { key, value } of splitPairs(i.args, df.directives.escape, i.keyword === 'ENV')) {
        if (value === undefined) continue;
        // LABELs are checked by value only: their names are free-form descriptions.
        const hit = secretInVariable(i.keyword === 'LABEL' ? 'label' : key, value);
        if (hit) hits.push({ message: `${i.keyword} ${key}=${hit.redacted}: ${hit.reason}`, at: i });
      }
    }
    return hits;
  },
};

export const IMAGE_CHECKS: DockerfileCheck[] = [
  latestTag, unpinnedDigest, rootUser, port22, portOutOfRange, multipleEntrypoint, multipleCmd, multipleHealthcheck,
  noHealthcheck, workdirRelative, copyFromSelf, duplicateAlias, maintainer, shellFormEntrypoint, secretsInArgEnv,
];
