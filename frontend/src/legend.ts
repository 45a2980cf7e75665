/**
 * The legend shared by all runs: one entry per series key, in its stable color;
 * clicking an entry hides or shows that series in every chart. With many
 * entries it is compact: the first ones, then "+N more" to show the rest. An
 * entry whose series is hidden always stays in view, so it can be shown again,
 * and stays there once shown again until the list is next expanded or folded:
 * an entry never vanishes from under the pointer or the keyboard focus.
 */
export interface LegendEntry {
  key: string;
  label: string;
}

/** Entries a collapsed legend shows (a MobileNetV2 run alone has 52 terms). */
export const COMPACT_ENTRIES = 16;

export class Legend {
  readonly el: HTMLElement;
  private readonly buttons = new Map<string, HTMLButtonElement>();
  /** "+N more" / "Show fewer": always the last child, after the entries. */
  private readonly more: HTMLButtonElement;
  private expanded = false;
  private entries: LegendEntry[] = [];
  private hidden: ReadonlySet<string> = new Set();
  /** Entries kept in view while collapsed: hidden now, or hidden since the list was last expanded or folded. */
  private pinned = new Set<string>();

  /** One entry, cloned for each key: a clone is one DOM call where building is five. */
  private readonly template: HTMLButtonElement;

  constructor(
    private readonly colorOf: (key: string) => string,
    onToggle: (key: string) => void,
  ) {
    this.el = document.createElement("div");
    this.el.className = "legend";
    this.el.setAttribute("role", "group");
    this.el.setAttribute("aria-label", "Series (click to hide or show)");
    // One listener for hundreds of entries.
    this.el.addEventListener("click", (event) => {
      const button = (event.target as Element).closest?.("button.legend-entry");
      const key = button instanceof HTMLElement ? button.dataset.key : undefined;
      if (key !== undefined && this.buttons.get(key) === button) onToggle(key);
    });
    this.template = document.createElement("button");
    this.template.type = "button";
    this.template.className = "legend-entry";
    const swatch = document.createElement("span");
    swatch.className = "swatch";
    const text = document.createElement("span");
    text.className = "legend-label";
    this.template.append(swatch, text);
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

  /** Shows `entries` in order; buttons are reused by key and only moved when the order changes. */
  update(entries: LegendEntry[], hidden: ReadonlySet<string>): void {
    const keep = new Set<string>();
    let inOrder = this.el.childElementCount === entries.length + 1;
    let child = this.el.firstElementChild;
    for (const { key } of entries) {
      if (child === null || this.buttons.get(key) !== child) inOrder = false;
      child = child?.nextElementSibling ?? null;
    }
    const fragment = inOrder ? null : document.createDocumentFragment();
    for (const { key, label } of entries) {
      keep.add(key);
      let button = this.buttons.get(key);
      if (!button) {
        button = this.template.cloneNode(true) as HTMLButtonElement;
        button.dataset.key = key;
        this.buttons.set(key, button);
      }
      const swatch = button.firstChild as HTMLElement;
      const color = this.colorOf(key);
      if (swatch.dataset.color !== color) {
        swatch.style.background = color;
        swatch.dataset.color = color;
      }
      const text = button.lastChild!;
      if (text.textContent !== label) text.textContent = label;
      button.title = `${hidden.has(key) ? "Show" : "Hide"} ${label}`;
      button.setAttribute("aria-pressed", String(!hidden.has(key)));
      fragment?.appendChild(button);
    }
    for (const [key, button] of this.buttons) {
      if (!keep.has(key)) {
        button.remove();
        this.buttons.delete(key);
      }
    }
    if (fragment) this.el.insertBefore(fragment, this.more);
    this.entries = entries;
    this.hidden = hidden;
    for (const key of hidden) this.pinned.add(key);
    this.fold();
  }

  /**
   * Collapsed, hides the entries after the first `COMPACT_ENTRIES` except the
   * pinned ones; the last button counts them ("+N more") or, expanded,
   * folds them again. It is hidden when there is nothing to fold.
   */
  private fold(): void {
    let foldable = 0;
    this.entries.forEach(({ key }, i) => {
      const folds = i >= COMPACT_ENTRIES && !this.pinned.has(key);
      if (folds) foldable++;
      const button = this.buttons.get(key)!;
      const hide = folds && !this.expanded;
      if (button.hidden !== hide) button.hidden = hide;
    });
    this.more.hidden = foldable === 0;
    this.more.textContent = this.expanded ? "Show fewer" : `+${foldable} more`;
    this.more.title = this.expanded ? `Show the first ${COMPACT_ENTRIES} series` : `Show all ${this.entries.length} series`;
    this.more.setAttribute("aria-expanded", String(this.expanded));
  }
}
