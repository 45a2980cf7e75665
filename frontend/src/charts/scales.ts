/**
 * The x values of each x axis choice (step, relative time, wall time), the y
 * extent of a stack on a linear or a log axis, and the d3 scales and tick formats
 * that go with them.
 */
import { format } from "d3-format";
import { scaleLinear, scaleLog, scaleTime, type ScaleLinear, type ScaleLogarithmic, type ScaleTime } from "d3-scale";
import { timeFormat } from "d3-time-format";
import type { Breakdown } from "../data/api";
import type { XAxis } from "../data/settings";
import type { StackedLayer } from "../data/stack";

/** Space around a chart's plot area, for the axes. */
export const MARGIN = { top: 10, right: 14, bottom: 26, left: 52 };

/** Pixel width of the plot area of a chart `width` pixels wide: what decimation aims at. */
export function plotWidth(width: number): number {
  return Math.max(60, width - MARGIN.left - MARGIN.right);
}

/** x of every step: the step, seconds since the run's first point, or wall time in ms. */
export function xValues(b: Breakdown, axis: XAxis): number[] {
  if (axis === "step") return b.steps;
  if (axis === "wall") return b.wallTimes.map((t) => t * 1000);
  const t0 = b.wallTimes.length > 0 ? b.wallTimes[0] : 0;
  return b.wallTimes.map((t) => t - t0);
}

export function xScale(axis: XAxis, domain: [number, number], width: number): ScaleLinear<number, number> | ScaleTime<number, number> {
  const [a, b] = domain[0] === domain[1] ? [domain[0] - 1, domain[1] + 1] : domain;
  return axis === "wall"
    ? scaleTime().domain([new Date(a), new Date(b)]).range([0, width])
    : scaleLinear().domain([a, b]).range([0, width]);
}

const siFormat = format("~s");
const wallFormat = timeFormat("%b %d %H:%M");
const clockFormat = timeFormat("%H:%M:%S");

/** Seconds as TensorBoard users read them: 45 s, 12.5 min, 3.2 h. */
export function formatDuration(seconds: number): string {
  const abs = Math.abs(seconds);
  if (abs < 60) return `${+seconds.toFixed(1)} s`;
  if (abs < 3600) return `${+(seconds / 60).toFixed(1)} min`;
  return `${+(seconds / 3600).toFixed(2)} h`;
}

export function formatX(axis: XAxis, x: number): string {
  if (axis === "step") return siFormat(x);
  if (axis === "relative") return formatDuration(x);
  return wallFormat(new Date(x));
}

/** The x shown in a tooltip header: exact step, duration or full clock time. */
export function describeX(axis: XAxis, x: number): string {
  if (axis === "step") return `step ${x}`;
  if (axis === "relative") return formatDuration(x);
  return clockFormat(new Date(x));
}

/** [min, max] covered by the stack and the total line, always including 0. */
export function yExtent(layers: StackedLayer[], total: Float64Array | null): [number, number] {
  let lo = 0;
  let hi = 0;
  // NaN (a gap) fails both comparisons, so it never widens the extent.
  for (const layer of layers) {
    const { y0, y1 } = layer;
    for (let j = 0; j < y0.length; j++) {
      if (y0[j] < lo) lo = y0[j];
      if (y1[j] > hi) hi = y1[j];
    }
  }
  if (total) {
    for (let j = 0; j < total.length; j++) {
      if (total[j] < lo) lo = total[j];
      if (total[j] > hi) hi = total[j];
    }
  }
  return [lo, hi];
}

/**
 * Room left below the smallest positive bound of a log axis, so the lowest area
 * keeps a height that shows its size: at least a decade (on a narrow range, such
 * as a loss between 2.30 and 2.38, a smaller margin would squeeze the lowest
 * area, often the data loss, into a sliver under the penalties), and a tenth of
 * the plotted decades on a wide one.
 */
const LOG_ROOM = { decades: 1, share: 0.1 };

/**
 * [lower, upper] of a log axis for the stack and the total line: from
 * `LOG_ROOM` below their smallest positive bound to their largest. Zeros, negative values
 * and gaps have no place on a log axis and do not count (the chart clamps them
 * to the lower bound). Always 0 < lower < upper; [1, 10] when nothing is positive.
 */
export function yLogExtent(layers: StackedLayer[], total: Float64Array | null): [number, number] {
  let lo = Infinity;
  let hi = 0;
  // NaN (a gap) fails every comparison, so it never counts.
  const take = (ys: Float64Array) => {
    for (let j = 0; j < ys.length; j++) {
      const v = ys[j];
      if (v > 0 && v < lo) lo = v;
      if (v > hi) hi = v;
    }
  };
  for (const layer of layers) {
    take(layer.y0);
    take(layer.y1);
  }
  if (total) take(total);
  if (hi === 0) return [1, 10];
  const room = Math.max(LOG_ROOM.decades, Math.log10(hi / lo) * LOG_ROOM.share);
  return [lo / 10 ** room, hi];
}

export function yScale(domain: [number, number], height: number): ScaleLinear<number, number> {
  const hi = domain[1] > domain[0] ? domain[1] : domain[0] + 1;
  return scaleLinear().domain([domain[0], hi]).range([height, 0]).nice();
}

/** A log y scale over a `yLogExtent` domain (not made nice: that could add a whole empty decade). */
export function logYScale(domain: [number, number], height: number): ScaleLogarithmic<number, number> {
  return scaleLog().domain(domain).range([height, 0]);
}
