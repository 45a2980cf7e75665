// @vitest-environment jsdom
import { afterEach, describe, expect, it, vi } from "vitest";
import { parseBreakdown, type RunHParams, type RunSummary } from "../../src/data/api";
import { CompareSection } from "../../src/app/compare_section";
import { LEGEND_LIMIT } from "../../src/compare/compare_panel";
import { SWEEP_MARGIN, SweepPlot } from "../../src/sweep/sweep_plot";
import { sweepPlotModel, sweepTrials } from "../../src/sweep/sweep_plot_model";

const HOSTILE = `<img src=x onerror=window.__xss=5>"q'ü🚀`;
/** As sweeps name them (`1e-5`, which JavaScript would print 0.00001), with their values. */
const L2_NAMES = ["0", "1e-5", "3e-5", "1e-4", "3e-4", "1e-3", "3e-3", "1e-2", "3e-2", "1e-1", "3e-1", "1"];
const L2 = L2_NAMES.map(Number);

/** A sweep of `n` trials `cnn_l2_<l2>_d<i>`: train and validation runs, hyperparameters on the trial's directory. */
function sweep(n: number) {
  const prefixes = Array.from({ length: n }, (_, i) => `cnn_l2_${L2_NAMES[i % L2.length]}_d${i}`);
  const summaries: RunSummary[] = prefixes.flatMap((p, i) => [
    { run: `${p}/train`, step: 9, data: 1 + i / 100, bestData: 1, bestStep: 3, total: 1.5, reg: 0.5 },
    { run: `${p}/validation`, step: 9, data: 2 + i / 100, bestData: 1.5 + i / 100, bestStep: 4, total: 2.5, reg: 0.5 },
  ]);
  const hparams: RunHParams[] = prefixes.map((p, i) => ({
    run: p,
    hparams: { l2: L2[i % L2.length], dropout: (i % 5) / 10, [HOSTILE]: HOSTILE },
  }));
  const breakdowns = summaries.map((s) =>
    parseBreakdown({ run: s.run, steps: [0, 9], wall_times: [0, 1], series: { data: [3, s.data], total: [4, s.total] } }),
  );
  return { prefixes, summaries, hparams, breakdowns };
}

function memoryStorage(): Storage {
  const data = new Map<string, string>([["tb-regloss.compare.v1", JSON.stringify({ open: true })]]);
  return { getItem: (k: string) => data.get(k) ?? null, setItem: (k: string, v: string) => void data.set(k, v) } as Storage;
}

afterEach(() => {
  vi.restoreAllMocks();
  document.body.replaceChildren();
});

