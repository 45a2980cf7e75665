/**
 * The decay-ratio heatmap as numbers then pixels: one row per group (in the
 * order given), one column per bucket of steps (at most one per pixel of
 * width, `heatmap_columns.buckets`). A cell is the bucket's geometric mean
 * ratio, kept as its log10: a ratio is a factor, so 0.1 and 10 lie as far from 1.
 *
 * The colour scale is symmetric in log10 around 0 (a ratio of 1: "decay as
 * strong as the data"), from 10^-d to 10^d with d the whole number of decades
 * that holds every cell, at least 1; beyond, cells take the end colours. A
 * ratio of 0 (no decay) takes the blue end. Pure, tested with exact numbers.
 */
import { asColumn, type Series } from "../data/api";
import { format } from "d3-format";
import { cellPixels, LEVELS } from "../charts/colormap";
import { buckets } from "../charts/heatmap_columns";

export interface RatioRow {
  key: string;
  label: string;
  /** The decay ratio at each step; NaN or null is a gap. */
  values: Series;
}

export interface RatioHeatmap {
  keys: string[];
  labels: string[];
  columns: number;
  /** Row-major `keys.length × columns`: log10 of each bucket's geometric mean; -Infinity for zeros only; NaN for no value. */
  cells: Float32Array;
  /** First step index of each column, then the number of steps. */
  start: Uint32Array;
  /** The scale runs from 10^-decades to 10^decades. */
  decades: number;
}

/** The heatmap of `rows` over `length` steps in at most `maxColumns` columns. */
export function ratioHeatmap(rows: readonly RatioRow[], length: number, maxColumns: number): RatioHeatmap {
  const start = buckets(length, maxColumns);
  const columns = start.length - 1;
  const cells = new Float32Array(rows.length * columns);
  let reach = 0;
  rows.forEach((row, r) => {
    const values = asColumn(row.values);
    for (let c = 0; c < columns; c++) {
      let sum = 0;
      let n = 0;
      let zeros = 0;
      for (let i = start[c]; i < start[c + 1]; i++) {
        const v = values[i];
        if (v > 0 && v - v === 0) {
          sum += Math.log10(v);
          n += 1;
        } else if (v === 0) zeros += 1;
      }
      const cell = n > 0 ? sum / n : zeros > 0 ? -Infinity : NaN;
      cells[r * columns + c] = cell;
      if (n > 0 && Math.abs(cell) > reach) reach = Math.abs(cell);
    }
  });
  return {
    keys: rows.map((r) => r.key),
    labels: rows.map((r) => r.label),
    columns,
    cells,
    start,
    // A hair of tolerance: 10^2 is 2 decades even if float32 rounds its log up.
    decades: Math.max(1, Math.ceil(reach - 1e-6)),
  };
}

/** The colour level (0 … LEVELS − 1) of a cell of a map spanning ±`decades`: the middle level at a ratio of 1; -1 for a gap. */
export function ratioLevel(cell: number, decades: number): number {
  if (cell !== cell) return -1; // NaN
  const t = (cell / decades + 1) / 2;
  const level = Math.round(t * (LEVELS - 1));
  return level < 0 ? 0 : level > LEVELS - 1 ? LEVELS - 1 : level;
}

/** RGBA pixels, one per cell, from a colour table; transparent for a gap. Written into `pixels` when given. */
export function ratioPixels(
  model: RatioHeatmap,
  table: Uint8Array,
  pixels?: Uint8ClampedArray,
): Uint8ClampedArray {
  return cellPixels(model.cells, (cell) => ratioLevel(cell, model.decades), table, pixels);
}

/** Three significant digits at most: a factor read at a glance (100×, 25×, 2.5×, 1.23e+3×). */
const factor = format(".3~g");

/** What a ratio means, for the readout: which gradient is larger, and by how much. */
export function describeRatio(ratio: number | null): string {
  if (ratio === null || !Number.isFinite(ratio)) return "no value";
  if (ratio === 0) return "no decay";
  if (ratio === 1) return "decay as strong as the data";
  return ratio > 1 ? `decay ${factor(ratio)}× stronger than the data` : `decay ${factor(1 / ratio)}× weaker than the data`;
}
