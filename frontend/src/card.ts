/**
 * One run's card: title and downloads, warnings and notices, the loss
 * composition chart, the decoupled decay chart, and the two tables. Built once
 * per run and updated in place.
 */
import type { Breakdown } from "./api";
import { HOVER_EVENT, StackedChart } from "./chart";
import { download, fileName, toCsv, toJson } from "./export";
import { highlight, seriesUnder } from "./highlight";
import { ManyTermsView, rawGroups } from "./manyterms";
import type { Settings, SortColumn } from "./settings";
import { latestRows, renderDetailsTable, renderLatestTable } from "./table";
import type { RunView } from "./view";

const MAIN_HEIGHT = 240;
const DECOUPLED_HEIGHT = 130;
/** Rows of the latest-values table shown until the user asks for all. */
const LATEST_ROWS = 20;

function element<K extends keyof HTMLElementTagNameMap>(tag: K, className: string, text?: string): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  el.className = className;
  if (text !== undefined) el.textContent = text;
  return el;
}

export class RunCard {
  readonly el: HTMLElement;
  private readonly title = element("h2", "run-name");
  private readonly messages = element("div", "messages");
  private readonly main: StackedChart;
  private readonly decoupledHeading = element(
    "h3",
    "decoupled-heading",
    "Decoupled weight decay (applied by the optimizer, not part of the loss)",
  );
  private readonly decoupled: StackedChart;
  private readonly manyTerms: ManyTermsView;
  private readonly latestTable = document.createElement("table");
  private readonly detailsTable = document.createElement("table");
  private readonly detailsBox = element("details", "term-details");
  private readonly showAll = element("button", "show-all");
  private breakdown: Breakdown | null = null;
  private settings: Settings | null = null;
  private allRows = false;

  constructor(colorOf: (key: string) => string, private readonly onSort: (column: SortColumn) => void) {
    this.el = element("section", "run-card");
    const header = document.createElement("header");
    const csv = element("button", "download", "CSV");
    const json = element("button", "download", "JSON");
    csv.type = json.type = "button";
    csv.title = "Download this run's breakdown as CSV";
    json.title = "Download this run's breakdown as JSON";
    csv.addEventListener("click", () => this.save("csv"));
    json.addEventListener("click", () => this.save("json"));
    header.append(this.title, csv, json);
    this.main = new StackedChart(colorOf, MAIN_HEIGHT);
    this.decoupled = new StackedChart(colorOf, DECOUPLED_HEIGHT);
    const latestBox = element("details", "latest");
    latestBox.open = true;
    this.showAll.type = "button";
    this.showAll.addEventListener("click", () => {
      this.allRows = !this.allRows;
      this.renderTables();
    });
    latestBox.append(element("summary", "", "Latest values"), this.latestTable, this.showAll);
    this.detailsBox.append(element("summary", "", "Term details"), this.detailsTable);
    // Built when first opened: hundreds of rows nobody asked for would slow the first render.
    this.detailsBox.addEventListener("toggle", () => this.renderTables());
    this.manyTerms = new ManyTermsView(colorOf);
    this.main.el.addEventListener(HOVER_EVENT, (e) => this.manyTerms.showStep((e as CustomEvent<number | null>).detail));
    // A click on a band highlights its series everywhere (the hover overlay lies above the bands).
    for (const chart of [this.main, this.decoupled]) {
      chart.el.addEventListener("click", (e) => {
        const key = seriesUnder(chart.el, e.clientX, e.clientY);
        if (key !== null) highlight.toggle(key);
      });
    }
    this.el.append(
      header,
      this.messages,
      this.main.el,
      this.decoupledHeading,
      this.decoupled.el,
      this.manyTerms.el,
      latestBox,
      this.detailsBox,
    );
  }

  private save(kind: "csv" | "json"): void {
    const b = this.breakdown;
    if (!b) return;
    if (kind === "csv") download(toCsv(b), fileName(b.run, "csv"), "text/csv");
    else download(toJson(b), fileName(b.run, "json"), "application/json");
  }

  /** Names the run of a card whose charts are drawn later (it is off screen). */
  pending(b: Breakdown): void {
    this.el.dataset.run = b.run;
    this.title.textContent = b.run;
  }

  update(b: Breakdown, view: RunView, settings: Settings, width: number): void {
    this.breakdown = b;
    this.el.dataset.run = b.run;
    this.title.textContent = b.run;
    this.messages.replaceChildren(
      ...view.warnings.map((w) => element("div", "warning", w)),
      ...view.notices.map((n) => element("p", "notice", n)),
    );
    this.main.el.hidden = view.main === null;
    if (view.main) this.main.update(view.main, width);
    else this.main.clear();
    const hasDecoupled = view.decoupled !== null;
    this.decoupledHeading.hidden = !hasDecoupled;
    this.decoupled.el.hidden = !hasDecoupled;
    if (view.decoupled) this.decoupled.update(view.decoupled, width);
    else this.decoupled.clear();
    this.manyTerms.update(b, settings, width);
    this.settings = settings;
    this.detailsBox.hidden = !view.legend.some((e) => e.key !== "data");
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
