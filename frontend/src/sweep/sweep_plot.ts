/**
 * The sweep plot: one point per trial, a metric against one hyperparameter,
 * coloured by another with its key below, drawn as SVG (so it exports as the
 * comparison chart does). Each point is a `circle[data-sweep-point]` carrying
 * the trial (`data-sweep-point`) and the run a click focuses (`data-run`).
 * A trial of several executions (KerasTuner's `executions_per_trial`) is
 * drawn at their mean with a min–max whisker (`[data-sweep-spread]`), each
 * execution's figures in its tooltip.
 * One delegated listener per event on the SVG serves every point: hovering
 * only rewrites the one tooltip's text, clicking (or Enter on a point) calls
 * `onFocus` with the point's run.
 */
import { axisBottom, axisLeft } from "d3-axis";
import { select } from "d3-selection";
import type { HParamValue } from "../data/api";
import { drawColorKey, KEY_ROW, keyRows } from "../charts/color_key";
import { formatShare, formatValue, truncate } from "../common/format";
import type { ColorKey } from "../charts/hparam_colors";
import { metricLabel, metricValue, type Axis, type SweepPlotModel, type SweepPoint, type Trial } from "./sweep_plot_model";
import { formatTick, LABEL_HEIGHT, logTicks } from "../charts/ticks";

const SVG = "http://www.w3.org/2000/svg";
export const SWEEP_MARGIN = { top: 30, right: 16, bottom: 34, left: 58 };
export const SWEEP_PLOT_HEIGHT = 240;
const RADIUS = 5;
/** Pixels an x tick label needs, with room between labels. */
const X_LABEL_WIDTH = 80;

export interface SweepColors {
  fg: string;
  grid: string;
}

/**
 * The ticks of `axis`, `length` pixels long: on a log axis the dashboard's log
 * ticks (a label every `spacing` pixels at most), else `count` linear ones.
 */
function axisTicks(axis: Axis, length: number, spacing: number, count: number): number[] {
  return axis.log ? logTicks(axis.scale.domain() as [number, number], length, spacing) : axis.scale.ticks(count);
}

function metricText(metric: SweepPlotModel["metric"], v: number | null): string {
  return metric === "share" ? formatShare(v ?? NaN) : formatValue(v);
}

export class SweepPlot {
  readonly el: HTMLDivElement;
  readonly svg: SVGSVGElement;
  private readonly tooltip: HTMLDivElement;
  private readonly tipTitle: HTMLElement;
  private readonly tipBody: HTMLElement;
  private model: SweepPlotModel | null = null;
  private trials = new Map<string, Trial>();
  private readonly pointOf = new WeakMap<Element, SweepPoint>();
  /** The point of each run a click focuses (a trial's every execution leads to its point). */
  private readonly circles = new Map<string, SVGCircleElement>();
  private focused: string | null = null;

  constructor(private readonly onFocus: (run: string) => void) {
    this.el = document.createElement("div");
    this.el.className = "sweep-plot";
    this.svg = document.createElementNS(SVG, "svg") as SVGSVGElement;
    this.tooltip = document.createElement("div");
    this.tooltip.className = "tooltip sweep-tooltip";
    this.tooltip.hidden = true;
    this.tipTitle = document.createElement("strong");
    this.tipTitle.className = "tooltip-header";
    this.tipBody = document.createElement("div");
    this.tipBody.className = "sweep-tip-body";
    this.tooltip.append(this.tipTitle, this.tipBody);
    this.el.append(this.svg, this.tooltip);
    // Delegated: one listener for every point, whatever their number.
    this.svg.addEventListener("click", (e) => this.activate(e.target));
    this.svg.addEventListener("keydown", (e) => {
      if (e.key === "Enter" || e.key === " ") {
        if (this.activate(e.target)) e.preventDefault();
      }
    });
    this.svg.addEventListener("mouseover", (e) => this.hover(e.target));
    this.svg.addEventListener("focusin", (e) => this.hover(e.target));
    this.svg.addEventListener("mouseout", (e) => {
      if (!this.point((e as MouseEvent).relatedTarget)) this.tooltip.hidden = true;
    });
    this.svg.addEventListener("focusout", () => (this.tooltip.hidden = true));
  }

  private point(target: EventTarget | null): SweepPoint | null {
    const el = target instanceof Element ? target.closest("[data-sweep-point]") : null;
    return el ? this.pointOf.get(el) ?? null : null;
  }

  private activate(target: EventTarget | null): boolean {
    const p = this.point(target);
    if (p) this.onFocus(p.run);
    return p !== null;
  }

  /** Rings the point of `run` (the focused card's, any execution of its trial), without redrawing. */
  setFocused(run: string | null): void {
    this.focused = run;
    const ringed = run === null ? undefined : this.circles.get(run);
    for (const circle of this.circles.values()) {
      if (circle === ringed) circle.setAttribute("data-focused", "");
      else circle.removeAttribute("data-focused");
    }
  }

