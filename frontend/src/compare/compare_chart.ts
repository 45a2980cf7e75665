/**
 * The comparison chart: one line per run on one shared y axis (linear or log),
 * a title and a legend drawn inside the SVG (so an exported image carries
 * them), colour by experiment and dashes for validation runs, and a hover rule
 * with a tooltip of every run's raw and smoothed value at the nearest step.
 * Given a colour key (many runs coloured by a hyperparameter), the chart draws
 * that key instead of one legend row per run.
 * Colours are written as attributes, not CSS variables, for the same reason.
 */
import { axisBottom, axisLeft } from "d3-axis";
import { format } from "d3-format";
import { scaleLinear, scaleLog } from "d3-scale";
import { pointer, select } from "d3-selection";
import { choiceLabel, compareExtent, nearestIndex, type Comparison, type CompareLine } from "./compare";
import { drawColorKey, KEY_ROW, keyRows } from "../charts/color_key";
import { formatValue, truncate } from "../common/format";
import type { ColorKey } from "../charts/hparam_colors";
import { linePath } from "../charts/paths";
import { formatTick, logTicks } from "../charts/ticks";

const SVG = "http://www.w3.org/2000/svg";
const MARGIN = { top: 30, right: 16, bottom: 28, left: 58 };
const PLOT_HEIGHT = 260;
const LEGEND_ROW = 18;
const LEGEND_COLUMN = 260;
/** Legend names are cut to this many characters (the full name is the entry's tooltip). */
const LEGEND_CHARS = 34;
const VALIDATION_DASH = "6 3";
const stepFormat = format(",~d");

/** Legend layout: how many columns fit in `width`, and the rows needed for `n` entries. */
export function legendGrid(n: number, width: number): { columns: number; rows: number } {
  const columns = Math.max(1, Math.floor((width - MARGIN.left) / LEGEND_COLUMN));
  return { columns, rows: Math.ceil(n / columns) };
}

export interface ChartColors {
  /** Text, the hover rule. */
  fg: string;
  /** Axis lines and ticks. */
  grid: string;
}

interface TipRow {
  el: HTMLElement;
  value: HTMLElement;
}

export class CompareChart {
  readonly el: HTMLDivElement;
  readonly svg: SVGSVGElement;
  private readonly tooltip: HTMLDivElement;
  private readonly tipHeader: HTMLElement;
  private tipRows: TipRow[] = [];
  /** The colours of the last draw, for the tooltip rows built at the next hover. */
  private tipColorOf: (prefix: string) => string = () => "";
  private lines: CompareLine[] = [];
  private smoothing = 0;
  private x: ((v: number) => number) & { invert(px: number): number } = scaleLinear();
  private rule: SVGLineElement | null = null;

  constructor() {
    this.el = document.createElement("div");
    this.el.className = "compare-chart";
    this.svg = document.createElementNS(SVG, "svg") as SVGSVGElement;
    this.tooltip = document.createElement("div");
    this.tooltip.className = "tooltip compare-tooltip";
    this.tooltip.hidden = true;
    this.tipHeader = document.createElement("strong");
    this.tipHeader.className = "tooltip-header";
    this.tooltip.appendChild(this.tipHeader);
    this.el.append(this.svg, this.tooltip);
  }

