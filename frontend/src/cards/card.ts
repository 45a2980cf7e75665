/**
 * One run's card: title, focus and downloads, the decay plan's findings (and
 * the plan, folded), warnings and notices, the loss
 * composition chart with its own legend, the decoupled decay chart with its
 * legend and a note on what its numbers mean, the many-terms view, the section
 * the dashboard puts in it (the Dynamics section: a feature of its own, in the
 * card's colours), and the two tables. Built once per run and updated in place.
 * Each chart saves as PNG or SVG with its title and legend.
 */
import type { Breakdown } from "../data/api";
import { StackedChart } from "../charts/chart";
import { PALETTE, slotOf } from "../charts/colors";
import { stepChannel } from "../charts/channel";
import { DecayPlanSection } from "./decay_plan_section";
import { TrainingFindingsSection } from "./training_findings_section";
import { download, downloadBlob, fileName } from "../common/download";
import { toCsv, toJson } from "../data/export";
import { highlight, seriesUnder } from "../charts/highlight";
import { chartSvg, svgToPng } from "../charts/image";
import { Legend, type LegendEntry } from "../charts/legend";
import { ManyTermsView, rawGroups } from "./manyterms";
import { rankAt } from "../data/order";
import type { Settings, SortColumn } from "../data/settings";
import { latestRows, renderDetailsTable, renderLatestTable } from "./table";
import type { UnverifiedMark } from "../data/tags";
import type { RunView } from "./view";
import { downloadButton, element } from "../common/dom";

const MAIN_HEIGHT = 240;
/** In the focused layout the chart is taller: that is what focusing is for. */
const FOCUSED_MAIN_HEIGHT = 420;
const DECOUPLED_HEIGHT = 130;
/** Rows of the latest-values table shown until the user asks for all. */
const LATEST_ROWS = 20;

export const DECOUPLED_TITLE = "Decoupled weight decay (applied by the optimizer, not part of the loss)";
export const DECOUPLED_NOTE =
  "Each term is (wd/2)·Σw²: in loss units under plain SGD only. Adam-style optimizers (AdamW) " +
  "decay outside their adaptive scaling, so there it compares to the penalties only roughly.";

/** `a` and `b` written with the fewest significant digits (4 to 9) that tell them apart. */
function apart(a: number, b: number): [string, string] {
  const texts = (digits: number) => [a, b].map((v) => String(Number(v.toPrecision(digits)))) as [string, string];
  for (let digits = 4; digits < 9; digits++) {
    const [x, y] = texts(digits);
    if (x !== y) return [x, y];
  }
  return texts(9);
}

/**
 * The card's line for a run marked unverified.
 *
 * Example: `unverifiedLine({ regloss: 0.75, keras: 0.5, kerasVersion: "3.16.0" })` is
 * "Unverified: tb-regloss's data + penalties (0.75) differ from Keras' loss (0.5) on Keras 3.16.0".
 */
export function unverifiedLine(mark: UnverifiedMark): string {
  const [ours, keras] = apart(mark.regloss, mark.keras);
  return `Unverified: tb-regloss's data + penalties (${ours}) differ from Keras' loss (${keras}) on Keras ${mark.kerasVersion}`;
}

export const UNVERIFIED_TITLE =
  "At the end of an epoch or evaluation, the callback's self-check found its data + penalties off Keras' " +
  "loss by more than float rounding: this Keras composes or reports its loss in a way tb-regloss does not " +
  "follow, so this run's split is not to be trusted.";

/** A section the dashboard puts in a card under its charts, updated with the card. */
export interface CardSection {
  readonly el: HTMLElement;
  update(b: Breakdown, settings: Settings, width: number): void;
}

/** A chart and its legend, with what the image export needs. */
class ChartPanel {
  /** The chart's hovered step index; the legend ranks there, and listens first. */
  readonly step = stepChannel();
  readonly chart: StackedChart;
  readonly legend: Legend;
  entries: LegendEntry[] = [];

  constructor(height: number, onToggle: (key: string) => void) {
    this.legend = new Legend(onToggle);
    this.chart = new StackedChart(height, this.step);
    this.step.listen((i) => this.legend.rank(i));
  }

  /** The legend entries that are drawn, ranked at the last step, for an exported image. */
  shownEntries(hidden: ReadonlySet<string>): LegendEntry[] {
    const shown = this.entries.filter((e) => !hidden.has(e.key));
    const last = shown.reduce((n, e) => Math.max(n, e.values.length), 0) - 1;
    return rankAt(
      shown.map((e) => e.values),
      last,
    ).map((k) => shown[k]);
  }
}