describe("SweepPlot", () => {
  it("draws one data-sweep-point per trial with its run, and one delegated listener focuses any of them", () => {
    const { summaries, hparams, prefixes } = sweep(24);
    const trials = sweepTrials(summaries, hparams);
    const focused: string[] = [];
    const plot = new SweepPlot((run) => focused.push(run));
    document.body.appendChild(plot.el);
    const listen = vi.spyOn(EventTarget.prototype, "addEventListener");
    plot.draw(sweepPlotModel(trials, "l2", "validation", () => "red", 600, 240), trials, {
      width: 700,
      colors: { fg: "#000", grid: "#ccc" },
      key: null,
      colorName: "",
    });
    // No listener per point: the constructor's delegated ones serve them all (jsdom's own focus bookkeeping aside).
    expect(listen.mock.contexts.filter((c) => c instanceof Node && plot.el.contains(c))).toEqual([]);
    const points = [...plot.el.querySelectorAll<SVGCircleElement>("circle[data-sweep-point]")];
    expect(points).toHaveLength(24);
    expect(new Set(points.map((p) => p.getAttribute("data-sweep-point")))).toEqual(new Set(prefixes));
    expect(points.every((p) => p.getAttribute("data-run") === p.getAttribute("data-sweep-point") + "/train")).toBe(true);
    expect(plot.svg.getAttribute("data-x-scale")).toBe("log");
    // The dashboard's log ticks: L2 from 1e-5 to 1 on 626 px, a labelled tick per decade.
    const xTicks = [...plot.el.querySelectorAll(".sweep-x-axis .tick text")].map((t) => t.textContent);
    expect(xTicks).toEqual(["1e-5", "1e-4", "0.001", "0.01", "0.1", "1"]);
    points[5].dispatchEvent(new MouseEvent("click", { bubbles: true }));
    points[7].dispatchEvent(new KeyboardEvent("keydown", { key: "Enter", bubbles: true }));
    expect(focused).toEqual([points[5].getAttribute("data-run"), points[7].getAttribute("data-run")]);
    // A click beside the points focuses nothing.
    plot.svg.dispatchEvent(new MouseEvent("click", { bubbles: true }));
    expect(focused).toHaveLength(2);
  });

  it("fills one tooltip with text on hover, hostile names included, and rings the focused run", () => {
    const { summaries, hparams } = sweep(3);
    const trials = sweepTrials(summaries, hparams);
    const plot = new SweepPlot(() => {});
    document.body.appendChild(plot.el);
    plot.draw(sweepPlotModel(trials, "l2", "validation", () => "red", 600, 240), trials, {
      width: 700,
      colors: { fg: "#000", grid: "#ccc" },
      key: null,
      colorName: "",
    });
    const point = plot.el.querySelector<SVGCircleElement>(`circle[data-sweep-point="cnn_l2_1e-5_d1"]`)!;
    point.dispatchEvent(new MouseEvent("mouseover", { bubbles: true }));
    const tip = plot.el.querySelector<HTMLElement>(".sweep-tooltip")!;
    expect(tip.hidden).toBe(false);
    expect(tip.querySelector(".tooltip-header")!.textContent).toBe("cnn_l2_1e-5_d1");
    expect(tip.textContent).toContain("l2 = 0.00001");
    expect(tip.textContent).toContain("best 1.51 @ 4");
    expect(tip.textContent).toContain(HOSTILE.slice(0, 20));
    expect(plot.el.querySelector("img")).toBeNull();
    plot.setFocused("cnn_l2_1e-5_d1/train");
    expect([...plot.el.querySelectorAll("[data-focused]")].map((c) => c.getAttribute("data-run"))).toEqual(["cnn_l2_1e-5_d1/train"]);
  });
});

describe("SweepPlot tooltip placement", () => {
  it("opens above a point near the bottom of the plot, so the scrolling box does not cut it", () => {
    const summaries: RunSummary[] = [1, 3].map((v, i) => ({ run: `t_${i}/validation`, step: 9, data: v, bestData: null, bestStep: null, total: null, reg: null }));
    const trials = sweepTrials(summaries, [0, 1].map((i) => ({ run: `t_${i}`, hparams: { l2: i } })));
    const plot = new SweepPlot(() => {});
    document.body.appendChild(plot.el);
    plot.draw(sweepPlotModel(trials, "l2", "validation", () => "red", 600, 240), trials, {
      width: 700,
      colors: { fg: "#000", grid: "#ccc" },
      key: null,
      colorName: "",
    });
    const tip = plot.el.querySelector<HTMLElement>(".sweep-tooltip")!;
    Object.defineProperty(tip, "offsetHeight", { value: 120 });
    const y = () => +tip.style.transform.match(/translate\([-\d.]+px, ([-\d.]+)px\)/)![1];
    const top = (trial: string) => SWEEP_MARGIN.top + +plot.el.querySelector(`[data-sweep-point="${trial}"]`)!.getAttribute("cy")!;
    // The lower loss sits at the bottom: its tooltip opens above it; the higher, at the top, below it.
    plot.el.querySelector(`[data-sweep-point="t_0"]`)!.dispatchEvent(new MouseEvent("mouseover", { bubbles: true }));
    expect(y() + 120).toBeLessThan(top("t_0"));
    plot.el.querySelector(`[data-sweep-point="t_1"]`)!.dispatchEvent(new MouseEvent("mouseover", { bubbles: true }));
    expect(y()).toBeGreaterThan(top("t_1"));
  });
});

