/**
 * The sweep in the "Compare runs" section: the sweep plot (one point per trial
 * against a hyperparameter, coloured by another; a click focuses the trial's
 * run) with its x, y and colour selectors and PNG/SVG downloads, then the sweep
 * table with its CSV/JSON downloads. Its choices (axes, colour, sort) are kept
 * by the section, which hands them back with every `update`; `update` answers
 * with the colour hyperparameter, which colours a comparison of many runs too.
 */
import type { Breakdown, RunHParams, RunSummary } from "../data/api";
import { downloadButton, element } from "../common/dom";
import { download, downloadBlob, fileName } from "../common/download";
import { hparamColors, type HParamColoring } from "../charts/hparam_colors";
import { svgDocument, svgToPng } from "../charts/image";
import { sweepCsv, sweepJson, sweepRows, type SweepColumn, type SweepRow } from "./sweep";
import { SWEEP_MARGIN, SWEEP_PLOT_HEIGHT, SweepPlot, type SweepColors } from "./sweep_plot";
import { chooseColor, chooseX, METRICS, numericHParams, sweepPlotModel, sweepTrials, varyingHParams, type SweepMetric, type Trial } from "./sweep_plot_model";
import { renderSweepTable } from "./sweep_table";

export interface SweepChoices {
  sortColumn: SweepColumn;
  sortDescending: boolean;
  /** The sweep plot's x hyperparameter ("" for the default), metric, and colour hyperparameter (null: chosen for you, "": none). */
  sweepX: string;
  sweepMetric: SweepMetric;
  sweepColor: string | null;
}

export const DEFAULT_SWEEP_CHOICES: SweepChoices = {
  sortColumn: "run",
  sortDescending: false,
  sweepX: "",
  sweepMetric: "validation",
  sweepColor: null,
};

/** The valid sweep choices of `stored` (what the section kept), the defaults for the rest. */
export function sweepChoicesOf(r: Record<string, unknown>): SweepChoices {
  return {
    sortColumn: typeof r.sortColumn === "string" ? (r.sortColumn as SweepColumn) : DEFAULT_SWEEP_CHOICES.sortColumn,
    sortDescending: typeof r.sortDescending === "boolean" ? r.sortDescending : DEFAULT_SWEEP_CHOICES.sortDescending,
    sweepX: typeof r.sweepX === "string" ? r.sweepX : DEFAULT_SWEEP_CHOICES.sweepX,
    sweepMetric: METRICS.some((m) => m.key === r.sweepMetric) ? (r.sweepMetric as SweepMetric) : DEFAULT_SWEEP_CHOICES.sweepMetric,
    sweepColor: typeof r.sweepColor === "string" ? r.sweepColor : DEFAULT_SWEEP_CHOICES.sweepColor,
  };
}

