// Test support: reads trivy-db's fixture YAML (the advisories Trivy's integration goldens were
// produced from: testdata/fixtures/db/*.yaml) into Triad advisories. The format is trivy-db's bolt
// layout written as YAML: top-level buckets ("alpine 3.10", "debian 9", "Red Hat",
// "pip::GitHub Security Advisory Pip" ...) -> package bucket -> advisory id -> value
// ({FixedVersion, Status, State, Severity} for distros, {PatchedVersions, VulnerableVersions} for
// language ecosystems), plus a "vulnerability" bucket with severities and texts per CVE.

import { mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import yaml from 'js-yaml';
import type { Advisory, Affected, FixState, RangeEvent, Severity, SeverityScore, VersionRange } from '../../model/advisory.ts';
import type { Ecosystem } from '../../model/types.ts';
import { schemeFor, type VersionScheme } from '../../version/index.ts';
import { rebuildDatabase } from '../../vulndb/rebuild.ts';
import { openVulnDB, type VulnDB } from '../../vulndb/store.ts';

interface Bucket {
  bucket?: string;
  key?: string;
  value?: unknown;
  pairs?: Bucket[];
}

type Rec = Record<string, unknown>;

const VENDOR: Severity[] = ['UNKNOWN', 'LOW', 'MEDIUM', 'HIGH', 'CRITICAL'];

/** trivy-db's types.Status numbers. */
const STATUS: Record<number, FixState> = { 1: 'not-affected', 2: 'affected', 3: 'fixed', 4: 'affected', 5: 'wont-fix', 6: 'deferred', 7: 'end-of-life' };
const DEBIAN_STATE: Record<string, FixState> = { postponed: 'deferred', ignored: 'wont-fix', 'no-dsa': 'wont-fix', 'end-of-life': 'end-of-life' };

const LANGUAGE: Record<string, Ecosystem> = { pip: 'pypi', npm: 'npm', rubygems: 'gem', cargo: 'cargo', composer: 'composer', maven: 'maven', nuget: 'nuget', go: 'golang' };

/** Top-level distro bucket -> ecosystem and Affected.distro. */
function distroOf(bucket: string): { ecosystem: Ecosystem; family: string; release: string; bySource?: boolean } | undefined {
  const m = (re: RegExp) => re.exec(bucket);
  let x: RegExpExecArray | null;
  if ((x = m(/^alpine (\S+)$/))) return { ecosystem: 'apk', family: 'alpine', release: x[1]!, bySource: true };
  if ((x = m(/^debian (\S+)$/))) return { ecosystem: 'deb', family: 'debian', release: x[1]!, bySource: true };
  if ((x = m(/^ubuntu (\S+)$/))) return { ecosystem: 'deb', family: 'ubuntu', release: x[1]!, bySource: true };
  if ((x = m(/^rocky (\d+)$/))) return { ecosystem: 'rpm', family: 'rocky', release: x[1]! };
  if ((x = m(/^alma (\d+)$/))) return { ecosystem: 'rpm', family: 'almalinux', release: x[1]! };
  if ((x = m(/^Oracle Linux (\d+)$/))) return { ecosystem: 'rpm', family: 'ol', release: x[1]! };
  if ((x = m(/^amazon linux (\S+)$/))) return { ecosystem: 'rpm', family: 'amzn', release: x[1]! };
  if ((x = m(/^Photon OS (\S+)$/))) return { ecosystem: 'rpm', family: 'photon', release: x[1]! };
  if ((x = m(/^CBL-Mariner (\S+)$/))) return { ecosystem: 'rpm', family: 'mariner', release: x[1]! };
  if ((x = m(/^openSUSE Leap (\S+)$/))) return { ecosystem: 'rpm', family: 'opensuse-leap', release: x[1]! };
  if (bucket === 'openSUSE Tumbleweed') return { ecosystem: 'rpm', family: 'opensuse-tumbleweed', release: 'rolling' };
  if ((x = m(/^SUSE Linux Enterprise (\d+)-SP(\d+)$/))) return { ecosystem: 'rpm', family: 'sles', release: `${x[1]}.${x[2]}` };
  if ((x = m(/^SUSE Linux Enterprise Micro (\S+)$/))) return { ecosystem: 'rpm', family: 'sle-micro', release: x[1]! };
  return undefined;
}

function vendorSeverity(v: unknown): Severity | undefined {
  const n = Number(v);
  return Number.isInteger(n) && n > 0 && n < VENDOR.length ? VENDOR[n] : undefined;
}

/**
 * ">= 2.0.0, <= 2.9.10.3", "< 3.0.0", "[2.9.0,2.9.10.7)" -> introduced/fixed/last_affected events.
 * trivy-db rewrote GHSA's ranges as "<= last vulnerable version" next to a patched-versions list;
 * GHSA's own records name the patched version as the fix, so "<= X" becomes fixed = the lowest
 * patched version above X when one is listed (last_affected X otherwise).
 */
function toEvents(expr: string, patched: string[], scheme: VersionScheme): VersionRange {
  const fixAbove = (x: string): string | undefined => {
    let best: string | undefined;
    for (const p of patched) {
      try {
        if (scheme.compare(p, x) > 0 && (best === undefined || scheme.compare(p, best) < 0)) best = p;
      } catch {
        // an unparsable patched version is not a candidate
      }
    }
    return best;
  };
  const events: RangeEvent[] = [];
  const bracket = /^\s*([[(])\s*([^,]*?)\s*,\s*([^\])]*?)\s*([\])])\s*$/.exec(expr);
  if (bracket) {
    events.push({ introduced: bracket[2] || '0' });
    if (bracket[3]) events.push(bracket[4] === ')' ? { fixed: bracket[3] } : { last_affected: bracket[3] });
    return { type: 'ECOSYSTEM', events };
  }
  for (const part of expr.split(',')) {
    const m = /^\s*(>=|<=|>|<|=)?\s*(\S+)\s*$/.exec(part);
    if (!m) continue;
    const [, op, v] = m;
    if (op === '>=' || op === '>') events.push({ introduced: v! });
    else if (op === '<') events.push({ fixed: v! });
    else if (op === '<=') {
      const f = fixAbove(v!);
      events.push(f ? { fixed: f } : { last_affected: v! });
    }
    else events.push({ introduced: v! }, { last_affected: v! });
  }
  if (!events.some((e) => e.introduced !== undefined)) events.unshift({ introduced: '0' });
  return { type: 'ECOSYSTEM', events };
}

