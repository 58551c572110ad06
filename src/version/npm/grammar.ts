// The node-semver grammar (the npm registry's version and range language), rebuilt from its
// documented syntax: strict and loose versions, x-ranges, tilde, caret, hyphen ranges, comparators.

const NUM = '0|[1-9]\\d*';
const NUM_LOOSE = '\\d+';
const NON_NUM = '\\d*[a-zA-Z-][a-zA-Z0-9-]*';
const MAIN = `(${NUM})\\.(${NUM})\\.(${NUM})`;
const MAIN_LOOSE = `(${NUM_LOOSE})\\.(${NUM_LOOSE})\\.(${NUM_LOOSE})`;
const PRE_ID = `(?:${NON_NUM}|${NUM})`;
const PRE_ID_LOOSE = `(?:${NON_NUM}|${NUM_LOOSE})`;
const PRE = `(?:-(${PRE_ID}(?:\\.${PRE_ID})*))`;
const PRE_LOOSE = `(?:-?(${PRE_ID_LOOSE}(?:\\.${PRE_ID_LOOSE})*))`;
const BUILD_ID = '[a-zA-Z0-9-]+';
const BUILD = `(?:\\+(${BUILD_ID}(?:\\.${BUILD_ID})*))`;
const FULL_PLAIN = `v?${MAIN}${PRE}?${BUILD}?`;
const LOOSE_PLAIN = `[v=\\s]*${MAIN_LOOSE}${PRE_LOOSE}?${BUILD}?`;
const GTLT = '((?:<|>)?=?)';
const XID = `${NUM}|x|X|\\*`;
const XID_LOOSE = `${NUM_LOOSE}|x|X|\\*`;
const XPLAIN = `[v=\\s]*(${XID})(?:\\.(${XID})(?:\\.(${XID})(?:${PRE})?${BUILD}?)?)?`;
const XPLAIN_LOOSE = `[v=\\s]*(${XID_LOOSE})(?:\\.(${XID_LOOSE})(?:\\.(${XID_LOOSE})(?:${PRE_LOOSE})?${BUILD}?)?)?`;

export interface Grammar {
  version: RegExp;
  xrange: RegExp;
  tilde: RegExp;
  caret: RegExp;
  comparator: RegExp;
  comparatorTrim: RegExp;
  hyphen: RegExp;
}

function grammar(loose: boolean): Grammar {
  const plain = loose ? LOOSE_PLAIN : FULL_PLAIN;
  const xplain = loose ? XPLAIN_LOOSE : XPLAIN;
  return {
    version: new RegExp(`^${plain}$`),
    xrange: new RegExp(`^${GTLT}\\s*${xplain}$`),
    tilde: new RegExp(`^(?:~>?)${xplain}$`),
    caret: new RegExp(`^(?:\\^)${xplain}$`),
    comparator: new RegExp(`^${GTLT}\\s*(${plain})$|^$`),
    comparatorTrim: new RegExp(`(\\s*)${GTLT}\\s*(${LOOSE_PLAIN}|${XPLAIN})`, 'g'),
    hyphen: new RegExp(`^\\s*(${xplain})\\s+-\\s+(${xplain})\\s*$`),
  };
}

export const STRICT_GRAMMAR = grammar(false);
export const LOOSE_GRAMMAR = grammar(true);
export const TILDE_TRIM = /(\s*)~>?\s+/g;
export const CARET_TRIM = /(\s*)\^\s+/g;
export const STAR = /(<|>)?=?\s*\*/;
export const GTE0 = /^\s*>=\s*0\.0\.0\s*$/;
export const GTE0_PRE = /^\s*>=\s*0\.0\.0-0\s*$/;
