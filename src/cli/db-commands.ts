// `triad db import | status | update`: the vulnerability database on this machine.
import { Command, Option } from 'commander';
import { importPaths } from '../vulndb/import.ts';
import { cacheDir, defaultDBPath, ensureDatabase } from '../vulndb/location.ts';
import { rebuildDatabase } from '../vulndb/rebuild.ts';
import { openVulnDB, type DBStatus } from '../vulndb/store.ts';
import { updateDatabase } from '../vulndb/update/update.ts';
import { dirname } from 'node:path';

interface DbFlags {
  db?: string;
}

function dbPath(cmd: Command): string {
  const flags = cmd.optsWithGlobals() as DbFlags;
  return flags.db || defaultDBPath();
}

/** The default database is seeded from the bundled snapshot on first use; an explicit --db is not. */
async function seedDefault(cmd: Command, path: string): Promise<void> {
  if (!(cmd.optsWithGlobals() as DbFlags).db && !process.env.TRIAD_DB) await ensureDatabase(path);
}

function say(quiet: boolean | undefined, line: string): void {
  if (!quiet) process.stderr.write(`${line}\n`);
}

/** Errors of db commands are about their input (paths, database file, downloads): one line, exit 2. */
function action<A extends unknown[]>(fn: (...args: A) => Promise<void>): (...args: A) => Promise<void> {
  return async (...args: A) => {
    try {
      await fn(...args);
    } catch (e) {
      process.stderr.write(`triad: ${String((e as Error).message ?? e).split('\n')[0]}\n`);
      if (process.env.TRIAD_DEBUG) process.stderr.write(`${(e as Error).stack}\n`);
      process.exit(2);
    }
  };
}

function age(iso: string): string {
  const ms = Date.now() - Date.parse(iso);
  if (!Number.isFinite(ms)) return '?';
  const h = ms / 3_600_000;
  return h < 1 ? `${Math.max(0, Math.round(ms / 60_000))} min` : h < 48 ? `${Math.round(h)} h` : `${Math.round(h / 24)} days`;
}

export function renderStatus(s: DBStatus): string {
  const mb = (s.sizeBytes / 1024 / 1024).toFixed(1);
  const lines = [`Database: ${s.path} (${mb} MB, schema ${s.schemaVersion})`, ''];
  const header = ['SOURCE', 'ADVISORIES', 'PACKAGES', 'KEV', 'EPSS', 'WARNINGS', 'DATA DATE', 'IMPORTED'];
  const rows = s.sources.map((x) => [x.name, String(x.advisories), String(x.affected), String(x.kev), String(x.epss), String(x.warnings), x.dataDate ?? '-', `${x.importedAt.slice(0, 16).replace('T', ' ')} (${age(x.importedAt)} ago)`]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  for (const r of [header, ...rows]) lines.push(r.map((c, i) => (i === 0 || i >= 6 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ').trimEnd());
  if (s.sources.length === 0) lines.push('(no sources: run `triad db update` or `triad db import`)');
  const attributed = s.sources.flatMap((x) => x.attribution);
  if (attributed.length) {
    lines.push('', 'Data from:');
    for (const a of attributed) lines.push(`  ${a.dataset}: ${a.repo ?? ''}${a.commit ? `@${a.commit.slice(0, 12)}` : ''}${a.licence ? ` (${a.licence})` : ''}`);
  }
  return lines.join('\n') + '\n';
}

export function registerDbCommands(program: Command): void {
  const db = program
    .command('db')
    .description('manage the vulnerability database')
    .option('--db <path>', 'database file (default: $TRIAD_DB, else $XDG_CACHE_HOME/triad/vulndb.sqlite, seeded from the bundled snapshot)');

  db.command('status')
    .description('show the sources in the database: counts, data dates, age')
    .addOption(new Option('-f, --format <format>', 'output format').choices(['table', 'json']).default('table'))
    .action(action(async (flags: { format: string }, cmd: Command) => {
      const path = dbPath(cmd);
      await seedDefault(cmd, path);
      const vdb = openVulnDB(path);
      try {
        const s = vdb.status();
        process.stdout.write(flags.format === 'json' ? JSON.stringify(s, null, 2) + '\n' : renderStatus(s));
      } finally {
        vdb.close();
      }
    }));

  db.command('import')
    .description('import advisories from files or directories in an upstream format (air-gapped use)')
    .argument('<paths...>', 'files or directories (a directory of several datasets is looked into)')
    .option('--source <name>', 'read every path with this importer instead of detecting the format')
    .option('--verbose', 'print every warning')
    .action(action(async (paths: string[], flags: { source?: string; verbose?: boolean }, cmd: Command) => {
      const path = dbPath(cmd);
      const quiet = cmd.optsWithGlobals().quiet as boolean | undefined;
      await seedDefault(cmd, path);
      const result = await rebuildDatabase(
        path,
        (writer) => importPaths(writer, paths, { ...(flags.source ? { source: flags.source } : {}), log: (l) => say(quiet, l) }),
        { log: (l) => say(quiet, l), ...(flags.verbose ? { onWarning: (f: string, m: string) => say(false, `warning: ${f}: ${m}`) } : {}) },
      );
      say(quiet, `database: ${path}`);
      if (result.sources.some((s) => s.error)) process.exitCode = 1;
    }));

  db.command('update')
    .description('download the latest data of every source (or --source) and swap in a new database atomically')
    .option('--source <names>', 'comma-separated sources to update (default: all with a download)')
    .option('--mirror <url>', 'fetch https://HOST/PATH from URL/HOST/PATH instead ($TRIAD_DB_MIRROR)')
    .option('--max-size <MiB>', 'largest download accepted, in MiB', '4096')
    .option('--retries <n>', 'attempts per download', '4')
    .action(action(async (flags: { source?: string; mirror?: string; maxSize: string; retries: string }, cmd: Command) => {
      const path = dbPath(cmd);
      const quiet = cmd.optsWithGlobals().quiet as boolean | undefined;
      await seedDefault(cmd, path);
      const maxMiB = Number(flags.maxSize);
      const attempts = Number(flags.retries);
      if (!(maxMiB > 0) || !(attempts >= 1)) throw new Error('--max-size and --retries must be positive numbers');
      const results = await updateDatabase({
        dbPath: path,
        cacheDir: process.env.TRIAD_DB_CACHE || (cmdHasDb(cmd) ? dirname(path) : cacheDir()),
        ...(flags.source ? { sources: flags.source.split(',').map((s) => s.trim()).filter(Boolean) } : {}),
        ...((flags.mirror ?? process.env.TRIAD_DB_MIRROR) ? { mirror: flags.mirror ?? process.env.TRIAD_DB_MIRROR } : {}),
        fetch: {
          maxBytes: Math.floor(maxMiB * 1024 * 1024),
          attempts: Math.floor(attempts),
          ...(process.env.TRIAD_DB_BACKOFF_MS ? { backoffMs: Number(process.env.TRIAD_DB_BACKOFF_MS) } : {}),
        },
        log: (l) => say(quiet, l),
      });
      const failed = results.filter((r) => r.status === 'failed');
      say(quiet, `database: ${path} (${results.filter((r) => r.status === 'updated').length} updated, ${results.filter((r) => r.status === 'up-to-date').length} up to date, ${failed.length} failed)`);
      if (failed.length) process.exitCode = 1;
    }));
}

/** Downloads are cached beside an explicit --db, else in the user cache. */
function cmdHasDb(cmd: Command): boolean {
  return Boolean((cmd.optsWithGlobals() as DbFlags).db);
}
