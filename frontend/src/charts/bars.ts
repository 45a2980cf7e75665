/**
 * The ranked bar chart of one run's penalty groups at one step: a row per group,
 * largest first, with its value and its share of the penalties. Shows the first
 * `BAR_ROWS` and sums the rest into one line, or every group in a scrolling list
 * on request. Rows are reused and a cell's text is written only when it changes,
 * so following the pointer over 1,000 groups costs one ranking and a few writes.
 * Names are text (`textContent`), whatever they hold.
 */
import type { Series } from "../data/api";
import { formatShare, formatValue } from "../common/format";
import { rankAt, stepTotals, type RankedGroup } from "../data/rank";

/** Rows shown until the user asks for all. */
export const BAR_ROWS = 20;

export interface BarGroup {
  key: string;
  label: string;
  values: Series;
}

/** What a bar list says besides values: its heading, and whether shares of the total mean anything. */
export interface BarOptions {
  /** The heading at a step; penalties by default. */
  heading?: (step: number) => string;
  /** False for quantities that do not add up (norms, ratios, angles): no share column, no sum of the rest. */
  shares?: boolean;
}

interface Row {
  el: HTMLElement;
  swatch: HTMLElement;
  name: HTMLElement;
  bar: HTMLElement;
  value: HTMLElement;
  share: HTMLElement;
  key: string;
  color: string;
  width: string;
}

function div(className: string, parent: HTMLElement, text?: string): HTMLElement {
  const el = document.createElement("div");
  el.className = className;
  if (text !== undefined) el.textContent = text;
  parent.appendChild(el);
  return el;
}

function setText(el: HTMLElement, text: string): void {
  if (el.textContent !== text) el.textContent = text;
}

/** What the rows beyond the shown ones add up to: their count, value and share. */
export function restOf(ranked: readonly RankedGroup[], shown: number): { count: number; value: number; share: number } {
  let value = 0;
  let share = 0;
  for (let i = shown; i < ranked.length; i++) {
    if (!Number.isNaN(ranked[i].value)) value += ranked[i].value;
    if (!Number.isNaN(ranked[i].share)) share += ranked[i].share;
  }
  return { count: Math.max(0, ranked.length - shown), value, share };
}

export class BarList {
  readonly el: HTMLElement;
  private readonly heading: HTMLElement;
  private readonly list: HTMLElement;
  private readonly rest: HTMLElement;
  private readonly toggle: HTMLButtonElement;
  private readonly rows: Row[] = [];
  private groups: readonly BarGroup[] = [];
  private steps: readonly number[] = [];
  private totals: Float64Array = new Float64Array(0);
  private expanded = false;
  private index = -1;

  constructor(
    private readonly colorOf: (key: string) => string,
    onPick: (key: string) => void,
    private readonly options: BarOptions = {},
  ) {
    this.el = document.createElement("div");
    this.el.className = "bars";
    this.heading = div("bars-heading", this.el);
    this.list = div("bars-list", this.el);
    this.list.setAttribute("role", "list");
    // One listener for every row: a click highlights the row's group everywhere.
    this.list.addEventListener("click", (event) => {
      const row = (event.target as Element).closest?.(".bar-row");
      const key = row instanceof HTMLElement ? row.dataset.key : undefined;
      if (key !== undefined) onPick(key);
    });
    this.rest = div("bars-rest", this.el);
    this.toggle = document.createElement("button");
    this.toggle.type = "button";
    this.toggle.className = "bars-toggle";
    this.toggle.addEventListener("click", () => {
      this.expanded = !this.expanded;
      this.render();
    });
    this.el.appendChild(this.toggle);
  }

  /**
   * New groups (a new breakdown or grouping); shows the last step until `show`
   * is called. `totals` are the groups' sums per step (`stepTotals`).
   */
  update(groups: readonly BarGroup[], steps: readonly number[], totals: Float64Array = stepTotals(groups, steps.length)): void {
    this.groups = groups;
    this.steps = steps;
    this.totals = totals;
    this.index = steps.length - 1;
    this.render();
  }

