/**
 * The comparison in the "Compare runs" section: a series picker and log switch
 * over the comparison chart, its PNG/SVG/CSV/JSON downloads, and a note naming
 * the runs without the chosen series. One colour per experiment, from its
 * name; past `LEGEND_LIMIT` runs, the colour of a hyperparameter the section
 * names (the sweep plot's), whose colour key then replaces the legend. Its
 * choices (series, log scale) are kept by the section, which hands them back
 * with every `update`.
 */
import type { Breakdown } from "../data/api";
import { bandColors } from "../charts/colors";
import { choiceLabel, compareChoices, compareLines, comparisonCsv, comparisonJson, type CompareKey, type Comparison } from "./compare";
import { CompareChart, type ChartColors } from "./compare_chart";
import { downloadButton } from "../common/dom";
import { download, downloadBlob, fileName } from "../common/download";
import { hparamColors, type HParamColoring, type HParamColors } from "../charts/hparam_colors";
import { svgDocument, svgToPng } from "../charts/image";

/** Past this many runs the comparison's legend gives way to the colour key of a hyperparameter. */
export const LEGEND_LIMIT = 20;

export interface CompareChoices {
  /** The series compared. */
  key: CompareKey;
  log: boolean;
}

export const DEFAULT_COMPARE_CHOICES: CompareChoices = { key: "data", log: false };

/** The valid comparison choices of `stored` (what the section kept), the defaults for the rest. */
export function compareChoicesOf(r: Record<string, unknown>): CompareChoices {
  return {
    key: typeof r.key === "string" ? r.key : DEFAULT_COMPARE_CHOICES.key,
    log: typeof r.log === "boolean" ? r.log : DEFAULT_COMPARE_CHOICES.log,
  };
}

export const COMPARE_PANEL_CSS = `
.compare-chart { position: relative; overflow-x: auto; }
.compare-chart svg { display: block; }
.compare-tooltip { max-width: 520px; }
.compare-tip-row { display: grid; grid-template-columns: 10px minmax(0, 1fr) auto; gap: 6px; align-items: center; }
`;

export class ComparePanel {
  /** The panel's elements, in order, for the section to hold. */
  readonly elements: readonly HTMLElement[];
  private readonly select = document.createElement("select");
  private readonly logBox = document.createElement("input");
  private readonly note = document.createElement("p");
  private readonly chart = new CompareChart();
  private comparison: Comparison | null = null;

  /** `onChange` hears a new choice of series or scale. */
  constructor(onChange: (patch: Partial<CompareChoices>) => void) {
    const controls = document.createElement("div");
    controls.className = "controls compare-controls";
    const seriesLabel = document.createElement("label");
    const seriesText = document.createElement("span");
    seriesText.textContent = "Series";
    this.select.setAttribute("aria-label", "Series to compare");
    this.select.addEventListener("change", () => onChange({ key: this.select.value }));
    seriesLabel.append(seriesText, this.select);
    const logLabel = document.createElement("label");
    this.logBox.type = "checkbox";
    this.logBox.addEventListener("change", () => onChange({ log: this.logBox.checked }));
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
    this.elements = [controls, this.note, this.chart.el];
  }

  /**
   * Draws the comparison of `breakdowns` as `choices` say, `width` pixels wide
   * in `colors`; past `LEGEND_LIMIT` runs coloured as `coloring` says.
   */
  update(
    breakdowns: Breakdown[],
    smoothing: number,
    choices: CompareChoices,
    width: number,
    colors: ChartColors,
    coloring: HParamColoring,
  ): void {
    const offered = compareChoices(breakdowns);
    const key = offered.some((c) => c.key === choices.key) ? choices.key : "data";
    this.select.replaceChildren(
      ...offered.map((c) => {
        const option = document.createElement("option");
        option.value = c.key;
        option.textContent = c.label;
        return option;
      }),
    );
    this.select.value = key;
    this.logBox.checked = choices.log;

    this.comparison = compareLines(breakdowns, key, smoothing);
    // One colour per experiment, from its name (the same on every reload), neighbours told apart;
    // past LEGEND_LIMIT runs, by the colour hyperparameter, whose key replaces the legend.
    const prefixes = [...new Set(this.comparison.lines.map((l) => l.prefix))];
    let colorOf = new Map(bandColors(prefixes.map((p) => "experiment:" + p)).map((c, i) => [prefixes[i], c]));
    let byHParam: HParamColors | null = null;
    const { name, hparamsOf } = coloring;
    if (this.comparison.lines.length > LEGEND_LIMIT && name !== "") {
      byHParam = hparamColors(name, prefixes.map((p) => hparamsOf.get(p)?.[name]));
      const paint = byHParam.colorOf;
      colorOf = new Map(prefixes.map((p) => [p, paint(hparamsOf.get(p)?.[name])]));
    }
    const without = this.comparison.without;
    this.note.hidden = without.length === 0;
    this.note.textContent = without.length === 0 ? "" : `Without ${choiceLabel(key)}: ${without.join(", ")}`;
    this.chart.draw(this.comparison, (prefix) => colorOf.get(prefix) ?? "#b0b0b0", {
      log: choices.log,
      smoothing,
      width,
      colors,
      key: byHParam?.key ?? null,
    });
  }

  private title(): string {
    return this.chart.svg.querySelector(".compare-title")?.textContent ?? "comparison";
  }

  private background(): string {
    return getComputedStyle(this.chart.el).getPropertyValue("--card").trim() || "#fff";
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
