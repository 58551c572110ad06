// `triad dockerfile <path>`: lint a Dockerfile (table or JSON), gate with --exit-code/--severity.
import { Command, Option } from 'commander';
import { readDockerfile } from '../dockerfile/dockerfile.ts';
import { DOCKERFILE_CHECKS, lintDockerfile, type LintResult } from '../dockerfile/lint.ts';
import { SEVERITIES, type Severity } from '../model/advisory.ts';
import { addDockerfileLint, emptyReport } from '../match/report.ts';
import type { ScanReport } from '../model/finding.ts';
import { renderReport } from '../report/index.ts';
import { writeOutput } from './image-commands.ts';

interface DockerfileFlags {
  format: string;
  output?: string;
  severity: string;
  exitCode: string;
  buildArg: string[];
  platform: string;
  skipCheck: string[];
}

function parseSeverities(s: string): Set<Severity> {
  const out = new Set<Severity>();
  for (const x of s.split(',').map((v) => v.trim().toUpperCase()).filter(Boolean)) {
    if (!(SEVERITIES as readonly string[]).includes(x)) throw new Error(`unknown severity '${x}' (use ${SEVERITIES.join(',')})`);
    out.add(x as Severity);
  }
  return out;
}

export function renderLintTable(r: LintResult): string {
  const lines = [`${r.target}`, '='.repeat(Math.min(80, r.target.length))];
  const counts = new Map<string, number>();
  for (const f of r.findings) counts.set(f.severity, (counts.get(f.severity) ?? 0) + 1);
  const summary = [...SEVERITIES].reverse().map((s) => `${s}: ${counts.get(s) ?? 0}`).join(', ');
  lines.push(`${r.findings.length} findings (${summary}); ${r.checked.length} checks`, '');
  for (const f of r.findings) {
    const at = f.region ? (f.region.endLine > f.region.startLine ? `${f.region.startLine}-${f.region.endLine}` : `${f.region.startLine}`) : '-';
    lines.push(`${f.severity.padEnd(8)} ${f.checkId.padEnd(14)} line ${at.padEnd(7)} ${f.title}`, `         ${f.message}`);
  }
  for (const w of r.warnings) lines.push(`warning: line ${w.line}: ${w.message}`);
  return lines.join('\n') + '\n';
}

/** The lint result as a ScanReport, so SARIF and JUnit render it exactly as for `triad image`/`triad fs`. */
function asScanReport(r: LintResult): ScanReport {
  const report = emptyReport(r.target);
  report.scanners = ['misconfig'];
  return addDockerfileLint(report, r, r.target);
}

export function registerDockerfileCommands(program: Command): void {
  program
    .command('dockerfile')
    .description('lint a Dockerfile: base image pinning, root user, package installs, secrets, ADD, curl | sh ... (ids follow Trivy DS checks)')
    .argument('<path>', 'the Dockerfile')
    .addOption(new Option('-f, --format <format>', 'output format (sarif and junit as in triad image)').choices(['table', 'json', 'sarif', 'junit']).default('table'))
    .option('-o, --output <file>', 'write the report to a file instead of stdout')
    .option('--severity <list>', 'report only these severities (comma-separated)', SEVERITIES.join(','))
    .option('--exit-code <n>', 'exit with this code when findings (after --severity) remain', '0')
    .option('--build-arg <name=value>', 'build argument for ARG substitution (repeatable)', (v: string, a: string[]) => [...a, v], [] as string[])
    .option('--platform <os/arch>', 'target platform for TARGETOS/TARGETARCH', 'linux/amd64')
    .option('--skip-check <id>', 'do not run this check (repeatable)', (v: string, a: string[]) => [...a, v], [] as string[])
    .action(async (path: string, flags: DockerfileFlags) => {
      let severities: Set<Severity>;
      let exitCode: number;
      try {
        severities = parseSeverities(flags.severity);
        exitCode = Number(flags.exitCode);
        if (!Number.isInteger(exitCode) || exitCode < 0 || exitCode > 255) throw new Error(`--exit-code must be 0-255, got '${flags.exitCode}'`);
      } catch (e) {
        process.stderr.write(`triad: ${(e as Error).message}\n`);
        process.exit(2);
      }
      let result: LintResult;
      try {
        const buildArgs: Record<string, string> = {};
        for (const a of flags.buildArg) {
          const eq = a.indexOf('=');
          if (eq > 0) buildArgs[a.slice(0, eq)] = a.slice(eq + 1);
        }
        const df = await readDockerfile(path, { buildArgs, platform: flags.platform });
        const skip = new Set(flags.skipCheck.map((s) => s.toUpperCase()));
        result = lintDockerfile(df, DOCKERFILE_CHECKS.filter((c) => !skip.has(c.id) && !(c.aliases ?? []).some((a) => skip.has(a))));
      } catch (e) {
        process.stderr.write(`triad: ${((e as Error).message ?? String(e)).split('\n')[0]}\n`);
        process.exit(2);
      }
      result.findings = result.findings.filter((f) => severities.has(f.severity));
      const text = flags.format === 'json' ? JSON.stringify(result, null, 2) + '\n' : flags.format === 'table' ? renderLintTable(result) : renderReport(asScanReport(result), flags.format as 'sarif' | 'junit');
      await writeOutput(text, flags.output);
      if (result.findings.length > 0 && exitCode !== 0) process.exit(exitCode);
    });
}
