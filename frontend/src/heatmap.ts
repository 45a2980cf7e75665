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
import type { Series } from "./api";
import { LEVELS } from "./colormap";
import { orderByMeanShare, stepTotals } from "./rank";

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

/** Splits `length` steps into `columns` contiguous buckets as even as can be. */
export function buckets(length: number, columns: number): Uint32Array {
  const n = Math.max(1, Math.min(length, columns));
  const start = new Uint32Array(n + 1);
  for (let c = 0; c <= n; c++) start[c] = Math.floor((c * length) / n);
  return start;
}

export function heatmapModel(groups: readonly Group[], length: number, maxColumns: number, color: HeatmapColor): HeatmapModel {
  const totals = stepTotals(groups, length);
  const order = orderByMeanShare(groups, totals);
  const start = buckets(length, maxColumns);
  const columns = start.length - 1;
  const cells = new Float32Array(order.length * columns);
  let lo = Infinity;
  let hi = color === "share" ? 0 : -Infinity;
  order.forEach((g, row) => {
    const values = groups[g].values;
    for (let c = 0; c < columns; c++) {
      let sum = 0;
      let n = 0;
      for (let i = start[c]; i < start[c + 1]; i++) {
        const v = values[i] as number;
        if (v === null || v - v !== 0) continue;
        if (color === "share") {
          if (totals[i] > 0) {
            sum += v / totals[i];
            n += 1;
          }
        } else {
          sum += v;
          n += 1;
        }
      }
      const cell = n === 0 ? NaN : sum / n;
      cells[row * columns + c] = cell;
      if (n > 0) {
        if (color === "share") hi = Math.max(hi, cell);
        else if (cell > 0) {
          lo = Math.min(lo, cell);
          hi = Math.max(hi, cell);
        }
      }
    }
  });
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
 * The colour level (0 … LEVELS − 1) of a cell; -1 for a gap. A value at or
 * below the log scale's floor (zero, negative) gets level 0, as does every cell
 * of a map whose range is empty.
 */
export function levelOf(model: HeatmapModel, cell: number): number {
  if (Number.isNaN(cell)) return -1;
  const { lo, hi } = model;
  if (!(hi > lo)) return 0;
  const t =
    model.color === "share"
      ? (cell - lo) / (hi - lo)
      : cell <= lo
        ? 0
        : (Math.log(cell) - Math.log(lo)) / (Math.log(hi) - Math.log(lo));
  return Math.max(0, Math.min(LEVELS - 1, Math.round(t * (LEVELS - 1))));
}

/** RGBA pixels, one per cell (row-major, as ImageData wants): the colour table's colour, transparent for a gap. */
export function heatmapPixels(model: HeatmapModel, table: Uint8Array): Uint8ClampedArray {
  const pixels = new Uint8ClampedArray(model.cells.length * 4);
  for (let k = 0; k < model.cells.length; k++) {
    const level = levelOf(model, model.cells[k]);
    if (level < 0) continue;
    pixels[4 * k] = table[3 * level];
    pixels[4 * k + 1] = table[3 * level + 1];
    pixels[4 * k + 2] = table[3 * level + 2];
    pixels[4 * k + 3] = 255;
  }
  return pixels;
}
