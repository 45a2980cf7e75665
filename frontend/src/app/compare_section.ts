/**
 * The "Compare runs" section: the comparison of the shown runs
 * (`compare/compare_panel.ts`) over the sweep plot and table
 * (`sweep/sweep_panel.ts`), two features this section puts together: past
 * `LEGEND_LIMIT` runs the comparison is coloured by the sweep plot's colour
 * hyperparameter, with its colour bar instead of a legend row per run. Owns the choices of both (kept in
 * localStorage) and its stylesheet; the dashboard only hands it the shown runs'
 * breakdowns, the logged hyperparameters and the smoothing, and redraws it only
 * when one of them, the width or the theme changed. Folded at first (the run
 * cards stay in view under the controls) and drawn only while open; opening it
 * is remembered.
 */
import type { Breakdown, RunHParams, RunSummary } from "../data/api";
import { COMPARE_PANEL_CSS, compareChoicesOf, ComparePanel, DEFAULT_COMPARE_CHOICES, type CompareChoices } from "../compare/compare_panel";
import { DEFAULT_SWEEP_CHOICES, SWEEP_PANEL_CSS, sweepChoicesOf, SweepPanel, type SweepChoices } from "../sweep/sweep_panel";

const STORAGE_KEY = "tb-regloss.compare.v1";

/** The section's own styles; its panels bring theirs. */
const SECTION_CSS = `
.compare { background: var(--card); border: 1px solid var(--border); border-radius: 4px; padding: 6px 10px; margin: 0 0 12px; }
.compare[hidden] { display: none; }
.compare > details > summary { font-size: 14px; font-weight: 500; color: var(--fg); }
.compare h3 { font-size: 12px; font-weight: 500; color: var(--muted); margin: 10px 0 2px; display: flex; gap: 8px; align-items: baseline; }
.compare .compare-controls { margin: 6px 0; }
.compare button.download { font: inherit; font-size: 12px; color: var(--accent); background: none;
  border: 1px solid var(--border); border-radius: 3px; padding: 1px 6px; cursor: pointer; }
`;

/** What the section keeps: whether it is open, and its panels' choices. */
interface Choices extends CompareChoices, SweepChoices {
  open: boolean;
}

const DEFAULT_CHOICES: Choices = { open: false, ...DEFAULT_COMPARE_CHOICES, ...DEFAULT_SWEEP_CHOICES };

function loadChoices(storage: Storage | null): Choices {
  try {
    const x: unknown = JSON.parse(storage?.getItem(STORAGE_KEY) ?? "null");
    if (typeof x !== "object" || x === null) return { ...DEFAULT_CHOICES };
    const r = x as Record<string, unknown>;
    return {
      open: typeof r.open === "boolean" ? r.open : DEFAULT_CHOICES.open,
      ...compareChoicesOf(r),
      ...sweepChoicesOf(r),
    };
  } catch {
    // Disabled storage or junk in it: the defaults do.
    return { ...DEFAULT_CHOICES };
  }
}

export class CompareSection {
  readonly el: HTMLElement;
  private choices: Choices;
  private readonly details = document.createElement("details");
  private readonly summary = document.createElement("summary");
  private readonly comparison: ComparePanel;
  private readonly sweep: SweepPanel;
  /** The last `update` arguments, drawn when the section is opened. */
  private input: { breakdowns: Breakdown[]; hparams: RunHParams[]; smoothing: number; summaries: RunSummary[] } | null = null;
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
    this.sweep = new SweepPanel(onFocus, (patch) => this.change(patch));
    this.comparison = new ComparePanel((patch) => this.change(patch));
    this.choices = loadChoices(storage);
    this.el = document.createElement("section");
    this.el.className = "compare";
    this.el.setAttribute("aria-label", "Compare runs");
    const style = document.createElement("style");
    style.textContent = SECTION_CSS + COMPARE_PANEL_CSS + SWEEP_PANEL_CSS;
    const details = this.details;
    details.open = this.choices.open;
    details.addEventListener("toggle", () => {
      if (details.open !== this.choices.open) this.change({ open: details.open });
    });
    details.append(this.summary, ...this.comparison.elements, ...this.sweep.elements);
    this.el.append(style, details);
    this.el.hidden = true;
  }

  /** Rings the sweep point of the focused run (or none), without redrawing. */
  setFocused(run: string | null): void {
    this.sweep.setFocused(run);
  }

  /** Makes the next `update` redraw: the theme changed, and the charts' colours are attributes. */
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
    const style = getComputedStyle(this.el);
    const colors = { fg: style.getPropertyValue("--fg").trim() || "#212121", grid: style.getPropertyValue("--border").trim() || "#e0e0e0" };
    const coloring = this.sweep.update(breakdowns, hparams, summaries, this.choices, width, colors);
    this.comparison.update(breakdowns, smoothing, this.choices, width, colors, coloring);
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
    if (this.input) this.update(this.input.breakdowns, this.input.hparams, this.input.smoothing, this.input.summaries);
  }
}
