/**
 * The decay-ratio heatmap of one run on a canvas: groups × steps, one pixel
 * per cell stretched by CSS without smoothing (160 × 1,000 cells cost one
 * `putImageData`), coloured on the diverging log scale of `ratio_heatmap.ts`
 * and keyed "decay weaker ← 1 → decay stronger". It uses the composition
 * heatmap's layout and styles (`heatmapview.ts`): labelled rows while they are
 * tall enough, then a scrolling box and a readout naming the row under the
 * pointer. Hovering reports the step; names are text.
 */
import type { Series } from "./api";
import { divergingGradient, divergingTable } from "./diverging";
import { formatValue } from "./format";
import { labelRows, paintCells, plotWidthFor, rowHeight } from "./heatmapview";
import { describeRatio, ratioHeatmap, ratioPixels, type RatioHeatmap } from "./ratio_heatmap";
import { element } from "./dom";

export const RATIO_KEY_NOTE = "1 = decay as strong as the data (log scale)";

export interface RatioGroup {
  key: string;
  label: string;
  /** The group's decay ratio per step. */
  values: Series;
}

/** `10^d` as a short label: 0.01, 0.1, 10, 100, then 1e3. */
export function powerOfTen(d: number): string {
  return Math.abs(d) <= 2 ? String(Number((10 ** d).toPrecision(1))) : `1e${d}`;
}

let colors: Uint8Array | null = null;

export class RatioHeatmapView {
  readonly el: HTMLElement;
  private readonly lo: HTMLElement;
  private readonly hi: HTMLElement;
  private readonly scroll: HTMLElement;
  private readonly labels: HTMLElement;
  private readonly canvas: HTMLCanvasElement;
  private readonly cursor: HTMLElement;
  private readonly readout: HTMLElement;
  private groups: readonly RatioGroup[] = [];
  private steps: readonly number[] = [];
  private plotWidth = 0;
  private model: RatioHeatmap | null = null;
  private rowPx = rowHeight(0);

  constructor(private readonly onStep: (index: number | null) => void) {
    this.el = document.createElement("div");
    this.el.className = "heatmap ratio-heatmap";
    const head = element("div", "heatmap-head", undefined, this.el);
    element("span", "ratio-title", "Decay ratio: ‖∇ decay‖ ÷ ‖∇ data‖", head);
    const key = element("span", "heatmap-key", undefined, head);
    this.lo = element("span", "", undefined, key);
    element("span", "heatmap-gradient", undefined, key).style.background = divergingGradient();
    this.hi = element("span", "", undefined, key);
    element("span", "ratio-note", `blue: data dominates · red: decay dominates · ${RATIO_KEY_NOTE}`, head);
    this.scroll = element("div", "heatmap-scroll", undefined, this.el);
    this.labels = element("div", "heatmap-labels", undefined, this.scroll);
    const plot = element("div", "heatmap-plot", undefined, this.scroll);
    this.canvas = element("canvas", "", undefined, plot);
    this.canvas.setAttribute("role", "img");
    this.cursor = element("div", "heatmap-cursor", undefined, plot);
    this.cursor.hidden = true;
    this.readout = element("div", "heatmap-readout", "\u00a0", this.el);
    this.canvas.addEventListener("mousemove", (e) => this.hover(e.offsetX, e.offsetY));
    this.canvas.addEventListener("mouseleave", () => {
      this.cursor.hidden = true;
      this.readout.textContent = "\u00a0";
      this.onStep(null);
    });
  }

  /** Draws `groups` over `steps` in `width` px; `label` is the canvas' accessible name. */
  update(groups: readonly RatioGroup[], steps: readonly number[], width: number, label: string): void {
    performance.mark("regloss:dynamics-heatmap-start");
    this.groups = groups;
    this.steps = steps;
    this.canvas.setAttribute("aria-label", label);
    const rows = groups.length;
    this.rowPx = rowHeight(rows);
    this.plotWidth = plotWidthFor(width, rows);
    const model = ratioHeatmap(groups, steps.length, this.plotWidth);
    this.model = model;
    paintCells(this.canvas, model.columns, rows, this.plotWidth, (pixels) => {
      colors ??= divergingTable();
      ratioPixels(model, colors, pixels);
    });
    labelRows(this.labels, model.labels);
    this.lo.textContent = powerOfTen(-model.decades);
    this.hi.textContent = powerOfTen(model.decades);
    performance.clearMeasures("regloss:dynamics-heatmap");
    performance.measure("regloss:dynamics-heatmap", "regloss:dynamics-heatmap-start");
    performance.clearMarks("regloss:dynamics-heatmap-start");
  }

  /** Moves the cursor, names the group, step and ratio under the pointer, and reports the step. */
  hover(x: number, y: number): void {
    const m = this.model;
    if (!m || m.columns === 0) return;
    const row = Math.floor(y / this.rowPx);
    if (row < 0 || row >= m.keys.length) return;
    const c = Math.min(m.columns - 1, Math.max(0, Math.floor((x / this.plotWidth) * m.columns)));
    const i = m.start[c + 1] - 1;
    this.cursor.hidden = false;
    this.cursor.style.transform = `translateX(${Math.round(x)}px)`;
    const raw = this.groups[row].values[i];
    const value = raw !== null && raw - raw === 0 ? raw : null;
    this.readout.textContent = `${m.labels[row]} · step ${this.steps[i]}: ratio ${formatValue(value)} (${describeRatio(value)})`;
    this.onStep(i);
  }
}

/** The decay-ratio heatmap's own styles, on top of the composition heatmap's. */
export const RATIO_HEATMAP_CSS = `
.ratio-title { font-weight: 500; }
.ratio-note { color: var(--muted); font-size: 12px; }
.ratio-heatmap .heatmap-plot canvas { cursor: crosshair;
  background: repeating-linear-gradient(45deg, var(--grid) 0 2px, transparent 2px 6px); }
`;
