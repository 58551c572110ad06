// Policy versions as Pod Security Admission spells them (`v1.37`, `latest`). A version newer than
// the newest Triad knows evaluates like the newest (upstream does the same with `latest`).
import type { PssVersion } from './types.ts';

/** The newest Kubernetes minor version whose Pod Security Standards Triad implements. */
export const LATEST_VERSION: PssVersion = { major: 1, minor: 37 };

export function v(major: number, minor: number): PssVersion {
  return { major, minor };
}

export function compareVersions(a: PssVersion, b: PssVersion): number {
  return a.major - b.major || a.minor - b.minor;
}

export function formatVersion(ver: PssVersion): string {
  return `v${ver.major}.${ver.minor}`;
}

/** Parses `v1.25`, `1.25` or `latest`; throws with a clear message otherwise. */
export function parseVersion(text: string): PssVersion {
  const s = text.trim();
  if (s === '' || s === 'latest') return LATEST_VERSION;
  const m = /^v?(\d{1,3})\.(\d{1,3})$/.exec(s);
  if (!m) throw new Error(`invalid Pod Security Standards version "${text}" (expected vMAJOR.MINOR such as v1.37, or latest)`);
  const ver = v(Number(m[1]), Number(m[2]));
  if (ver.major !== 1) throw new Error(`unsupported Pod Security Standards version "${text}" (only v1.x exists)`);
  return compareVersions(ver, LATEST_VERSION) > 0 ? LATEST_VERSION : ver;
}
