/**
 * One stacked area chart and its model (`ChartModel`, which a run card's view,
 * `cards/view.ts`, builds): an SVG with one `path[data-series]` per layer, the
 * recorded total as a line on top, axes (y linear or log), and the hover rule
 * and tooltip. Built paths are cached by the model's signature and y axis;
 * hovering moves one rule and refills one tooltip, never rebuilding the DOM.
 */
import { axisBottom, axisLeft, type Axis } from "d3-axis";
import { bisector } from "d3-array";
import type { NumberValue, ScaleLinear, ScaleLogarithmic } from "d3-scale";
import { pointer, select, type Selection } from "d3-selection";
import type { Series } from "../data/api";
import { stepChannel, type StepChannel } from "./channel";
import { linePath, stackPaths } from "./paths";
import { describeX, formatX, logYScale, MARGIN, plotWidth, xScale, yScale } from "./scales";
import type { XAxis, YScale } from "../data/settings";
import type { StackedLayer } from "../data/stack";
import { formatTick, logTicks, wallTickLabels } from "./ticks";
import { Tooltip } from "./tooltip";

/** What one stacked chart draws: built from a run and the settings (`cards/view.ts`), drawn by `StackedChart`. */
export interface ChartModel {
  ariaLabel: string;
  /** Same signature, same paths: the chart's path cache key. */
  signature: string;
  xAxis: XAxis;
  /** x of every step (full resolution, for hover). */
  x: number[];
  /** The steps drawn, after decimation to the pixel width. */
  indices: Uint32Array;
  /** Stacked at `indices`; each keeps its full-resolution values for hover. */
  layers: StackedLayer[];
  /** The color of each layer, as in the legend. */
  colors: string[];
  /** The recorded (unsmoothed) values of each layer, for the tooltip. */
  raw: Series[];
  /** Whether the drawn values are smoothed (then the tooltip shows both). */
  smoothed: boolean;
  /** The total line at `indices`, or null when not drawn. */
  totalLine: Float64Array | null;
  /** The total at every step as drawn (smoothed or not), and as recorded, for the tooltip. */
  total: Series | null;
  rawTotal: Series | null;
  /** Linear, or log as the settings ask except in share mode (fractions of 100 % read best on a linear axis). */
  yScale: YScale;
  yDomain: [number, number];
  percent: boolean;
}

const SVG = "http://www.w3.org/2000/svg";
/** Signatures whose paths a chart keeps, so toggling back and forth is instant. */
const CACHED_SIGNATURES = 8;

const percentTicks = (v: number) => `${v}%`;
const bisectX = bisector((v: number) => v).center;

/** A linear scale as plain arithmetic: the same numbers, without a call into d3 per point. */
function affine(scale: ScaleLinear<number, number>): (v: number) => number {
  const [d0, d1] = scale.domain();
  const [r0, r1] = scale.range();
  const k = (r1 - r0) / (d1 - d0);
  return (v) => r0 + (v - d0) * k;
}

/**
 * A log scale as plain arithmetic, clamped: a value below the domain (a zero, a
 * negative value, the bottom of the first area) is drawn at its lower bound, so
 * no path gets -Infinity or NaN; NaN (a gap) stays NaN.
 */
function logarithmic(scale: ScaleLogarithmic<number, number>): (v: number) => number {
  const [d0, d1] = scale.domain();
  const [r0, r1] = scale.range();
  const l0 = Math.log(d0);
  const k = (r1 - r0) / (Math.log(d1) - l0);
  return (v) => r0 + (Math.log(v < d0 ? d0 : v) - l0) * k;
}

/** The y axis of `model` and, for the paths, the same mapping as plain arithmetic. */
function yAxisOf(model: ChartModel, height: number): { axis: Axis<NumberValue>; y: (v: number) => number } {
  if (model.yScale === "log") {
    const scale = logYScale(model.yDomain, height);
    const axis = axisLeft(scale)
      .tickValues(logTicks(model.yDomain, height))
      .tickFormat((v) => formatTick(+v));
    return { axis, y: logarithmic(scale) };
  }
  const scale = yScale(model.yDomain, height);
  const axis = axisLeft(scale)
    .ticks(5)
    .tickFormat((v) => (model.percent ? percentTicks(+v) : formatTick(+v)));
  return { axis, y: affine(scale) };
}

type Scales = { x: (v: number) => number; invert: (px: number) => number };

