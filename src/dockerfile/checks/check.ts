// The interface every Dockerfile check implements, and helpers checks share.
import type { CheckMeta } from '../../misconfig/types.ts';
import type { Dockerfile, Instruction, Stage } from '../types.ts';

export interface CheckHit {
  message: string;
  /** The offending instruction; absent for whole-file findings (no USER at all ...). */
  at?: Instruction;
}

export interface DockerfileCheck extends CheckMeta {
  check(df: Dockerfile): CheckHit[];
}

/** The stage whose result is the image (the last one; `--target` would pick another). */
export function finalStage(df: Dockerfile): Stage | undefined {
  return df.stages[df.stages.length - 1];
}

/** A stage and the earlier stages it is built FROM, nearest first. */
export function stageChain(df: Dockerfile, s: Stage): Stage[] {
  const out: Stage[] = [];
  const seen = new Set<number>();
  let cur: Stage | undefined = s;
  while (cur && !seen.has(cur.index)) {
    out.push(cur);
    seen.add(cur.index);
    cur = cur.baseStage !== undefined ? df.stages[cur.baseStage] : undefined;
  }
  return out;
}

/** Instructions of `keyword` in the stages, ONBUILD triggers excluded (they run in child images). */
export function byKeyword(stages: Stage[], keyword: string): Instruction[] {
  return stages.flatMap((s) => s.instructions.filter((i) => i.keyword === keyword));
}

/** All RUN instructions of the file (ONBUILD RUN triggers included: they run in some build too). */
export function allRuns(df: Dockerfile): Instruction[] {
  const out: Instruction[] = [];
  for (const s of df.stages) {
    for (const i of s.instructions) {
      if (i.keyword === 'RUN') out.push(i);
      else if (i.trigger?.keyword === 'RUN') out.push(i.trigger);
    }
  }
  return out;
}
