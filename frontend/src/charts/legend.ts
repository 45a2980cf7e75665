/**
 * The legend of one chart: one entry per series the chart may show, with its
 * band color, its name (prefixes dropped), a kind marker and its value at the
 * step the legend is ranked at — the step under the cursor, or the last step —
 * largest first, so the top of the list is what dominates there. Clicking an
 * entry hides or shows that series in every chart. With many entries it is
 * compact: the first ones, then "+N more" to show the rest. An entry whose
 * series is hidden always stays in view, so it can be shown again, and stays
 * there once shown again until the list is next expanded or folded: an entry
 * never vanishes from under the pointer or the keyboard focus.
 */
import type { Series } from "../data/api";
import { formatValue } from "../common/format";
import type { KindMarker } from "../data/names";
import { rankAt } from "../data/order";

export interface LegendEntry {
  key: string;
  /** The name shown, without the prefixes every key shares. */
  name: string;
  kind: KindMarker | null;
  color: string;
  /** The recorded values, one per step (not the smoothed ones drawn): what the entries show and are ranked by. */
  values: Series;
}

/** Entries a collapsed legend shows (a MobileNetV2 run alone has 52 terms). */
export const COMPACT_ENTRIES = 16;

interface Button {
  el: HTMLButtonElement;
  value: HTMLElement;
}

export class Legend {
  readonly el: HTMLElement;
  private readonly buttons = new Map<string, Button>();
  /** "+N more" / "Show fewer": always the last child, after the entries. */
  private readonly more: HTMLButtonElement;
  private expanded = false;
  private entries: LegendEntry[] = [];
  /** Indices into `entries`, in rank order. */
  private order: number[] = [];
  /** The rank order at each step index, worked out once per step. */
  private readonly orders = new Map<number, number[]>();
  /** The step index the values are shown at, and the number of steps. */
  private index = -1;
  private steps = 0;
  /** The step index ranked at: the hovered one, or null for the last. */
  private step: number | null = null;
  private hidden: ReadonlySet<string> = new Set();
  /** Entries kept in view while collapsed: hidden now, or hidden since the list was last expanded or folded. */
  private pinned = new Set<string>();

  /** One entry, cloned for each key: a clone is one DOM call where building is several. */
  private readonly template: HTMLButtonElement;

  constructor(onToggle: (key: string) => void) {
    this.el = document.createElement("div");
    this.el.className = "legend";
    this.el.setAttribute("role", "group");
    this.el.setAttribute("aria-label", "Series, largest first (click to hide or show)");
    // One listener for hundreds of entries.
    this.el.addEventListener("click", (event) => {
      const button = (event.target as Element).closest?.("button.legend-entry");
      const key = button instanceof HTMLElement ? button.dataset.key : undefined;
      if (key !== undefined && this.buttons.get(key)?.el === button) onToggle(key);
    });
    this.template = document.createElement("button");
    this.template.type = "button";
    this.template.className = "legend-entry";
    for (const className of ["swatch", "legend-label", "legend-kind", "legend-value"]) {
      const span = document.createElement("span");
      span.className = className;
      this.template.appendChild(span);
    }
    this.more = document.createElement("button");
    this.more.type = "button";
    this.more.className = "legend-more";
    this.more.addEventListener("click", () => {
      this.expanded = !this.expanded;
      this.pinned = new Set(this.hidden);
      this.fold();
    });
    this.el.appendChild(this.more);
  }

  /**
   * New entries (in stack order); ranks them at the current step. A button is
   * made only when its entry first comes into view and is reused by key: with a
   * thousand terms, the first draw builds the 16 shown, not a thousand.
   */
  update(entries: LegendEntry[], hidden: ReadonlySet<string>): void {
    this.hidden = hidden;
    const keep = new Set<string>();
    for (const entry of entries) {
      keep.add(entry.key);
      const button = this.buttons.get(entry.key);
      if (button) this.paint(button, entry);
    }
    for (const [key, button] of this.buttons) {
      if (!keep.has(key)) {
        button.el.remove();
        this.buttons.delete(key);
      }
    }
    this.entries = entries;
    this.steps = entries.reduce((n, e) => Math.max(n, e.values.length), 0);
    this.orders.clear();
    for (const key of hidden) this.pinned.add(key);
    this.rank(this.step);
  }

  private buttonOf(entry: LegendEntry): Button {
    let button = this.buttons.get(entry.key);
    if (!button) {
      const el = this.template.cloneNode(true) as HTMLButtonElement;
      el.dataset.key = entry.key;
      button = { el, value: el.lastChild as HTMLElement };
      this.buttons.set(entry.key, button);
      this.paint(button, entry);
    }
    return button;
  }

  /** The parts of a button that do not change with the step: color, name, kind, shown or hidden. */
  private paint(button: Button, { key, name, kind, color }: LegendEntry): void {
    const [swatch, label, marker] = button.el.children as unknown as HTMLElement[];
    if (swatch.dataset.color !== color) {
      swatch.style.background = color;
      swatch.dataset.color = color;
    }
    if (label.textContent !== name) label.textContent = name;
    marker.textContent = kind ?? "";
    marker.hidden = kind === null;
    const hidden = this.hidden.has(key);
    button.el.title = `${hidden ? "Show" : "Hide"} ${name}${kind ? ` (${kind})` : ""}`;
    button.el.setAttribute("aria-pressed", String(!hidden));
  }

  /**
   * Ranks the entries at step index `step` (null: the last step) and shows
   * their values there. Only the entries in view are moved and written: with
   * a thousand terms, hovering touches the first 16, not all of them.
   */
  rank(step: number | null): void {
    this.step = step;
    this.index = step ?? this.steps - 1;
    let order = this.orders.get(this.index);
    if (order === undefined) {
      order = rankAt(
        this.entries.map((e) => e.values),
        this.index,
      );
      this.orders.set(this.index, order);
    }
    this.order = order;
    this.fold();
  }

  /**
   * Collapsed, hides the entries after the first `COMPACT_ENTRIES` except the
   * pinned ones; the last button counts them ("+N more") or, expanded,
   * folds them again. It is hidden when there is nothing to fold. The entries
   * in view are put first, in rank order, with their values at the ranked step.
   */
  private fold(): void {
    let foldable = 0;
    let child = this.el.firstElementChild;
    this.order.forEach((k, position) => {
      const entry = this.entries[k];
      const folds = position >= COMPACT_ENTRIES && !this.pinned.has(entry.key);
      if (folds) foldable++;
      if (folds && !this.expanded) {
        const folded = this.buttons.get(entry.key);
        if (folded && !folded.el.hidden) folded.el.hidden = true;
        return;
      }
      const button = this.buttonOf(entry);
      if (button.el.hidden) button.el.hidden = false;
      if (button.el === child) child = child.nextElementSibling;
      else this.el.insertBefore(button.el, child);
      const text = formatValue(entry.values[this.index] ?? null);
      if (button.value.textContent !== text) button.value.textContent = text;
    });
    this.more.hidden = foldable === 0;
    this.more.textContent = this.expanded ? "Show fewer" : `+${foldable} more`;
    this.more.title = this.expanded ? `Show the first ${COMPACT_ENTRIES} series` : `Show all ${this.entries.length} series`;
    this.more.setAttribute("aria-expanded", String(this.expanded));
  }
}
