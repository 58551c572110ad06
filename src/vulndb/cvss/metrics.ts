// The metrics each CVSS version defines: abbreviation, allowed values, whether the base group makes
// it mandatory, and its group. Listed in each specification's vector-string order (v2.0 guide
// §2.4 Table 13, v3.x Table 15, v4.0 Table 23), which the parser enforces where the specification
// demands it (v2.0, v4.0) and ignores where it says readers "must accept metrics in any order" (v3.x).

import type { CvssVersion } from './types.ts';

export type MetricGroup = 'base' | 'temporal' | 'environmental' | 'supplemental';

export interface MetricDef {
  name: string;
  values: readonly string[];
  group: MetricGroup;
}

interface VersionSpec {
  /** Whether the specification makes any other order than `metrics`' invalid. */
  ordered: boolean;
  metrics: readonly MetricDef[];
}

function group(g: MetricGroup, defs: Record<string, string>): MetricDef[] {
  return Object.entries(defs).map(([name, values]) => ({ name, values: values.split(','), group: g }));
}

const V2: VersionSpec = {
  ordered: true,
  metrics: [
    ...group('base', { AV: 'L,A,N', AC: 'H,M,L', Au: 'M,S,N', C: 'N,P,C', I: 'N,P,C', A: 'N,P,C' }),
    ...group('temporal', { E: 'U,POC,F,H,ND', RL: 'OF,TF,W,U,ND', RC: 'UC,UR,C,ND' }),
    ...group('environmental', {
      CDP: 'N,L,LM,MH,H,ND', TD: 'N,L,M,H,ND', CR: 'L,M,H,ND', IR: 'L,M,H,ND', AR: 'L,M,H,ND',
    }),
  ],
};

const V3: VersionSpec = {
  ordered: false,
  metrics: [
    ...group('base', {
      AV: 'N,A,L,P', AC: 'L,H', PR: 'N,L,H', UI: 'N,R', S: 'U,C', C: 'H,L,N', I: 'H,L,N', A: 'H,L,N',
    }),
    ...group('temporal', { E: 'X,H,F,P,U', RL: 'X,U,W,T,O', RC: 'X,C,R,U' }),
    ...group('environmental', {
      CR: 'X,H,M,L', IR: 'X,H,M,L', AR: 'X,H,M,L', MAV: 'X,N,A,L,P', MAC: 'X,L,H', MPR: 'X,N,L,H',
      MUI: 'X,N,R', MS: 'X,U,C', MC: 'X,H,L,N', MI: 'X,H,L,N', MA: 'X,H,L,N',
    }),
  ],
};

const V4: VersionSpec = {
  ordered: true,
  metrics: [
    ...group('base', {
      AV: 'N,A,L,P', AC: 'L,H', AT: 'N,P', PR: 'N,L,H', UI: 'N,P,A',
      VC: 'H,L,N', VI: 'H,L,N', VA: 'H,L,N', SC: 'H,L,N', SI: 'H,L,N', SA: 'H,L,N',
    }),
    ...group('temporal', { E: 'X,A,P,U' }),
    ...group('environmental', {
      CR: 'X,H,M,L', IR: 'X,H,M,L', AR: 'X,H,M,L',
      MAV: 'X,N,A,L,P', MAC: 'X,L,H', MAT: 'X,N,P', MPR: 'X,N,L,H', MUI: 'X,N,P,A',
      MVC: 'X,H,L,N', MVI: 'X,H,L,N', MVA: 'X,H,L,N', MSC: 'X,H,L,N', MSI: 'X,S,H,L,N', MSA: 'X,S,H,L,N',
    }),
    ...group('supplemental', {
      S: 'X,N,P', AU: 'X,N,Y', R: 'X,A,U,I', V: 'X,D,C', RE: 'X,L,M,H', U: 'X,Clear,Green,Amber,Red',
    }),
  ],
};

/**
 * v4.0's Table 23 was first published with the impact metrics interleaved (VC/SC/VI/SI/VA/SA), an
 * editing relic the authors later corrected to VC/VI/VA/SC/SI/SA (cvss-v4-calculator issue #44).
 * Vectors written from the misprinted table exist (PyPA published some), so that order is valid too.
 */
const V4_MISPRINTED_ORDER = ['AV', 'AC', 'AT', 'PR', 'UI', 'VC', 'SC', 'VI', 'SI', 'VA', 'SA'];

/** Per-version lookup structures, built once. */
export interface CompiledSpec {
  ordered: boolean;
  byName: Map<string, { def: MetricDef; values: Set<string> }>;
  /** Accepted metric orders (metric -> rank); a vector must follow one of them (ordered versions). */
  orders: ReadonlyArray<ReadonlyMap<string, number>>;
  baseNames: readonly string[];
}

function compile(spec: VersionSpec, alternativeBaseOrders: ReadonlyArray<readonly string[]> = []): CompiledSpec {
  const byName = new Map<string, { def: MetricDef; values: Set<string> }>();
  for (const def of spec.metrics) byName.set(def.name, { def, values: new Set(def.values) });
  const canonical = spec.metrics.map((m) => m.name);
  const baseNames = spec.metrics.filter((m) => m.group === 'base').map((m) => m.name);
  const rank = (names: readonly string[]) => new Map(names.map((name, i) => [name, i] as const));
  const orders = [rank(canonical), ...alternativeBaseOrders.map((base) => rank([...base, ...canonical.slice(base.length)]))];
  return { ordered: spec.ordered, byName, orders, baseNames };
}

const COMPILED_V2 = compile(V2);
const COMPILED_V3 = compile(V3);
const COMPILED_V4 = compile(V4, [V4_MISPRINTED_ORDER]);

export function specFor(version: CvssVersion): CompiledSpec {
  switch (version) {
    case '2.0': return COMPILED_V2;
    case '3.0': case '3.1': return COMPILED_V3;
    case '4.0': return COMPILED_V4;
  }
}
