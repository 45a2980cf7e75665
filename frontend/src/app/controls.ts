/**
 * The toolbar: run filter, mode, grouping with K and depth, band order, x axis,
 * y scale, smoothing, shared y, layout.
 * It reads from and writes to the settings through `onChange`.
 */
import { MAX_DEPTH, runFilterRegExp, type Settings } from "../data/settings";

type Options = [value: string, label: string][];

const LINEAR_IN_SHARE_MODE = "The 100 % share mode is always linear: its parts are fractions that add up to 100 %";

function labelled(parent: HTMLElement, text: string, control: HTMLElement): void {
  const label = document.createElement("label");
  const span = document.createElement("span");
  span.textContent = text;
  label.append(span, control);
  parent.appendChild(label);
}

function selectOf(name: string, options: Options): HTMLSelectElement {
  const select = document.createElement("select");
  select.name = name;
  for (const [value, text] of options) select.add(new Option(text, value));
  return select;
}

export class Controls {
  readonly el: HTMLElement;
  private readonly filter: HTMLInputElement;
  private readonly filterError: HTMLElement;
  private readonly mode = selectOf("mode", [
    ["absolute", "Absolute"],
    ["share", "100 % share"],
    ["penalties", "Penalties only"],
  ]);
  private readonly grouping = selectOf("grouping", [
    ["term", "By term"],
    ["layer", "By layer"],
    ["block", "By block"],
    ["kind", "By kind"],
    ["topk", "Top K terms"],
  ]);
  private readonly topK = document.createElement("input");
  private readonly depth = document.createElement("input");
  private readonly order = selectOf("order", [
    ["size", "By size"],
    ["name", "By name"],
  ]);
  private readonly layout = selectOf("layout", [
    ["auto", "Fit the width"],
    ["1", "1 column"],
    ["2", "2 columns"],
    ["3", "3 columns"],
    ["focus", "One run, large"],
  ]);
  private readonly xAxis = selectOf("x-axis", [
    ["step", "Step"],
    ["relative", "Relative time"],
    ["wall", "Wall time"],
  ]);
  private readonly yScale = selectOf("y-scale", [
    ["linear", "Linear"],
    ["log", "Log"],
  ]);
  /** The run the focused layout shows; only offered in that layout. */
  private readonly focusRun = selectOf("focus-run", []);
  private focusRuns: readonly string[] = [];
  private readonly smoothing = document.createElement("input");
  private readonly smoothingValue = document.createElement("output");
  private readonly sharedY = document.createElement("input");

  constructor(onChange: (patch: Partial<Settings>) => void) {
    this.el = document.createElement("form");
    this.el.className = "controls";
    this.el.addEventListener("submit", (e) => e.preventDefault());

    this.filter = document.createElement("input");
    this.filter.type = "search";
    this.filter.name = "run-filter";
    this.filter.placeholder = "Filter runs (regex)";
    this.filter.spellcheck = false;
    this.filterError = document.createElement("span");
    this.filterError.className = "filter-error";
    this.filter.addEventListener("input", () => {
      const valid = runFilterRegExp(this.filter.value) !== null;
      this.filter.setAttribute("aria-invalid", String(!valid));
      this.filterError.textContent = valid ? "" : "Not a valid regular expression";
      if (valid) onChange({ runFilter: this.filter.value });
    });
    labelled(this.el, "Runs", this.filter);
    this.el.appendChild(this.filterError);

    labelled(this.el, "Mode", this.mode);
    this.mode.addEventListener("change", () => onChange({ mode: this.mode.value as Settings["mode"] }));
    labelled(this.el, "Group", this.grouping);
    this.grouping.addEventListener("change", () =>
      onChange({ grouping: this.grouping.value as Settings["grouping"] }),
    );
    this.topK.type = "number";
    this.topK.name = "topk";
    this.topK.min = "1";
    this.topK.max = "100";
    this.topK.addEventListener("change", () => {
      const k = Math.round(Number(this.topK.value));
      if (k >= 1 && k <= 100) onChange({ topK: k });
    });
    labelled(this.el, "K", this.topK);
    this.depth.type = "number";
    this.depth.name = "depth";
    this.depth.min = "1";
    this.depth.max = String(MAX_DEPTH);
    this.depth.title = "Levels of blocks kept by the grouping by block: 1 = top-level blocks (a ResNet's stages)";
    this.depth.addEventListener("change", () => {
      const d = Math.round(Number(this.depth.value));
      if (d >= 1 && d <= MAX_DEPTH) onChange({ depth: d });
    });
    labelled(this.el, "Depth", this.depth);
    this.order.title = "Stack order of the penalties: the largest next to the data loss, or by name";
    labelled(this.el, "Order", this.order);
    this.order.addEventListener("change", () => onChange({ order: this.order.value as Settings["order"] }));
    labelled(this.el, "X axis", this.xAxis);
    this.xAxis.addEventListener("change", () => onChange({ xAxis: this.xAxis.value as Settings["xAxis"] }));
    labelled(this.el, "Y scale", this.yScale);
    this.yScale.addEventListener("change", () => onChange({ yScale: this.yScale.value as Settings["yScale"] }));

    this.smoothing.type = "range";
    this.smoothing.name = "smoothing";
    this.smoothing.min = "0";
    this.smoothing.max = "0.99";
    this.smoothing.step = "0.01";
    this.smoothing.addEventListener("input", () => onChange({ smoothing: Number(this.smoothing.value) }));
    labelled(this.el, "Smoothing", this.smoothing);
    this.el.lastElementChild!.appendChild(this.smoothingValue);

    this.sharedY.type = "checkbox";
    this.sharedY.name = "shared-y";
    this.sharedY.addEventListener("change", () => onChange({ sharedY: this.sharedY.checked }));
    labelled(this.el, "Shared y axis", this.sharedY);
    labelled(this.el, "Layout", this.layout);
    this.layout.addEventListener("change", () => onChange({ layout: this.layout.value as Settings["layout"] }));
    labelled(this.el, "Run", this.focusRun);
    this.focusRun.addEventListener("change", () => onChange({ focusRun: this.focusRun.value }));
  }

  /** The runs the focused layout can show, and the one it shows; the options are rebuilt only when the runs change. */
  setFocusRuns(runs: readonly string[], shown: string): void {
    if (runs.length !== this.focusRuns.length || runs.some((r, i) => r !== this.focusRuns[i])) {
      this.focusRun.replaceChildren(...runs.map((r) => new Option(r, r)));
      this.focusRuns = [...runs];
    }
    this.focusRun.value = shown;
  }

  /** Shows `s` without firing change events. */
  update(s: Settings): void {
    if (document.activeElement !== this.filter) this.filter.value = s.runFilter;
    this.mode.value = s.mode;
    this.grouping.value = s.grouping;
    this.topK.value = String(s.topK);
    this.topK.disabled = s.grouping !== "topk";
    this.order.value = s.order;
    this.layout.value = s.layout;
    (this.focusRun.parentElement as HTMLElement).hidden = s.layout !== "focus";
    this.depth.value = String(s.depth);
    this.depth.disabled = s.grouping !== "block";
    this.xAxis.value = s.xAxis;
    // Share mode draws linear whatever the setting, and the control says so.
    const share = s.mode === "share";
    this.yScale.value = share ? "linear" : s.yScale;
    this.yScale.disabled = share;
    this.yScale.title = share ? LINEAR_IN_SHARE_MODE : "";
    this.smoothing.value = String(s.smoothing);
    this.smoothingValue.textContent = s.smoothing.toFixed(2);
    this.sharedY.checked = s.sharedY;
    this.sharedY.disabled = share;
  }
}
