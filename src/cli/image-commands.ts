// `triad image` and `triad sbom`: scan an image and print its inventory.
import { promises as fs } from 'node:fs';
import { dirname, join, basename } from 'node:path';
import { Command, Option } from 'commander';
import { ImageInputError } from '../image/source.ts';
import type { Inventory } from '../model/types.ts';
import { scanImage, type ScanOptions } from '../scan/scan.ts';
import { addImageExtras, imageScanHooks } from './image-scanners.ts';
import { toCycloneDX } from '../sbom/cyclonedx.ts';
import { toSPDX } from '../sbom/spdx.ts';
import { renderJSON } from '../sbom/json.ts';
import { renderLayerTable, renderPackageTable } from '../sbom/table.ts';
import { createProgress } from './progress.ts';
import { sbomToInventory, SbomInputError } from '../match/sbom-input.ts';
import { addVulnOptions, buildReport, checkFlags, hasFindings, isUsageError, renderReport, REPORT_FORMATS, UsageError, type VulnFlags } from './vuln-scan.ts';

const SBOM_FORMATS = ['table', 'json', 'cyclonedx', 'spdx', 'spdx-json'] as const;
// `sbom` parses the options of `sbom scan` that it shares (-f, -o) before the subcommand sees them
// (commander passes a parent's known options to the parent), so it accepts the report formats too
// and hands them on; for an SBOM they are refused.
const SBOM_COMMAND_FORMATS = [...SBOM_FORMATS, 'sarif', 'junit'] as const;

interface ImageFlags {
  format: string;
  output?: string;
  platform: string;
  username?: string;
  password?: string;
  insecure?: boolean;
  dockerHost?: string;
  dockerConfig?: string;
  layers?: boolean;
  verify?: boolean;
}

/** Where an image comes from and how to reach it: the options `image` and `sbom` share. */
function addSourceOptions(cmd: Command): Command {
  return cmd
    .option('-o, --output <file>', 'write the report to a file instead of stdout')
    .option('--platform <os/arch[/variant]>', 'platform to pick from a multi-arch image', 'linux/amd64')
    .option('--username <name>', 'registry user name (else Docker config.json credentials)')
    .option('--password <secret>', 'registry password or token (TRIAD_PASSWORD also works)')
    .option('--insecure', 'allow plain HTTP and unverified TLS for registries')
    .option('--docker-host <url>', 'Docker engine socket (default: $DOCKER_HOST or /var/run/docker.sock)')
    .option('--docker-config <dir>', 'directory of the Docker config.json with registry credentials')
    .option('--no-verify', 'read hand-edited archives whose blobs no longer match their digests (registry blobs are always verified)');
}

function addImageOptions(cmd: Command): Command {
  return addSourceOptions(cmd.addOption(new Option('-f, --format <format>', 'output format (sarif, junit: `sbom scan` only)').choices([...SBOM_COMMAND_FORMATS]).default('table')));
}

export function render(inv: Inventory, format: string, withLayers: boolean): string {
  switch (format) {
    case 'json':
      return renderJSON(inv);
    case 'cyclonedx':
      return JSON.stringify(toCycloneDX(inv), null, 2) + '\n';
    case 'spdx':
    case 'spdx-json':
      return JSON.stringify(toSPDX(inv), null, 2) + '\n';
    default: {
      const os = inv.os ? ` (${inv.os.family} ${inv.os.version})` : '';
      const byEco = new Map<string, number>();
      for (const p of inv.packages) byEco.set(p.ecosystem, (byEco.get(p.ecosystem) ?? 0) + 1);
      const counts = [...byEco].map(([e, n]) => `${e}: ${n}`).join(', ');
      const parts = [`${inv.image.ref}${os}\n${'='.repeat(Math.min(80, inv.image.ref.length + os.length))}\n${inv.packages.length} packages${counts ? ` (${counts})` : ''} in ${inv.layers.length} layers\n`];
      if (inv.warnings.length) parts.push(`${inv.warnings.length} warnings (see --format json)\n`);
      if (withLayers) parts.push(renderLayerTable(inv));
      parts.push(renderPackageTable(inv));
      return parts.join('\n');
    }
  }
}

/** Writes atomically: a failed scan never leaves a half-written report behind. */
export async function writeOutput(text: string, output?: string): Promise<void> {
  if (!output || output === '-') {
    await new Promise<void>((res, rej) => process.stdout.write(text, (e) => (e ? rej(e) : res())));
    return;
  }
  // Devices, pipes and the like (-o /dev/null, -o /dev/stdout) are written to directly: renaming
  // a temp file over them would replace the device node.
  const st = await fs.stat(output).catch(() => undefined);
  if (st && !st.isFile()) {
    await fs.writeFile(output, text);
    return;
  }
  const tmp = join(dirname(output), `.${basename(output)}.${process.pid}.tmp`);
  try {
    await fs.writeFile(tmp, text, { mode: 0o644, flag: 'wx' });
    await fs.rename(tmp, output);
  } catch (e) {
    await fs.rm(tmp, { force: true });
    throw e;
  }
}

export async function runScan(ref: string, flags: ImageFlags, quiet: boolean, hooks: Pick<ScanOptions, 'extraCatalogers' | 'onWalked'> = {}): Promise<Inventory> {
  const progress = createProgress(quiet);
  try {
    return await scanImage(ref, {
      ...hooks,
      platform: flags.platform,
      username: flags.username,
      password: flags.password ?? process.env.TRIAD_PASSWORD,
      insecure: flags.insecure,
      dockerHost: flags.dockerHost,
      dockerConfig: flags.dockerConfig,
      verifyDigests: flags.verify !== false,
      onOpen: (layers) => progress.open(layers),
      walk: {
        onLayerStart: (i) => progress.start(i),
        onLayerProgress: (i, b) => progress.update(i, b),
        onLayerDone: (i, r) => progress.done(i, r.bytes),
      },
    });
  } finally {
    progress.finish();
  }
}

