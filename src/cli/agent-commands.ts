// `triad agent`: the runtime agent. `run` starts the pipeline (live bpftrace sensor as root, or a
// replayed recording / Falco / Tetragon JSON) and writes alerts as JSON lines; `baseline` manages
// learned baselines on disk. SIGTERM/SIGINT stop the sensor, drain, flush the outputs and exit 0.
import { readFileSync, writeFileSync } from 'node:fs';
import { Command, Option } from 'commander';
import { BASELINE_MODES, BaselineManager, baselineFileName, readBaselineDir, saveBaselines, type BaselineMode } from '../runtime/baseline/index.ts';
import { buildAgent, type AgentConfig, type AgentParts } from '../runtime/agent/build.ts';
import { makeParts, parseRuleSets } from '../runtime/agent/parts.ts';
import { collect, registerAgentSubcommands, withRuleOptions } from './agent-subcommands.ts';
import { parseDuration } from '../runtime/agent/duration.ts';


function fail(message: string): never {
  process.stderr.write(`triad agent: ${message.split('\n')[0]}\n`);
  process.exit(2);
}

interface RunFlags {
  rules: string[];
  defaultRules: boolean;
  ruleSets: string;
  output: string[];
  spool: string;
  baselineDir?: string;
  learning: string;
  quietPeriod?: string;
  response?: string;
  events?: boolean;
  replay?: string;
  replayFormat: 'auto' | 'triad' | 'falco' | 'tetragon';
  dockerHost?: string;
  metricsInterval: string;
  reorderWindow: string;
  netmap?: string;
  moduleAttempts: 'auto' | 'raw' | 'off';
  containerd: string[];
}

async function runAgent(flags: RunFlags): Promise<void> {
  const log = (m: string) => process.stderr.write(`triad agent: ${m}\n`);
  let cfg: AgentConfig;
  try {
    cfg = {
      rules: flags.rules,
      defaultRules: flags.defaultRules,
      ruleSets: parseRuleSets(flags.ruleSets),
      outputs: flags.output.length ? flags.output : ['stdout'],
      spoolDir: flags.spool,
      baselineDir: flags.baselineDir,
      learningMs: parseDuration(flags.learning, '--learning'),
      quietMs: flags.quietPeriod ? parseDuration(flags.quietPeriod, '--quiet-period') : undefined,
      responseFile: flags.response,
      events: !!flags.events,
      replay: flags.replay,
      replayFormat: flags.replayFormat,
      dockerHost: flags.dockerHost,
      ...(flags.containerd.length ? { containerdAddresses: flags.containerd } : {}),
      metricsIntervalMs: parseDuration(flags.metricsInterval, '--metrics-interval'),
      reorderWindowMs: parseDuration(flags.reorderWindow, '--reorder-window'),
      ...(flags.netmap ? { netmapFile: flags.netmap } : {}),
      moduleAttempts: flags.moduleAttempts,
      log,
    };
  } catch (e) {
    fail((e as Error).message);
  }
  let parts: AgentParts;
  try {
    parts = await makeParts(cfg);
  } catch (e) {
    fail((e as Error).message);
  }
  let built: Awaited<ReturnType<typeof buildAgent>>;
  try {
    built = await buildAgent(cfg, parts);
  } catch (e) {
    fail((e as Error).message);
  }
  const stop = async (why: string) => {
    const m = await built.stop();
    log(`stopped (${why}): ${m.events} events, ${m.alerts} alerts, ${m.dropped + m.sensorDropped} dropped, ${m.sensorLost} lost${m.latencyMs.p99 !== undefined ? `, exec→alert p99 ${m.latencyMs.p99.toFixed(1)} ms` : ''}`);
    process.exit(0);
  };
  process.once('SIGTERM', () => void stop('SIGTERM'));
  process.once('SIGINT', () => void stop('SIGINT'));
  log(`running: sensor ${built.sensor.name}, outputs ${cfg.outputs.join(', ')}`);
  if (built.replayDone) {
    await built.replayDone;
    await stop('end of replay');
  }
}

function baselineDirOrFail(dir: string | undefined): string {
  if (!dir) fail('--baseline-dir DIR is required');
  return dir;
}

