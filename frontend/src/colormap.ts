/**
 * The heatmap's colour scale: viridis (perceptually uniform, readable by most
 * colour-blind readers, and legible on light and dark backgrounds), as a
 * 256-entry RGB table so a cell costs one lookup, not an interpolation.
 */

/** Viridis at 0, 1/8, …, 1 (matplotlib's values, rounded to 8 bits). */
const VIRIDIS_STOPS: readonly [number, number, number][] = [
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

/** RGB of `t` in [0, 1] (clamped), interpolated linearly between the stops. */
export function viridis(t: number): [number, number, number] {
  const x = Math.min(1, Math.max(0, t)) * (VIRIDIS_STOPS.length - 1);
  const i = Math.min(VIRIDIS_STOPS.length - 2, Math.floor(x));
  const f = x - i;
  const a = VIRIDIS_STOPS[i];
  const b = VIRIDIS_STOPS[i + 1];
  return [0, 1, 2].map((c) => Math.round(a[c] + (b[c] - a[c]) * f)) as [number, number, number];
}

/** `LEVELS` colours, RGB packed three bytes each: level k is viridis(k / (LEVELS - 1)). */
export function colorTable(): Uint8Array {
  const table = new Uint8Array(LEVELS * 3);
  for (let k = 0; k < LEVELS; k++) table.set(viridis(k / (LEVELS - 1)), k * 3);
  return table;
}

/** The CSS gradient of the scale, for the heatmap's key. */
export function cssGradient(): string {
  const stops = VIRIDIS_STOPS.map(([r, g, b], i) => `rgb(${r},${g},${b}) ${(100 * i) / (VIRIDIS_STOPS.length - 1)}%`);
  return `linear-gradient(to right, ${stops.join(", ")})`;
}
