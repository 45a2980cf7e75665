/**
 * The legend shared by all runs: one entry per series key, in its stable color;
 * clicking an entry hides or shows that series in every chart.
 */
export interface LegendEntry {
  key: string;
  label: string;
}

export class Legend {
  readonly el: HTMLElement;
  private readonly buttons = new Map<string, HTMLButtonElement>();

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
  }

  /** Shows `entries` in order; buttons are reused by key and only moved when the order changes. */
  update(entries: LegendEntry[], hidden: ReadonlySet<string>): void {
    const keep = new Set<string>();
    let inOrder = this.el.childElementCount === entries.length;
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
    if (fragment) this.el.appendChild(fragment);
  }
}