  draw(
    model: SweepPlotModel,
    trials: readonly Trial[],
    opts: { width: number; colors: SweepColors; key: ColorKey | null; colorName: string },
  ): void {
    const { width, colors, key } = opts;
    this.model = model;
    this.trials = new Map(trials.map((t) => [t.prefix, t]));
    this.circles.clear();
    this.tooltip.hidden = true;
    const innerWidth = Math.max(60, width - SWEEP_MARGIN.left - SWEEP_MARGIN.right);
    const keyHeight = key ? keyRows(key, width) * KEY_ROW + 6 : 0;
    const height = SWEEP_MARGIN.top + SWEEP_PLOT_HEIGHT + SWEEP_MARGIN.bottom + keyHeight;
    const svg = select(this.svg);
    svg.selectAll("*").remove();
    const title = `${metricLabel(model.metric)} against ${model.x} — ${model.points.length} trial${model.points.length === 1 ? "" : "s"}`;
    svg
      .attr("width", width)
      .attr("height", height)
      .attr("viewBox", `0 0 ${width} ${height}`)
      .attr("role", "group")
      .attr("font-family", "Roboto, system-ui, sans-serif")
      .attr("font-size", 11)
      .attr("aria-label", `Sweep: ${title}`)
      .attr("data-x-scale", model.xAxis.log ? "log" : "linear")
      .attr("data-y-scale", model.yAxis.log ? "log" : "linear");
    svg
      .append("text")
      .attr("class", "sweep-title")
      .attr("x", SWEEP_MARGIN.left)
      .attr("y", 18)
      .attr("font-size", 13)
      .attr("font-weight", 500)
      .attr("fill", colors.fg)
      .text(title + (model.xAxis.log ? ", log x" : ""));

    const plot = svg.append("g").attr("transform", `translate(${SWEEP_MARGIN.left},${SWEEP_MARGIN.top})`);
    const tickText = (v: unknown) => formatTick(+(v as number));
    // d3's axis reads the scale; ours may be log or linear, and both draw through `tickValues`.
    const xAxisG = plot
      .append("g")
      .attr("class", "sweep-x-axis")
      .attr("transform", `translate(0,${SWEEP_PLOT_HEIGHT})`)
      .call(axisBottom(model.xAxis.scale as never).tickValues(axisTicks(model.xAxis, innerWidth, X_LABEL_WIDTH, Math.max(2, Math.floor(innerWidth / X_LABEL_WIDTH)))).tickFormat(tickText));
    const yAxisG = plot
      .append("g")
      .call(axisLeft(model.yAxis.scale as never).tickValues(axisTicks(model.yAxis, SWEEP_PLOT_HEIGHT, LABEL_HEIGHT, 6)).tickFormat(model.metric === "share" ? (v) => formatShare(+v) : tickText));
    for (const g of [xAxisG, yAxisG]) {
      g.attr("font-family", null).attr("font-size", null);
      g.selectAll("path, line").attr("stroke", colors.grid);
      g.selectAll("text").attr("fill", colors.fg);
    }
    if (model.xAxis.zero !== null) {
      // Zero has no place on a log axis: its points sit in a slot of their own, before a break.
      const zx = model.xAxis.zero;
      xAxisG.append("line").attr("x1", zx).attr("x2", zx).attr("y2", 6).attr("stroke", colors.grid);
      xAxisG.append("text").attr("x", zx).attr("y", 18).attr("text-anchor", "middle").attr("fill", colors.fg).text("0");
      xAxisG.append("text").attr("x", zx + 10).attr("y", 4).attr("fill", colors.fg).text("//");
    }
    plot
      .append("text")
      .attr("x", innerWidth)
      .attr("y", SWEEP_PLOT_HEIGHT + 30)
      .attr("text-anchor", "end")
      .attr("fill", colors.fg)
      .text(model.x + (model.xAxis.log ? " (log)" : ""));

    const spread = plot.append("g").attr("class", "sweep-spread").attr("fill", "none").attr("stroke", colors.fg).attr("stroke-width", 1);
    const best = plot.append("g").attr("class", "sweep-best").attr("fill", "none");
    const dots = plot.append("g").attr("class", "sweep-points");
    for (const p of model.points) {
      const cx = p.px;
      if (p.pyLo !== null && p.pyHi !== null && p.lo !== p.hi) {
        // Lowest to highest execution, capped: an I-beam, told apart from the stem to the best value.
        const c = 4;
        spread
          .append("path")
          .attr("data-sweep-spread", p.prefix)
          .attr("d", `M${cx - c},${p.pyLo}H${cx + c}M${cx},${p.pyLo}V${p.pyHi}M${cx - c},${p.pyHi}H${cx + c}`);
      }
      if (p.pyBest !== null && p.best !== null && p.best !== p.y) {
        best.append("line").attr("x1", cx).attr("x2", cx).attr("y1", p.py).attr("y2", p.pyBest).attr("stroke", p.color).attr("stroke-width", 1.5).attr("stroke-opacity", 0.7);
      }
      if (p.pyBest !== null) {
        const s = 4;
        best
          .append("path")
          .attr("d", `M${cx},${p.pyBest - s}L${cx + s},${p.pyBest}L${cx},${p.pyBest + s}L${cx - s},${p.pyBest}Z`)
          .attr("fill", p.color)
          .attr("stroke", colors.fg)
          .attr("stroke-width", 0.5);
      }
      const circle = dots
        .append("circle")
        .attr("data-sweep-point", p.prefix)
        .attr("data-run", p.run)
        .attr("cx", cx)
        .attr("cy", p.py)
        .attr("r", RADIUS)
        .attr("fill", p.color)
        .attr("stroke", colors.fg)
        .attr("stroke-width", 0.75)
        .attr("tabindex", 0)
        .attr("role", "button")
        .attr(
          "aria-label",
          `${p.prefix}: ${model.x} ${p.x}, ${metricText(model.metric, p.y)}` +
            (p.executions > 1 ? ` (mean of ${p.executions} executions)` : "") +
            "; focus its run",
        )
        .node()!;
      this.pointOf.set(circle, p);
      this.circles.set(p.run, circle);
      for (const e of this.trials.get(p.prefix)?.executions ?? []) this.circles.set(e.run, circle);
    }
    this.setFocused(this.focused);

    if (key) {
      const keyG = svg.append("g").attr("transform", `translate(${SWEEP_MARGIN.left},${SWEEP_MARGIN.top + SWEEP_PLOT_HEIGHT + SWEEP_MARGIN.bottom + 2})`);
      drawColorKey(keyG, key, width - SWEEP_MARGIN.left, colors.fg);
    }
  }