  /** Redraws the whole chart for `c`, `width` pixels wide; with `key`, that colour key replaces the legend. */
  draw(
    c: Comparison,
    colorOf: (prefix: string) => string,
    opts: { log: boolean; smoothing: number; width: number; colors: ChartColors; key?: ColorKey | null },
  ): void {
    const { log, smoothing, width, colors } = opts;
    const key = opts.key ?? null;
    this.lines = c.lines;
    this.smoothing = smoothing;
    const innerWidth = Math.max(60, width - MARGIN.left - MARGIN.right);
    const legend = legendGrid(key ? 0 : c.lines.length, width);
    const legendHeight = key ? keyRows(key, width - MARGIN.left) * KEY_ROW : legend.rows * LEGEND_ROW;
    const height = MARGIN.top + PLOT_HEIGHT + MARGIN.bottom + legendHeight + 6;
    const svg = select(this.svg);
    svg.selectAll("*").remove();
    svg
      .attr("width", width)
      .attr("height", height)
      .attr("viewBox", `0 0 ${width} ${height}`)
      .attr("role", "img")
      .attr("font-family", "Roboto, system-ui, sans-serif")
      .attr("font-size", 11)
      .attr("aria-label", `Comparison of runs: ${choiceLabel(c.key)}`);
    const smoothingNote = smoothing > 0 ? `, smoothed ${smoothing} (raw faint)` : ", raw values";
    svg
      .append("text")
      .attr("class", "compare-title")
      .attr("x", MARGIN.left)
      .attr("y", 18)
      .attr("font-size", 13)
      .attr("font-weight", 500)
      .attr("fill", colors.fg)
      .text(`${choiceLabel(c.key)} — ${c.lines.length} run${c.lines.length === 1 ? "" : "s"}${log ? ", log scale" : ""}${smoothingNote}`);

    let xLo = Infinity;
    let xHi = -Infinity;
    for (const line of c.lines) {
      if (line.steps.length === 0) continue;
      xLo = Math.min(xLo, line.steps[0]);
      xHi = Math.max(xHi, line.steps[line.steps.length - 1]);
    }
    if (!(xLo <= xHi)) [xLo, xHi] = [0, 1];
    if (xLo === xHi) [xLo, xHi] = [xLo - 1, xHi + 1];
    const x = scaleLinear().domain([xLo, xHi]).range([0, innerWidth]);
    this.x = x;
    const extent = compareExtent(c.lines, log);
    const yAxis = log
      ? (() => {
          const y = scaleLog().domain(extent).range([PLOT_HEIGHT, 0]);
          return { y: (v: number) => y(v), axis: axisLeft(y).tickValues(logTicks(extent, PLOT_HEIGHT)).tickFormat((v) => formatTick(+v)) };
        })()
      : (() => {
          const y = scaleLinear().domain(extent).range([PLOT_HEIGHT, 0]).nice();
          return { y: (v: number) => y(v), axis: axisLeft(y).ticks(6).tickFormat((v) => formatTick(+v)) };
        })();

    const plot = svg.append("g").attr("transform", `translate(${MARGIN.left},${MARGIN.top})`);
    const xAxis = plot
      .append("g")
      .attr("transform", `translate(0,${PLOT_HEIGHT})`)
      .call(axisBottom(x).ticks(Math.max(2, Math.floor(innerWidth / 90))).tickFormat((v) => stepFormat(+v)));
    const yAxisG = plot.append("g").call(yAxis.axis);
    for (const g of [xAxis, yAxisG]) {
      g.attr("font-family", null).attr("font-size", null);
      g.selectAll("path, line").attr("stroke", colors.grid);
      g.selectAll("text").attr("fill", colors.fg);
    }
    plot
      .append("text")
      .attr("x", innerWidth)
      .attr("y", PLOT_HEIGHT + 26)
      .attr("text-anchor", "end")
      .attr("fill", colors.fg)
      .text("step");

    const linesG = plot.append("g").attr("fill", "none");
    // A zero or negative value has no place on a log axis: drawn as a gap, as TensorBoard does.
    const drawable = (values: Float64Array) => (log ? values.map((v) => (v > 0 ? v : NaN)) : values);
    for (const line of c.lines) {
      const px = Float64Array.from(line.steps, (s) => x(s));
      const color = colorOf(line.prefix);
      const dash = line.split === "validation" ? VALIDATION_DASH : null;
      if (smoothing > 0) {
        linesG
          .append("path")
          .attr("d", linePath(px, drawable(line.raw), yAxis.y))
          .attr("stroke", color)
          .attr("stroke-opacity", 0.25)
          .attr("stroke-width", 1)
          .attr("stroke-dasharray", dash);
      }
      linesG
        .append("path")
        .attr("data-run", line.run)
        .attr("d", linePath(px, drawable(line.smoothed), yAxis.y))
        .attr("stroke", color)
        .attr("stroke-width", 1.75)
        .attr("stroke-dasharray", dash);
    }

    this.rule = plot
      .append("line")
      .attr("data-export", "skip")
      .attr("y1", 0)
      .attr("y2", PLOT_HEIGHT)
      .attr("stroke", colors.fg)
      .attr("visibility", "hidden")
      .node();
    plot
      .append("rect")
      .attr("data-export", "skip")
      .attr("width", innerWidth)
      .attr("height", PLOT_HEIGHT)
      .attr("fill", "transparent")
      .style("cursor", "crosshair")
      .on("mousemove", (event: MouseEvent) => this.hover(pointer(event)[0]))
      .on("mouseleave", () => this.unhover());

    const legendG = svg
      .append("g")
      .attr("class", "compare-legend")
      .attr("transform", `translate(${MARGIN.left},${MARGIN.top + PLOT_HEIGHT + MARGIN.bottom + 4})`);
    if (key) drawColorKey(legendG, key, width - MARGIN.left, colors.fg);
    (key ? [] : c.lines).forEach((line, i) => {
      const entry = legendG
        .append("g")
        .attr("data-run", line.run)
        .attr("transform", `translate(${(i % legend.columns) * LEGEND_COLUMN},${Math.floor(i / legend.columns) * LEGEND_ROW})`);
      entry.append("title").text(line.run);
      entry
        .append("line")
        .attr("x1", 0)
        .attr("x2", 22)
        .attr("y1", 8)
        .attr("y2", 8)
        .attr("stroke", colorOf(line.prefix))
        .attr("stroke-width", 2)
        .attr("stroke-dasharray", line.split === "validation" ? VALIDATION_DASH : null);
      entry.append("text").attr("x", 28).attr("y", 12).attr("fill", colors.fg).text(truncate(line.run, LEGEND_CHARS));
    });

    for (const row of this.tipRows) row.el.remove();
    this.tipRows = [];
    this.tipColorOf = colorOf;
  }

