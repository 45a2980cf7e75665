/**
 * Which groups the angular-update small multiples show, and their shared
 * scale. A panel per group, at most `ANGLE_PANELS`: with more groups, those
 * with the largest mean angular update, the layers that rotate the most per
 * step (an angle is scale-free, so it compares across layers of any size);
 * panels keep the network's order. Angles are shown in degrees. Pure.
 */
import type { Quantities } from "./dynamics_group";
import { finiteMean } from "../data/order";

/** Panels shown at most (a 4 × 3 grid at 1,400 px). */
export const ANGLE_PANELS = 12;
/** The narrowest panel; fewer columns below it. */
export const PANEL_MIN_WIDTH = 200;

export interface AngleGroup {
  key: string;
  label: string;
  values: Quantities;
}

export interface AnglePanel {
  key: string;
  label: string;
  /** The measured angle per step, degrees; NaN for a gap. */
  angle: Float64Array;
  /** The predicted equilibrium angle per step, degrees; NaN where there is none. */
  equilibrium: Float64Array;
}

const DEGREES = 180 / Math.PI;

export function toDegrees(radians: Float64Array): Float64Array {
  return radians.map((r) => r * DEGREES);
}

/** The panels of `groups` (given in network order): every group with an angle, or the `limit` that rotate most. */
export function anglePanels(groups: readonly AngleGroup[], limit = ANGLE_PANELS): AnglePanel[] {
  const means = groups.map((g) => finiteMean(g.values.angular_update));
  let chosen = groups.map((_, i) => i).filter((i) => !Number.isNaN(means[i]));
  if (chosen.length > limit) {
    const top = new Set([...chosen].sort((a, b) => means[b] - means[a] || a - b).slice(0, limit));
    chosen = chosen.filter((i) => top.has(i));
  }
  return chosen.map((i) => ({
    key: groups[i].key,
    label: groups[i].label,
    angle: toDegrees(groups[i].values.angular_update),
    equilibrium: toDegrees(groups[i].values.angular_equilibrium),
  }));
}

/** The shared y domain, degrees: from 0 to the largest finite angle or equilibrium of any panel (1 when there is none). */
export function angleExtent(panels: readonly AnglePanel[]): [number, number] {
  let hi = 0;
  for (const p of panels) {
    for (const column of [p.angle, p.equilibrium]) for (const v of column) if (v - v === 0 && v > hi) hi = v;
  }
  return [0, hi > 0 ? hi : 1];
}

/**
 * The shared y domain of a log scale, degrees: from the smallest to the largest
 * positive finite angle or equilibrium of any panel, so an early spike of one
 * layer does not flatten every other panel; [0.1, 1] when there is none.
 */
export function angleLogExtent(panels: readonly AnglePanel[]): [number, number] {
  let lo = Infinity;
  let hi = 0;
  for (const p of panels) {
    for (const column of [p.angle, p.equilibrium]) {
      for (const v of column) {
        if (v > 0 && v - v === 0) {
          if (v < lo) lo = v;
          if (v > hi) hi = v;
        }
      }
    }
  }
  if (hi === 0) return [0.1, 1];
  return lo === hi ? [lo / 2, hi * 2] : [lo, hi];
}

/** Columns of the grid for `panels` panels in `width` px: as many as fit at `PANEL_MIN_WIDTH`, at most 4. */
export function gridColumns(panels: number, width: number): number {
  return Math.max(1, Math.min(4, panels, Math.floor(width / PANEL_MIN_WIDTH)));
}
