// Red Hat CSAF 2.0 documents: the per-CVE VEX files (security.access.redhat.com/data/csaf/v2/vex)
// and the per-erratum advisories (…/csaf/v2/advisories, RHSA-…). Both describe products as
// "<stream>:<component>" ids, where the stream (product_tree branch with a CPE) names the release:
//   fixed:              "BaseOS-9.5.0.Z.MAIN:pam-0:1.5.1-21.el9_5.x86_64"  (NEVRA, epoch kept)
//   known_affected etc: "red_hat_enterprise_linux_8:pam"
// Only RHEL's main streams (cpe:/o|a:redhat:enterprise_linux:N…) are imported, as release "N":
// EUS/AUS/E4S/TUS/SAP streams and layered products (OpenShift, JBoss …) are other package sets.
// Unfixed states come from the remediations: no_fix_planned "Will not fix" -> wont-fix, "Out of
// support scope" -> end-of-life, none_available "Fix deferred" -> deferred, otherwise affected;
// known_not_affected -> not-affected. The impact threat (Low/Moderate/Important/Critical) is the
// package severity; cvss_v3/cvss_v2 scores are the advisory's.

import type { Advisory, Affected, FixState, Severity } from '../../../model/advisory.ts';
import type { ImportSink } from '../../importer.ts';
import { rpmvercmp } from '../../../version/rpm.ts';
import { addSeverity, addUnique, type AdvisoryCollector } from '../os-common/collect.ts';
import { isObject, str } from '../os-common/files.ts';
import { severityFromWord } from '../os-common/severity.ts';

/** "cpe:/o:redhat:enterprise_linux:9::baseos" -> "9"; other products -> undefined. */
export function rhelRelease(cpe: string): string | undefined {
  const m = /^cpe:\/[ao]:redhat:enterprise_linux:(\d+)(?:\.\d+)*(?::|$)/.exec(cpe);
  return m ? m[1] : undefined;
}

/** "pam-0:1.5.1-21.el9_5.x86_64" -> {name pam, evr 0:1.5.1-21.el9_5}; module prefixes dropped. */
export function parseNevra(component: string): { name: string; evr: string; arch: string } | undefined {
  const m = /(?:^|:)([^:]+)-(\d+):([^:-]+)-([^:-]+)\.([A-Za-z0-9_]+)$/.exec(component);
  return m ? { name: m[1], evr: `${m[2]}:${m[3]}-${m[4]}`, arch: m[5] } : undefined;
}

function compareEvr(a: string, b: string): number {
  const [ea, va] = a.includes(':') ? [Number(a.slice(0, a.indexOf(':'))), a.slice(a.indexOf(':') + 1)] : [0, a];
  const [eb, vb] = b.includes(':') ? [Number(b.slice(0, b.indexOf(':'))), b.slice(b.indexOf(':') + 1)] : [0, b];
  if (ea !== eb) return ea - eb;
  try {
    return rpmvercmp(va, vb);
  } catch {
    return va < vb ? -1 : va > vb ? 1 : 0;
  }
}

/** product_id -> CPE of every product in the tree (streams carry one). */
function streamCpes(tree: unknown): Map<string, string> {
  const out = new Map<string, string>();
  const stack: unknown[] = [tree];
  let budget = 1_000_000;
  while (stack.length > 0 && budget-- > 0) {
    const node = stack.pop();
    if (!isObject(node)) continue;
    const product = isObject(node.product) ? node.product : undefined;
    const helper = product && isObject(product.product_identification_helper) ? product.product_identification_helper : undefined;
    const id = product ? str(product.product_id) : undefined;
    const cpe = helper ? str(helper.cpe) : undefined;
    if (id && cpe) out.set(id, cpe);
    if (Array.isArray(node.branches)) stack.push(...node.branches);
  }
  return out;
}

function remediationState(category: string | undefined, details: string | undefined): FixState {
  const d = (details ?? '').toLowerCase();
  if (d.includes('will not fix')) return 'wont-fix';
  if (d.includes('out of support')) return 'end-of-life';
  if (d.includes('deferred')) return 'deferred';
  if (category === 'no_fix_planned') return 'wont-fix';
  return 'affected';
}

