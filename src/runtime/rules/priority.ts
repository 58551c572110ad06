// Falco priorities (syslog severities), most severe first.

export const PRIORITIES = ['EMERGENCY', 'ALERT', 'CRITICAL', 'ERROR', 'WARNING', 'NOTICE', 'INFORMATIONAL', 'DEBUG'] as const;
export type Priority = (typeof PRIORITIES)[number];

const ALIASES: Record<string, Priority> = {
  EMERG: 'EMERGENCY', CRIT: 'CRITICAL', ERR: 'ERROR', WARN: 'WARNING', INFO: 'INFORMATIONAL',
};

/** Case-insensitive, with the short syslog spellings Falco accepts (INFO → INFORMATIONAL). */
export function parsePriority(v: unknown): Priority {
  const s = String(v ?? '').trim().toUpperCase();
  if ((PRIORITIES as readonly string[]).includes(s)) return s as Priority;
  const alias = ALIASES[s];
  if (alias) return alias;
  throw new Error(`invalid priority '${String(v)}' (expected one of ${PRIORITIES.join(', ')})`);
}

/** 0 = EMERGENCY ... 7 = DEBUG. */
export function priorityRank(p: Priority): number {
  return PRIORITIES.indexOf(p);
}
