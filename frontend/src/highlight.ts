/**
 * The highlighted term: one series key emphasised everywhere it appears (chart
 * bands, legend, bars, heatmap rows, tables) and the rest dimmed. Everything
 * keyed by a series carries `data-series` (chart areas) or `data-key` (legend
 * entries, table and bar rows), so one generated stylesheet reaches every view
 * without any of them knowing about the others; the heatmap (a canvas) listens.
 */

/**
 * A string as a CSS string literal, safe in a selector whatever the key holds:
 * every character but ASCII letters, digits and `/_:.-` is written as a hex
 * escape (`\22 ` for a quote), which every selector engine reads back alike.
 */
export function cssString(text: string): string {
  let out = "";
  for (const ch of text) out += /[A-Za-z0-9/_:.-]/.test(ch) ? ch : `\\${ch.codePointAt(0)!.toString(16)} `;
  return `"${out}"`;
}

/** The rules that emphasise `key` and dim the other series; empty when nothing is highlighted. */
export function highlightRules(key: string | null): string {
  if (key === null) return "";
  const k = cssString(key);
  return [
    `.regloss path[data-series]:not([data-series=${k}]) { fill-opacity: 0.25; }`,
    `.regloss path[data-series=${k}] { stroke: var(--fg); stroke-width: 1; }`,
    `.regloss .legend-entry:not([data-key=${k}]) { opacity: 0.5; }`,
    `.regloss [data-key=${k}]:not(.legend-entry) { background: var(--highlight, rgba(245, 124, 0, 0.18)); }`,
    `.regloss .legend-entry[data-key=${k}] { border-color: var(--accent); }`,
  ].join("\n");
}

/** The series key of the band drawn at viewport point (x, y) inside `within`, under any overlay; null if none. */
export function seriesUnder(within: Element, x: number, y: number): string | null {
  const doc = within.ownerDocument;
  if (typeof doc.elementsFromPoint !== "function") return null;
  for (const el of doc.elementsFromPoint(x, y)) {
    const key = el.getAttribute("data-series");
    if (key !== null && within.contains(el)) return key;
  }
  return null;
}

type Listener = (key: string | null) => void;

export class Highlight {
  private current: string | null = null;
  private readonly listeners = new Set<Listener>();
  private style: HTMLStyleElement | null = null;

  get key(): string | null {
    return this.current;
  }

  /** Highlights `key`, or clears the highlight when `key` is already highlighted (a second click undoes the first). */
  toggle(key: string): void {
    this.set(this.current === key ? null : key);
  }

  set(key: string | null): void {
    if (key === this.current) return;
    this.current = key;
    if (!this.style) {
      this.style = document.createElement("style");
      this.style.dataset.role = "regloss-highlight";
      document.head.appendChild(this.style);
    }
    this.style.textContent = highlightRules(key);
    for (const listener of this.listeners) listener(key);
  }

  /** Calls `listener` on every change; returns the function that stops it. */
  listen(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}

/** The dashboard's one highlight: a term is highlighted in every card at once. */
export const highlight = new Highlight();
