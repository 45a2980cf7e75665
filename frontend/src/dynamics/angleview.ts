/**
 * Small multiples of the angular update: a panel per group (`angles.ts`
 * chooses them), the measured angle per step as a solid line and the predicted
 * equilibrium as a dashed one, on one y scale in degrees shared by every panel
 * so panels compare at a glance. Hovering a panel names the group, step and
 * both angles and sets the step channel the panels share with the other views
 * of the section; the rule through all of them follows that channel, whoever
 * set it. Exports as a standalone SVG with its title and key
 * (`charts/image.ts`). Names are text.
 */
import { axisBottom, axisLeft } from "d3-axis";
import { bisector } from "d3-array";
import { format } from "d3-format";
import { scaleLinear, scaleLog } from "d3-scale";
import { pointer, select } from "d3-selection";
import type { StepChannel } from "../charts/channel";
import { angleExtent, angleLogExtent, anglePanels, gridColumns, type AngleGroup, type AnglePanel } from "./angles";
import { formatValue, truncate } from "../common/format";
import { chartSvg, type ImageLegendEntry } from "../charts/image";
import { linePath } from "../charts/paths";
import { logTicks } from "../charts/ticks";

const SVG = "http://www.w3.org/2000/svg";
export const PANEL_HEIGHT = 120;
const INSET = { top: 24, right: 10, bottom: 20, left: 40 };
/** The equilibrium's dash, an attribute (not CSS) so the exported image keeps it. */
export const EQUILIBRIUM_DASH = "5 3";
/** A generous glyph width at 11 px (wide glyphs, emoji), so a cut title never runs into the next panel. */
const CHAR_WIDTH = 7;
const stepFormat = format(",~d");
const byStep = bisector((s: number) => s);

/** `v` degrees as text: 4 significant digits and the degree sign. */
export function formatDegrees(v: number): string {
  return Number.isFinite(v) ? `${formatValue(v)}°` : "–";
}

export class AngleMultiples {
  readonly el: HTMLElement;
  readonly svg: SVGSVGElement;
  private readonly readout: HTMLElement;
  private panels: AnglePanel[] = [];
  private steps: readonly number[] = [];

  constructor(private readonly step: StepChannel) {
    this.el = document.createElement("div");
    this.el.className = "angle-multiples";
    this.svg = document.createElementNS(SVG, "svg");
    this.svg.setAttribute("role", "img");
    this.readout = document.createElement("div");
    this.readout.className = "angle-readout";
    this.readout.textContent = "\u00a0";
    this.el.append(this.svg, this.readout);
    step.listen((i) => this.follow(i));
  }

  /** The panels drawn, for the section's caption. */
  get shown(): readonly AnglePanel[] {
    return this.panels;
  }

  /**
   * Draws the panels of `groups` over `steps` in `width` px; `label` is the
   * image's accessible name. `log` puts the shared y axis on a log scale
   * (zeros are gaps there), which keeps a layer's early spike from flattening the others.
   */
  update(groups: readonly AngleGroup[], steps: readonly number[], width: number, label: string, log = false): void {
    this.panels = anglePanels(groups);
    this.steps = steps;
    const n = this.panels.length;
    const columns = gridColumns(n, width);
    const panelWidth = Math.floor(width / columns);
    const rows = Math.ceil(n / columns);
    const svg = select(this.svg);
    svg.selectAll("*").remove();
    svg.attr("width", columns * panelWidth).attr("height", rows * PANEL_HEIGHT).attr("aria-label", label);
    this.el.hidden = n === 0;
    if (n === 0) return;
    const innerWidth = panelWidth - INSET.left - INSET.right;
    const innerHeight = PANEL_HEIGHT - INSET.top - INSET.bottom;
    const first = steps[0] ?? 0;
    const last = steps[steps.length - 1] ?? 1;
    const x = scaleLinear().domain([first, last === first ? first + 1 : last]).range([0, innerWidth]);
    const y = log
      ? scaleLog().domain(angleLogExtent(this.panels)).range([innerHeight, 0])
      : scaleLinear().domain(angleExtent(this.panels)).nice(3).range([innerHeight, 0]);
    // On the log axis a zero or negative angle cannot be placed: a gap, as a missing point.
    const placed = (column: Float64Array) => (log ? column.map((v) => (v > 0 ? v : NaN)) : column);
    const px = Float64Array.from(steps, (s) => x(s));
    const maxChars = Math.max(4, Math.floor((panelWidth - 12) / CHAR_WIDTH));
    this.panels.forEach((p, k) => {
      const g = svg
        .append("g")
        .attr("class", "angle-panel")
        .attr("data-group", p.key)
        .attr("transform", `translate(${(k % columns) * panelWidth + INSET.left},${Math.floor(k / columns) * PANEL_HEIGHT + INSET.top})`);
      g.append("text").attr("class", "panel-title").attr("x", -INSET.left + 4).attr("y", -12).text(truncate(p.label, maxChars))
        .append("title").text(p.label);
      const yAxis = axisLeft(y).tickFormat((d) => formatDegrees(Number(d)));
      if (log) yAxis.tickValues(logTicks(y.domain() as [number, number], innerHeight));
      else yAxis.ticks(3);
      g.append("g").attr("class", "axis").call(yAxis);
      g.append("g").attr("class", "axis").attr("transform", `translate(0,${innerHeight})`)
        .call(axisBottom(x).ticks(Math.max(2, Math.floor(innerWidth / 60))).tickFormat((d) => stepFormat(Number(d))));
      g.append("path").attr("class", "angle-equilibrium").attr("stroke-dasharray", EQUILIBRIUM_DASH).attr("d", linePath(px, placed(p.equilibrium), y));
      g.append("path").attr("class", "angle-measured").attr("d", linePath(px, placed(p.angle), y));
      g.append("line").attr("class", "hover-rule").attr("y1", 0).attr("y2", innerHeight).attr("visibility", "hidden");
      g.append("rect")
        .attr("class", "overlay")
        .attr("width", innerWidth)
        .attr("height", innerHeight)
        .on("mousemove", (event: MouseEvent) => {
          const step = x.invert(pointer(event)[0]);
          this.show(this.nearest(step), k);
        })
        .on("mouseleave", () => this.show(null, k));
    });
  }

