// RubySec and FriendsOfPHP publish one file per (package, vulnerability): the same CVE against
// actionpack and activesupport is two files. The database keys advisories on (source, id), so the
// files of one id are merged into one advisory with several affected packages, emitted when the run
// ends. Memory is bounded by the repository's size (a few thousand small records).

import type { Advisory } from '../../../model/advisory.ts';
import type { ImportSink } from '../../importer.ts';
import { dedupeSeverity } from './severity.ts';
import { orderAliases, unique } from './values.ts';

/** Past this many distinct ids a tree is not one of these repositories: later ids are dropped with a warning. */
const MAX_ADVISORIES = 1_000_000;

export class AdvisoryMerger {
  private readonly byId = new Map<string, Advisory>();
  private readonly sink: ImportSink;
  private overflow = false;

  constructor(sink: ImportSink) {
    this.sink = sink;
  }

  add(a: Advisory, file: string): void {
    const prev = this.byId.get(a.id);
    if (!prev) {
      if (this.byId.size >= MAX_ADVISORIES) {
        if (!this.overflow) this.sink.warn(file, `more than ${MAX_ADVISORIES} advisories, the rest is ignored`);
        this.overflow = true;
        return;
      }
      this.byId.set(a.id, a);
      return;
    }
    prev.aliases = orderAliases(prev.id, [...prev.aliases, ...a.aliases]);
    prev.summary ??= a.summary;
    prev.details ??= a.details;
    prev.published = earliest(prev.published, a.published);
    prev.modified = latest(prev.modified, a.modified);
    prev.severity = dedupeSeverity([...prev.severity, ...a.severity]);
    prev.references = unique([...prev.references, ...a.references]);
    prev.affected.push(...a.affected);
    // One withdrawn file does not withdraw the others' packages: withdrawn only when all are.
    if (!a.withdrawn) delete prev.withdrawn;
  }

  /** Emits every merged advisory into the sink. */
  flush(): void {
    for (const a of this.byId.values()) this.sink.advisory(a);
    this.byId.clear();
  }
}

function earliest(a?: string, b?: string): string | undefined {
  if (!a) return b;
  if (!b) return a;
  return a <= b ? a : b;
}

function latest(a?: string, b?: string): string | undefined {
  if (!a) return b;
  if (!b) return a;
  return a >= b ? a : b;
}
