/**
 * The heatmap's colour scale: viridis (perceptually uniform, readable by most
 * colour-blind readers, and legible on light and dark backgrounds), as a
 * 256-entry RGB table so a cell costs one lookup, not an interpolation.
 */

/** Viridis at 0, 1/8, …, 1 (matplotlib's values, rounded to 8 bits). */
const VIRIDIS_STOPS: Stops = [
  [68, 1, 84],
  [71, 45, 123],
  [59, 82, 139],
  [44, 114, 142],
  [33, 145, 140],
  [40, 174, 128],
  [94, 201, 98],
  [173, 220, 48],
  [253, 231, 37],
];

export const LEVELS = 256;

/** Colours at evenly spaced points from 0 to 1, RGB 0–255. */
export type Stops = readonly (readonly [number, number, number])[];

/** RGB of `t` in [0, 1] (clamped), interpolated linearly between `stops`. */
export function interpolate(stops: Stops, t: number): [number, number, number] {
  const x = Math.min(1, Math.max(0, t)) * (stops.length - 1);
  const i = Math.min(stops.length - 2, Math.floor(x));
  const f = x - i;
  const a = stops[i];
  const b = stops[i + 1];
  return [0, 1, 2].map((c) => Math.round(a[c] + (b[c] - a[c]) * f)) as [number, number, number];
}

/** `LEVELS` colours of `stops`, RGB packed three bytes each: level k is at k / (LEVELS - 1). */
export function levelTable(stops: Stops): Uint8Array {
  const table = new Uint8Array(LEVELS * 3);
  for (let k = 0; k < LEVELS; k++) table.set(interpolate(stops, k / (LEVELS - 1)), k * 3);
  return table;
}

/** The CSS gradient of `stops`, for a heatmap's key. */
export function gradient(stops: Stops): string {
  const css = stops.map(([r, g, b], i) => `rgb(${r},${g},${b}) ${(100 * i) / (stops.length - 1)}%`);
  return `linear-gradient(to right, ${css.join(", ")})`;
}

/** RGB of `t` in [0, 1] on viridis. */
export const viridis = (t: number): [number, number, number] => interpolate(VIRIDIS_STOPS, t);

/** Viridis as `LEVELS` colours, three bytes each. */
export const colorTable = (): Uint8Array => levelTable(VIRIDIS_STOPS);

/** Viridis as a CSS gradient, for the heatmap's key. */
export const cssGradient = (): string => gradient(VIRIDIS_STOPS);

/**
 * RGBA pixels, one per cell (row-major, as ImageData wants): the colour of
 * `levelOf(cell)` in a 3-byte-per-level `table`, transparent where it is -1 (a
 * gap). Written into `pixels` when given (an ImageData's zeroed `data`, so no
 * second 4-byte-per-cell buffer is made and copied).
 */
export function cellPixels(
  cells: Float32Array | Float64Array,
  levelOf: (cell: number) => number,
  table: Uint8Array,
  pixels: Uint8ClampedArray = new Uint8ClampedArray(cells.length * 4),
): Uint8ClampedArray {
  for (let j = 0; j < cells.length; j++) {
    const level = levelOf(cells[j]);
    if (level < 0) continue;
    const t = 3 * level;
    const p = 4 * j;
    pixels[p] = table[t];
    pixels[p + 1] = table[t + 1];
    pixels[p + 2] = table[t + 2];
    pixels[p + 3] = 255;
  }
  return pixels;
}
