/**
 * A run card's Dynamics section: what weight decay does to each layer's
 * training, from the run's `regloss/dynamics/` series. Folded (`<details>`) and
 * shown only for runs that logged dynamics; the series (1,120 for a model of
 * 160 weights) are fetched when it is first opened, and again when it is open
 * and the run has new data. It holds:
 *
 * - the heatmap of the decay ratio, groups × steps, on a diverging log scale
 *   centred at 1 (decay as strong as the data);
 * - the angular update of each group against its equilibrium (small multiples);
 * - the ranked bars of a chosen quantity at the hovered step (last otherwise).
 *
 * Groups follow the dashboard's grouping (term, layer, block at a depth,
 * kind, top K), combined as `dynamics_group.ts` explains. Downloads: the
 * panels as PNG or SVG, the series as CSV or JSON.
 */
import { fetchDynamics, type Breakdown } from "../data/api";
import { ANGLE_CSS, AngleMultiples } from "./angleview";
import { BAR_CSS, BarList } from "../charts/bars";
import { stepChannel } from "../charts/channel";
import { PALETTE, slotOf } from "../charts/colors";
import { BAR_QUANTITIES, barLabel, barValues, isBarQuantity, type BarQuantity } from "./dynamics_bars";
import { compositionKey, dynamicsGroups, type DynamicsGroup } from "./dynamics_group";
import { download, downloadBlob, fileName } from "../common/download";
import { toCsv, toJson } from "../data/export";
import { HEATMAP_CSS } from "../charts/heatmap_frame";
import { svgToPng } from "../charts/image";
import { RATIO_HEATMAP_CSS, RatioHeatmapView } from "./ratio_heatmapview";
import type { Settings } from "../data/settings";
import { downloadButton, element } from "../common/dom";

export const DYNAMICS_SUMMARY = "Dynamics: what weight decay does to each layer";

let styled = false;
/** Adds the section's stylesheet to the page once (the heatmap's and bars' too: they may not be there yet). */
function addStyles(): void {
  if (styled) return;
  styled = true;
  const style = document.createElement("style");
  style.dataset.role = "regloss-dynamics";
  style.textContent = HEATMAP_CSS + BAR_CSS + RATIO_HEATMAP_CSS + ANGLE_CSS + DYNAMICS_CSS;
  document.head.appendChild(style);
}

/**
 * The note under the panels: how the equilibrium is predicted, from the first
 * weight's series description (each weight's names it and its optimizer's η and
 * λ); the count says how many weights have one, and where to read the others.
 */
export function equilibriumNote(descriptions: Record<string, string>): string {
  const described = Object.entries(descriptions).filter(([k]) => k.startsWith("angular_equilibrium/"));
  if (described.length === 0) return "";
  const others = described.length - 1;
  const rest = others === 0 ? "" : ` (${others} more weight${others === 1 ? " has" : "s have"} one; the JSON download holds every description)`;
  return `Equilibrium: ${described[0][1]}${rest}`;
}

/** What the small multiples show, as their caption. */
export function panelsCaption(shown: number, groups: number, log = false): string {
  if (shown === 0) return "No group has an angular update.";
  const which = shown < groups ? `the ${shown} groups of ${groups} that rotate most per step (largest mean angle)` : `all ${shown} groups`;
  return `Angular update per step, solid, against the predicted equilibrium, dashed: ${which}; one ${log ? "log " : ""}y scale in degrees.`;
}

/** The section's views, built when it first draws: a card that never opens it carries none of their elements. */
class DynamicsViews {
  readonly el = element("div", "dynamics-body");
  readonly heatmap: RatioHeatmapView;
  readonly angles: AngleMultiples;
  readonly caption = element("p", "dynamics-caption");
  readonly note = element("p", "dynamics-note");
  readonly bars: BarList;
  quantity: BarQuantity = "decay_ratio";
  /** The angle panels' shared y axis on a log scale. */
  angleLog = false;

