// Distro feeds are organised by package or by release file, while an Advisory is one vulnerability
// with every package it affects. The collector groups records by advisory id over one import run
// and emits each advisory once, when the run ends; memory is bounded by the feed's own size.

import type { Advisory, Affected, SeverityScore } from '../../../model/advisory.ts';
import type { ImportSink } from '../../importer.ts';

/** Upper bound of distinct advisories one run may hold; a feed past this is not one we know. */
const MAX_ADVISORIES = 2_000_000;

export class AdvisoryCollector {
  private readonly byId = new Map<string, Advisory>();
  private readonly affectedKeys = new Map<string, Set<string>>();
  private readonly source: string;
  private readonly sink: ImportSink;
  private overflowWarned = false;

  constructor(source: string, sink: ImportSink) {
    this.source = source;
    this.sink = sink;
  }

  /** The advisory for `id`, created on first use. Returns undefined past the size bound. */
  get(id: string, file: string): Advisory | undefined {
    let a = this.byId.get(id);
    if (!a) {
      if (this.byId.size >= MAX_ADVISORIES) {
        if (!this.overflowWarned) this.sink.warn(file, `more than ${MAX_ADVISORIES} advisories, the rest is ignored`);
        this.overflowWarned = true;
        return undefined;
      }
      a = { id, source: this.source, aliases: [], severity: [], references: [], affected: [] };
      this.byId.set(id, a);
    }
    return a;
  }

  /**
   * Adds one affected package. The same (distro, release, package, ranges, state) twice is one entry:
   * feeds repeat themselves (a CVE under main and community, a DSA and its regression update).
   */
  addAffected(a: Advisory, aff: Affected): void {
    const key = JSON.stringify([aff.distro?.family, aff.distro?.release, aff.package, aff.ranges, aff.state, aff.versions]);
    let keys = this.affectedKeys.get(a.id);
    if (!keys) this.affectedKeys.set(a.id, (keys = new Set()));
    if (keys.has(key)) return;
    keys.add(key);
    a.affected.push(aff);
  }

  size(): number {
    return this.byId.size;
  }

  /**
   * Emits every advisory (in id order, for reproducible databases) and forgets them. `keep` may
   * drop records that turned out to say nothing (a CVE list entry that is only NOT-FOR-US).
   */
  flush(keep: (a: Advisory) => boolean = () => true): void {
    const ids = [...this.byId.keys()].sort();
    for (const id of ids) {
      const a = this.byId.get(id)!;
      if (!keep(a)) continue;
      a.aliases = sortAliases(a.aliases.filter((x) => x !== a.id));
      this.sink.advisory(a);
    }
    this.byId.clear();
    this.affectedKeys.clear();
  }
}

export function addUnique<T>(list: T[], ...items: (T | undefined)[]): void {
  for (const x of items) if (x !== undefined && !list.includes(x)) list.push(x);
}

/** Adds a severity statement unless an identical one (type, vector, source, rating) is there. */
export function addSeverity(list: SeverityScore[], s: SeverityScore): void {
  if (list.some((x) => x.type === s.type && x.vector === s.vector && x.source === s.source && x.rating === s.rating)) return;
  list.push(s);
}

/** CVE ids first (the model's convention), then the rest, each group in its original order. */
function sortAliases(aliases: string[]): string[] {
  const unique = [...new Set(aliases)];
  return [...unique.filter((x) => x.startsWith('CVE-')), ...unique.filter((x) => !x.startsWith('CVE-'))];
}

/** Vulnerability ids as they appear in distro feeds: CVE, GHSA, distro and vendor advisories. */
export const VULN_ID = /^(?:CVE-\d{4}-\d{4,}|GHSA(?:-[23456789cfghjmpqrvwx]{4}){3}|[A-Z][A-Z0-9]*-[A-Za-z0-9][A-Za-z0-9:._-]*)$/;
