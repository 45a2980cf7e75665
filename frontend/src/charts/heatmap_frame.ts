/**
 * The frame of a canvas heatmap, groups × steps, shared by the composition
 * heatmap and the decay-ratio heatmap: one pixel per cell in the canvas,
 * stretched by CSS without smoothing, so 1,000 × 1,000 cells cost one
 * `putImageData` instead of a million elements. Rows are labelled (text
 * elements beside the canvas) while they are tall enough to read; past
 * `LABELLED_ROWS` rows they are a few pixels tall in a scrolling box and the
 * readout under the pointer names the row instead. Holds the head with the
 * colour key, the cursor, the readout and the stylesheet; the views fill them.
 */
import type { StepChannel } from "./channel";
import { element } from "../common/dom";

/** Up to this many rows, each is tall enough for its label. */
export const LABELLED_ROWS = 60;
const LABELLED_ROW_HEIGHT = 14;
/** Height of the visible box; more rows scroll. */
const BOX_HEIGHT = 320;
const MIN_ROW_HEIGHT = 3;
const LABEL_WIDTH = 140;
/** Room left for the box's vertical scroll bar when the rows overflow it. */
const SCROLLBAR = 16;

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

/** The canvas heatmaps' stylesheet (scoped to their classes). */
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
