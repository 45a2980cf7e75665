/**
 * Caps the number of bands a stacked chart draws. A 240-pixel chart cannot show
 * a thousand bands (most would be thinner than a pixel), and drawing them costs
 * the browser most of a first render; so past `MAX_BANDS` the chart keeps the
 * largest groups (by mean magnitude) and merges the rest into one "other" band,
 * while the ranking and the heatmap under the chart still show every group.
 */
import { OTHER, sumSeries, type Layer } from "./group";
import { meanMagnitude } from "./order";

/** Bands a chart draws at most, the merged one included. */
export const MAX_BANDS = 50;

export interface Capped {
  layers: Layer[];
  /** How many groups went into the merged band (0 when nothing was merged). */
  merged: number;
}

/**
 * `layers` with at most `max` bands: the `data` layer and the largest others
 * in their original order, then one band `other` (`decoupled:other` for the
 * decoupled chart) summing the rest, an existing `other` band included.
 */
export function capBands(layers: Layer[], max: number, length: number, otherKey = OTHER): Capped {
  if (layers.length <= max) return { layers, merged: 0 };
  const ranked = layers
    .filter((l) => l.key !== "data" && l.key !== otherKey)
    .map((l) => ({ l, size: meanMagnitude(l.values) }))
    .sort((a, b) => b.size - a.size || (a.l.key < b.l.key ? -1 : 1));
  const room = max - 1 - (layers.some((l) => l.key === "data") ? 1 : 0);
  const kept = new Set(ranked.slice(0, Math.max(0, room)).map((e) => e.l));
  const rest = layers.filter((l) => l.key !== "data" && !kept.has(l));
  const other: Layer = {
    key: otherKey,
    label: "other terms",
    members: rest.flatMap((l) => l.members),
    values: sumSeries(rest.map((l) => l.values), length),
  };
  return { layers: [...layers.filter((l) => l.key === "data" || kept.has(l)), other], merged: rest.length };
}
