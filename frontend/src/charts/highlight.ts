/**
 * The highlighted term: one series key emphasised everywhere it appears (chart
 * bands, legend, bars, heatmap rows, tables) and the rest dimmed. Everything
 * keyed by a series carries `data-series` (chart areas) or `data-key` (legend
 * entries, table and bar rows), so one generated stylesheet reaches every view
 * without any of them knowing about the others; the heatmap (a canvas) listens
 * to the highlight, a `Channel` (`channel.ts`).
 */
import { Channel } from "./channel";

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

/**
 * The highlighted key, a channel like the hovered step: `set` or `toggle` it
 * and every view that listens follows. Its first listener rewrites the
 * stylesheet, so the others see the page already highlighted.
 */
export class Highlight extends Channel<string | null> {
  private style: HTMLStyleElement | null = null;

  constructor() {
    super(null);
    this.listen((key) => this.restyle(key));
  }

  /** Highlights `key`, or clears the highlight when `key` is already highlighted (a second click undoes the first). */
  toggle(key: string): void {
    this.set(this.value === key ? null : key);
  }

  private restyle(key: string | null): void {
    if (!this.style) {
      this.style = document.createElement("style");
      this.style.dataset.role = "regloss-highlight";
      document.head.appendChild(this.style);
    }
    this.style.textContent = highlightRules(key);
  }
}

/** The dashboard's one highlight: a term is highlighted in every card at once. */
export const highlight = new Highlight();