export const SWEEP_PANEL_CSS = `
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

export class SweepPanel {
  /** The panel's elements, in order, for the section to hold. */
  readonly elements: readonly HTMLElement[];
  private readonly view = element("div", "sweep-view");
  private readonly x = document.createElement("select");
  private readonly metric = document.createElement("select");
  private readonly color = document.createElement("select");
  private readonly note = element("p", "notice");
  private readonly plot: SweepPlot;
  private readonly table = element("table", "sweep-table");
  private rows: SweepRow[] = [];

  /** `onFocus(run)`: a point was clicked; `onChange` hears a new choice of axis, colour or sort. */
  constructor(onFocus: (run: string) => void, private readonly onChange: (patch: Partial<SweepChoices>) => void) {
    this.plot = new SweepPlot(onFocus);
    this.buildView();
    const tableTitle = document.createElement("h3");
    const tableText = document.createElement("span");
    tableText.textContent = "Sweep: last values of each experiment (train and validation runs paired by name)";
    tableTitle.append(
      tableText,
      downloadButton("CSV", "Download the sweep table as CSV", () => download(sweepCsv(this.rows), "regloss-sweep.csv", "text/csv")),
      downloadButton("JSON", "Download the sweep table as JSON", () => download(sweepJson(this.rows), "regloss-sweep.json", "application/json")),
    );
    const wrap = element("div", "sweep-wrap");
    wrap.appendChild(this.table);
    this.elements = [this.view, tableTitle, wrap];
  }

  private buildView(): void {
    this.view.hidden = true;
    const title = element("h3", "", undefined, this.view);
    element("span", "", "Sweep plot: one point per trial; click a point to focus its run", title);
    title.append(
      downloadButton("PNG", "Download the sweep plot as PNG", () => void this.savePng()),
      downloadButton("SVG", "Download the sweep plot as SVG", () => this.saveSvg()),
    );
    const controls = element("div", "controls compare-controls sweep-controls", undefined, this.view);
    const labelled = (text: string, select: HTMLSelectElement, name: string, onChange: (v: string) => void) => {
      const label = element("label", "", undefined, controls);
      element("span", "", text, label);
      select.name = name;
      select.setAttribute("aria-label", `Sweep plot: ${text}`);
      select.addEventListener("change", () => onChange(select.value));
      label.appendChild(select);
    };
    labelled("x", this.x, "sweep-x", (v) => this.onChange({ sweepX: v }));
    labelled("y", this.metric, "sweep-metric", (v) => this.onChange({ sweepMetric: v as SweepMetric }));
    labelled("Colour", this.color, "sweep-color", (v) => this.onChange({ sweepColor: v }));
    this.metric.replaceChildren(...METRICS.map((m) => new Option(m.label, m.key)));
    this.note.hidden = true;
    this.view.append(this.plot.el, this.note);
  }

  /** Rings the point of the focused run (or none), without redrawing. */
  setFocused(run: string | null): void {
    this.plot.setFocused(run);
  }

  /**
   * Draws the sweep plot of the trials of `summaries` (the `sweep` route) among
   * `breakdowns`, and the sweep table of `breakdowns`, as `choices` say; returns
   * the colour hyperparameter and each experiment's hyperparameters.
   */
  update(
    breakdowns: Breakdown[],
    hparams: RunHParams[],
    summaries: RunSummary[],
    choices: SweepChoices,
    width: number,
    colors: SweepColors,
  ): HParamColoring {
    this.rows = sweepRows(breakdowns, hparams);
    const shownRuns = new Set(breakdowns.map((b) => b.run));
    const trials = sweepTrials(summaries.filter((s) => shownRuns.has(s.run)), hparams);
    performance.mark("regloss:sweep-start");
    const drawnColor = this.drawPlot(trials, choices, width, colors);
    // The sweep plot alone, inside `regloss:compare`: a 100-trial sweep must not cost a frame.
    performance.clearMeasures("regloss:sweep");
    performance.measure("regloss:sweep", "regloss:sweep-start");
    performance.clearMarks("regloss:sweep-start");
    renderSweepTable(this.table, this.rows, { column: choices.sortColumn, descending: choices.sortDescending }, (column) =>
      this.onChange({
        sortColumn: column,
        sortDescending: column === choices.sortColumn ? !choices.sortDescending : false,
      }),
    );
    // Without the sweep route's figures, the table's rows still say which hyperparameter colours the chart.
    const name = trials.length > 0 ? drawnColor : chooseColor(this.rows, choices.sweepColor, chooseX(this.rows, choices.sweepX));
    return { name, hparamsOf: new Map(this.rows.map((r) => [r.prefix, r.hparams])) };
  }

  /** Draws the sweep plot of `trials` (hidden without a numeric hyperparameter); returns the colour hyperparameter ("" for none). */
  private drawPlot(trials: Trial[], choices: SweepChoices, width: number, colors: SweepColors): string {
    const numeric = numericHParams(trials);
    const x = chooseX(trials, choices.sweepX);
    const colorName = chooseColor(trials, choices.sweepColor, x);
    this.view.hidden = x === "";
    if (x === "") return colorName;
    this.x.replaceChildren(...numeric.map((n) => new Option(n, n)));
    this.x.value = x;
    this.metric.value = choices.sweepMetric;
    this.color.replaceChildren(new Option("none", ""), ...varyingHParams(trials).map((n) => new Option(n, n)));
    this.color.value = colorName;
    const painted = hparamColors(colorName, trials.map((t) => t.hparams[colorName]));
    const innerWidth = Math.max(60, width - SWEEP_MARGIN.left - SWEEP_MARGIN.right);
    const model = sweepPlotModel(trials, x, choices.sweepMetric, (t) => painted.colorOf(t.hparams[colorName]), innerWidth, SWEEP_PLOT_HEIGHT);
    this.plot.draw(model, trials, { width, colors, key: painted.key, colorName });
    this.note.hidden = model.without.length === 0;
    this.note.textContent = model.without.length === 0 ? "" : `Not plotted (no ${x} or no value): ${model.without.join(", ")}`;
    return colorName;
  }

  private title(): string {
    return this.plot.svg.querySelector(".sweep-title")?.textContent ?? "sweep";
  }

  private background(): string {
    return getComputedStyle(this.view).getPropertyValue("--card").trim() || "#fff";
  }

  private saveSvg(): void {
    const text = svgDocument(this.plot.svg, this.background());
    downloadBlob(new Blob([text], { type: "image/svg+xml" }), fileName("sweep", "svg", this.title()));
  }

  private async savePng(): Promise<void> {
    const png = await svgToPng(svgDocument(this.plot.svg, this.background()));
    downloadBlob(png, fileName("sweep", "png", this.title()));
  }
}