  private nearest(step: number): number {
    const i = byStep.center(this.steps, step);
    return Math.min(this.steps.length - 1, Math.max(0, i));
  }

  /** Names panel `k`'s angles at step index `i` (null clears the readout) and sets the step channel to `i`. */
  show(i: number | null, k: number): void {
    if (i === null) this.readout.textContent = "\u00a0";
    else {
      const p = this.panels[k];
      this.readout.textContent = `${p.label} · step ${this.steps[i]}: ${formatDegrees(p.angle[i])} per step (equilibrium ${formatDegrees(p.equilibrium[i])})`;
    }
    this.step.set(i);
  }

  /** Puts the rule at step index `i` in every panel (null hides it), whichever view set the step. */
  private follow(i: number | null): void {
    const rules = select(this.svg).selectAll<SVGLineElement, unknown>(".hover-rule");
    if (i === null || this.panels.length === 0) {
      rules.attr("visibility", "hidden");
      return;
    }
    const width = Number(this.svg.querySelector(".angle-panel .overlay")?.getAttribute("width") ?? 0);
    const first = this.steps[0];
    const span = this.steps[this.steps.length - 1] - first || 1;
    const xi = ((this.steps[i] - first) / span) * width;
    rules.attr("x1", xi).attr("x2", xi).attr("visibility", "visible");
  }

  /** The standalone SVG of the panels with `title` and their key, in the given colours; null when nothing is drawn. */
  imageSvg(title: string, colors: { background: string; text: string }): string | null {
    if (this.panels.length === 0) return null;
    const style = getComputedStyle(this.el);
    const key: ImageLegendEntry[] = [
      { name: "angular update per step, measured (solid)", kind: null, color: style.getPropertyValue("--accent").trim() || "#f57c00" },
      { name: "predicted equilibrium (dashed)", kind: null, color: colors.text },
    ];
    return chartSvg(this.svg, title, key, colors);
  }
}

/** The small multiples' styles; colours from the dashboard's variables, so dark mode follows. */
export const ANGLE_CSS = `
.angle-multiples svg { display: block; overflow: visible; }
.angle-multiples[hidden] { display: none; }
.angle-panel .panel-title { fill: var(--fg); font-size: 11px; }
.angle-panel .axis text { fill: var(--muted); font-size: 10px; }
.angle-panel .axis path, .angle-panel .axis line { stroke: var(--border); }
.angle-measured { fill: none; stroke: var(--accent); stroke-width: 1.5; }
.angle-equilibrium { fill: none; stroke: var(--fg); stroke-width: 1.2; }
.angle-panel .hover-rule { stroke: var(--muted); stroke-width: 1; }
.angle-panel .overlay { fill: transparent; cursor: crosshair; }
.angle-readout { min-height: 1.4em; color: var(--muted); overflow: hidden; text-overflow: ellipsis; white-space: nowrap; font-variant-numeric: tabular-nums; }
`;
