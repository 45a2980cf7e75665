/**
 * The heatmap of one run's penalty groups × steps on a canvas: one pixel per
 * cell in the canvas, stretched by CSS without smoothing, so 1,000 × 1,000
 * cells cost one `putImageData` instead of a million elements. Rows are
 * labelled (text elements beside the canvas) while they are tall enough to
 * read; past `LABELLED_ROWS` rows they are a few pixels tall in a scrolling
 * box and the readout under the pointer names the row instead. Hovering sets
 * the step channel it is given (the bar chart follows it); clicking a row
 * highlights its group everywhere.
 */
import type { Series } from "./api";
import type { StepChannel } from "./channel";
import { colorTable, cssGradient } from "./colormap";
import { formatShare, formatValue } from "./format";
import { heatmapModel, heatmapPixels, type HeatmapColor, type HeatmapModel } from "./heatmap";
import { highlight } from "./highlight";
import { element } from "./dom";

/** Up to this many rows, each is tall enough for its label. */
export const LABELLED_ROWS = 60;
const LABELLED_ROW_HEIGHT = 14;
/** Height of the visible box; more rows scroll. */
const BOX_HEIGHT = 320;
const MIN_ROW_HEIGHT = 3;
const LABEL_WIDTH = 140;
/** Room left for the box's vertical scroll bar when the rows overflow it. */
const SCROLLBAR = 16;

export interface HeatmapGroup {
  key: string;
  label: string;
  values: Series;
}

/** Pixel height of each of `rows` rows: labelled rows are readable, more rows share the box, 3 px at least. */
export function rowHeight(rows: number): number {
  if (rows <= LABELLED_ROWS) return LABELLED_ROW_HEIGHT;
  return Math.max(MIN_ROW_HEIGHT, Math.floor(BOX_HEIGHT / rows));
}

/** The plot's width in `width` px: what the labels (when shown) and a scrollbar (when the rows overflow) leave. */
export function plotWidthFor(width: number, rows: number): number {
  const scrolls = rows * rowHeight(rows) > BOX_HEIGHT;
  return Math.max(40, Math.floor(width) - (rows <= LABELLED_ROWS ? LABEL_WIDTH : 0) - (scrolls ? SCROLLBAR : 0));
}

/**
 * Paints `rows` × `columns` cells into `canvas`, a pixel each, stretched by CSS
 * to `plotWidth` × `rows · rowPx`; `fill` writes the RGBA pixels.
 */
export function paintCells(
  canvas: HTMLCanvasElement,
  columns: number,
  rows: number,
  plotWidth: number,
  fill: (pixels: Uint8ClampedArray) => void,
): void {
  canvas.width = columns;
  canvas.height = Math.max(1, rows);
  canvas.style.width = `${plotWidth}px`;
  canvas.style.height = `${rows * rowHeight(rows)}px`;
  const ctx = canvas.getContext("2d");
  if (ctx && rows > 0) {
    const image = ctx.createImageData(columns, rows);
    fill(image.data);
    ctx.putImageData(image, 0, 0);
  }
}

/** Fills `box` with a label per row while there are few enough rows to read them (then hides it). */
export function labelRows(box: HTMLElement, labels: readonly string[], keys?: readonly string[]): void {
  const shown = labels.length <= LABELLED_ROWS;
  box.hidden = !shown;
  box.replaceChildren(
    ...(shown
      ? labels.map((text, r) => {
          const div = element("div", "heatmap-label", text);
          if (keys) div.dataset.key = keys[r];
          div.title = text;
          return div;
        })
      : []),
  );
}

/** The parts of a canvas heatmap (`heatmapFrame`). */
export interface HeatmapFrame {
  el: HTMLElement;
  head: HTMLElement;
  /** The colour key's ends. */
  lo: HTMLElement;
  hi: HTMLElement;
  scroll: HTMLElement;
  labels: HTMLElement;
  plot: HTMLElement;
  canvas: HTMLCanvasElement;
  cursor: HTMLElement;
  readout: HTMLElement;
}

