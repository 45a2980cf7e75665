/**
 * Turns a breakdown's terms into the layers one chart stacks.
 *
 * Series keys of the layers (the `data-series` attribute of each area):
 * - by term: the series key itself, `penalty/conv/kernel`, `decoupled/conv/kernel`;
 * - by layer: `layer:<layer chain>`, e.g. `layer:block1/conv`; the terms of the
 *   model itself (bare keys such as `kernel` or `activity`) share `layer:`,
 *   shown as `layer:(model)`; `d/kernel#2` belongs to `layer:d`;
 * - by block: `block:<path at the chosen depth>` (see depth.ts), e.g. at depth 1
 *   `block:conv2` for ResNet50's second stage, `block:block_1` for MobileNetV2's
 *   first inverted-residual block; the model's own terms share `block:`, shown
 *   as `(model)`;
 * - by kind: `kind:kernel`, `kind:bias`, `kind:activity`, `kind:add_loss`, `kind:other`;
 * - top-K: the K largest terms by their own key, the rest merged into `other`.
 * In the decoupled chart the group keys carry a `decoupled:` prefix
 * (`decoupled:layer:conv`, `decoupled:other`) so no key means two things.
 * The data loss is always its own layer, `data`.
 */
import { present, type Breakdown, type Column, type Series } from "./api";
import { blockPaths, groupAt } from "./depth";
import { meanMagnitude } from "./order";
import { termKind, termLayer } from "./tags";

export type Grouping = "term" | "layer" | "block" | "kind" | "topk";
export type Family = "penalty" | "decoupled";

export interface Layer {
  /** The series key, unique within a chart. */
  key: string;
  /** What the legend and tooltip show. */
  label: string;
  /** Series keys of the breakdown summed into this layer. */
  members: string[];
  /** One value per step; NaN or null is a gap. */
  values: Series;
}

export const OTHER = "other";
/** How the empty layer chain of the model's own terms is shown. */
export const MODEL_LAYER = "(model)";
const LAYER = "layer:";
const BLOCK = "block:";

/** Series keys of one family (`penalty/...` or `decoupled/...`) in key order. */
export function familyKeys(b: Breakdown, family: Family): string[] {
  const prefix = family + "/";
  return [...b.series.keys()].filter((k) => k.startsWith(prefix)).sort();
}

/** Sums member series step by step into a column; a step where any member has no value is a gap (NaN). */
export function sumSeries(members: Series[], length: number): Column {
  const out = new Float64Array(length);
  for (const values of members) {
    if (values instanceof Float64Array) {
      addColumn(out, values, length);
      continue;
    }
    for (let i = 0; i < length; i++) {
      const v = values[i];
      out[i] = present(v) ? out[i] + v : NaN;
    }
  }
  return out;
}

/** `out += values`, a gap (NaN) or ±Infinity in `values` making a gap: the fast path of columns. */
function addColumn(out: Float64Array, values: Float64Array, length: number): void {
  for (let i = 0; i < length; i++) {
    const v = values[i];
    out[i] = v - v === 0 ? out[i] + v : NaN;
  }
}

function groupKey(
  family: Family,
  grouping: Grouping,
  seriesKey: string,
  topKeys: Set<string>,
  paths: Map<string, string[]>,
  depth: number,
): string {
  const term = seriesKey.slice(family.length + 1);
  const prefix = family === "decoupled" ? "decoupled:" : "";
  switch (grouping) {
    case "term":
      return seriesKey;
    case "layer":
      return prefix + LAYER + termLayer(term);
    case "block":
      return prefix + BLOCK + groupAt(paths.get(term)!, depth);
    case "kind":
      return `${prefix}kind:${termKind(term)}`;
    case "topk":
      return topKeys.has(seriesKey) ? seriesKey : prefix + OTHER;
  }
}

function labelOf(key: string): string {
  if (key.startsWith("decoupled:")) return labelOf(key.slice("decoupled:".length));
  if (key === OTHER) return "other terms";
  if (key === LAYER) return LAYER + MODEL_LAYER;
  if (key === BLOCK) return MODEL_LAYER;
  if (key.startsWith(BLOCK)) return key.slice(BLOCK.length);
  return key;
}

/**
 * The layers of one family, grouped. Order is stable across runs: by key, with
 * the merged `other` last; top-K keeps the K terms of largest mean magnitude;
 * by block groups at `depth` (1 = top-level blocks).
 */
export function groupTerms(
  b: Breakdown,
  family: Family,
  grouping: Grouping,
  topK: number,
  seriesOf: (key: string) => Series = (k) => b.series.get(k)!,
  depth = 1,
): Layer[] {
  const keys = familyKeys(b, family);
  const topKeys = new Set(
    grouping === "topk"
      ? keys
          .map((k) => ({ k, size: meanMagnitude(seriesOf(k)) }))
          .sort((a, c) => c.size - a.size || (a.k < c.k ? -1 : 1))
          .slice(0, Math.max(0, topK))
          .map((e) => e.k)
      : [],
  );
  const paths = grouping === "block" ? blockPaths(keys.map((k) => k.slice(family.length + 1))) : new Map<string, string[]>();
  const groups = new Map<string, string[]>();
  for (const k of keys) {
    const g = groupKey(family, grouping, k, topKeys, paths, depth);
    const members = groups.get(g);
    if (members) members.push(k);
    else groups.set(g, [k]);
  }
  const isOther = (k: string) => k === OTHER || k === "decoupled:" + OTHER;
  return [...groups.entries()]
    .sort(([a], [c]) => Number(isOther(a)) - Number(isOther(c)) || (a < c ? -1 : a > c ? 1 : 0))
    .map(([key, members]) => ({
      key,
      label: labelOf(key),
      members,
      values:
        members.length === 1
          ? seriesOf(members[0])
          : sumSeries(members.map(seriesOf), b.steps.length),
    }));
}
