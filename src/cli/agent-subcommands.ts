// `triad agent rules` (which Falco rules run, which cannot and why), `triad agent capabilities` (the
// enforceability report: which responses work on this node) and `triad agent netpol` (network map
// and NetworkPolicy / CiliumNetworkPolicy from recorded traffic, with a dry-run).
import { readFileSync } from 'node:fs';
import { Command, Option } from 'commander';
import { parseAllDocuments } from 'yaml';
import { describeFlow, dryRun, FlowMap, flowsFromJson, generateCiliumPolicies, generateNetworkPolicies, policiesToYaml } from '../runtime/netmap/index.ts';
import { isRuntimeEvent } from '../runtime/agent/replay.ts';
import type { ContainerInfo } from '../runtime/event.ts';
import { loadRules, parseRuleSets } from '../runtime/agent/parts.ts';
import { probeEnforceability } from '../runtime/response/enforceability.ts';
import { describeRules } from '../runtime/rules/index.ts';

export const collect = (v: string, prev: string[]) => [...prev, v];

/** Which Falco rules load: the same three options for `agent run` and `agent rules`. */
export function withRuleOptions(cmd: Command): Command {
  return cmd
    .option('--rules <path>', 'add a Falco rules file or directory (repeatable)', collect, [])
    .option('--no-default-rules', 'do not load the bundled Falco rules')
    .option('--rule-sets <list>', 'maturity levels of the bundled Falco rules: stable,incubating,sandbox', 'stable,incubating,sandbox');
}

function fail(message: string): never {
  process.stderr.write(`triad agent: ${message.split('\n')[0]}\n`);
  process.exit(2);
}