function registerBaselineCommands(agent: Command): void {
  const b = agent.command('baseline').description('learned baselines on disk (one YAML file per image)');
  b.command('list')
    .description('list baselines: image, mode, what they hold')
    .requiredOption('--baseline-dir <dir>', 'baseline directory')
    .option('--json', 'JSON instead of a table')
    .action((o: { baselineDir: string; json?: boolean }) => {
      const r = readBaselineDir(o.baselineDir);
      for (const e of r.errors) process.stderr.write(`triad agent: ${e}\n`);
      const rows = r.baselines.map((x) => x.summary());
      if (o.json) process.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
      else {
        process.stdout.write('MODE       PROCS LISTEN CONNECT WRITES IMAGE\n');
        for (const s of rows) process.stdout.write(`${s.mode.padEnd(10)} ${String(s.processes).padStart(5)} ${String(s.listen).padStart(6)} ${String(s.connect).padStart(7)} ${String(s.fileWrites).padStart(6)} ${s.image.ref ?? ''} ${s.key}\n`);
      }
      process.exitCode = r.errors.length ? 2 : 0;
    });
  b.command('export')
    .description('print one baseline as YAML')
    .argument('<key>', 'image digest, image id or reference (see list)')
    .requiredOption('--baseline-dir <dir>', 'baseline directory')
    .option('-o, --output <file>', 'write to a file')
    .action((key: string, o: { baselineDir: string; output?: string }) => {
      const m = new BaselineManager();
      const r = readBaselineDir(o.baselineDir);
      for (const x of r.baselines) m.add(x);
      if (!m.get(key)) fail(`no baseline ${key} in ${o.baselineDir}`);
      const yaml = m.exportYaml(key);
      if (o.output) writeFileSync(o.output, yaml);
      else process.stdout.write(yaml);
    });
  b.command('import')
    .description('add or replace baselines from YAML files')
    .argument('<files...>', 'baseline YAML files')
    .requiredOption('--baseline-dir <dir>', 'baseline directory')
    .action((files: string[], o: { baselineDir: string }) => {
      const m = new BaselineManager();
      let bad = 0;
      for (const f of files) {
        try {
          const x = m.importYaml(readFileSync(f, 'utf8'), f);
          x.dirty = true;
          process.stdout.write(`imported ${x.key} (${x.mode}) from ${f}\n`);
        } catch (e) {
          bad++;
          process.stderr.write(`triad agent: ${(e as Error).message}\n`);
        }
      }
      saveBaselines(m, baselineDirOrFail(o.baselineDir), true);
      process.exitCode = bad ? 2 : 0;
    });
  b.command('promote')
    .description('set a baseline\'s mode (learning, monitor, protect)')
    .argument('<key>', 'image digest, image id or reference (see list)')
    .argument('<mode>', BASELINE_MODES.join('|'))
    .requiredOption('--baseline-dir <dir>', 'baseline directory')
    .addOption(new Option('--action <action>', 'response in protect mode').choices(['kill', 'pause', 'stop']))
    .action((key: string, mode: string, o: { baselineDir: string; action?: 'kill' | 'pause' | 'stop' }) => {
      if (!(BASELINE_MODES as readonly string[]).includes(mode)) fail(`mode must be one of ${BASELINE_MODES.join(', ')}`);
      const m = new BaselineManager();
      const r = readBaselineDir(o.baselineDir);
      for (const x of r.baselines) m.add(x);
      if (!m.get(key)) fail(`no baseline ${key} in ${o.baselineDir} (${baselineFileName(key)})`);
      const x = m.setMode(key, mode as BaselineMode, o.action);
      x.dirty = true;
      saveBaselines(m, o.baselineDir);
      process.stdout.write(`${key}: ${x.mode}\n`);
    });
}

export function registerAgentCommands(program: Command): Command {
  const agent = program.command('agent').description('runtime agent: eBPF sensor, container attribution, Falco rules, learned baselines, response');
  withRuleOptions(agent.command('run').description('run the agent (root for the live sensor); alerts as JSON lines on stdout by default'))
    .option('--output <spec>', 'stdout | file:PATH | webhook:URL (repeatable; default stdout)', collect, [])
    .option('--spool <dir>', 'on-disk buffer for webhook outputs', '/var/lib/triad/spool')
    .option('--baseline-dir <dir>', 'load baselines from and save them to this directory')
    .option('--learning <duration>', 'baseline learning window before automatic promotion to monitor', '1h')
    .option('--quiet-period <duration>', 'promotion also needs this long without new behaviour (default 10m)')
    .option('--response <file>', 'response policy YAML (rule/tag/priority → alert|kill|pause|stop; baseline protect action)')
    .option('--events', 'also write every event, not only alerts')
    .addOption(new Option('--module-attempts <mode>', 'init/finit/delete_module: auto (their tracepoints when the kernel has them), raw (raw_syscalls: every kernel, a cost on every syscall), off').choices(['auto', 'raw', 'off']).default('auto'))
    .option('--netmap <file>', 'keep the network map (who talks to whom) and save it to this file every minute and at exit; `triad agent netpol --flows FILE` turns it into policies')
    .option('--replay <file>', 'replay JSON lines (Triad recording, Falco JSON output, Tetragon events) instead of the live sensor')
    .addOption(new Option('--replay-format <format>', 'format of --replay').choices(['auto', 'triad', 'falco', 'tetragon']).default('auto'))
    .option('--containerd <socket>', 'containerd socket for ctr / nerdctl / Kubernetes containers (repeatable; default /run/containerd/containerd.sock)', collect, [])
    .option('--docker-host <url>', 'Docker engine socket (default $DOCKER_HOST or /var/run/docker.sock)')
    .option('--metrics-interval <duration>', 'how often a metrics record goes to the outputs (0 = only at exit)', '60s')
    .option('--reorder-window <duration>', 'hold live events this long to restore kernel order across CPUs (exec-to-alert latency vs correct process trees)', '20ms')
    .action((flags: RunFlags) => runAgent(flags));
  registerBaselineCommands(agent);
  registerAgentSubcommands(agent);
  return agent;
}
