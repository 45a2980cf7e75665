/**
 * The hover tooltip of one chart: built once, then only its text and position
 * change. Lists each series' value and share of the total at the hovered step,
 * largest first, under the total.
 */
import { present, type Values } from "./api";
import { formatShare, formatValue } from "./format";

/** Rows shown at most; the rest is summed into one "more" line. */
export const MAX_ROWS = 25;

export interface HoverSeries {
  key: string;
  label: string;
  color: string;
  values: Values;
}

interface Row {
  el: HTMLElement;
  swatch: HTMLElement;
  name: HTMLElement;
  value: HTMLElement;
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
  private readonly totalRow: Row;
  private readonly rows: Row[] = [];
  private readonly more: HTMLElement;
  private series: HoverSeries[] = [];
  private total: Values | null = null;
  private readonly order: { s: HoverSeries; v: number }[] = [];

  constructor() {
    this.el = document.createElement("div");
    this.el.className = "tooltip";
    this.el.setAttribute("role", "status");
    this.el.hidden = true;
    this.header = cell(this.el, "tooltip-header");
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
      swatch: cell(el, "swatch"),
      name: cell(el, "tooltip-name"),
      value: cell(el, "tooltip-value"),
      share: cell(el, "tooltip-share"),
    };
    this.el.insertBefore(el, this.more ?? null);
    return row;
  }

  /** New data: rows are (re)allocated here, never while hovering. */
  setSeries(series: HoverSeries[], total: Values | null): void {
    this.series = series;
    this.total = total;
    const wanted = Math.min(series.length, MAX_ROWS);
    while (this.rows.length < wanted) this.rows.push(this.makeRow());
    while (this.rows.length > wanted) this.rows.pop()!.el.remove();
    this.order.length = 0;
  }

  /** Fills the tooltip for step index `i`; `title` is the x description. */
  show(i: number, title: string, left: number, top: number, width: number): void {
    this.header.textContent = title;
    const t = this.total?.[i] ?? null;
    this.totalRow.el.hidden = this.total === null;
    this.totalRow.name.textContent = "total";
    this.totalRow.value.textContent = formatValue(t);
    this.totalRow.share.textContent = "";

    const order = this.order;
    order.length = 0;
    let sum = 0;
    for (const s of this.series) {
      const v = s.values[i];
      if (present(v)) {
        order.push({ s, v });
        sum += v;
      }
    }
    order.sort((a, b) => b.v - a.v);
    const denominator = present(t) && t !== 0 ? t : sum;
    const shown = Math.min(order.length, this.rows.length);
    for (let r = 0; r < this.rows.length; r++) {
      const row = this.rows[r];
      if (r >= shown) {
        row.el.hidden = true;
        continue;
      }
      const { s, v } = order[r];
      row.el.hidden = false;
      row.swatch.style.background = s.color;
      row.name.textContent = s.label;
      row.value.textContent = formatValue(v);
      row.share.textContent = formatShare(v / denominator);
    }
    const rest = order.length - shown;
    this.more.hidden = rest <= 0;
    if (rest > 0) {
      let restSum = 0;
      for (let r = shown; r < order.length; r++) restSum += order[r].v;
      this.more.textContent = `+ ${rest} smaller: ${formatValue(restSum)} (${formatShare(restSum / denominator)})`;
    }
    this.el.hidden = false;
    // Flip to the left of the cursor near the right edge.
    const w = this.el.offsetWidth;
    const x = left + 16 + w > width ? Math.max(0, left - 16 - w) : left + 16;
    this.el.style.transform = `translate(${x}px, ${top}px)`;
  }

  hide(): void {
    this.el.hidden = true;
  }
}
