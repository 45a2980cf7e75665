/**
 * The "Compare runs" section: a series picker and log switch over the
 * comparison chart, its PNG/SVG/CSV/JSON downloads, and the sweep table with
 * its CSV/JSON downloads. Owns its choices (kept in localStorage) and its
 * stylesheet; the dashboard only hands it the shown runs' breakdowns, the
 * logged hyperparameters and the smoothing, and redraws it only when one of
 * them, the width or the theme changed. Folded at first (the run cards stay
 * in view under the controls) and drawn only while open; opening it is
 * remembered.
 */
import type { Breakdown, RunHParams } from "./api";
import { bandColors } from "./colors";
import { choiceLabel, compareChoices, compareLines, comparisonCsv, comparisonJson, type CompareKey, type Comparison } from "./compare";
import { CompareChart } from "./compare_chart";
import { download, downloadBlob, fileName } from "./export";
import { svgDocument, svgToPng } from "./image";
import { sweepCsv, sweepJson, sweepRows, type SweepColumn, type SweepRow } from "./sweep";
import { renderSweepTable } from "./sweep_table";
import { downloadButton } from "./dom";

const STORAGE_KEY = "tb-regloss.compare.v1";

export const COMPARE_CSS = `
.compare { background: var(--card); border: 1px solid var(--border); border-radius: 4px; padding: 6px 10px; margin: 0 0 12px; }
.compare[hidden] { display: none; }
.compare > details > summary { font-size: 14px; font-weight: 500; color: var(--fg); }
.compare h3 { font-size: 12px; font-weight: 500; color: var(--muted); margin: 10px 0 2px; display: flex; gap: 8px; align-items: baseline; }
.compare .compare-controls { margin: 6px 0; }
.compare button.download { font: inherit; font-size: 12px; color: var(--accent); background: none;
  border: 1px solid var(--border); border-radius: 3px; padding: 1px 6px; cursor: pointer; }
.compare-chart { position: relative; overflow-x: auto; }
.compare-chart svg { display: block; }
.compare-tooltip { max-width: 520px; }
.compare-tip-row { display: grid; grid-template-columns: 10px minmax(0, 1fr) auto; gap: 6px; align-items: center; }
.sweep-wrap { overflow-x: auto; }
.sweep-table td.number, .sweep-table th.number { text-align: right; }
.sweep-table th, .sweep-table td { overflow-wrap: normal; word-break: normal; }
.sweep-table thead th.number { white-space: nowrap; }
.sweep-table tbody th { overflow-wrap: anywhere; min-width: 8em; }
.sweep-table td.hparam { font-family: ui-monospace, monospace; font-size: 11px; white-space: nowrap; }
.sweep-table td.hparam.long { white-space: normal; overflow-wrap: anywhere; min-width: 14em; }
`;

interface Choices {
  open: boolean;
  key: CompareKey;
  log: boolean;
  sortColumn: SweepColumn;
  sortDescending: boolean;
}

const DEFAULT_CHOICES: Choices = { open: false, key: "data", log: false, sortColumn: "run", sortDescending: false };

function loadChoices(storage: Storage | null): Choices {
  try {
    const x: unknown = JSON.parse(storage?.getItem(STORAGE_KEY) ?? "null");
    if (typeof x !== "object" || x === null) return { ...DEFAULT_CHOICES };
    const r = x as Record<string, unknown>;
    return {
      open: typeof r.open === "boolean" ? r.open : DEFAULT_CHOICES.open,
      key: typeof r.key === "string" ? r.key : DEFAULT_CHOICES.key,
      log: typeof r.log === "boolean" ? r.log : DEFAULT_CHOICES.log,
      sortColumn: typeof r.sortColumn === "string" ? (r.sortColumn as SweepColumn) : DEFAULT_CHOICES.sortColumn,
      sortDescending: typeof r.sortDescending === "boolean" ? r.sortDescending : DEFAULT_CHOICES.sortDescending,
    };
  } catch {
    // Disabled storage or junk in it: the defaults do.
    return { ...DEFAULT_CHOICES };
  }
}

