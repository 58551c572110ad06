// Licence strings as catalogers report them (SPDX ids, SPDX expressions, or free text such as
// Debian's "GPL-2+") sorted into what each SBOM format can carry. Known SPDX ids come from the
// list that @cyclonedx/cyclonedx-library ships (its res/schema/spdx.SNAPSHOT.schema.json), so the
// ids we emit are exactly the ones the CycloneDX schema's enum accepts.
import { fixupSpdxId } from '@cyclonedx/cyclonedx-library/SPDX';

/** A parsed SPDX licence expression (SPDX 2.3 Annex D). */
export type LicenseNode =
  | { op: 'id'; id: string; plus: boolean }
  | { op: 'ref'; ref: string }
  | { op: 'with'; license: LicenseNode; exception: string }
  | { op: 'and' | 'or'; args: LicenseNode[] };

export type LicenseClass =
  | { kind: 'id'; id: string }
  | { kind: 'expression'; expression: string; node: LicenseNode }
  | { kind: 'name'; name: string };

// idstring in Annex D: letters, digits, '.', '-'; '+' is the "or later" suffix; ':' only appears in
// DocumentRef-x:LicenseRef-y, which we refuse (it would need an externalDocumentRefs entry).
const TOKEN = /\s*(\(|\)|[A-Za-z0-9.+-]+|\S)/y;
const LICENSE_REF = /^LicenseRef-[A-Za-z0-9.-]+$/;

function tokenize(text: string): string[] | undefined {
  // Trimmed first: a sticky regex that fails on trailing blanks would rewind lastIndex to 0.
  const s = text.trim();
  const out: string[] = [];
  TOKEN.lastIndex = 0;
  let m: RegExpExecArray | null;
  while (TOKEN.lastIndex < s.length && (m = TOKEN.exec(s)) !== null) out.push(m[1]!);
  return /\S/.test(s.slice(TOKEN.lastIndex)) ? undefined : out;
}

/** Recursive descent over Annex D. Operators are case-sensitive there, so "GPL-1+ or Artistic"
 * (Debian copyright style) is not an expression: it stays a name. */
function parse(tokens: string[]): LicenseNode | undefined {
  let i = 0;
  const simple = (): LicenseNode | undefined => {
    const t = tokens[i++];
    if (t === undefined) return undefined;
    if (t === '(') {
      const inner = orExpr();
      return tokens[i++] === ')' ? inner : undefined;
    }
    if (LICENSE_REF.test(t)) return { op: 'ref', ref: t };
    const plus = t.endsWith('+');
    const id = fixupSpdxId(plus ? t.slice(0, -1) : t);
    // Some deprecated list entries end in '+' themselves ("GPL-2.0+"): accept them whole.
    if (id === undefined) return plus && fixupSpdxId(t) ? { op: 'id', id: fixupSpdxId(t)!, plus: false } : undefined;
    return { op: 'id', id, plus };
  };
  const withExpr = (): LicenseNode | undefined => {
    const lic = simple();
    if (lic === undefined || tokens[i] !== 'WITH') return lic;
    i++;
    // The CycloneDX list mixes licence and exception ids; we only check the exception is known.
    const exc = tokens[i] === undefined ? undefined : fixupSpdxId(tokens[i]);
    if (exc === undefined || lic.op === 'and' || lic.op === 'or') return undefined;
    i++;
    return { op: 'with', license: lic, exception: exc };
  };
  const chain = (op: 'and' | 'or', word: string, next: () => LicenseNode | undefined) => (): LicenseNode | undefined => {
    const first = next();
    if (first === undefined) return undefined;
    const args = [first];
    while (tokens[i] === word) {
      i++;
      const n = next();
      if (n === undefined) return undefined;
      args.push(n);
    }
    return args.length === 1 ? first : { op, args };
  };
  const andExpr = chain('and', 'AND', withExpr);
  const orExpr = chain('or', 'OR', andExpr);
  const node = orExpr();
  return node !== undefined && i === tokens.length ? node : undefined;
}

/** Canonical text: ids in list casing, single spaces, parentheses only where precedence needs them. */
export function formatLicense(n: LicenseNode, parent?: 'and' | 'or' | 'with'): string {
  switch (n.op) {
    case 'id':
      return n.id + (n.plus ? '+' : '');
    case 'ref':
      return n.ref;
    case 'with':
      return `${formatLicense(n.license, 'with')} WITH ${n.exception}`;
    default: {
      const s = n.args.map((a) => formatLicense(a, n.op)).join(n.op === 'and' ? ' AND ' : ' OR ');
      // AND binds tighter than OR, so only an OR inside an AND (or any compound under WITH) needs brackets.
      return parent === 'with' || (parent === 'and' && n.op === 'or') ? `(${s})` : s;
    }
  }
}

export function classifyLicense(raw: string): LicenseClass {
  const s = raw.trim();
  const direct = fixupSpdxId(s);
  if (direct !== undefined) return { kind: 'id', id: direct };
  const tokens = tokenize(s);
  const node = tokens && tokens.length > 0 ? parse(tokens) : undefined;
  if (node !== undefined) return { kind: 'expression', expression: formatLicense(node), node };
  return { kind: 'name', name: s };
}

/** Every LicenseRef-… an expression uses (SPDX needs an extracted-licensing entry for each). */
export function licenseRefs(n: LicenseNode, out: Set<string> = new Set()): Set<string> {
  if (n.op === 'ref') out.add(n.ref);
  else if (n.op === 'with') licenseRefs(n.license, out);
  else if (n.op === 'and' || n.op === 'or') for (const a of n.args) licenseRefs(a, out);
  return out;
}

/** Conjunction of several declared licences; every part must already be a valid expression. */
export function andAll(parts: LicenseNode[]): LicenseNode {
  const uniq = new Map<string, LicenseNode>();
  for (const p of parts) uniq.set(formatLicense(p), p);
  const list = [...uniq.values()];
  return list.length === 1 ? list[0]! : { op: 'and', args: list };
}
