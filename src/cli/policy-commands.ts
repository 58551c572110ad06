// `triad policy eval` and `triad policy test`: CEL policies over manifests, scan reports and
// AdmissionReviews, and policy unit tests. Exit codes: 0 ok, N (--exit-code) when a deny verdict
// is violated (eval) or a check fails (test), 2 unusable input (bad policy, bad file).
import { Command, Option } from 'commander';
import { loadPolicies } from '../policy/compile.ts';
import { PolicyLoadError } from '../policy/documents.ts';
import { decide } from '../policy/evaluate.ts';
import { InputError } from '../policy/inputs.ts';
import { loadInputFile } from '../policy/input-files.ts';
import { renderEvalJson, renderEvalTable, renderTestTable, type EvalOutput } from '../policy/render.ts';
import { runPolicyTests } from '../policy/test-runner.ts';
import type { Verdict } from '../policy/types.ts';
import { verifySignaturesForPolicies } from '../signature/policy-bridge.ts';
import { InputTooLargeError } from '../policy/values.ts';

function exitCodeOf(s: string): number {
  const n = Number(s);
  if (!Number.isInteger(n) || n < 0 || n > 255) throw new PolicyLoadError(`--exit-code must be 0-255, got '${s}'`);
  return n;
}

function fail(e: unknown): never {
  if (e instanceof PolicyLoadError || e instanceof InputError || e instanceof InputTooLargeError) {
    process.stderr.write(`triad policy: ${e.message}\n`);
    process.exit(2);
  }
  throw e;
}

interface EvalFlags {
  policy: string[];
  format: string;
  exitCode: string;
  namespace?: string;
  now?: string;
  showPass: boolean;
  verifySignatures?: boolean;
  trustedRoot?: string;
  signatures?: string;
}

export function registerPolicyCommands(program: Command): void {
  const policy = program.command('policy').description('CEL policies (ValidatingAdmissionPolicy style) over manifests, image scan reports and admission requests');
  policy
    .command('eval')
    .description('evaluate policies against Kubernetes manifests (YAML/JSON, Lists), Triad scan reports (JSON) or AdmissionReview JSON')
    .argument('<files...>', 'inputs')
    .requiredOption('-p, --policy <path>', 'policy file or directory (repeatable)', (v: string, a: string[]) => [...a, v], [] as string[])
    .addOption(new Option('-f, --format <format>', 'output format').choices(['table', 'json']).default('table'))
    .option('--exit-code <n>', 'exit with this code when a deny verdict is violated', '0')
    .option('-n, --namespace <ns>', 'namespace of manifests that name none')
    .option('--now <time>', 'evaluate as of this time (RFC 3339): scan age, exception expiry')
    .option('--show-pass', 'list passing policies too (table)', false)
    .option('--verify-signatures', 'verify image signatures that verifyImages rules require (registry, or --signatures DIR)')
    .option('--trusted-root <file>', 'Sigstore trusted_root.json for keyless attestors that name none')
    .option('--signatures <dir>', 'offline signatures (OCI layout / bundle files) instead of the registry')
    .action(async (files: string[], flags: EvalFlags) => {
      try {
        const exitCode = exitCodeOf(flags.exitCode);
        const now = flags.now ? new Date(flags.now) : new Date();
        if (Number.isNaN(now.getTime())) throw new PolicyLoadError(`--now: not a date: ${flags.now}`);
        const set = loadPolicies(flags.policy);
        const out: EvalOutput = { verdicts: [], inputErrors: [], expiredExceptions: set.expiredExceptions(now) };
        for (const f of files) {
          for (const input of loadInputFile(f, flags.namespace)) {
            try {
              if (flags.verifySignatures) input.signatures = await verifySignaturesForPolicies(set, input, { trustedRoot: flags.trustedRoot, signaturesDir: flags.signatures });
              out.verdicts.push(...set.evaluate(input, { now }));
            } catch (e) {
              if (!(e instanceof InputError || e instanceof InputTooLargeError)) throw e;
              out.inputErrors.push(e.message);
            }
          }
        }
        process.stdout.write(flags.format === 'json' ? renderEvalJson(out) : renderEvalTable(out, flags.showPass));
        const denied = !decide(out.verdicts).allowed;
        if (out.inputErrors.length) process.exitCode = 2;
        else if (denied && exitCode !== 0) process.exitCode = exitCode;
      } catch (e) {
        fail(e);
      }
    });
  policy
    .command('test')
    .description('run policy unit tests (kind: PolicyTest): expected pass/fail/skip/error/exempt per policy and resource, like `kyverno test`')
    .argument('<paths...>', 'test files or directories')
    .addOption(new Option('-f, --format <format>', 'output format').choices(['table', 'json']).default('table'))
    .option('--exit-code <n>', 'exit with this code when a check fails', '1')
    .option('-v, --verbose', 'list passing checks too', false)
    .action((paths: string[], flags: { format: string; exitCode: string; verbose: boolean }) => {
      try {
        const exitCode = exitCodeOf(flags.exitCode);
        const s = runPolicyTests(paths);
        process.stdout.write(flags.format === 'json' ? JSON.stringify(s, null, 2) + '\n' : renderTestTable(s, flags.verbose));
        if (s.failed > 0 || s.errors.length > 0) process.exitCode = exitCode;
      } catch (e) {
        fail(e);
      }
    });
}

export type { Verdict };