function strings(v: unknown): string[] {
  return Array.isArray(v) ? v.map(String) : [];
}

export interface TrivyFixtureDB {
  advisories: Advisory[];
  /** Buckets not loaded (ecosystems Triad has no packages for), for the test's record. */
  skipped: string[];
}

function osAffected(d: NonNullable<ReturnType<typeof distroOf>>, pkg: string, v: Rec, release = d.release): Affected {
  const fixed = typeof v.FixedVersion === 'string' && v.FixedVersion ? v.FixedVersion : undefined;
  let state: FixState = fixed ? 'fixed' : 'affected';
  if (!fixed && typeof v.Status === 'number' && STATUS[v.Status]) state = STATUS[v.Status]!;
  if (!fixed && typeof v.State === 'string' && DEBIAN_STATE[v.State]) state = DEBIAN_STATE[v.State]!;
  const a: Affected = {
    ecosystem: d.ecosystem,
    distro: { family: d.family, release },
    package: pkg,
    ranges: fixed ? [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed }] }] : [],
    state,
  };
  if (d.bySource) a.bySource = true;
  const sev = vendorSeverity(v.Severity);
  if (sev) a.severity = sev;
  return a;
}

/** Reads every fixture file of a trivy-db fixture directory. */
export function loadTrivyFixtures(dir: string): TrivyFixtureDB {
  const docs = new Map<string, Bucket[]>();
  for (const f of readdirSync(dir).filter((x) => /\.ya?ml$/.test(x)).sort()) {
    docs.set(f, (yaml.load(readFileSync(join(dir, f), 'utf8')) as Bucket[] | null) ?? []);
  }
  // Red Hat entries name content sets by CPE index: index -> RHEL major via the "Red Hat CPE" bucket.
  const cpeRelease = new Map<number, string>();
  for (const top of docs.get('cpe.yaml') ?? []) {
    for (const b of top.pairs ?? []) {
      if (b.bucket !== 'cpe') continue;
      for (const p of b.pairs ?? []) {
        const m = /enterprise_linux:(\d+)/.exec(String(p.value));
        if (m) cpeRelease.set(Number(p.key), m[1]!);
      }
    }
  }
  const out: Advisory[] = [];
  const skipped: string[] = [];
  const vulnInfo = new Map<string, Rec>();
  for (const top of docs.get('vulnerability.yaml') ?? []) for (const p of top.pairs ?? []) if (p.key) vulnInfo.set(p.key, (p.value ?? {}) as Rec);

  const withInfo = (id: string, source: string, affected: Affected[], ghsa: boolean): Advisory => {
    const info = vulnInfo.get(id) ?? {};
    const severity: SeverityScore[] = [];
    const vs = (info.VendorSeverity ?? {}) as Rec;
    if (ghsa && vendorSeverity(vs.ghsa)) severity.push({ type: 'vendor', rating: vendorSeverity(vs.ghsa)!, source: 'ghsa' });
    return {
      id,
      source,
      aliases: [],
      ...(typeof info.Title === 'string' ? { summary: info.Title } : {}),
      severity,
      references: strings(info.References),
      affected,
    };
  };

  for (const [file, tops] of docs) {
    if (file === 'vulnerability.yaml' || file === 'cpe.yaml' || file === 'data-source.yaml') continue;
    for (const top of tops) {
      const name = top.bucket ?? '';
      const lang = /^([a-z]+)::/.exec(name)?.[1];
      for (const pkgBucket of top.pairs ?? []) {
        const pkg = String(pkgBucket.bucket ?? '');
        for (const entry of pkgBucket.pairs ?? []) {
          const id = String(entry.key ?? '').trim();
          const v = (entry.value ?? {}) as Rec;
          if (lang) {
            const ecosystem = LANGUAGE[lang];
            if (!ecosystem) {
              skipped.push(name);
              continue;
            }
            const vulnerable = strings(v.VulnerableVersions);
            const patched = strings(v.PatchedVersions);
            // trivy-db writes ranges in one comparator language for every ecosystem: they become
            // OSV events (the native constraint syntaxes differ); "only patched" lists (RustSec)
            // stay constraints, which the Cargo scheme reads natively.
            const ranges: VersionRange[] = vulnerable.length ? vulnerable.map((e) => toEvents(e, patched, schemeFor(ecosystem))) : [{ type: 'CONSTRAINT', unaffected: patched }];
            out.push(withInfo(id, `trivy-${lang}`, [{ ecosystem, package: pkg, ranges }], true));
          } else if (name === 'Red Hat') {
            for (const e of (v.Entries ?? []) as Rec[]) {
              const releases = [...new Set(((e.Affected ?? []) as number[]).map((i) => cpeRelease.get(Number(i))).filter((r): r is string => r !== undefined))];
              const cves = ((e.Cves ?? []) as Rec[]).map((c) => ({ id: typeof c.ID === 'string' ? c.ID : id, sev: c.Severity }));
              for (const c of cves) {
                const affected = releases.map((r) => osAffected({ ecosystem: 'rpm', family: 'rhel', release: r }, pkg, { ...e, Severity: c.sev }));
                if (affected.length) out.push(withInfo(c.id, 'trivy-redhat', affected, false));
              }
            }
          } else {
            const d = distroOf(name);
            if (!d) {
              skipped.push(name);
              continue;
            }
            out.push(withInfo(id, `trivy-${d.family}`, [osAffected(d, pkg, v)], false));
          }
        }
      }
    }
  }
  // NVD's CVSS from the vulnerability bucket, for severity by CVE alias (enrichment).
  for (const [id, info] of vulnInfo) {
    const nvd = ((info.CVSS ?? {}) as Rec).nvd as Rec | undefined;
    if (!nvd || typeof nvd.V3Vector !== 'string') continue;
    out.push({ id, source: 'nvd', aliases: [], severity: [{ type: 'CVSS_V3', vector: nvd.V3Vector, ...(typeof nvd.V3Score === 'number' ? { score: nvd.V3Score } : {}), source: 'nvd' }], references: [], affected: [] });
  }
  return { advisories: out, skipped: [...new Set(skipped)] };
}

/** A fresh database holding the fixture advisories (a temp file). */
export async function buildFixtureDB(dir: string): Promise<VulnDB> {
  const { advisories } = loadTrivyFixtures(dir);
  const path = join(mkdtempSync(join(tmpdir(), 'triad-trivy-fixtures-')), 'db.sqlite');
  await rebuildDatabase(path, async (w) => {
    await w.replaceSource({ name: 'trivy-fixtures', origin: [dir] }, async (sink) => {
      for (const a of advisories) sink.advisory(a);
    });
  });
  return openVulnDB(path);
}
