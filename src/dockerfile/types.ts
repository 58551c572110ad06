// The parsed form of a Dockerfile: instructions with exact source positions (for SARIF regions),
// grouped into build stages, with ARG/ENV scoping already applied to the arguments that BuildKit
// expands itself (FROM, COPY, ADD, ENV, LABEL, USER, WORKDIR, EXPOSE, VOLUME, STOPSIGNAL ...).

/** 1-based line and column of the source text. */
export interface Position {
  line: number;
  column: number;
}

export interface Flag {
  /** Name without the leading dashes, lower case: `from`, `mount`, `platform`, `chown`, `link`. */
  name: string;
  /** Value after `=`, quotes removed; undefined for a bare boolean flag (`--link`). */
  value?: string;
}

export interface Heredoc {
  /** Delimiter word without quotes. */
  name: string;
  /** Body lines joined with "\n" and a final "\n" (what BuildKit writes), tabs stripped for `<<-`. */
  content: string;
  /** `<<-`: leading tabs removed from the body and the delimiter line. */
  stripTabs: boolean;
  /** A quoted delimiter (`<<"EOF"`, `<<'EOF'`): the body is not expanded. */
  quoted: boolean;
  /** File descriptor prefix (`3<<EOF`), when given. */
  fd?: number;
  /** 1-based lines of the body (first..last) in the Dockerfile. */
  startLine: number;
  endLine: number;
}

export interface Instruction {
  /** Upper-case keyword: FROM, RUN, COPY ... (unknown keywords are kept as written, upper-cased). */
  keyword: string;
  /** The logical line after the keyword and the flags: continuations joined, comment lines dropped. */
  args: string;
  flags: Flag[];
  /** Exec (JSON) form of RUN/CMD/ENTRYPOINT/SHELL/COPY/ADD/VOLUME/HEALTHCHECK CMD, when used. */
  json?: string[];
  heredocs: Heredoc[];
  /** Where the keyword starts. */
  start: Position;
  /** Last line (heredoc terminators and continuations included) and the column after its last character. */
  end: Position;
  /** Stage index, or -1 for instructions before the first FROM (global ARGs, stray ones). */
  stage: number;
  /** ONBUILD: the trigger instruction it registers. */
  trigger?: Instruction;
  /**
   * Arguments after BuildKit's own variable substitution in scope (only for instructions BuildKit
   * expands; RUN/CMD/ENTRYPOINT are left for the shell). Words with quotes removed.
   */
  expanded?: string[];
  /** Variables referenced by the instruction that had no value in scope (so `expanded` is partial). */
  unresolved?: string[];
}

export interface Stage {
  index: number;
  /** `AS name`, lower-cased as BuildKit compares it. */
  name?: string;
  from: Instruction;
  /** The base image reference after global-ARG expansion (`scratch`, `debian:12`, a stage name ...). */
  baseImage: string;
  /** Index of the earlier stage this one builds on (`FROM builder`), when it does. */
  baseStage?: number;
  /** `--platform` of the FROM, expanded. */
  platform?: string;
  /** True when the image reference still contains unresolved variables. */
  baseUnresolved: boolean;
  /** Instructions after the FROM, in order (ONBUILD's trigger is inside its ONBUILD). */
  instructions: Instruction[];
}

export interface Directives {
  syntax?: string;
  /** The escape character: `\` (default) or a backtick. */
  escape: string;
  check?: string;
}

export interface Dockerfile {
  /** Path or name given to the parser, for messages. */
  source: string;
  directives: Directives;
  /** Every instruction in file order. */
  instructions: Instruction[];
  /** ARG instructions before the first FROM. */
  globalArgs: Instruction[];
  stages: Stage[];
  /** Problems BuildKit would reject or warn about (unterminated heredoc, bad JSON, unknown keyword ...). */
  warnings: Array<{ line: number; message: string }>;
}