export class StackedChart {
  readonly el: HTMLDivElement;
  /** The chart's SVG, which the image export copies. */
  readonly svg: Selection<SVGSVGElement, unknown, null, undefined>;
  private readonly areas: Selection<SVGGElement, unknown, null, undefined>;
  private readonly totalPath: Selection<SVGPathElement, unknown, null, undefined>;
  private readonly xAxisG: Selection<SVGGElement, unknown, null, undefined>;
  private readonly yAxisG: Selection<SVGGElement, unknown, null, undefined>;
  private readonly rule: Selection<SVGLineElement, unknown, null, undefined>;
  private readonly overlay: Selection<SVGRectElement, unknown, null, undefined>;
  private readonly tooltip = new Tooltip();
  private readonly cache = new Map<string, Map<string, string>>();
  /** The area of each series key, and the `d` it was last given (compared by identity: paths come from the cache). */
  private readonly areaPaths = new Map<string, { el: SVGPathElement; d: string; fill: string }>();
  private model: ChartModel | null = null;
  private scales: Scales | null = null;
  private innerWidth = 0;
  private pendingHover: [number, number] | null = null;
  private hoverFrame = 0;
  /** The step index the rule is on, or null. */
  private hoveredIndex: number | null = null;

  /**
   * `step` is set to the step index under the cursor when it changes, and to
   * null when the cursor leaves, so the legend and other views follow the hover.
   */
  constructor(
    private height: number,
    private readonly step: StepChannel = stepChannel(),
  ) {
    this.el = document.createElement("div");
    this.el.className = "chart";
    this.svg = select(this.el).append("svg").attr("role", "img").attr("height", height);
    const plot = this.svg.append("g").attr("transform", `translate(${MARGIN.left},${MARGIN.top})`);
    this.areas = plot.append("g").attr("class", "areas");
    this.totalPath = plot.append("path").attr("class", "total-line").attr("data-total", "total");
    this.xAxisG = plot.append("g").attr("class", "axis x-axis");
    this.yAxisG = plot.append("g").attr("class", "axis y-axis");
    this.rule = plot.append("line").attr("class", "hover-rule").attr("visibility", "hidden");
    this.overlay = plot.append("rect").attr("class", "overlay");
    this.el.appendChild(this.tooltip.el);
    this.overlay
      .on("mousemove", (event: MouseEvent) => this.queueHover(pointer(event)))
      .on("mouseleave", () => this.hideHover());
  }

  /** A new height, used from the next `update` on. */
  setHeight(height: number): void {
    if (height === this.height) return;
    this.height = height;
    this.svg.attr("height", height);
  }

  update(model: ChartModel, width: number): void {
    this.model = model;
    const w = plotWidth(width);
    const h = this.height - MARGIN.top - MARGIN.bottom;
    this.innerWidth = w;
    this.svg.attr("width", width).attr("aria-label", model.ariaLabel);
    const xs = xScale(model.xAxis, [model.x[0], model.x[model.x.length - 1]], w);
    const { axis: yAxis, y } = yAxisOf(model, h);
    const x = (v: number) => xs(v);
    this.scales = { x, invert: (px: number) => +xs.invert(px) };

    const paths = this.paths(model, x, y);
    this.drawAreas(model, paths);
    this.totalPath.attr("d", paths.get("\u0000total") ?? null).attr("visibility", model.totalLine ? null : "hidden");

    const xTicks = Math.max(2, Math.floor(w / 90));
    const xAxis = axisBottom(xs as never);
    if (model.xAxis === "wall") {
      // The date once, then times: every label is known before any is written.
      const ticks = (xs.ticks(xTicks) as (Date | number)[]).map((t) => +t);
      const labels = wallTickLabels(ticks);
      xAxis.tickValues(ticks as never).tickFormat((_v, i) => labels[i]);
    } else {
      xAxis.ticks(xTicks).tickFormat((v) => formatX(model.xAxis, +v));
    }
    this.xAxisG.attr("transform", `translate(0,${h})`).call(xAxis);
    this.yAxisG.call(yAxis);
    this.rule.attr("y1", 0).attr("y2", h);
    this.overlay.attr("width", w).attr("height", h);
    this.tooltip.setSeries(
      model.layers.map((l, k) => ({ key: l.key, label: l.label, color: model.colors[k], values: l.values, raw: model.raw[k] })),
      model.total,
      model.rawTotal,
      model.smoothed,
    );
    this.hideHover();
  }

