/**
 * The hover tooltip of one chart: built once, then only its text and position
 * change. Lists each series' value and share of the total at the hovered step,
 * largest first, under the total. With smoothing on it shows, like the Scalars
 * dashboard, the smoothed value (what is drawn) and the raw value (what was
 * logged) in two columns headed "Smoothed" and "Raw". The order at a step is sorted once, on first
 * hover there, and kept; moving within the same step changes only the position.
 * A cell's text is only written when it changes: each write costs the browser a
 * text layout. Placing it needs its width, which is read before anything is
 * written (so the browser answers from the last frame's layout instead of
 * laying out again) and is the last frame's width: same names, new numbers.
 */
import { present, type Series } from "../data/api";
import { formatShare, formatValue } from "../common/format";

/** Rows shown at most; the rest is summed into one "more" line. */
export const MAX_ROWS = 25;
/** The width assumed before the tooltip has ever been laid out (CSS keeps it within 200–380 px). */
export const TOOLTIP_WIDTH = 280;

/** Sets `el`'s text unless it already is `text`. */
function setText(el: HTMLElement, text: string): void {
  if (el.textContent !== text) el.textContent = text;
}

export interface HoverSeries {
  key: string;
  label: string;
  color: string;
  /** As drawn (smoothed or not). */
  values: Series;
  /** As logged. */
  raw: Series;
}

interface Row {
  el: HTMLElement;
  /** The swatch color last set, so an unchanged one is not written again. */
  color: string;
  swatch: HTMLElement;
  name: HTMLElement;
  value: HTMLElement;
  raw: HTMLElement;
  share: HTMLElement;
}

function cell(parent: HTMLElement, className: string): HTMLElement {
  const el = document.createElement("span");
  el.className = className;
  parent.appendChild(el);
  return el;
}

export class Tooltip {
  readonly el: HTMLElement;
  private readonly header: HTMLElement;
  /** "Smoothed / Raw / Share" over the columns, shown with smoothing on. */
  private readonly columns: HTMLElement;
  private readonly totalRow: Row;
  private readonly rows: Row[] = [];
  private readonly more: HTMLElement;
  private series: HoverSeries[] = [];
  private total: Series | null = null;
  private rawTotal: Series | null = null;
  /** Per step index: the indices of the series present there, largest value first. */
  private readonly orders = new Map<number, Uint32Array>();
  /** The step the rows show, or -1. */
  private shownIndex = -1;
  /** The width at the last frame. */
  private width = TOOLTIP_WIDTH;

  constructor() {
    this.el = document.createElement("div");
    this.el.className = "tooltip";
    this.el.setAttribute("role", "status");
    this.el.hidden = true;
    this.header = cell(this.el, "tooltip-header");
    this.columns = document.createElement("div");
    this.columns.className = "tooltip-row tooltip-columns";
    for (const [className, text] of [["", ""], ["", ""], ["tooltip-value", "Smoothed"], ["tooltip-raw", "Raw"], ["tooltip-share", "Share"]]) {
      cell(this.columns, className).textContent = text;
    }
    this.el.appendChild(this.columns);
    this.totalRow = this.makeRow();
    this.totalRow.el.classList.add("tooltip-total");
    this.totalRow.swatch.classList.add("swatch-line");
    this.more = cell(this.el, "tooltip-more");
  }

  private makeRow(): Row {
    const el = document.createElement("div");
    el.className = "tooltip-row";
    const row = {
      el,
      color: "",
      swatch: cell(el, "swatch"),
      name: cell(el, "tooltip-name"),
      value: cell(el, "tooltip-value"),
      raw: cell(el, "tooltip-raw"),
      share: cell(el, "tooltip-share"),
    };
    this.el.insertBefore(el, this.more ?? null);
    return row;
  }

  /**
   * New data. `smoothed` says whether `values` differ from `raw` (then both
   * columns are shown). Rows are (re)allocated at the first fill after new
   * data, never while moving within a step: a chart nobody hovers (a sweep's
   * cards) holds no rows.
   */
  setSeries(series: HoverSeries[], total: Series | null, rawTotal: Series | null, smoothed: boolean): void {
    this.series = series;
    this.total = total;
    this.rawTotal = rawTotal;
    this.el.classList.toggle("smoothed", smoothed);
    this.columns.hidden = !smoothed;
    this.orders.clear();
    this.shownIndex = -1;
  }

  private allocateRows(): void {
    const wanted = Math.min(this.series.length, MAX_ROWS);
    while (this.rows.length < wanted) this.rows.push(this.makeRow());
    while (this.rows.length > wanted) this.rows.pop()!.el.remove();
  }

  /** Series present at step `i`, largest first (ties keep the stack order). */
  private orderAt(i: number): Uint32Array {
    let order = this.orders.get(i);
    if (order === undefined) {
      const values: number[] = [];
      const which: number[] = [];
      this.series.forEach((s, k) => {
        const v = s.values[i];
        if (present(v)) {
          values[k] = v;
          which.push(k);
        }
      });
      which.sort((a, b) => values[b] - values[a] || a - b);
      order = Uint32Array.from(which);
      this.orders.set(i, order);
    }
    return order;
  }

  /** Fills the tooltip for step index `i` (`title` is the x description) and places it by the pointer. */
  show(i: number, title: string, left: number, top: number, width: number): void {
    // Read first: nothing has been written since the last frame's layout, so this forces none.
    if (!this.el.hidden) this.width = this.el.offsetWidth || this.width;
    if (i !== this.shownIndex) this.fill(i, title);
    this.el.hidden = false;
    // Flip to the left of the cursor near the right edge.
    const w = this.width;
    const x = left + 16 + w > width ? Math.max(0, left - 16 - w) : left + 16;
    this.el.style.transform = `translate(${x}px, ${top}px)`;
  }

  private fill(i: number, title: string): void {
    if (this.shownIndex === -1) this.allocateRows();
    this.shownIndex = i;
    setText(this.header, title);
    const t = this.total?.[i] ?? null;
    this.totalRow.el.hidden = this.total === null;
    setText(this.totalRow.name, "total");
    setText(this.totalRow.value, formatValue(t));
    setText(this.totalRow.raw, formatValue(this.rawTotal?.[i] ?? null));
    setText(this.totalRow.share, "");

    const order = this.orderAt(i);
    const series = this.series;
    let sum = 0;
    for (let r = 0; r < order.length; r++) sum += series[order[r]].values[i] as number;
    const denominator = present(t) && t !== 0 ? t : sum;
    const shown = Math.min(order.length, this.rows.length);
    for (let r = 0; r < this.rows.length; r++) {
      const row = this.rows[r];
      if (r >= shown) {
        if (!row.el.hidden) row.el.hidden = true;
        continue;
      }
      const s = series[order[r]];
      const v = s.values[i] as number;
      if (row.el.hidden) row.el.hidden = false;
      if (row.color !== s.color) {
        row.swatch.style.background = s.color;
        row.color = s.color;
      }
      setText(row.name, s.label);
      setText(row.value, formatValue(v));
      setText(row.raw, formatValue(s.raw[i] ?? null));
      setText(row.share, formatShare(v / denominator));
    }
    const rest = order.length - shown;
    this.more.hidden = rest <= 0;
    if (rest > 0) {
      let restSum = 0;
      for (let r = shown; r < order.length; r++) restSum += series[order[r]].values[i] as number;
      setText(this.more, `+ ${rest} smaller: ${formatValue(restSum)} (${formatShare(restSum / denominator)})`);
    }
  }

  hide(): void {
    this.el.hidden = true;
  }
}