export class CompareSection {
  readonly el: HTMLElement;
  private choices: Choices;
  private readonly select = document.createElement("select");
  private readonly logBox = document.createElement("input");
  private readonly note = document.createElement("p");
  private readonly chart = new CompareChart();
  private readonly table = document.createElement("table");
  private readonly details = document.createElement("details");
  private readonly summary = document.createElement("summary");
  /** The last `update` arguments, drawn when the section is opened. */
  private input: { breakdowns: Breakdown[]; hparams: RunHParams[]; smoothing: number } | null = null;
  private comparison: Comparison | null = null;
  private rows: SweepRow[] = [];
  private last: { breakdowns: Breakdown[]; hparams: RunHParams[]; smoothing: number; width: number; choices: Choices; theme: number } | null = null;
  private theme = 0;

  constructor(private readonly storage: Storage | null) {
    this.choices = loadChoices(storage);
    this.el = document.createElement("section");
    this.el.className = "compare";
    this.el.setAttribute("aria-label", "Compare runs");
    const style = document.createElement("style");
    style.textContent = COMPARE_CSS;
    const details = this.details;
    details.open = this.choices.open;
    details.addEventListener("toggle", () => {
      if (details.open !== this.choices.open) this.change({ open: details.open });
    });
    const summary = this.summary;

    const controls = document.createElement("div");
    controls.className = "controls compare-controls";
    const seriesLabel = document.createElement("label");
    const seriesText = document.createElement("span");
    seriesText.textContent = "Series";
    this.select.setAttribute("aria-label", "Series to compare");
    this.select.addEventListener("change", () => this.change({ key: this.select.value }));
    seriesLabel.append(seriesText, this.select);
    const logLabel = document.createElement("label");
    this.logBox.type = "checkbox";
    this.logBox.addEventListener("change", () => this.change({ log: this.logBox.checked }));
    const logText = document.createElement("span");
    logText.textContent = "Log scale";
    logLabel.append(this.logBox, logText);
    controls.append(
      seriesLabel,
      logLabel,
      downloadButton("PNG", "Download the comparison chart as PNG", () => void this.savePng()),
      downloadButton("SVG", "Download the comparison chart as SVG", () => this.saveSvg()),
      downloadButton("CSV", "Download the compared series as CSV", () => this.saveComparison("csv")),
      downloadButton("JSON", "Download the compared series as JSON", () => this.saveComparison("json")),
    );
    this.note.className = "notice";
    this.note.hidden = true;

    const sweepTitle = document.createElement("h3");
    const sweepText = document.createElement("span");
    sweepText.textContent = "Sweep: last values of each experiment (train and validation runs paired by name)";
    sweepTitle.append(
      sweepText,
      downloadButton("CSV", "Download the sweep table as CSV", () => download(sweepCsv(this.rows), "regloss-sweep.csv", "text/csv")),
      downloadButton("JSON", "Download the sweep table as JSON", () => download(sweepJson(this.rows), "regloss-sweep.json", "application/json")),
    );
    this.table.className = "sweep-table";
    const wrap = document.createElement("div");
    wrap.className = "sweep-wrap";
    wrap.appendChild(this.table);
    details.append(summary, controls, this.note, this.chart.el, sweepTitle, wrap);
    this.el.append(style, details);
    this.el.hidden = true;
  }

  /** Makes the next `update` redraw: the theme changed, and the chart's colours are attributes. */
  themeChanged(): void {
    this.theme += 1;
  }