  /** Removes the drawn areas and total of a chart that has nothing to show (every series hidden). */
  clear(): void {
    for (const area of this.areaPaths.values()) area.el.remove();
    this.areaPaths.clear();
    this.totalPath.attr("d", null);
    this.model = null;
    this.scales = null;
    this.hideHover();
  }

  /**
   * One `path[data-series]` per layer, bottom first. Elements are reused by key;
   * new ones are built in a fragment and inserted at once; an unchanged `d` is
   * not set again (setting it makes the browser parse the path data).
   */
  private drawAreas(model: ChartModel, paths: Map<string, string>): void {
    const colors = new Map(model.layers.map((l, k) => [l.key, model.colors[k]]));
    const group = this.areas.node()!;
    const wanted = new Set<string>();
    let inOrder = group.childElementCount === model.layers.length;
    let child = group.firstElementChild;
    for (const layer of model.layers) {
      wanted.add(layer.key);
      if (child === null || this.areaPaths.get(layer.key)?.el !== child) inOrder = false;
      child = child?.nextElementSibling ?? null;
    }
    for (const [key, area] of this.areaPaths) {
      if (!wanted.has(key)) {
        area.el.remove();
        this.areaPaths.delete(key);
      }
    }
    const fragment = inOrder ? null : document.createDocumentFragment();
    for (const layer of model.layers) {
      let area = this.areaPaths.get(layer.key);
      if (!area) {
        const el = document.createElementNS(SVG, "path");
        el.setAttribute("data-series", layer.key);
        area = { el, d: "", fill: "" };
        this.areaPaths.set(layer.key, area);
      }
      const d = paths.get(layer.key)!;
      if (area.d !== d) {
        area.el.setAttribute("d", d);
        area.d = d;
      }
      const fill = colors.get(layer.key)!;
      if (area.fill !== fill) {
        area.el.setAttribute("fill", fill);
        area.fill = fill;
      }
      fragment?.appendChild(area.el);
    }
    if (fragment) group.appendChild(fragment);
  }

  /** The path strings for `model`, built once per signature and y axis. */
  private paths(model: ChartModel, x: (v: number) => number, y: (v: number) => number): Map<string, string> {
    const key = `${model.signature}|${model.yScale}|${model.yDomain.join(",")}|${this.height}`;
    const hit = this.cache.get(key);
    if (hit) return hit;
    const px = Float64Array.from(model.indices, (i) => x(model.x[i]));
    const out = stackPaths(model.layers, px, y);
    if (model.totalLine) out.set("\u0000total", linePath(px, model.totalLine, y));
    this.cache.set(key, out);
    if (this.cache.size > CACHED_SIGNATURES) this.cache.delete(this.cache.keys().next().value!);
    return out;
  }

  /** Coalesces mouse moves into one update per animation frame. */
  private queueHover(at: [number, number]): void {
    this.pendingHover = at;
    if (this.hoverFrame) return;
    this.hoverFrame = requestAnimationFrame(() => {
      this.hoverFrame = 0;
      if (this.pendingHover !== null) this.hoverAt(...this.pendingHover);
    });
  }

  /** Moves the rule to the step nearest to `px` and refills the tooltip next to the pointer. */
  hoverAt(px: number, py = 0): void {
    const model = this.model;
    const scales = this.scales;
    if (!model || !scales || model.x.length === 0) return;
    performance.mark("regloss:hover-start");
    const i = bisectX(model.x, scales.invert(px));
    const rx = scales.x(model.x[i]);
    // The tooltip first: it reads its width before anything is written.
    this.tooltip.show(i, describeX(model.xAxis, model.x[i]), rx + MARGIN.left, py + MARGIN.top + 12, this.innerWidth + MARGIN.left);
    this.rule.attr("x1", rx).attr("x2", rx).attr("visibility", "visible");
    if (i !== this.hoveredIndex) {
      this.hoveredIndex = i;
      this.step.set(i);
    }
    // One measure at a time in the timeline; observers still see every one.
    performance.clearMeasures("regloss:hover");
    performance.measure("regloss:hover", "regloss:hover-start");
    performance.clearMarks("regloss:hover-start");
  }

  private hideHover(): void {
    this.pendingHover = null;
    if (this.hoveredIndex !== null) {
      this.hoveredIndex = null;
      this.step.set(null);
    }
    this.rule.attr("visibility", "hidden");
    this.tooltip.hide();
  }
}
