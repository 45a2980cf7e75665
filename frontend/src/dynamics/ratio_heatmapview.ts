/**
 * The decay-ratio heatmap of one run on a canvas: groups × steps, one pixel
 * per cell stretched by CSS without smoothing (160 × 1,000 cells cost one
 * `putImageData`), coloured on the diverging log scale of `ratio_heatmap.ts`
 * and keyed "decay weaker ← 1 → decay stronger". It is drawn in the canvas
 * heatmap's frame (`charts/heatmap_frame.ts`), as the composition heatmap is:
 * labelled rows while they are tall enough, then a scrolling box and a readout
 * naming the row under the pointer. Hovering sets the step channel it is
 * given; names are text.
 */
import type { Series } from "../data/api";
import type { StepChannel } from "../charts/channel";
import { divergingGradient, divergingTable } from "./diverging";
import { formatValue } from "../common/format";
import { stepIndexAt } from "../charts/heatmap_columns";
import { heatmapFrame, labelRows, paintCells, plotWidthFor, rowHeight } from "../charts/heatmap_frame";
import { describeRatio, ratioHeatmap, ratioPixels, type RatioHeatmap } from "./ratio_heatmap";
import { element } from "../common/dom";

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
  private readonly labels: HTMLElement;
  private readonly canvas: HTMLCanvasElement;
  private readonly cursor: HTMLElement;
  private readonly readout: HTMLElement;
  private groups: readonly RatioGroup[] = [];
  private steps: readonly number[] = [];
  private plotWidth = 0;
  private model: RatioHeatmap | null = null;
  private rowPx = rowHeight(0);

  constructor(private readonly step: StepChannel) {
    const frame = heatmapFrame("heatmap ratio-heatmap", divergingGradient(), (head) => {
      element("span", "ratio-title", "Decay ratio: ‖∇ decay‖ ÷ ‖∇ data‖", head);
    }, (x, y) => this.hover(x, y), step);
    element("span", "ratio-note", `blue: data dominates · red: decay dominates · ${RATIO_KEY_NOTE}`, frame.head);
    ({ el: this.el, lo: this.lo, hi: this.hi, labels: this.labels } = frame);
    ({ canvas: this.canvas, cursor: this.cursor, readout: this.readout } = frame);
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

  /** Moves the cursor, names the group, step and ratio under the pointer, and sets the step channel to the step. */
  hover(x: number, y: number): void {
    const m = this.model;
    if (!m || m.columns === 0) return;
    const row = Math.floor(y / this.rowPx);
    if (row < 0 || row >= m.keys.length) return;
    const i = stepIndexAt(x, this.plotWidth, m.columns, m.start)!;
    this.cursor.hidden = false;
    this.cursor.style.transform = `translateX(${Math.round(x)}px)`;
    const raw = this.groups[row].values[i];
    const value = raw !== null && raw - raw === 0 ? raw : null;
    this.readout.textContent = `${m.labels[row]} · step ${this.steps[i]}: ratio ${formatValue(value)} (${describeRatio(value)})`;
    this.step.set(i);
  }
}

/** The decay-ratio heatmap's own styles, on top of the composition heatmap's. */
export const RATIO_HEATMAP_CSS = `
.ratio-title { font-weight: 500; }
.ratio-note { color: var(--muted); font-size: 12px; }
.ratio-heatmap .heatmap-plot canvas { cursor: crosshair;
  background: repeating-linear-gradient(45deg, var(--grid) 0 2px, transparent 2px 6px); }
`;