  constructor(
    colorOf: (key: string) => string,
    onQuantity: () => void,
    onAngleScale: () => void,
    onImage: (kind: "png" | "svg") => void,
    onSave: (kind: "csv" | "json") => void,
  ) {
    // One hovered step for the section: the heatmap and the panels set it; the bars and the panels' rule follow it.
    const step = stepChannel();
    this.heatmap = new RatioHeatmapView(step);
    this.angles = new AngleMultiples(step);
    this.bars = new BarList((key) => colorOf(compositionKey(key)), () => {}, {
      heading: (at) => `${barLabel(this.quantity)} at step ${at}, largest first`,
      shares: false,
    });
    step.listen((i) => this.bars.show(i));
    const select = element("select", "");
    select.name = "dynamics-quantity";
    for (const [id, text] of BAR_QUANTITIES) select.add(new Option(text, id));
    select.addEventListener("change", () => {
      if (isBarQuantity(select.value)) this.quantity = select.value;
      onQuantity();
    });
    const label = element("label", "");
    label.append(element("span", "", "Bars"), select);
    const scale = element("select", "");
    scale.name = "dynamics-angle-scale";
    scale.add(new Option("linear", "linear"));
    scale.add(new Option("log", "log"));
    scale.addEventListener("change", () => {
      this.angleLog = scale.value === "log";
      onAngleScale();
    });
    const scaleLabel = element("label", "");
    scaleLabel.append(element("span", "", "Angle axis"), scale);
    const head = element("div", "dynamics-head");
    head.append(
      label,
      scaleLabel,
      downloadButton("PNG", "Save the angular update panels as a PNG image", () => onImage("png")),
      downloadButton("SVG", "Save the angular update panels as an SVG image", () => onImage("svg")),
      downloadButton("CSV", "Download this run's dynamics series as CSV", () => onSave("csv")),
      downloadButton("JSON", "Download this run's dynamics series as JSON", () => onSave("json")),
    );
    this.el.append(head, this.heatmap.el, this.caption, this.angles.el, this.note, this.bars.el);
  }
}

export class DynamicsSection {
  readonly el: HTMLDetailsElement;
  private readonly status = element("p", "dynamics-status");
  private views: DynamicsViews | null = null;
  private run = "";
  /** The composition breakdown the data was fetched for: a newer one means the run has new points. */
  private source: Breakdown | null = null;
  private pending: { b: Breakdown; s: Settings; width: number } | null = null;
  private data: Breakdown | null = null;
  private loading: Breakdown | null = null;
  private groups: DynamicsGroup[] = [];
  private drawn: { data: Breakdown; grouping: string; width: number } | null = null;

  /** `colorOf` gives the colour of a composition series key (the card's chart colours). */
  constructor(
    private readonly colorOf: (key: string) => string = (key) => PALETTE[slotOf(key)],
    private readonly fetcher: (run: string) => Promise<Breakdown> = (run) => fetchDynamics(run),
  ) {
    addStyles();
    this.el = document.createElement("details");
    this.el.className = "dynamics";
    this.el.hidden = true;
    this.el.append(element("summary", "", DYNAMICS_SUMMARY), this.status);
    this.el.addEventListener("toggle", () => this.render());
  }

  /** Which run the card shows and the dynamics quantities it logged (none: the section is hidden). */
  setRun(run: string, quantities: readonly string[]): void {
    if (run !== this.run) {
      this.run = run;
      this.data = this.source = this.drawn = null;
    }
    this.el.hidden = quantities.length === 0;
  }

  /** The card's data, settings and width; drawn now if the section is open. */
  update(b: Breakdown, s: Settings, width: number): void {
    this.pending = { b, s, width };
    this.render();
  }

