// Skips that are expected by design (OSV GIT ranges, ecosystems Triad has no packages for) happen
// thousands of times in a bulk export; one warning per reason, with the count and the first file,
// keeps them visible without burying the real errors.

import type { ImportSink } from '../../importer.ts';

export class SkipTally {
  private readonly counts = new Map<string, { n: number; first: string }>();

  /** Counts one skip for `reason`, remembering the first file that had it. */
  add(reason: string, file: string): void {
    const c = this.counts.get(reason);
    if (c) c.n++;
    else this.counts.set(reason, { n: 1, first: file });
  }

  count(reason: string): number {
    return this.counts.get(reason)?.n ?? 0;
  }

  /** One warning per reason: "<reason>: <n> skipped (first: <file>)", naming the first file. */
  report(sink: ImportSink): void {
    for (const [reason, { n, first }] of this.counts) sink.warn(first, `${reason}: ${n} skipped (this file is the first)`);
  }
}
