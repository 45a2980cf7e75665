/**
 * The view made for runs with many terms, under a run's charts: the ranked bar
 * chart of every penalty group at the hovered step (the last step otherwise) and
 * the heatmap of groups × steps. It follows the dashboard's grouping (by term,
 * layer, block at a depth, kind, top K) and shows raw values, as logged.
 * Shown, open, from `MANY_TERMS` penalty terms (the user may close it, and that
 * choice then stays); a smaller run reads well from its chart and tooltip, and
 * its card stays as short as it was. Built only while open.
 */
import type { Breakdown } from "../data/api";
import { BAR_CSS, BarList } from "../charts/bars";
import { stepChannel } from "../charts/channel";
import { groupTerms, type Layer } from "../data/group";
import { HEATMAP_CSS } from "../charts/heatmap_frame";
import { HeatmapView } from "./heatmapview";
import { highlight } from "../charts/highlight";
import { stepTotals } from "../data/rank";
import type { Settings } from "../data/settings";

/** From this many penalty terms a run has the view. */
export const MANY_TERMS = 30;

let styled = false;
/** Adds the view's stylesheet to the page once. */
function addStyles(): void {
  if (styled) return;
  styled = true;
  const style = document.createElement("style");
  style.dataset.role = "regloss-many-terms";
  style.textContent = BAR_CSS + HEATMAP_CSS;
  document.head.appendChild(style);
}

/** The penalty groups of a run with its raw (unsmoothed) values, as the settings group them. */
export function rawGroups(b: Breakdown, s: Settings): Layer[] {
  return groupTerms(b, "penalty", s.grouping, s.topK, (k) => b.columns.get(k)!, s.depth);
}

/** Prefixes every name in this view would repeat (it shows penalties only), dropped so the part that tells names apart fits. */
const REPEATED_PREFIXES = ["penalty/", "layer:", "kind:"];

/** A group's label without the prefix every other label has too: `conv2_block1_1_conv/kernel`, not `penalty/conv2_block1_1_conv/kernel`. */
export function shortLabel(label: string): string {
  const prefix = REPEATED_PREFIXES.find((p) => label.startsWith(p) && label.length > p.length);
  return prefix === undefined ? label : label.slice(prefix.length);
}

export class ManyTermsView {
  readonly el: HTMLDetailsElement;
  private readonly summary: HTMLElement;
  private readonly bars: BarList;
  private readonly heatmap: HeatmapView;
  /** What was last drawn, so an unchanged card is not redrawn. */
  private drawn: { b: Breakdown; grouping: string; width: number } | null = null;
  private pending: { b: Breakdown; s: Settings; width: number } | null = null;
  /** Set once the user opens or closes the view: their choice then wins over the default. */
  private chosen = false;

  constructor(colorOf: (key: string) => string) {
    addStyles();
    this.el = document.createElement("details");
    this.el.className = "many-terms";
    this.summary = document.createElement("summary");
    const body = document.createElement("div");
    body.className = "many-terms-body";
    const pick = (key: string) => {
      highlight.toggle(key);
      this.heatmap.showHighlight(true);
    };
    this.bars = new BarList(colorOf, pick);
    // The bars follow the heatmap's hover.
    const step = stepChannel();
    this.heatmap = new HeatmapView(step, pick);
    step.listen((i) => this.bars.show(i));
    body.append(this.bars.el, this.heatmap.el);
    this.el.append(this.summary, body);
    // A click on the summary (keyboard too) is the user's choice; "toggle" also fires when we set `open`.
    this.summary.addEventListener("click", () => (this.chosen = true));
    this.el.addEventListener("toggle", () => this.render());
  }

  update(b: Breakdown, s: Settings, width: number): void {
    this.pending = { b, s, width };
    const count = b.steps.length === 0 ? 0 : penaltyTerms(b);
    this.el.hidden = count < MANY_TERMS;
    if (this.el.hidden) return;
    this.summary.textContent = `Ranking and heatmap of the ${count} penalty terms`;
    if (!this.chosen) this.el.open = true;
    this.render();
  }

  /** Shows the bars at step index `i` (the chart's hover); null for the last step. */
  showStep(i: number | null): void {
    if (this.drawn) this.bars.show(i);
  }

  private render(): void {
    const p = this.pending;
    if (!p || !this.el.open) return;
    const grouping = `${p.s.grouping}|${p.s.depth}|${p.s.topK}`;
    const d = this.drawn;
    if (d && d.b === p.b && d.grouping === grouping && d.width === p.width) return;
    const groups = rawGroups(p.b, p.s).map((g) => ({ key: g.key, label: shortLabel(g.label), values: g.values }));
    const totals = stepTotals(groups, p.b.steps.length);
    this.bars.update(groups, p.b.steps, totals);
    this.heatmap.update(groups, p.b.steps, totals, p.width, `Heatmap of the penalties of run ${p.b.run}, groups × steps`);
    this.drawn = { b: p.b, grouping, width: p.width };
  }
}

/** The number of penalty terms of a run: what decides whether the view opens by itself. */
function penaltyTerms(b: Breakdown): number {
  let n = 0;
  for (const key of b.series.keys()) if (key.startsWith("penalty/")) n += 1;
  return n;
}