  /** Shows the ranking at step index `index`; null shows the last step. */
  show(index: number | null): void {
    const i = index === null ? this.steps.length - 1 : index;
    if (i === this.index) return;
    this.index = i;
    this.render();
  }

  private row(k: number): Row {
    let row = this.rows[k];
    if (!row) {
      const el = div("bar-row", this.list);
      el.setAttribute("role", "listitem");
      const swatch = div("swatch", el);
      const name = div("bar-name", el);
      const track = div("bar-track", el);
      const bar = div("bar", track);
      row = { el, swatch, name, bar, value: div("bar-value", el), share: div("bar-share", el), key: "", color: "", width: "" };
      this.rows.push(row);
    }
    return row;
  }

  private render(): void {
    const n = this.groups.length;
    this.el.hidden = n === 0 || this.index < 0;
    if (this.el.hidden) return;
    const ranked = rankAt(this.groups, this.totals, this.index);
    const shown = this.expanded ? n : Math.min(n, BAR_ROWS);
    const step = this.steps[this.index];
    setText(this.heading, this.options.heading ? this.options.heading(step) : `Penalties at step ${step}, largest first`);
    const shares = this.options.shares ?? true;
    const top = ranked[0]?.value;
    for (let k = 0; k < shown; k++) {
      const r = ranked[k];
      const row = this.row(k);
      row.el.hidden = false;
      if (row.key !== r.key) {
        row.key = r.key;
        row.el.dataset.key = r.key;
        row.name.textContent = r.label;
        row.name.title = r.label;
      }
      const color = this.colorOf(r.key);
      if (row.color !== color) {
        row.color = color;
        row.swatch.style.background = color;
        row.bar.style.background = color;
      }
      const width = top > 0 && r.value > 0 ? `${((100 * r.value) / top).toFixed(1)}%` : "0%";
      if (row.width !== width) {
        row.width = width;
        row.bar.style.width = width;
      }
      setText(row.value, formatValue(Number.isNaN(r.value) ? null : r.value));
      setText(row.share, shares ? formatShare(r.share) : "");
    }
    for (let k = shown; k < this.rows.length; k++) this.rows[k].el.hidden = true;
    this.list.classList.toggle("expanded", this.expanded);
    const rest = restOf(ranked, shown);
    this.rest.hidden = rest.count === 0;
    setText(
      this.rest,
      rest.count === 0
        ? ""
        : shares
          ? `${rest.count} more: ${formatValue(rest.value)} (${formatShare(rest.share)} of the penalties)`
          : `${rest.count} more`,
    );
    this.toggle.hidden = n <= BAR_ROWS;
    setText(this.toggle, this.expanded ? `Show the first ${BAR_ROWS}` : `Show all ${n}`);
  }
}

/** The bar list's stylesheet (scoped to its classes). */
export const BAR_CSS = `
.many-terms > summary { margin-top: 4px; }
.many-terms-body { display: grid; gap: 8px; margin-top: 4px; }
.bars-heading { color: var(--muted); margin-bottom: 2px; }
.bars-list.expanded { max-height: 360px; overflow-y: auto; }
.bar-row { display: grid; grid-template-columns: 10px minmax(0, 2fr) minmax(30px, 1fr) 5.5em 3.6em; gap: 6px;
  align-items: center; font-size: 12px; cursor: pointer; border-radius: 2px; }
.bar-row:hover { outline: 1px solid var(--border); }
.bar-row[hidden], .bars-rest[hidden], .bars-toggle[hidden] { display: none; }
.bar-name { overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
.bar-track { height: 9px; }
.bar { height: 100%; border-radius: 1px; }
.bar-value, .bar-share { text-align: right; font-variant-numeric: tabular-nums; }
.bars-rest { color: var(--muted); font-size: 12px; }
.bars-toggle { font: inherit; font-size: 12px; color: var(--accent); background: none; border: 0; padding: 2px 0; cursor: pointer; }
`;
