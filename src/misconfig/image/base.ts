// Which bottom layers of an image came from its base image. An image does not record this, so it
// is inferred from the history, in this order:
//   1. the caller says so (`baseLayers`, e.g. from the Dockerfile's FROM image's layer count);
//   2. the last "build boundary": a CMD or ENTRYPOINT history entry (an instruction that only ends
//      a Dockerfile, as the base image's last step) followed by more layers. Everything below it
//      is the base. Official images end with CMD/ENTRYPOINT, so `FROM debian` + RUN is split
//      right. A Dockerfile with a CMD in the middle moves the boundary up: fewer findings, never
//      false ones about the base;
//   3. otherwise, when the first layer is a root filesystem dropped in (`ADD file:… in /`,
//      `docker import`) and more layers follow, that first layer is the base;
//   4. otherwise nothing is base (a single-layer image, or a history-less one, is all its own).

export interface HistoryEntry {
  created_by?: string;
  comment?: string;
  empty_layer?: boolean;
}

export interface BaseLayers {
  /** Layers [0, count) are the base image's. */
  count: number;
  /** How the boundary was found, for the report. */
  how: string;
}

/** The Dockerfile instruction a history entry records (legacy `#(nop)` and BuildKit styles). */
export function historyInstruction(createdBy: string | undefined): string {
  const s = (createdBy ?? '').trim();
  const nop = /#\(nop\)\s+(.*)$/s.exec(s);
  if (nop) return nop[1]!.trim();
  if (/^\/bin\/sh -c /.test(s) || /^\|\d+ /.test(s)) return 'RUN ' + s;
  return s;
}

const BOUNDARY = /^(CMD|ENTRYPOINT)\b/i;
const ROOTFS = /^(ADD|COPY) (file|multi):[0-9a-f]+ in \/\s*$/i;

export function baseLayerCount(history: HistoryEntry[], layerCount: number, explicit?: number): BaseLayers {
  if (explicit !== undefined) return { count: Math.max(0, Math.min(layerCount, explicit)), how: 'given' };
  let layersSoFar = 0;
  let boundary: number | undefined;
  for (const h of history) {
    if (!h.empty_layer) {
      layersSoFar++;
      continue;
    }
    if (BOUNDARY.test(historyInstruction(h.created_by))) boundary = layersSoFar;
  }
  if (boundary !== undefined && boundary > 0 && boundary < layerCount) return { count: boundary, how: 'last CMD/ENTRYPOINT in the history before more layers' };
  const first = history.find((h) => !h.empty_layer);
  if (layerCount > 1 && first && (ROOTFS.test(historyInstruction(first.created_by)) || /^Imported from/i.test(first.comment ?? '') || !first.created_by)) {
    return { count: 1, how: 'first layer is a root filesystem' };
  }
  return { count: 0, how: 'no base image boundary in the history' };
}