  private render(): void {
    const p = this.pending;
    if (!p || !this.el.open || this.el.hidden) return;
    if (this.source !== p.b) {
      void this.load(p.b);
      if (this.data === null) return;
    }
    const data = this.data!;
    const grouping = `${p.s.grouping}|${p.s.depth}|${p.s.topK}`;
    const d = this.drawn;
    if (d && d.data === data && d.grouping === grouping && d.width === p.width) return;
    // "regloss:dynamics" times the whole draw (grouping, heatmap, panels, bars); the heatmap has its own measure.
    performance.mark("regloss:dynamics-start");
    this.groups = dynamicsGroups(data, p.s.grouping, p.s.depth, p.s.topK);
    if (this.views === null) {
      this.views = new DynamicsViews(this.colorOf, () => this.renderBars(), () => this.renderAngles(), (kind) => void this.saveImage(kind), (kind) => this.save(kind));
      this.el.appendChild(this.views.el);
    }
    const v = this.views;
    v.heatmap.update(
      this.groups.map((g) => ({ key: g.key, label: g.label, values: g.values.decay_ratio })),
      data.steps,
      p.width,
      `Decay ratio of run ${data.run}, groups × steps`,
    );
    this.renderAngles();
    v.note.textContent = equilibriumNote(data.descriptions);
    this.renderBars();
    this.drawn = { data, grouping, width: p.width };
    performance.clearMeasures("regloss:dynamics");
    performance.measure("regloss:dynamics", "regloss:dynamics-start");
    performance.clearMarks("regloss:dynamics-start");
  }

  private renderAngles(): void {
    const data = this.data;
    const v = this.views;
    const width = this.pending?.width;
    if (!data || !v || width === undefined) return;
    v.angles.update(this.groups, data.steps, width, `Angular update against its equilibrium, run ${data.run}`, v.angleLog);
    v.caption.textContent = panelsCaption(v.angles.shown.length, this.groups.length, v.angleLog);
  }

  private renderBars(): void {
    const data = this.data;
    const v = this.views;
    if (!data || !v) return;
    const q = v.quantity;
    v.bars.update(
      this.groups.map((g) => ({ key: g.key, label: g.label, values: barValues(g.values, q) })),
      data.steps,
      new Float64Array(data.steps.length),
    );
  }

  /** Fetches the run's dynamics for the composition data `b`; a newer request wins over an older one. */
  private async load(b: Breakdown): Promise<void> {
    if (this.loading === b) return;
    this.loading = b;
    const run = this.run;
    if (this.data === null) this.status.textContent = "Loading the dynamics series…";
    try {
      const data = await this.fetcher(run);
      if (this.loading !== b || this.run !== run) return;
      this.data = data;
      this.source = b;
      this.status.textContent = "";
      this.status.hidden = true;
    } catch (e) {
      if (this.loading !== b) return;
      this.source = b;
      this.status.hidden = false;
      this.status.textContent = `Could not load the dynamics: ${e instanceof Error ? e.message : String(e)}`;
    } finally {
      if (this.loading === b) this.loading = null;
    }
    this.render();
  }

  private save(kind: "csv" | "json"): void {
    const data = this.data;
    if (!data) return;
    if (kind === "csv") download(toCsv(data), fileName(data.run, "csv", "dynamics"), "text/csv");
    else download(toJson(data), fileName(data.run, "json", "dynamics"), "application/json");
  }

  /** The standalone SVG of the angular update panels, in the page's current colours. */
  imageSvg(): string | null {
    if (!this.data || !this.views) return null;
    const style = getComputedStyle(this.el);
    return this.views.angles.imageSvg(`Angular update against its equilibrium — ${this.data.run}`, {
      background: style.getPropertyValue("--card").trim() || "#fff",
      text: style.color,
    });
  }

  private async saveImage(kind: "png" | "svg"): Promise<void> {
    const svg = this.imageSvg();
    if (svg === null || !this.data) return;
    const name = fileName(this.data.run, kind, "dynamics-angles");
    if (kind === "svg") download(svg, name, "image/svg+xml");
    else downloadBlob(await svgToPng(svg), name);
  }
}

const DYNAMICS_CSS = `
.dynamics > summary { margin-top: 4px; }
.dynamics-body { display: grid; gap: 8px; margin-top: 4px; }
.dynamics-status[hidden] { display: none; }
.dynamics-head { display: flex; flex-wrap: wrap; gap: 4px 10px; align-items: center; }
.dynamics-head label { display: inline-flex; gap: 6px; align-items: center; color: var(--muted); }
.dynamics-head select { font: inherit; color: var(--fg); background: var(--card); border: 1px solid var(--border); border-radius: 3px; }
.dynamics-caption, .dynamics-note, .dynamics-status { margin: 0; color: var(--muted); font-size: 12px; }
.dynamics-note:empty { display: none; }
`;