/** One CSAF document into the collector. */
export function collectRedhatCsaf(doc: unknown, file: string, out: AdvisoryCollector, sink: ImportSink): void {
  if (!isObject(doc) || !isObject(doc.document) || !Array.isArray(doc.vulnerabilities)) return sink.warn(file, 'not a CSAF document, skipped');
  const category = str(doc.document.category);
  const tracking = isObject(doc.document.tracking) ? doc.document.tracking : {};
  const trackingId = str(tracking.id);
  const isVex = category === 'csaf_vex';
  const cpes = streamCpes(doc.product_tree);
  const aggregate = isObject(doc.document.aggregate_severity) ? severityFromWord(str(doc.document.aggregate_severity.text)) : undefined;
  // An erratum (RHSA) is one advisory for all its CVEs; a VEX file is one CVE.
  let erratum: Advisory | undefined;
  if (!isVex) {
    if (!trackingId) return sink.warn(file, 'CSAF advisory without tracking.id, skipped');
    erratum = out.get(trackingId, file);
    if (!erratum) return;
    erratum.summary ??= str(doc.document.title);
    erratum.published ??= str(tracking.initial_release_date);
    erratum.modified ??= str(tracking.current_release_date);
    for (const k of ['summary', 'published', 'modified'] as const) if (erratum[k] === undefined) delete erratum[k];
    addUnique(erratum.references, `https://access.redhat.com/errata/${trackingId}`);
    if (aggregate) addSeverity(erratum.severity, { type: 'vendor', rating: aggregate, source: 'redhat' });
  }
  for (const [i, v] of doc.vulnerabilities.entries()) {
    if (!isObject(v)) continue;
    const cve = str(v.cve);
    if (!cve) {
      sink.warn(file, `vulnerabilities[${i}]: no cve, skipped`);
      continue;
    }
    const adv = erratum ?? out.get(cve, file);
    if (!adv) return;
    if (erratum) addUnique(erratum.aliases, cve);
    else {
      adv.published ??= str(v.release_date) ?? str(tracking.initial_release_date);
      adv.modified ??= str(tracking.current_release_date);
      for (const k of ['published', 'modified'] as const) if (adv[k] === undefined) delete adv[k];
      addUnique(adv.references, `https://access.redhat.com/security/cve/${cve}`);
      if (aggregate) addSeverity(adv.severity, { type: 'vendor', rating: aggregate, source: 'redhat' });
      for (const n of Array.isArray(v.notes) ? v.notes : [])
        if (isObject(n) && n.category === 'description' && !adv.details) adv.details = str(n.text) ?? adv.details;
      if (adv.details === undefined) delete adv.details;
    }
    for (const s of Array.isArray(v.scores) ? v.scores : []) {
      if (!isObject(s)) continue;
      for (const [k, type] of [['cvss_v3', 'CVSS_V3'], ['cvss_v2', 'CVSS_V2'], ['cvss_v4', 'CVSS_V4']] as const) {
        const c = isObject(s[k]) ? s[k] : undefined;
        const vector = c ? str(c.vectorString) : undefined;
        if (c && vector) addSeverity(adv.severity, { type, vector, score: typeof c.baseScore === 'number' ? c.baseScore : undefined, source: 'redhat' });
      }
    }
    for (const x of adv.severity) if (x.score === undefined) delete x.score;
    // Per-product impact.
    const impact = new Map<string, Severity>();
    for (const t of Array.isArray(v.threats) ? v.threats : []) {
      if (!isObject(t) || t.category !== 'impact') continue;
      const sev = severityFromWord(str(t.details));
      for (const p of Array.isArray(t.product_ids) ? t.product_ids : []) if (typeof p === 'string' && sev) impact.set(p, sev);
    }
    const remediation = new Map<string, FixState>();
    for (const r of Array.isArray(v.remediations) ? v.remediations : []) {
      if (!isObject(r) || r.category === 'vendor_fix' || r.category === 'workaround' || r.category === 'mitigation') continue;
      const state = remediationState(str(r.category), str(r.details));
      for (const p of Array.isArray(r.product_ids) ? r.product_ids : []) if (typeof p === 'string') remediation.set(p, state);
    }
    const status = isObject(v.product_status) ? v.product_status : {};
    const ids = (k: string): string[] => (Array.isArray(status[k]) ? status[k].filter((x): x is string => typeof x === 'string') : []);
    // Fixed: keep the highest EVR per (release, package) over arches and Z-streams.
    const fixed = new Map<string, { release: string; name: string; evr: string; sev?: Severity }>();
    // Trimmed documents (and some errata) name fixed products only in the vendor_fix remediation.
    const vendorFix = (Array.isArray(v.remediations) ? v.remediations : [])
      .filter((r): r is Record<string, unknown> => isObject(r) && r.category === 'vendor_fix' && Array.isArray(r.product_ids))
      .flatMap((r) => (r.product_ids as unknown[]).filter((x): x is string => typeof x === 'string'));
    const fixedIds = [...new Set([...ids('fixed'), ...ids('first_fixed'), ...vendorFix])];
    for (const pid of fixedIds) {
      const r = splitProduct(pid, cpes);
      if (!r) continue;
      const nevra = parseNevra(r.component);
      if (!nevra) continue;
      const k = `${r.release}\u0000${nevra.name}`;
      const prev = fixed.get(k);
      if (!prev || compareEvr(nevra.evr, prev.evr) > 0) fixed.set(k, { release: r.release, name: nevra.name, evr: nevra.evr, sev: impact.get(pid) ?? prev?.sev });
    }
    for (const f of fixed.values()) out.addAffected(adv, rpmAffected(f.release, f.name, 'fixed', f.evr, f.sev ?? aggregate));
    const unfixedIds = (list: string): string[] =>
      list === 'known_affected' ? [...new Set([...ids(list), ...[...remediation.keys()].filter((p) => !p.includes(':') || parseNevra(p) === undefined)])] : ids(list);
    for (const [list, defaultState] of [['known_affected', 'affected'], ['under_investigation', 'affected'], ['known_not_affected', 'not-affected']] as const) {
      for (const pid of unfixedIds(list)) {
        const r = splitProduct(pid, cpes);
        if (!r) continue;
        // "red_hat_enterprise_linux_8:container-tools:rhel8/podman": the package is the last part.
        const name = r.component.slice(r.component.lastIndexOf('/') + 1);
        if (fixed.has(`${r.release}\u0000${name}`)) continue;
        const state = list === 'known_affected' ? (remediation.get(pid) ?? defaultState) : defaultState;
        out.addAffected(adv, rpmAffected(r.release, name, state, undefined, state === 'not-affected' ? undefined : (impact.get(pid) ?? aggregate)));
      }
    }
  }
}

/** "<stream>:<component>" -> RHEL release and component, when the stream is a RHEL main stream. */
function splitProduct(pid: string, cpes: Map<string, string>): { release: string; component: string } | undefined {
  // Stream ids contain no ':'; the component (a NEVRA with epoch, a module path) may.
  const colon = pid.indexOf(':');
  if (colon <= 0) return undefined;
  const cpe = cpes.get(pid.slice(0, colon));
  const release = cpe ? rhelRelease(cpe) : undefined;
  return release ? { release, component: pid.slice(colon + 1) } : undefined;
}

function rpmAffected(release: string, name: string, state: FixState, fixed: string | undefined, severity: Severity | undefined): Affected {
  const a: Affected = {
    ecosystem: 'rpm',
    distro: { family: 'rhel', release },
    package: name,
    ranges: state === 'not-affected' ? [] : [{ type: 'ECOSYSTEM', events: fixed ? [{ introduced: '0' }, { fixed }] : [{ introduced: '0' }] }],
    state,
  };
  if (severity && severity !== 'UNKNOWN') a.severity = severity;
  return a;
}