/** Events from recordings or --events output files (JSON lines), bounded per line. */
function* readEvents(files: string[]) {
  for (const f of files) {
    let text: string;
    try {
      text = readFileSync(f, 'utf8');
    } catch (e) {
      fail(`${f}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
    }
    for (const line of text.split('\n')) {
      if (!line.trim() || line.length > 1 << 20) continue;
      try {
        const o = JSON.parse(line) as unknown;
        if (isRuntimeEvent(o)) yield o;
      } catch {
        // not an event line
      }
    }
  }
}

export function registerAgentSubcommands(agent: Command): void {
  withRuleOptions(agent.command('rules').description('list the Falco rules that run, the rules Triad cannot evaluate (and the fields why), and rejected rules'))
    .option('--json', 'JSON output (rules, fields, errors)')
    .action((o: { rules: string[]; defaultRules: boolean; ruleSets: string; json?: boolean }) => {
      let r: ReturnType<typeof loadRules>;
      try {
        r = loadRules({ rules: o.rules, defaultRules: o.defaultRules, ruleSets: parseRuleSets(o.ruleSets) });
      } catch (e) {
        fail((e as Error).message);
      }
      const supported = r.ruleset.rules.map((x) => ({ rule: x.name, priority: x.priority, enabled: x.enabled, source: x.source, file: x.file, tags: x.tags }));
      const fields = new Map<string, { reason: string; rules: number }>();
      for (const u of r.unsupported) for (const [f, why] of Object.entries(u.fields)) fields.set(f, { reason: why, rules: (fields.get(f)?.rules ?? 0) + 1 });
      if (o.json) {
        process.stdout.write(`${JSON.stringify(describeRules(r), null, 2)}\n`);
      } else {
        process.stdout.write(`Supported rules (${supported.filter((s) => s.enabled).length} enabled, ${supported.filter((s) => !s.enabled).length} disabled):\n`);
        for (const s of supported) process.stdout.write(`  ${s.enabled ? '+' : '-'} ${s.priority.padEnd(13)} ${s.rule}\n`);
        process.stdout.write(`\nUnsupported rules (${r.unsupported.length}):\n`);
        for (const u of r.unsupported) process.stdout.write(`  ${u.rule}  [${Object.keys(u.fields).join(', ')}]\n`);
        process.stdout.write(`\nUnsupported fields (${fields.size}):\n`);
        for (const [f, x] of [...fields].sort()) process.stdout.write(`  ${f.padEnd(32)} ${x.rules} rule(s): ${x.reason}\n`);
        if (r.errors.length) {
          process.stdout.write(`\nRejected (${r.errors.length}):\n`);
          for (const e of r.errors) process.stdout.write(`  ${e.file}${e.line ? `:${e.line}` : ''} ${e.name ?? ''}: ${e.message}\n`);
        }
      }
      process.exitCode = r.errors.length ? 1 : 0;
    });

  agent
    .command('capabilities')
    .description('which responses (kill, pause, stop) are enforceable on this node, probed')
    .option('--docker-host <url>', 'Docker engine socket')
    .option('--json', 'JSON output')
    .action(async (o: { dockerHost?: string; json?: boolean }) => {
      const rep = await probeEnforceability({ ...(o.dockerHost ? { dockerHost: o.dockerHost } : {}) });
      if (o.json) {
        process.stdout.write(`${JSON.stringify(rep, null, 2)}\n`);
        return;
      }
      process.stdout.write(`node ${rep.node} (${rep.root ? 'root' : 'not root'}; CAP_KILL ${rep.capabilities.CAP_KILL}, CAP_SYS_ADMIN ${rep.capabilities.CAP_SYS_ADMIN})\n`);
      for (const [a, c] of Object.entries(rep.actions)) process.stdout.write(`  ${a.padEnd(6)} ${c.possible ? 'yes' : 'NO '}  ${c.reason}\n`);
      const engines = [rep.engines.docker, rep.engines.podman, ...rep.engines.containerd].filter((e) => e !== undefined);
      for (const e of engines) process.stdout.write(`  engine ${e.endpoint}: ${e.reachable ? `reachable${e.version ? ` (${e.version})` : ''}` : `unreachable (${e.error ?? ''})`}\n`);
    });

  agent
    .command('netpol')
    .description('network map from a live agent (--netmap) or recorded events (--events output, recordings), NetworkPolicy/CiliumNetworkPolicy, dry-run')
    .option('--flows <file>', 'a network map saved by `triad agent run --netmap FILE` (repeatable)', collect, [])
    .option('--from <file>', 'JSON lines with events (repeatable)', collect, [])
    .addOption(new Option('--format <format>', 'policy kind').choices(['k8s', 'cilium']).default('k8s'))
    .option('--dry-run <policies>', 'instead of generating: which observed flows these policies (YAML) would have blocked')
    .option('--map', 'print the observed flows (who talks to whom)')
    .option('--ips <file>', 'IP → container map recorded with the events (JSON {"ips": {IP: container}}): makes peers containers instead of addresses')
    .action((o: { from: string[]; flows: string[]; format: 'k8s' | 'cilium'; dryRun?: string; map?: boolean; ips?: string }) => {
      if (!o.from.length && !o.flows.length) fail('give --flows FILE (from triad agent run --netmap) or --from EVENTS');
      let ips: Record<string, ContainerInfo> = {};
      if (o.ips) {
        try {
          const doc = JSON.parse(readFileSync(o.ips, 'utf8')) as { ips?: Record<string, ContainerInfo> };
          if (!doc.ips || typeof doc.ips !== 'object') throw new Error('expected {"ips": {...}}');
          ips = doc.ips;
        } catch (e) {
          fail(`--ips ${o.ips}: ${(e as Error).message}`);
        }
      }
      const map = new FlowMap({ containerOf: (ip) => (Object.hasOwn(ips, ip) ? ips[ip] : undefined) });
      for (const e of readEvents(o.from)) map.record(e);
      const flows = map.flows();
      for (const f of o.flows) {
        try {
          flows.push(...flowsFromJson(readFileSync(f, 'utf8'), f));
        } catch (e) {
          fail((e as Error).message);
        }
      }
      if (o.map) {
        for (const f of flows) process.stdout.write(`${describeFlow(f)}\n`);
        return;
      }
      if (o.dryRun) {
        let objects: unknown[];
        try {
          objects = parseAllDocuments(readFileSync(o.dryRun, 'utf8')).map((d) => d.toJS() as unknown);
        } catch (e) {
          fail(`${o.dryRun}: ${(e as Error).message}`);
        }
        const r = dryRun(objects, flows);
        process.stdout.write(`${flows.length} flows observed; ${r.blocked.length} would be blocked (${r.blockedConnections} connections), ${r.unknown.length} undecided\n`);
        for (const v of [...r.blocked, ...r.unknown]) process.stdout.write(`  ${v.verdict.toUpperCase()} ${describeFlow(v.flow)}: ${v.reason}${v.policies.length ? ` [${v.policies.join(', ')}]` : ''}\n`);
        process.exitCode = r.blocked.length ? 1 : 0;
        return;
      }
      const g = o.format === 'cilium' ? generateCiliumPolicies(flows) : generateNetworkPolicies(flows);
      for (const s of g.skipped) process.stderr.write(`triad agent: skipped ${s.workload}: ${s.reason}\n`);
      process.stdout.write(policiesToYaml(g.objects));
    });
}
