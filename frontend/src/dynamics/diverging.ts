/**
 * The diverging colour scale of the decay-ratio heatmap: ColorBrewer's RdBu,
 * blue below the centre, near-white at it, red above, so "weaker than",
 * "as strong as" and "stronger than" read at a glance, for most colour-blind
 * readers too, on light and dark backgrounds. A `LEVELS`-entry RGB table, as
 * the viridis scale of `charts/colormap.ts`, so a cell costs one lookup.
 */
import { gradient, interpolate, levelTable, type Stops } from "../charts/colormap";

/** RdBu from its blue end to its red end (ColorBrewer's 9 classes). */
const RDBU_STOPS: Stops = [
  [5, 48, 97],
  [33, 102, 172],
  [67, 147, 195],
  [146, 197, 222],
  [247, 247, 247],
  [244, 165, 130],
  [214, 96, 77],
  [178, 24, 43],
  [103, 0, 31],
];

/** RGB of `t` in [0, 1] (clamped): 0 the blue end, 0.5 the neutral centre, 1 the red end. */
export const diverging = (t: number): [number, number, number] => interpolate(RDBU_STOPS, t);

/** `LEVELS` colours packed three bytes each: level k is diverging(k / (LEVELS - 1)). */
export const divergingTable = (): Uint8Array => levelTable(RDBU_STOPS);

/** The CSS gradient of the scale, for the heatmap's key. */
export const divergingGradient = (): string => gradient(RDBU_STOPS);
