/**
 * The "Compare runs" section: a series picker and log switch over the
 * comparison chart, its PNG/SVG/CSV/JSON downloads, the sweep plot (one point
 * per trial against a hyperparameter, coloured by another; a click focuses
 * the trial's run), and the sweep table with its CSV/JSON downloads. Past
 * `LEGEND_LIMIT` runs the comparison is coloured by the sweep plot's colour
 * hyperparameter, with its colour bar instead of a legend row per run. Owns its choices (kept in localStorage) and its
 * stylesheet; the dashboard only hands it the shown runs' breakdowns, the
 * logged hyperparameters and the smoothing, and redraws it only when one of
 * them, the width or the theme changed. Folded at first (the run cards stay
 * in view under the controls) and drawn only while open; opening it is
 * remembered.
 */
import type { Breakdown, RunHParams, RunSummary } from "./api";
import { bandColors } from "./colors";
import { choiceLabel, compareChoices, compareLines, comparisonCsv, comparisonJson, type CompareKey, type Comparison } from "./compare";
import { CompareChart } from "./compare_chart";
import { download, downloadBlob, fileName } from "./export";
import { svgDocument, svgToPng } from "./image";
import { sweepCsv, sweepJson, sweepRows, type SweepColumn, type SweepRow } from "./sweep";
import { renderSweepTable } from "./sweep_table";
import { downloadButton, element } from "./dom";
import { hparamColors, type HParamColors } from "./hparam_colors";
import { SWEEP_MARGIN, SWEEP_PLOT_HEIGHT, SweepPlot } from "./sweep_plot";
import { chooseColor, chooseX, METRICS, numericHParams, sweepPlotModel, sweepTrials, varyingHParams, type SweepMetric, type Trial } from "./sweep_plot_model";