  /** Fills the one tooltip for the point under `target`: only text changes, no element is made. */
  private hover(target: EventTarget | null): void {
    const p = this.point(target);
    const model = this.model;
    if (!p || !model) return;
    const t = this.trials.get(p.prefix);
    this.tipTitle.textContent = p.prefix;
    const lines = [`${model.x} = ${p.x}`];
    const several = p.executions > 1;
    const range = p.lo !== null && p.hi !== null ? ` (min ${metricText(model.metric, p.lo)}, max ${metricText(model.metric, p.hi)})` : "";
    if (several) lines.push(`mean of ${p.executions} executions`);
    if (model.metric === "validation") {
      lines.push(`validation data loss: last ${formatValue(p.y)}${range}, best ${formatValue(p.best)}${t?.bestStep != null ? ` @ ${t.bestStep}` : ""}`);
    } else lines.push(`${metricLabel(model.metric)}: ${metricText(model.metric, p.y)}${range}`);
    if (several && t) {
      for (const e of t.executions) {
        const name = truncate(e.prefix.slice(e.prefix.lastIndexOf("/") + 1), 30);
        const value = metricValue(e, model.metric);
        lines.push(
          model.metric === "validation"
            ? `  ${name}: last ${formatValue(value)}, best ${formatValue(e.bestValidation)}${e.bestStep !== null ? ` @ ${e.bestStep}` : ""}`
            : `  ${name}: ${metricText(model.metric, value)}`,
        );
      }
    }
    if (t) {
      for (const [name, value] of Object.entries(t.hparams) as [string, HParamValue][]) {
        if (name !== model.x) lines.push(`${truncate(name, 30)} = ${truncate(String(value), 40)}`);
      }
    }
    lines.push("click: focus " + p.run);
    this.tipBody.textContent = lines.join("\n");
    this.tooltip.hidden = false;
    const left = SWEEP_MARGIN.left + p.px + 12;
    const maxLeft = this.el.clientWidth - this.tooltip.offsetWidth - 4;
    const x = left > maxLeft && maxLeft > 0 ? SWEEP_MARGIN.left + p.px - this.tooltip.offsetWidth - 12 : left;
    // Below the point, or above it where below would run past the plot (the box scrolls, so it would be cut).
    const below = SWEEP_MARGIN.top + p.py + 8;
    const bottom = Number(this.svg.getAttribute("height")) || 0;
    const y = below + this.tooltip.offsetHeight > bottom ? SWEEP_MARGIN.top + p.py - this.tooltip.offsetHeight - 8 : below;
    this.tooltip.style.transform = `translate(${Math.max(0, x)}px, ${Math.max(0, y)}px)`;
  }
}