  /** Shows the comparison of `breakdowns` (hidden for fewer than two runs); a no-op when nothing changed. */
  update(breakdowns: Breakdown[], hparams: RunHParams[], smoothing: number): void {
    this.input = { breakdowns, hparams, smoothing };
    this.el.hidden = breakdowns.length < 2;
    this.summary.textContent = `Compare runs (${breakdowns.length})`;
    if (this.el.hidden || !this.details.open) return;
    const width = Math.max(320, this.el.clientWidth - 22);
    const last = this.last;
    if (
      last &&
      last.hparams === hparams &&
      last.smoothing === smoothing &&
      last.width === width &&
      last.choices === this.choices &&
      last.theme === this.theme &&
      last.breakdowns.length === breakdowns.length &&
      last.breakdowns.every((b, i) => b === breakdowns[i])
    ) {
      return;
    }
    this.last = { breakdowns, hparams, smoothing, width, choices: this.choices, theme: this.theme };
    // Measured like the cards' draw (`regloss:render`), for the frontend benchmark.
    performance.mark("regloss:compare-start");

    const choices = compareChoices(breakdowns);
    const key = choices.some((c) => c.key === this.choices.key) ? this.choices.key : "data";
    this.select.replaceChildren(
      ...choices.map((c) => {
        const option = document.createElement("option");
        option.value = c.key;
        option.textContent = c.label;
        return option;
      }),
    );
    this.select.value = key;
    this.logBox.checked = this.choices.log;

    this.comparison = compareLines(breakdowns, key, smoothing);
    // One colour per experiment, from its name (the same on every reload), neighbours told apart.
    const prefixes = [...new Set(this.comparison.lines.map((l) => l.prefix))];
    const colorOf = new Map(bandColors(prefixes.map((p) => "experiment:" + p)).map((c, i) => [prefixes[i], c]));
    const without = this.comparison.without;
    this.note.hidden = without.length === 0;
    this.note.textContent = without.length === 0 ? "" : `Without ${choiceLabel(key)}: ${without.join(", ")}`;
    const style = getComputedStyle(this.el);
    this.chart.draw(this.comparison, (prefix) => colorOf.get(prefix) ?? "#b0b0b0", {
      log: this.choices.log,
      smoothing,
      width,
      colors: { fg: style.getPropertyValue("--fg").trim() || "#212121", grid: style.getPropertyValue("--border").trim() || "#e0e0e0" },
    });

    this.rows = sweepRows(breakdowns, hparams);
    renderSweepTable(this.table, this.rows, { column: this.choices.sortColumn, descending: this.choices.sortDescending }, (column) =>
      this.change({
        sortColumn: column,
        sortDescending: column === this.choices.sortColumn ? !this.choices.sortDescending : false,
      }),
    );
    performance.clearMeasures("regloss:compare");
    performance.measure("regloss:compare", "regloss:compare-start");
    performance.clearMarks("regloss:compare-start");
  }

  private change(patch: Partial<Choices>): void {
    this.choices = { ...this.choices, ...patch };
    try {
      this.storage?.setItem(STORAGE_KEY, JSON.stringify(this.choices));
    } catch {
      // Quota or privacy mode: the choice still holds for this page.
    }
    if (this.input) this.update(this.input.breakdowns, this.input.hparams, this.input.smoothing);
  }

  private title(): string {
    return this.chart.svg.querySelector(".compare-title")?.textContent ?? "comparison";
  }

  private background(): string {
    return getComputedStyle(this.el).getPropertyValue("--card").trim() || "#fff";
  }

  private saveSvg(): void {
    const text = svgDocument(this.chart.svg, this.background());
    downloadBlob(new Blob([text], { type: "image/svg+xml" }), fileName("compare", "svg", this.title()));
  }

  private async savePng(): Promise<void> {
    const png = await svgToPng(svgDocument(this.chart.svg, this.background()));
    downloadBlob(png, fileName("compare", "png", this.title()));
  }

  private saveComparison(extension: "csv" | "json"): void {
    if (!this.comparison) return;
    const text = extension === "csv" ? comparisonCsv(this.comparison) : comparisonJson(this.comparison);
    download(text, fileName("compare", extension, choiceLabel(this.comparison.key)), extension === "csv" ? "text/csv" : "application/json");
  }
}