/** Past this many runs the comparison's legend gives way to the colour key of a hyperparameter. */
export const LEGEND_LIMIT = 20;

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
.sweep-view[hidden] { display: none; }
.sweep-plot { position: relative; overflow-x: auto; }
.sweep-plot svg { display: block; }
.sweep-plot circle[data-sweep-point] { cursor: pointer; }
.sweep-plot circle[data-sweep-point]:hover, .sweep-plot circle[data-sweep-point]:focus { stroke-width: 2.5; outline: none; }
.sweep-plot circle[data-focused] { stroke-width: 3; r: 7; }
.sweep-tooltip { max-width: 420px; }
.sweep-tip-body { white-space: pre-line; overflow-wrap: anywhere; }
`;

interface Choices {
  open: boolean;
  key: CompareKey;
  log: boolean;
  sortColumn: SweepColumn;
  sortDescending: boolean;
  /** The sweep plot's x hyperparameter ("" for the default), metric, and colour hyperparameter (null: chosen for you, "": none). */
  sweepX: string;
  sweepMetric: SweepMetric;
  sweepColor: string | null;
}

const DEFAULT_CHOICES: Choices = {
  open: false,
  key: "data",
  log: false,
  sortColumn: "run",
  sortDescending: false,
  sweepX: "",
  sweepMetric: "validation",
  sweepColor: null,
};

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
      sweepX: typeof r.sweepX === "string" ? r.sweepX : DEFAULT_CHOICES.sweepX,
      sweepMetric: METRICS.some((m) => m.key === r.sweepMetric) ? (r.sweepMetric as SweepMetric) : DEFAULT_CHOICES.sweepMetric,
      sweepColor: typeof r.sweepColor === "string" ? r.sweepColor : DEFAULT_CHOICES.sweepColor,
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
  private readonly sweepView = document.createElement("div");
  private readonly sweepX = document.createElement("select");
  private readonly sweepMetric = document.createElement("select");
  private readonly sweepColor = document.createElement("select");
  private readonly sweepNote = document.createElement("p");
  private readonly sweepPlot: SweepPlot;
  /** The last `update` arguments, drawn when the section is opened. */
  private input: { breakdowns: Breakdown[]; hparams: RunHParams[]; smoothing: number; summaries: RunSummary[] } | null = null;
  private comparison: Comparison | null = null;
  private rows: SweepRow[] = [];
  private last: {
    breakdowns: Breakdown[];
    hparams: RunHParams[];
    smoothing: number;
    summaries: RunSummary[];
    width: number;
    choices: Choices;
    theme: number;
  } | null = null;
  private theme = 0;

  /** `onFocus(run)`: a sweep point was clicked; show that run's card alone. */
  constructor(
    private readonly storage: Storage | null,
    onFocus: (run: string) => void = () => {},
  ) {
    this.sweepPlot = new SweepPlot(onFocus);
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
    this.buildSweepView();
    this.table.className = "sweep-table";
    const wrap = document.createElement("div");
    wrap.className = "sweep-wrap";
    wrap.appendChild(this.table);
    details.append(summary, controls, this.note, this.chart.el, this.sweepView, sweepTitle, wrap);
    this.el.append(style, details);
    this.el.hidden = true;
  }

  private buildSweepView(): void {
    this.sweepView.className = "sweep-view";
    this.sweepView.hidden = true;
    const title = element("h3", "", undefined, this.sweepView);
    element("span", "", "Sweep plot: one point per trial; click a point to focus its run", title);
    title.append(
      downloadButton("PNG", "Download the sweep plot as PNG", () => void this.saveSweepPng()),
      downloadButton("SVG", "Download the sweep plot as SVG", () => this.saveSweepSvg()),
    );
    const controls = element("div", "controls compare-controls sweep-controls", undefined, this.sweepView);
    const labelled = (text: string, select: HTMLSelectElement, name: string, onChange: (v: string) => void) => {
      const label = element("label", "", undefined, controls);
      element("span", "", text, label);
      select.name = name;
      select.setAttribute("aria-label", `Sweep plot: ${text}`);
      select.addEventListener("change", () => onChange(select.value));
      label.appendChild(select);
    };
    labelled("x", this.sweepX, "sweep-x", (v) => this.change({ sweepX: v }));
    labelled("y", this.sweepMetric, "sweep-metric", (v) => this.change({ sweepMetric: v as SweepMetric }));
    labelled("Colour", this.sweepColor, "sweep-color", (v) => this.change({ sweepColor: v }));
    this.sweepMetric.replaceChildren(...METRICS.map((m) => new Option(m.label, m.key)));
    this.sweepNote.className = "notice";
    this.sweepNote.hidden = true;
    this.sweepView.append(this.sweepPlot.el, this.sweepNote);
  }

  /** Rings the sweep point of the focused run (or none), without redrawing. */
  setFocused(run: string | null): void {
    this.sweepPlot.setFocused(run);
  }

  /** Makes the next `update` redraw: the theme changed, and the chart's colours are attributes. */
  themeChanged(): void {
    this.theme += 1;
  }

  /**
   * Shows the comparison of `breakdowns` (hidden for fewer than two runs) and,
   * from `summaries` (the `sweep` route), the sweep plot of their trials; a
   * no-op when nothing changed.
   */
  update(breakdowns: Breakdown[], hparams: RunHParams[], smoothing: number, summaries: RunSummary[] = []): void {
    this.input = { breakdowns, hparams, smoothing, summaries };
    this.el.hidden = breakdowns.length < 2;
    this.summary.textContent = `Compare runs (${breakdowns.length})`;
    if (this.el.hidden || !this.details.open) return;
    const width = Math.max(320, this.el.clientWidth - 22);
    const last = this.last;
    if (
      last &&
      last.hparams === hparams &&
      last.smoothing === smoothing &&
      last.summaries === summaries &&
      last.width === width &&
      last.choices === this.choices &&
      last.theme === this.theme &&
      last.breakdowns.length === breakdowns.length &&
      last.breakdowns.every((b, i) => b === breakdowns[i])
    ) {
      return;
    }
    this.last = { breakdowns, hparams, smoothing, summaries, width, choices: this.choices, theme: this.theme };
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
    this.rows = sweepRows(breakdowns, hparams);
    const style = getComputedStyle(this.el);
    const colors = { fg: style.getPropertyValue("--fg").trim() || "#212121", grid: style.getPropertyValue("--border").trim() || "#e0e0e0" };
    const shownRuns = new Set(breakdowns.map((b) => b.run));
    const trials = sweepTrials(summaries.filter((s) => shownRuns.has(s.run)), hparams);
    performance.mark("regloss:sweep-start");
    const drawnColor = this.drawSweep(trials, width, colors);
    // Without the sweep route's figures, the table's rows still say which hyperparameter colours the chart.
    const colorName =
      trials.length > 0 ? drawnColor : chooseColor(this.rows, this.choices.sweepColor, chooseX(this.rows, this.choices.sweepX));
    // The sweep plot alone, inside `regloss:compare`: a 100-trial sweep must not cost a frame.
    performance.clearMeasures("regloss:sweep");
    performance.measure("regloss:sweep", "regloss:sweep-start");
    performance.clearMarks("regloss:sweep-start");
    // One colour per experiment, from its name (the same on every reload), neighbours told apart;
    // past LEGEND_LIMIT runs, by the colour hyperparameter, whose key replaces the legend.
    const prefixes = [...new Set(this.comparison.lines.map((l) => l.prefix))];
    let colorOf = new Map(bandColors(prefixes.map((p) => "experiment:" + p)).map((c, i) => [prefixes[i], c]));
    let byHParam: HParamColors | null = null;
    if (this.comparison.lines.length > LEGEND_LIMIT && colorName !== "") {
      const hparamsOf = new Map(this.rows.map((r) => [r.prefix, r.hparams]));
      byHParam = hparamColors(colorName, prefixes.map((p) => hparamsOf.get(p)?.[colorName]));
      const paint = byHParam.colorOf;
      colorOf = new Map(prefixes.map((p) => [p, paint(hparamsOf.get(p)?.[colorName])]));
    }
    const without = this.comparison.without;
    this.note.hidden = without.length === 0;
    this.note.textContent = without.length === 0 ? "" : `Without ${choiceLabel(key)}: ${without.join(", ")}`;
    this.chart.draw(this.comparison, (prefix) => colorOf.get(prefix) ?? "#b0b0b0", {
      log: this.choices.log,
      smoothing,
      width,
      colors,
      key: byHParam?.key ?? null,
    });

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

  /** Draws the sweep plot of `trials` (hidden without a numeric hyperparameter); returns the colour hyperparameter ("" for none). */
  private drawSweep(trials: Trial[], width: number, colors: { fg: string; grid: string }): string {
    const numeric = numericHParams(trials);
    const x = chooseX(trials, this.choices.sweepX);
    const colorName = chooseColor(trials, this.choices.sweepColor, x);
    this.sweepView.hidden = x === "";
    if (x === "") return colorName;
    this.sweepX.replaceChildren(...numeric.map((n) => new Option(n, n)));
    this.sweepX.value = x;
    this.sweepMetric.value = this.choices.sweepMetric;
    this.sweepColor.replaceChildren(new Option("none", ""), ...varyingHParams(trials).map((n) => new Option(n, n)));
    this.sweepColor.value = colorName;
    const painted = hparamColors(colorName, trials.map((t) => t.hparams[colorName]));
    const innerWidth = Math.max(60, width - SWEEP_MARGIN.left - SWEEP_MARGIN.right);
    const model = sweepPlotModel(trials, x, this.choices.sweepMetric, (t) => painted.colorOf(t.hparams[colorName]), innerWidth, SWEEP_PLOT_HEIGHT);
    this.sweepPlot.draw(model, trials, { width, colors, key: painted.key, colorName });
    this.sweepNote.hidden = model.without.length === 0;
    this.sweepNote.textContent = model.without.length === 0 ? "" : `Not plotted (no ${x} or no value): ${model.without.join(", ")}`;
    return colorName;
  }

  private change(patch: Partial<Choices>): void {
    this.choices = { ...this.choices, ...patch };
    try {
      this.storage?.setItem(STORAGE_KEY, JSON.stringify(this.choices));
    } catch {
      // Quota or privacy mode: the choice still holds for this page.
    }
    if (this.input) this.update(this.input.breakdowns, this.input.hparams, this.input.smoothing, this.input.summaries);
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

  private sweepTitle(): string {
    return this.sweepPlot.svg.querySelector(".sweep-title")?.textContent ?? "sweep";
  }

  private saveSweepSvg(): void {
    const text = svgDocument(this.sweepPlot.svg, this.background());
    downloadBlob(new Blob([text], { type: "image/svg+xml" }), fileName("sweep", "svg", this.sweepTitle()));
  }

  private async saveSweepPng(): Promise<void> {
    const png = await svgToPng(svgDocument(this.sweepPlot.svg, this.background()));
    downloadBlob(png, fileName("sweep", "png", this.sweepTitle()));
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
