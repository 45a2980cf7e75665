/**
 * The comparison chart's model: one series chosen for every run (the data
 * loss, the total, the penalties, their share, one term, or the penalties of
 * one layer or one block of layers), its lines with colour by experiment and dash by split, the shared
 * y extent, and the CSV/JSON of what is drawn. Pure functions, no DOM.
 */
import { present, type Breakdown, type Column } from "../data/api";
import { float32Text } from "../common/format";
import { splitRunName, type Split } from "../data/hparams";
import { blockPaths, groupAt } from "../data/depth";
import { MODEL_LAYER, sumSeries } from "../data/group";
import { smoothColumn } from "../data/smooth";
import { termLayer } from "../data/tags";

/** `total`, `data`, `penalties`, `share`, a series key (`penalty/…`, `decoupled/…`), `layer:<chain>` or `block:<path>`. */
export type CompareKey = string;

export interface CompareChoice {
  key: CompareKey;
  label: string;
}

const FIXED: CompareChoice[] = [
  { key: "data", label: "Data loss" },
  { key: "total", label: "Total loss" },
  { key: "penalties", label: "Penalties (sum)" },
  { key: "share", label: "Penalty share of the total" },
];
const LAYER = "layer:";
const BLOCK = "block:";

function penaltyKeys(b: Breakdown): string[] {
  return [...b.series.keys()].filter((k) => k.startsWith("penalty/"));
}

/** The layer group of a penalty key: `penalty/block1/conv/kernel` → `layer:block1/conv`. */
function layerKey(seriesKey: string): string {
  return LAYER + termLayer(seriesKey.slice("penalty/".length));
}

/** Names in reading order, numbers by value: `block_2` before `block_10`. */
const naturalOrder = new Intl.Collator("en", { numeric: true }).compare;

/** The block paths of penalty keys (`penalty/` dropped), as the "By block" grouping reads them. */
function penaltyPaths(keys: string[]): Map<string, string[]> {
  return blockPaths(keys.map((k) => k.slice("penalty/".length)));
}

/** Whether the penalty at `path` is in block `group` (the group at the depth of its units). */
function inBlock(path: string[], group: string): boolean {
  return groupAt(path, group.split("/").length) === group;
}

/**
 * The blocks worth a choice of their own: at every depth, the groups that span
 * two layers or more (a one-layer group is already a layer choice), each set of
 * penalties once, at its shallowest depth (`conv2`, `conv2/block1`, …).
 */
function blockChoices(penalties: string[]): string[] {
  const paths = penaltyPaths(penalties);
  const deepest = Math.max(0, ...[...paths.values()].map((p) => p.length));
  const seen = new Set<string>();
  const blocks: string[] = [];
  for (let depth = 1; depth <= deepest; depth++) {
    const groups = new Map<string, string[]>();
    for (const [term, path] of paths) {
      if (path.length === 0) continue;
      const g = groupAt(path, depth);
      groups.set(g, [...(groups.get(g) ?? []), term]);
    }
    for (const [group, terms] of groups) {
      const members = terms.sort().join("\u0000");
      if (new Set(terms.map(termLayer)).size < 2 || seen.has(members)) continue;
      seen.add(members);
      blocks.push(BLOCK + group);
    }
  }
  return blocks;
}

/**
 * What the comparison can show for `breakdowns`: the fixed series, then the
 * penalties of each block of layers, of each layer, then every term, each sorted.
 */
export function compareChoices(breakdowns: Breakdown[]): CompareChoice[] {
  const terms = new Set<string>();
  const layers = new Set<string>();
  for (const b of breakdowns) {
    for (const key of b.series.keys()) {
      if (key.startsWith("penalty/") || key.startsWith("decoupled/")) terms.add(key);
      if (key.startsWith("penalty/")) layers.add(layerKey(key));
    }
  }
  const sorted = (s: Iterable<string>) => [...s].sort(naturalOrder);
  const penalties = sorted(terms).filter((k) => k.startsWith("penalty/"));
  return [
    ...FIXED,
    ...sorted(blockChoices(penalties)).map((key) => ({ key, label: choiceLabel(key) })),
    ...sorted(layers).map((key) => ({ key, label: choiceLabel(key) })),
    ...sorted(terms).map((key) => ({ key, label: key })),
  ];
}

/** The label of `key` among the choices, or the key itself. */
export function choiceLabel(key: CompareKey): string {
  const fixed = FIXED.find((c) => c.key === key);
  if (fixed) return fixed.label;
  if (key.startsWith(BLOCK)) return `Penalties of block ${key.slice(BLOCK.length)}`;
  return key.startsWith(LAYER) ? `Penalties of layer ${key.slice(LAYER.length) || MODEL_LAYER}` : key;
}

/** A column of `b`'s series, or null if the run does not have it. */
function column(b: Breakdown, key: string): Column | null {
  return b.columns.get(key) ?? null;
}

/**
 * The values of `key` in run `b`, one per step, NaN where there is none; null
 * when the run has nothing to show for it. A sum is a gap at a step where one
 * of its terms has no value, as in the stacked chart.
 */
