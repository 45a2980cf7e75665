/**
 * One run's card: title and downloads, warnings and notices, the loss
 * composition chart, the decoupled decay chart, and the two tables. Built once
 * per run and updated in place.
 */
import type { Breakdown } from "./api";
import { StackedChart } from "./chart";
import { download, fileName, toCsv, toJson } from "./export";
import type { Settings, SortColumn } from "./settings";
import { latestRows, renderDetailsTable, renderLatestTable } from "./table";
import type { RunView } from "./view";

const MAIN_HEIGHT = 240;
const DECOUPLED_HEIGHT = 130;

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
  private readonly latestTable = document.createElement("table");
  private readonly detailsTable = document.createElement("table");
  private readonly detailsBox = element("details", "term-details");
  private breakdown: Breakdown | null = null;

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
    latestBox.append(element("summary", "", "Latest values"), this.latestTable);
    this.detailsBox.append(element("summary", "", "Term details"), this.detailsTable);
    this.el.append(header, this.messages, this.main.el, this.decoupledHeading, this.decoupled.el, latestBox, this.detailsBox);
  }

  private save(kind: "csv" | "json"): void {
    const b = this.breakdown;
    if (!b) return;
    if (kind === "csv") download(toCsv(b), fileName(b.run, "csv"), "text/csv");
    else download(toJson(b), fileName(b.run, "json"), "application/json");
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
    const hasDecoupled = view.decoupled !== null;
    this.decoupledHeading.hidden = !hasDecoupled;
    this.decoupled.el.hidden = !hasDecoupled;
    if (view.decoupled) this.decoupled.update(view.decoupled, width);
    renderLatestTable(this.latestTable, latestRows(b), settings.sortColumn, settings.sortDescending, this.onSort);
    renderDetailsTable(this.detailsTable, b);
    this.detailsBox.hidden = this.detailsTable.tBodies[0].rows.length === 0;
  }
}
