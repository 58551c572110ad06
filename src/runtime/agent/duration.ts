// Durations on the command line: 1h, 30m, 45s, 500ms, 2d, or combinations like 1h30m.
const UNIT: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

export function parseDuration(text: string, what = 'duration'): number {
  const t = text.trim();
  if (/^\d+$/.test(t)) return Number(t) * 1000; // bare number = seconds
  const re = /(\d+(?:\.\d+)?)(ms|s|m|h|d)/gy;
  let total = 0;
  let m: RegExpExecArray | null;
  let end = 0;
  while ((m = re.exec(t))) {
    total += Number(m[1]) * UNIT[m[2]!]!;
    end = re.lastIndex;
  }
  if (end !== t.length || t.length === 0 || !Number.isFinite(total)) throw new Error(`${what}: "${text}" is not a duration (e.g. 1h, 30m, 45s, 500ms)`);
  return total;
}