export function compareValues(b: Breakdown, key: CompareKey): Column | null {
  const n = b.steps.length;
  if (key === "penalties" || key === "share") {
    const keys = penaltyKeys(b);
    if (keys.length === 0) return null;
    const sum = sumSeries(keys.map((k) => b.columns.get(k)!), n);
    if (key === "penalties") return sum;
    const total = column(b, "total");
    if (total === null) return null;
    const share = new Float64Array(n);
    for (let i = 0; i < n; i++) share[i] = total[i] === 0 ? NaN : sum[i] / total[i];
    return share;
  }
  if (key.startsWith(LAYER)) {
    const keys = penaltyKeys(b).filter((k) => layerKey(k) === key);
    return keys.length === 0 ? null : sumSeries(keys.map((k) => b.columns.get(k)!), n);
  }
  if (key.startsWith(BLOCK)) {
    const group = key.slice(BLOCK.length);
    const keys = penaltyKeys(b);
    const paths = penaltyPaths(keys);
    const members = keys.filter((k) => inBlock(paths.get(k.slice("penalty/".length))!, group));
    return members.length === 0 ? null : sumSeries(members.map((k) => b.columns.get(k)!), n);
  }
  return column(b, key);
}

export interface CompareLine {
  run: string;
  /** The experiment (run name without its split), which sets the colour. */
  prefix: string;
  /** Validation runs are dashed. */
  split: Split | null;
  steps: number[];
  raw: Column;
  /** `raw` smoothed like the Scalars dashboard; `raw` itself without smoothing. */
  smoothed: Column;
}

export interface Comparison {
  key: CompareKey;
  lines: CompareLine[];
  /** Runs that have no finite value of the series: listed, not drawn. */
  without: string[];
}

/** The lines of `key` across `breakdowns`, in their order, smoothed with EMA weight `smoothing`. */
export function compareLines(breakdowns: Breakdown[], key: CompareKey, smoothing: number): Comparison {
  const lines: CompareLine[] = [];
  const without: string[] = [];
  for (const b of breakdowns) {
    const raw = compareValues(b, key);
    if (raw === null || !raw.some((v) => Number.isFinite(v))) {
      without.push(b.run);
      continue;
    }
    const { prefix, split } = splitRunName(b.run);
    lines.push({ run: b.run, prefix, split, steps: b.steps, raw, smoothed: smoothColumn(raw, smoothing) });
  }
  return { key, lines, without };
}

/**
 * [min, max] of every line's raw and smoothed values on the shared y axis. On a
 * log axis only positive values count, and [1, 10] stands in when none is; on a
 * linear axis a flat series gets a unit of room.
 */
export function compareExtent(lines: CompareLine[], log: boolean): [number, number] {
  let lo = Infinity;
  let hi = -Infinity;
  for (const line of lines) {
    for (const ys of [line.raw, line.smoothed]) {
      for (let i = 0; i < ys.length; i++) {
        const v = ys[i];
        if (!Number.isFinite(v) || (log && v <= 0)) continue;
        if (v < lo) lo = v;
        if (v > hi) hi = v;
      }
    }
  }
  if (lo > hi) return log ? [1, 10] : [0, 1];
  if (lo === hi) return log ? [lo / 2, hi * 2] : [lo - 0.5, hi + 0.5];
  return [lo, hi];
}

function csvCell(text: string): string {
  return /[",\n\r]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** The comparison as CSV, one row per run and step: `run,step,value` (raw, float32 shortest), gaps left out. */
export function comparisonCsv(c: Comparison): string {
  const rows = ["run,step," + csvCell(c.key)];
  for (const line of c.lines) {
    const run = csvCell(line.run);
    for (let i = 0; i < line.steps.length; i++) {
      const v = line.raw[i];
      if (!Number.isNaN(v)) rows.push(`${run},${line.steps[i]},${float32Text(v)}`);
    }
  }
  return rows.join("\n") + "\n";
}

/** The comparison as JSON: `{"series", "label", "runs": [{"run", "steps", "values"}], "without"}`, gaps as null. */
export function comparisonJson(c: Comparison): string {
  return (
    JSON.stringify(
      {
        series: c.key,
        label: choiceLabel(c.key),
        runs: c.lines.map((line) => ({
          run: line.run,
          steps: line.steps,
          values: Array.from(line.raw, (v) => (Number.isNaN(v) ? null : Number.isFinite(v) ? v : String(v))),
        })),
        without: c.without,
      },
      null,
      1,
    ) + "\n"
  );
}

/** The index of the step of `line` nearest to `step` with a value, or -1. */
export function nearestIndex(line: CompareLine, step: number): number {
  let best = -1;
  let bestDistance = Infinity;
  for (let i = 0; i < line.steps.length; i++) {
    if (!present(line.raw[i])) continue;
    const d = Math.abs(line.steps[i] - step);
    if (d < bestDistance) {
      best = i;
      bestDistance = d;
    }
  }
  return best;
}