describe("SweepPlot of KerasTuner's executions", () => {
  it("draws one point per trial at the mean of its executions, with a min–max whisker and each execution in the tooltip", () => {
    // executions_per_trial=3: `<trial>/execution<k>`, the validation loss of the executions 1, 2 and 4.5 (mean 2.5).
    const summaries: RunSummary[] = ["03", "04"].flatMap((id, i) =>
      [1, 2, 4.5].flatMap((v, k) => [
        { run: `tune/${id}/execution${k}/train`, step: 9, data: 1, bestData: 1, bestStep: 3, total: 2, reg: 1 },
        { run: `tune/${id}/execution${k}/validation`, step: 9, data: v + i, bestData: v / 2, bestStep: k, total: 2, reg: 1 },
      ]),
    );
    const hparams: RunHParams[] = ["03", "04"].flatMap((id, i) => [0, 1, 2].map((k) => ({ run: `tune/${id}/execution${k}`, hparams: { l2: [1e-3, 1e-2][i] } })));
    const trials = sweepTrials(summaries, hparams);
    const plot = new SweepPlot(() => {});
    document.body.appendChild(plot.el);
    plot.draw(sweepPlotModel(trials, "l2", "validation", () => "red", 600, 240), trials, {
      width: 700,
      colors: { fg: "#000", grid: "#ccc" },
      key: null,
      colorName: "",
    });
    const points = [...plot.el.querySelectorAll<SVGCircleElement>("circle[data-sweep-point]")];
    expect(points.map((c) => [c.getAttribute("data-sweep-point"), c.getAttribute("data-run")])).toEqual([
      ["tune/03", "tune/03/execution0/train"],
      ["tune/04", "tune/04/execution0/train"],
    ]);
    expect(points[0].getAttribute("aria-label")).toContain("mean of 3 executions");
    // The whisker spans the lowest to the highest execution, through the point at their mean.
    const whisker = plot.el.querySelector<SVGPathElement>(`[data-sweep-spread="tune/03"]`)!;
    const ys = [...whisker.getAttribute("d")!.matchAll(/V([-\d.]+)/g)].map((m) => +m[1]);
    const top = Math.min(+whisker.getAttribute("d")!.match(/^M[-\d.]+,([-\d.]+)/)![1], ...ys);
    const bottom = Math.max(+whisker.getAttribute("d")!.match(/^M[-\d.]+,([-\d.]+)/)![1], ...ys);
    const cy = +points[0].getAttribute("cy")!;
    expect(top).toBeLessThan(cy);
    expect(bottom).toBeGreaterThan(cy);
    expect(plot.el.querySelectorAll("[data-sweep-spread]")).toHaveLength(2);
    points[0].dispatchEvent(new MouseEvent("mouseover", { bubbles: true }));
    const tip = plot.el.querySelector<HTMLElement>(".sweep-tooltip")!.textContent!;
    expect(tip).toContain("mean of 3 executions");
    expect(tip).toContain("last 2.5 (min 1, max 4.5)");
    expect(tip).toContain("execution0: last 1, best 0.5 @ 0");
    expect(tip).toContain("execution2: last 4.5, best 2.25 @ 2");
    // Focusing another execution's run rings its trial's point.
    plot.setFocused("tune/04/execution2/train");
    expect([...plot.el.querySelectorAll("[data-focused]")].map((c) => c.getAttribute("data-sweep-point"))).toEqual(["tune/04"]);
  });
});