  /**
   * The tooltip rows, built at the first hover after a draw (200 runs are 800
   * elements nobody may ask for); hovering then only changes their text.
   */
  private buildTooltip(colorOf: (prefix: string) => string): void {
    this.tipRows = this.lines.map((line) => {
      const el = document.createElement("div");
      el.className = "compare-tip-row";
      const swatch = document.createElement("span");
      swatch.className = "swatch";
      swatch.style.background = colorOf(line.prefix);
      const name = document.createElement("span");
      name.className = "tooltip-name";
      name.textContent = line.run;
      const value = document.createElement("span");
      value.className = "tooltip-value";
      el.append(swatch, name, value);
      this.tooltip.appendChild(el);
      return { el, value };
    });
  }

  private hover(px: number): void {
    if (this.lines.length === 0 || !this.rule) return;
    if (this.tipRows.length !== this.lines.length) this.buildTooltip(this.tipColorOf);
    const step = this.x.invert(px);
    let shownStep = NaN;
    this.lines.forEach((line, i) => {
      const j = nearestIndex(line, step);
      const row = this.tipRows[i];
      if (j < 0) {
        row.value.textContent = "–";
        return;
      }
      if (Number.isNaN(shownStep) || Math.abs(line.steps[j] - step) < Math.abs(shownStep - step)) shownStep = line.steps[j];
      const raw = formatValue(line.raw[j]);
      row.value.textContent =
        this.smoothing > 0 ? `${formatValue(line.smoothed[j])} (raw ${raw}) @ ${line.steps[j]}` : `${raw} @ ${line.steps[j]}`;
    });
    this.tipHeader.textContent = this.smoothing > 0 ? `step ${shownStep} — smoothed (raw)` : `step ${shownStep}`;
    const at = this.x(shownStep);
    this.rule.setAttribute("x1", String(at));
    this.rule.setAttribute("x2", String(at));
    this.rule.setAttribute("visibility", "visible");
    this.tooltip.hidden = false;
    const left = MARGIN.left + at + 12;
    const maxLeft = this.el.clientWidth - this.tooltip.offsetWidth - 4;
    this.tooltip.style.transform = `translate(${Math.max(0, left > maxLeft ? MARGIN.left + at - this.tooltip.offsetWidth - 12 : left)}px, ${MARGIN.top}px)`;
  }

  private unhover(): void {
    this.rule?.setAttribute("visibility", "hidden");
    this.tooltip.hidden = true;
  }
}