/** Unusable input exits 2 with one line naming the image; anything else is a bug and exits 1. */
export function fail(e: unknown): never {
  const msg = (e as Error).message ?? String(e);
  process.stderr.write(`triad: ${msg.split('\n')[0]}\n`);
  if (process.env.TRIAD_DEBUG) process.stderr.write(`${(e as Error).stack}\n`);
  process.exit(e instanceof ImageInputError ? 2 : 1);
}

export function registerImageCommands(program: Command): void {
  const image = addSourceOptions(
    program
      .command('image')
      .alias('i')
      .description('scan a container image for known vulnerabilities (SBOM + matching against the vulnerability database)')
      .argument('<image-ref>', 'image reference (see "Image references" below)'),
  )
    .option('--no-layers', 'omit the layer table (table format)')
    .option('--list-all-pkgs', 'also list every package (table format)')
    .option('--secret-config <file>', 'secret rule file adding or disabling rules (repeatable)', (v: string, prev: string[] = []) => [...prev, v]);
  addVulnOptions(image).action(async (ref: string, flags: ImageFlags & VulnFlags & { listAllPkgs?: boolean; secretConfig?: string[] }) => {
    try {
      const checked = checkFlags(flags, 'vuln,secret,misconfig');
      const hooks = imageScanHooks(checked.scanners, flags);
      const inv = await runScan(ref, flags, program.opts().quiet, hooks.opts);
      const report = await buildReport(inv.image.ref, inv, flags, checked);
      addImageExtras(report, hooks.extras, checked.scanners, checked.policy.severities);
      await writeOutput(await renderReport(report, flags.format, { layers: flags.layers !== false, listPackages: flags.listAllPkgs === true }), flags.output);
      if (checked.exitCode && hasFindings(report)) process.exitCode = checked.exitCode;
    } catch (e) {
      failScan(e);
    }
  });

  addImageOptions(
    program
      .command('sbom')
      .description('generate the software bill of materials of an image (CycloneDX 1.6, SPDX 2.3, JSON, table); `sbom scan FILE` matches an SBOM'),
  )
    .argument('<image-ref>', 'image reference')
    .action(async (ref: string, flags: ImageFlags) => {
      try {
        if (flags.format === 'sarif' || flags.format === 'junit') throw new UsageError(`--format ${flags.format} is a vulnerability report: use \`triad image\` or \`triad sbom scan\``);
        const inv = await runScan(ref, flags, program.opts().quiet);
        await writeOutput(render(inv, flags.format, false), flags.output);
      } catch (e) {
        failScan(e);
      }
    });

  const sbom = program.commands.find((c) => c.name() === 'sbom')!;
  addVulnOptions(
    sbom
      .command('scan')
      .description('match a CycloneDX (1.4-1.6) or SPDX 2.3 JSON SBOM (Triad\'s or another tool\'s) against the vulnerability database')
      .argument('<sbom.json>', 'the SBOM file (- for stdin)')
      .option('-o, --output <file>', 'write the report to a file instead of stdout'),
  ).action(async (file: string, own: VulnFlags & { output?: string }, cmd: Command) => {
    try {
      // -f/-o given after `scan` were parsed by `sbom` (see SBOM_COMMAND_FORMATS).
      const parent = cmd.parent!;
      const flags = { ...own };
      if (parent.getOptionValueSource('format') === 'cli') flags.format = parent.opts().format as string;
      if (parent.getOptionValueSource('output') === 'cli') flags.output = parent.opts().output as string;
      if (!(REPORT_FORMATS as readonly string[]).includes(flags.format)) throw new UsageError(`--format ${flags.format}: a vulnerability report is one of ${REPORT_FORMATS.join(', ')}`);
      const checked = checkFlags(flags);
      const text = await readSbomText(file);
      const inv = sbomToInventory(text, file);
      const report = await buildReport(file, inv, flags, checked);
      await writeOutput(await renderReport(report, flags.format), flags.output);
      if (checked.exitCode && hasFindings(report)) process.exitCode = checked.exitCode;
    } catch (e) {
      failScan(e);
    }
  });
}

const MAX_SBOM_BYTES = 1 << 30;

async function readSbomText(file: string): Promise<string> {
  if (file === '-') {
    const chunks: Buffer[] = [];
    let n = 0;
    for await (const c of process.stdin) {
      n += (c as Buffer).length;
      if (n > MAX_SBOM_BYTES) throw new SbomInputError('stdin: SBOM larger than 1 GiB');
      chunks.push(c as Buffer);
    }
    return Buffer.concat(chunks).toString('utf8');
  }
  const st = await fs.stat(file).catch((e: Error) => {
    throw new SbomInputError(`${file}: cannot read the SBOM: ${e.message}`);
  });
  if (st.size > MAX_SBOM_BYTES) throw new SbomInputError(`${file}: SBOM larger than 1 GiB`);
  return fs.readFile(file, 'utf8');
}

/** Like fail(): unusable input (image, flags, files, database) exits 2, anything else 1. */
function failScan(e: unknown): never {
  if (isUsageError(e)) {
    process.stderr.write(`triad: ${String((e as Error).message).split('\n')[0]}\n`);
    process.exit(2);
  }
  fail(e);
}