describe("CompareSection with a sweep", () => {
  it("plots the trials against the swept hyperparameter, with selectors for x, y and colour", () => {
    const { summaries, hparams, breakdowns } = sweep(12);
    const focused: string[] = [];
    const section = new CompareSection(memoryStorage(), (run) => focused.push(run));
    document.body.appendChild(section.el);
    section.update(breakdowns, hparams, 0, summaries);
    const view = section.el.querySelector<HTMLElement>(".sweep-view")!;
    expect(view.hidden).toBe(false);
    expect(section.el.querySelectorAll("[data-sweep-point]")).toHaveLength(12);
    const x = section.el.querySelector<HTMLSelectElement>("select[name=sweep-x]")!;
    expect([...x.options].map((o) => o.value)).toEqual(["dropout", "l2"]);
    expect(x.value).toBe("l2");
    expect(section.el.querySelector<HTMLSelectElement>("select[name=sweep-color]")!.value).toBe("dropout");
    expect(section.el.querySelector(".sweep-plot [data-color-key=dropout]")).not.toBeNull();
    const metric = section.el.querySelector<HTMLSelectElement>("select[name=sweep-metric]")!;
    metric.value = "gap";
    metric.dispatchEvent(new Event("change"));
    expect(section.el.querySelector(".sweep-title")!.textContent).toBe("Gap: train − validation data loss against l2 — 12 trials, log x");
    section.el.querySelector<SVGCircleElement>("[data-sweep-point]")!.dispatchEvent(new MouseEvent("click", { bubbles: true }));
    expect(focused).toEqual(["cnn_l2_0_d0/train"]);
  });

  it("hides the sweep plot without hyperparameters", () => {
    const { summaries, breakdowns } = sweep(3);
    const section = new CompareSection(memoryStorage());
    document.body.appendChild(section.el);
    section.update(breakdowns, [], 0, summaries);
    expect(section.el.querySelector<HTMLElement>(".sweep-view")!.hidden).toBe(true);
    expect(section.el.querySelectorAll("[data-sweep-point]")).toHaveLength(0);
  });

  it(`colours the comparison by the colour hyperparameter with a colour bar past ${LEGEND_LIMIT} runs`, () => {
    const few = sweep(LEGEND_LIMIT / 2);
    const section = new CompareSection(memoryStorage());
    document.body.appendChild(section.el);
    section.update(few.breakdowns, few.hparams, 0, few.summaries);
    expect(section.el.querySelectorAll(".compare-legend g[data-run]")).toHaveLength(LEGEND_LIMIT);
    expect(section.el.querySelector(".compare-legend [data-color-key]")).toBeNull();

    const many = sweep(50);
    section.update(many.breakdowns, many.hparams, 0, many.summaries);
    expect(section.el.querySelectorAll(".compare path[data-run]")).toHaveLength(100);
    expect(section.el.querySelectorAll(".compare-legend g[data-run]")).toHaveLength(0);
    expect(section.el.querySelector(".compare-legend [data-color-key=dropout]")).not.toBeNull();
    // Same dropout, same colour; the runs of a trial share it.
    const stroke = (run: string) => section.el.querySelector(`.compare path[data-run="${run}"]`)!.getAttribute("stroke");
    expect(stroke("cnn_l2_0_d0/train")).toBe(stroke("cnn_l2_1e-3_d5/validation"));
    expect(stroke("cnn_l2_0_d0/train")).not.toBe(stroke("cnn_l2_1e-5_d1/train"));
    // Cards, legends and tables list runs by value: the table's first rows.
    const rows = [...section.el.querySelectorAll(".sweep-table tbody th")].map((t) => t.textContent);
    expect(rows.slice(0, 3)).toEqual(["cnn_l2_0_d0", "cnn_l2_0_d12", "cnn_l2_0_d24"]);
  });
});

describe("CompareSection without the sweep route's figures", () => {
  it("still colours a comparison of many runs by a hyperparameter, from the sweep table's rows", () => {
    const many = sweep(15);
    const section = new CompareSection(memoryStorage());
    document.body.appendChild(section.el);
    section.update(many.breakdowns, many.hparams, 0, []);
    expect(section.el.querySelector<HTMLElement>(".sweep-view")!.hidden).toBe(true);
    expect(section.el.querySelectorAll(".compare-legend g[data-run]")).toHaveLength(0);
    expect(section.el.querySelector(".compare-legend [data-color-key=dropout]")).not.toBeNull();
  });
});