/**
 * Builds a canvas heatmap's elements: a head with what `lead` puts in it, then
 * a colour key on `gradient`; row labels beside the canvas in a scrolling box;
 * a cursor; a readout. Moving over the canvas calls `hover(x, y)`; leaving it
 * hides the cursor, clears the readout and sets `step` to null.
 */
export function heatmapFrame(
  className: string,
  gradient: string,
  lead: (head: HTMLElement) => void,
  hover: (x: number, y: number) => void,
  step: StepChannel,
): HeatmapFrame {
  const el = element("div", className);
  const head = element("div", "heatmap-head", undefined, el);
  lead(head);
  const key = element("span", "heatmap-key", undefined, head);
  const lo = element("span", "", undefined, key);
  element("span", "heatmap-gradient", undefined, key).style.background = gradient;
  const hi = element("span", "", undefined, key);
  const scroll = element("div", "heatmap-scroll", undefined, el);
  const labels = element("div", "heatmap-labels", undefined, scroll);
  const plot = element("div", "heatmap-plot", undefined, scroll);
  const canvas = element("canvas", "", undefined, plot);
  canvas.setAttribute("role", "img");
  const cursor = element("div", "heatmap-cursor", undefined, plot);
  cursor.hidden = true;
  const readout = element("div", "heatmap-readout", "\u00a0", el);
  canvas.addEventListener("mousemove", (e) => hover(e.offsetX, e.offsetY));
  canvas.addEventListener("mouseleave", () => {
    cursor.hidden = true;
    readout.textContent = "\u00a0";
    step.set(null);
  });
  return { el, head, lo, hi, scroll, labels, plot, canvas, cursor, readout };
}

/**
 * The step index under `x` px of a plot `plotWidth` px wide whose `columns`
 * cover the steps `start[c] … start[c + 1] − 1`: the last step of that column.
 */
export function stepIndexAt(x: number, plotWidth: number, columns: number, start: ArrayLike<number>): number | null {
  if (columns === 0) return null;
  const c = Math.min(columns - 1, Math.max(0, Math.floor((x / plotWidth) * columns)));
  return start[c + 1] - 1;
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
  private rowPx = LABELLED_ROW_HEIGHT;

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

/** The heatmap's stylesheet (scoped to its classes). */
export const HEATMAP_CSS = `
.heatmap-head { display: flex; flex-wrap: wrap; gap: 4px 12px; align-items: center; margin: 4px 0; }
.heatmap-head label { display: inline-flex; gap: 6px; align-items: center; color: var(--muted); }
.heatmap-head select { font: inherit; color: var(--fg); background: var(--card); border: 1px solid var(--border); border-radius: 3px; }
.heatmap-key { display: inline-flex; gap: 4px; align-items: center; color: var(--muted); font-variant-numeric: tabular-nums; }
.heatmap-gradient { display: inline-block; width: 90px; height: 8px; border-radius: 2px; }
.heatmap-scroll { display: flex; max-height: ${BOX_HEIGHT}px; overflow-y: auto; overflow-x: hidden; border: 1px solid var(--border); }
.heatmap-labels { flex: 0 0 ${LABEL_WIDTH}px; min-width: 0; font-size: 11px; }
.heatmap-labels[hidden] { display: none; }
.heatmap-label { height: ${LABELLED_ROW_HEIGHT}px; line-height: ${LABELLED_ROW_HEIGHT}px; padding-right: 4px; cursor: pointer;
  overflow: hidden; text-overflow: ellipsis; white-space: nowrap; text-align: right; }
.heatmap-plot { position: relative; flex: none; }
.heatmap-plot canvas { display: block; image-rendering: pixelated; cursor: crosshair; }
.heatmap-cursor { position: absolute; top: 0; bottom: 0; left: 0; width: 1px; background: var(--fg); pointer-events: none; }
.heatmap-mark { position: absolute; left: 0; right: 0; outline: 2px solid var(--accent); pointer-events: none; }
.heatmap-cursor[hidden], .heatmap-mark[hidden] { display: none; }
.heatmap-readout { min-height: 1.4em; color: var(--muted); overflow: hidden; text-overflow: ellipsis; white-space: nowrap; font-variant-numeric: tabular-nums; }
`;