export class RunCard {
  readonly el: HTMLElement;
  private readonly title = element("h2", "run-name");
  private readonly verification = element("div", "verification");
  private readonly messages = element("div", "messages");
  /** The run's decay plan (the app says which run has one), fetched once per run. */
  readonly decayPlan = new DecayPlanSection();
  /** The findings read from the run's series (the app says which run may have some), fetched per last step. */
  readonly trainingFindings = new TrainingFindingsSection();
  private readonly main: ChartPanel;
  private readonly decoupledBox = element("div", "decoupled");
  private readonly decoupled: ChartPanel;
  private readonly manyTerms: ManyTermsView;
  /** The band colors of the loss chart, for the ranking and the heatmap. */
  private colorByKey = new Map<string, string>();
  private readonly latestTable = document.createElement("table");
  private readonly detailsTable = document.createElement("table");
  private readonly detailsBox = element("details", "term-details");
  private readonly showAll = element("button", "show-all");
  private readonly focus: HTMLButtonElement;
  private breakdown: Breakdown | null = null;
  private settings: Settings | null = null;
  private allRows = false;

  /** The header and the sections, attached at the first draw: until then the card is its title alone. */
  private readonly header = document.createElement("header");
  private readonly parts: HTMLElement[];

  /** `section`, if given, goes under the many-terms view and is updated with the card. */
  constructor(
    onToggle: (key: string) => void,
    private readonly onSort: (column: SortColumn) => void,
    onFocus: (run: string) => void = () => {},
    private readonly section: CardSection | null = null,
  ) {
    this.el = element("section", "run-card pending");
    const header = this.header;
    this.focus = downloadButton("Focus", "Show this run alone, large", () => {
      if (this.breakdown) onFocus(this.breakdown.run);
    });
    this.focus.classList.add("focus");
    header.append(
      this.title,
      this.focus,
      downloadButton("CSV", "Download this run's breakdown as CSV", () => this.save("csv")),
      downloadButton("JSON", "Download this run's breakdown as JSON", () => this.save("json")),
      downloadButton("PNG", "Save the loss composition chart, with its legend, as a PNG image", () => void this.saveImage("main", "png")),
      downloadButton("SVG", "Save the loss composition chart, with its legend, as an SVG image", () => void this.saveImage("main", "svg")),
    );
    this.main = new ChartPanel(MAIN_HEIGHT, onToggle);
    this.decoupled = new ChartPanel(DECOUPLED_HEIGHT, onToggle);
    const decoupledHeader = element("div", "chart-header");
    decoupledHeader.append(
      element("h3", "decoupled-heading", DECOUPLED_TITLE),
      downloadButton("PNG", "Save the decoupled decay chart, with its legend, as a PNG image", () => void this.saveImage("decoupled", "png")),
      downloadButton("SVG", "Save the decoupled decay chart, with its legend, as an SVG image", () => void this.saveImage("decoupled", "svg")),
    );
    this.decoupledBox.append(
      decoupledHeader,
      element("p", "decoupled-note", DECOUPLED_NOTE),
      this.decoupled.chart.el,
      this.decoupled.legend.el,
    );
    const latestBox = element("details", "latest");
    latestBox.open = true;
    this.showAll.type = "button";
    this.showAll.addEventListener("click", () => {
      this.allRows = !this.allRows;
      this.renderTables();
    });
    const scrolling = (table: HTMLTableElement) => {
      const box = element("div", "table-scroll");
      box.appendChild(table);
      return box;
    };
    latestBox.append(element("summary", "", "Latest values"), scrolling(this.latestTable), this.showAll);
    this.detailsBox.append(element("summary", "", "Term details"), scrolling(this.detailsTable));
    // Built when first opened: hundreds of rows nobody asked for would slow the first render.
    this.detailsBox.addEventListener("toggle", () => this.renderTables());
    this.manyTerms = new ManyTermsView((key) => this.colorOf(key));
    // The many-terms view follows the loss chart's hover.
    this.main.step.listen((i) => this.manyTerms.showStep(i));
    // A click on a band highlights its series everywhere (the hover overlay lies above the bands).
    for (const chart of [this.main.chart, this.decoupled.chart]) {
      chart.el.addEventListener("click", (e) => {
        const key = seriesUnder(chart.el, e.clientX, e.clientY);
        if (key !== null) highlight.toggle(key);
      });
    }
    this.parts = [header, this.decayPlan.el, this.trainingFindings.el, this.verification, this.messages, this.main.chart.el, this.main.legend.el, this.decoupledBox,
      this.manyTerms.el, ...(section ? [section.el] : []), latestBox, this.detailsBox];
    // A card off screen is two elements, not a hundred: a sweep of 200 runs stays a light page.
    this.el.append(this.title);
  }

  /** The colour of a series key as the loss chart draws it, for the views that rank or map its terms. */
  colorOf(key: string): string {
    return this.colorByKey.get(key) ?? PALETTE[slotOf(key)];
  }

