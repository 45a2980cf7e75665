/**
 * The heatmap of one run's penalty groups × steps, in the canvas heatmap's
 * frame (`charts/heatmap_frame.ts`), coloured by share of the penalties or by
 * value on a log scale (`heatmap.ts`). The readout names the cell under the
 * pointer. Hovering sets the step channel it is given (the bar chart follows
 * it); clicking a row highlights its group everywhere, and the highlighted
 * group's row is outlined.
 */
import type { Series } from "../data/api";
import type { StepChannel } from "../charts/channel";
import { colorTable, cssGradient } from "../charts/colormap";
import { formatShare, formatValue } from "../common/format";
import { heatmapModel, heatmapPixels, type HeatmapColor, type HeatmapModel } from "./heatmap";
import { highlight } from "../charts/highlight";
import { element } from "../common/dom";
import { stepIndexAt } from "../charts/heatmap_columns";
import { heatmapFrame, labelRows, paintCells, plotWidthFor, rowHeight } from "../charts/heatmap_frame";

export interface HeatmapGroup {
  key: string;
  label: string;
  values: Series;
}

let colors: Uint8Array | null = null;

export class HeatmapView {
  readonly el: HTMLElement;
  private readonly colorSelect: HTMLSelectElement;
  private readonly lo: HTMLElement;
  private readonly hi: HTMLElement;
  private readonly scroll: HTMLElement;
  private readonly labels: HTMLElement;
  private readonly canvas: HTMLCanvasElement;
  private readonly cursor: HTMLElement;
  private readonly mark: HTMLElement;
  private readonly readout: HTMLElement;
  private color: HeatmapColor = "share";
  private groups: readonly HeatmapGroup[] = [];
  private byKey = new Map<string, HeatmapGroup>();
  private steps: readonly number[] = [];
  private totals: Float64Array = new Float64Array(0);
  private width = 0;
  /** Width of the canvas in CSS pixels: the box less the labels and the scroll bar. */
  private plotWidth = 0;
  private model: HeatmapModel | null = null;
  private rowPx = rowHeight(0);

  /** `step` is set to the step under the pointer; `onPick` hears the key of a clicked row. */
  constructor(
    private readonly step: StepChannel,
    private readonly onPick: (key: string) => void,
  ) {
    const colorLabel = element("label", "");
    element("span", "", "Colour", colorLabel);
    this.colorSelect = element("select", "", undefined, colorLabel);
    const frame = heatmapFrame("heatmap", cssGradient(), (head) => head.append(colorLabel), (x, y) => this.hover(x, y), step);
    ({ el: this.el, lo: this.lo, hi: this.hi, scroll: this.scroll, labels: this.labels } = frame);
    ({ canvas: this.canvas, cursor: this.cursor, readout: this.readout } = frame);
    this.colorSelect.name = "heatmap-color";
    this.colorSelect.add(new Option("share of the penalties", "share"));
    this.colorSelect.add(new Option("value (log scale)", "log"));
    this.colorSelect.addEventListener("change", () => {
      this.color = this.colorSelect.value as HeatmapColor;
      this.draw();
    });
    this.mark = element("div", "heatmap-mark", undefined, frame.plot);
    this.mark.hidden = true;
    this.canvas.addEventListener("click", (e) => {
      const row = this.rowAt(e.offsetY);
      if (row !== null) this.onPick(this.model!.keys[row]);
    });
    this.labels.addEventListener("click", (e) => {
      const key = ((e.target as Element).closest?.(".heatmap-label") as HTMLElement | null)?.dataset.key;
      if (key !== undefined) this.onPick(key);
    });
    highlight.listen(() => this.showHighlight(false));
  }

  /** Draws `groups` over `steps`; `totals` are their sums per step (`stepTotals`), `label` the canvas' accessible name. */
  update(groups: readonly HeatmapGroup[], steps: readonly number[], totals: Float64Array, width: number, label: string): void {
    this.groups = groups;
    this.byKey = new Map(groups.map((g) => [g.key, g]));
    this.steps = steps;
    this.totals = totals;
    this.width = Math.max(40, Math.floor(width));
    this.canvas.setAttribute("aria-label", label);
    this.draw();
  }

  private draw(): void {
    performance.mark("regloss:heatmap-start");
    const rows = this.groups.length;
    this.rowPx = rowHeight(rows);
    this.plotWidth = plotWidthFor(this.width, rows);
    const model = heatmapModel(this.groups, this.steps.length, this.plotWidth, this.color, this.totals);
    this.model = model;
    paintCells(this.canvas, model.columns, rows, this.plotWidth, (pixels) => {
      colors ??= colorTable();
      heatmapPixels(model, colors, pixels);
    });
    labelRows(this.labels, model.labels, model.keys);
    const fmt = model.color === "share" ? formatShare : formatValue;
    this.lo.textContent = Number.isNaN(model.lo) ? "–" : fmt(model.lo);
    this.hi.textContent = Number.isNaN(model.hi) ? "–" : fmt(model.hi);
    this.showHighlight(false);
    performance.clearMeasures("regloss:heatmap");
    performance.measure("regloss:heatmap", "regloss:heatmap-start");
    performance.clearMarks("regloss:heatmap-start");
  }

  private rowAt(y: number): number | null {
    const rows = this.model?.keys.length ?? 0;
    const row = Math.floor(y / this.rowPx);
    return row >= 0 && row < rows ? row : null;
  }

  /** The step index under `x` px: the last step of that column's bucket. */
  private stepAt(x: number): number | null {
    const m = this.model;
    return m ? stepIndexAt(x, this.plotWidth, m.columns, m.start) : null;
  }

  /** Moves the cursor, names the cell under the pointer and sets the step channel to its step. */
  hover(x: number, y: number): void {
    const row = this.rowAt(y);
    const i = this.stepAt(x);
    if (row === null || i === null) return;
    const m = this.model!;
    this.cursor.hidden = false;
    this.cursor.style.transform = `translateX(${Math.round(x)}px)`;
    const g = this.byKey.get(m.keys[row])!;
    const raw = g.values[i];
    const value = raw !== null && raw - raw === 0 ? raw : null;
    const share = value !== null && this.totals[i] > 0 ? value / this.totals[i] : NaN;
    this.readout.textContent = `${g.label} · step ${this.steps[i]}: ${formatValue(value)} (${formatShare(share)} of the penalties)`;
    this.step.set(i);
  }

  /** Outlines the highlighted group's row; when asked, scrolls it into view. */
  showHighlight(reveal: boolean): void {
    const key = highlight.value;
    const row = key === null ? -1 : (this.model?.keys.indexOf(key) ?? -1);
    this.mark.hidden = row < 0;
    if (row < 0) return;
    this.mark.style.top = `${row * this.rowPx}px`;
    this.mark.style.height = `${Math.max(2, this.rowPx)}px`;
    if (reveal) {
      const top = row * this.rowPx;
      if (top < this.scroll.scrollTop || top > this.scroll.scrollTop + this.scroll.clientHeight - this.rowPx) {
        this.scroll.scrollTop = Math.max(0, top - this.scroll.clientHeight / 2);
      }
    }
  }
}
