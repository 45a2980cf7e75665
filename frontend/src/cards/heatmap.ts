/**
 * The heatmap of terms × steps, as numbers then pixels: one row per group
 * (ordered by mean share, largest on top), one column per bucket of steps
 * (at most one per pixel of width). Pure, so the canvas view only copies the
 * pixels; tested with exact numbers.
 *
 * Colour is either the group's share of the penalties at the step (linear from
 * 0 to the largest share in the map) or its value on a log scale (from the
 * smallest positive value to the largest), so 1,000 terms spanning decades
 * stay distinguishable.
 */
import { asColumn, type Series } from "../data/api";
import { cellPixels, LEVELS } from "../charts/colormap";
import { buckets } from "../charts/heatmap_columns";
import { orderByMeanShare, stepTotals } from "../data/rank";

export type HeatmapColor = "share" | "log";

export interface HeatmapModel {
  keys: string[];
  labels: string[];
  columns: number;
  /** Row-major, `keys.length × columns`: each bucket's mean share or mean value; NaN where it has no point. */
  cells: Float32Array;
  /** First step index of each column, then the number of steps: column c covers [start[c], start[c + 1]). */
  start: Uint32Array;
  color: HeatmapColor;
  /** What the darkest and brightest colours stand for (a share, or a value). */
  lo: number;
  hi: number;
}

interface Group {
  key: string;
  label: string;
  values: Series;
}

/**
 * The heatmap of `groups` over `length` steps in at most `maxColumns` columns;
 * `totals` are the penalties' sums per step (`stepTotals`), passed in because
 * the bar chart needs them too.
 */
export function heatmapModel(
  groups: readonly Group[],
  length: number,
  maxColumns: number,
  color: HeatmapColor,
  totals: Float64Array = stepTotals(groups, length),
): HeatmapModel {
  const order = orderByMeanShare(groups, totals);
  const start = buckets(length, maxColumns);
  const columns = start.length - 1;
  const cells = new Float32Array(order.length * columns);
  // In share mode a value is weighted by 1 / total (0 where the total is not positive: no share).
  const weight = new Float64Array(length);
  for (let i = 0; i < length; i++) weight[i] = color === "log" ? 1 : totals[i] > 0 ? 1 / totals[i] : NaN;
  let lo = Infinity;
  let hi = color === "share" ? 0 : -Infinity;
  for (let row = 0; row < order.length; row++) {
    const values = asColumn(groups[order[row]].values);
    const base = row * columns;
    for (let c = 0; c < columns; c++) {
      let sum = 0;
      let n = 0;
      const end = start[c + 1];
      for (let i = start[c]; i < end; i++) {
        const v = values[i] * weight[i];
        // Finite only: a gap, a non-finite value or a step without a share adds nothing.
        if (v - v === 0) {
          sum += v;
          n += 1;
        }
      }
      if (n === 0) {
        cells[base + c] = NaN;
        continue;
      }
      const cell = sum / n;
      cells[base + c] = cell;
      if (color === "share") {
        if (cell > hi) hi = cell;
      } else if (cell > 0) {
        if (cell < lo) lo = cell;
        if (cell > hi) hi = cell;
      }
    }
  }
  if (color === "share") lo = 0;
  if (!(lo <= hi)) [lo, hi] = [NaN, NaN];
  return {
    keys: order.map((g) => groups[g].key),
    labels: order.map((g) => groups[g].label),
    columns,
    cells,
    start,
    color,
    lo,
    hi,
  };
}

/**
 * The colour level (0 … LEVELS − 1) of a cell of `model`, as a function made once
 * per map: -1 for a gap; a value at or below the log scale's floor (zero,
 * negative) gets level 0, as does every cell of a map whose range is empty.
 */
export function levelScale(model: HeatmapModel): (cell: number) => number {
  const { lo, hi } = model;
  const log = model.color === "log";
  const ranged = hi > lo;
  const from = log ? Math.log(lo) : lo;
  const k = ranged ? (LEVELS - 1) / ((log ? Math.log(hi) : hi) - from) : 0;
  return (cell) => {
    if (cell !== cell) return -1; // NaN
    if (!ranged || cell <= lo) return 0;
    const level = Math.round(((log ? Math.log(cell) : cell) - from) * k);
    return level > LEVELS - 1 ? LEVELS - 1 : level;
  };
}

/**
 * RGBA pixels, one per cell (row-major, as ImageData wants): the colour table's
 * colour, transparent for a gap. Written into `pixels` when given (an ImageData's
 * zeroed `data`, so no second 4-byte-per-cell buffer is made and copied).
 */
export function heatmapPixels(
  model: HeatmapModel,
  table: Uint8Array,
  pixels?: Uint8ClampedArray,
): Uint8ClampedArray {
  return cellPixels(model.cells, levelScale(model), table, pixels);
}