  private save(kind: "csv" | "json"): void {
    const b = this.breakdown;
    if (!b) return;
    if (kind === "csv") download(toCsv(b), fileName(b.run, "csv"), "text/csv");
    else download(toJson(b), fileName(b.run, "json"), "application/json");
  }

  /** The standalone SVG of one chart with its title and legend, in the page's current colors. */
  imageSvg(which: "main" | "decoupled"): string | null {
    const b = this.breakdown;
    const panel = which === "main" ? this.main : this.decoupled;
    const svg = panel.chart.svg.node();
    if (!b || !this.settings || !svg || panel.chart.el.hidden) return null;
    const style = getComputedStyle(this.el);
    const title = which === "main" ? `Loss composition — ${b.run}` : `Decoupled weight decay — ${b.run}`;
    const entries = panel.shownEntries(new Set(this.settings.hidden));
    return chartSvg(svg, title, entries, { background: style.backgroundColor, text: style.color });
  }

  private async saveImage(which: "main" | "decoupled", kind: "png" | "svg"): Promise<void> {
    const svg = this.imageSvg(which);
    if (svg === null || !this.breakdown) return;
    const name = fileName(this.breakdown.run, kind, which === "main" ? "" : "decoupled");
    if (kind === "svg") download(svg, name, "image/svg+xml");
    else downloadBlob(await svgToPng(svg), name);
  }

  /** Says, above the charts, that the run is marked unverified (`mark`), or nothing (null). */
  setUnverified(mark: UnverifiedMark | null): void {
    if (mark === null) {
      this.verification.replaceChildren();
      return;
    }
    const line = element("p", "unverified warning", unverifiedLine(mark));
    line.dataset.unverified = mark.kerasVersion;
    line.title = UNVERIFIED_TITLE;
    this.verification.replaceChildren(line);
  }

  /** Names the run of a card whose charts are drawn later (it is off screen); one never drawn stays its title alone. */
  pending(b: Breakdown): void {
    // Written only when changed: the app reads the next card's place right after, and a write would lay the page out again.
    if (this.el.dataset.run !== b.run) this.el.dataset.run = b.run;
    if (this.title.textContent !== b.run) this.title.textContent = b.run;
  }

  update(b: Breakdown, view: RunView, settings: Settings, width: number): void {
    if (this.el.classList.contains("pending")) {
      this.el.classList.remove("pending");
      this.header.prepend(this.title);
      this.el.replaceChildren(...this.parts);
    }
    this.breakdown = b;
    this.el.dataset.run = b.run;
    this.title.textContent = b.run;
    this.decayPlan.setDepth(settings.depth);
    const focused = settings.layout === "focus";
    this.focus.hidden = focused;
    this.messages.replaceChildren(
      ...view.warnings.map((w) => element("div", "warning", w)),
      ...view.notices.map((n) => element("p", "notice", n)),
    );
    const hidden = new Set(settings.hidden);
    this.main.chart.setHeight(focused ? FOCUSED_MAIN_HEIGHT : MAIN_HEIGHT);
    this.main.chart.el.hidden = view.main === null;
    if (view.main) this.main.chart.update(view.main, width);
    else this.main.chart.clear();
    this.main.entries = view.mainLegend;
    this.main.legend.update(view.mainLegend, hidden);
    this.main.legend.el.hidden = view.mainLegend.length === 0;
    this.decoupledBox.hidden = view.decoupledLegend.length === 0;
    this.decoupled.chart.el.hidden = view.decoupled === null;
    if (view.decoupled) this.decoupled.chart.update(view.decoupled, width);
    else this.decoupled.chart.clear();
    this.decoupled.entries = view.decoupledLegend;
    this.decoupled.legend.update(view.decoupledLegend, hidden);
    this.colorByKey = view.mainColors;
    this.manyTerms.update(b, settings, width);
    this.section?.update(b, settings, width);
    this.settings = settings;
    this.detailsBox.hidden = !view.mainLegend.some((e) => e.key !== "data") && view.decoupledLegend.length === 0;
    this.renderTables();
  }

  private renderTables(): void {
    const b = this.breakdown;
    const s = this.settings;
    if (!b || !s) return;
    const rows = latestRows(b, s.grouping === "term" ? undefined : rawGroups(b, s));
    const limit = this.allRows ? rows.length : LATEST_ROWS;
    renderLatestTable(this.latestTable, rows, s.sortColumn, s.sortDescending, limit, this.onSort);
    this.showAll.hidden = rows.length <= LATEST_ROWS;
    this.showAll.textContent = this.allRows ? `Show the first ${LATEST_ROWS}` : `Show all ${rows.length} terms`;
    if (this.detailsBox.open) renderDetailsTable(this.detailsTable, b);
  }
}
