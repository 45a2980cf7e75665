import { describe, expect, it } from "vitest";
import type { RunHParams, RunSummary } from "../../src/data/api";
import { hparamColors, MISSING_COLOR, spansDecades } from "../../src/charts/hparam_colors";
import { axisFor, chooseColor, DODGE, chooseX, metricSpread, numericHParams, sweepPlotModel, sweepTrials, varyingHParams, ZERO_SLOT } from "../../src/sweep/sweep_plot_model";

function summary(run: string, s: Partial<RunSummary>): RunSummary {
  return { run, step: 9, data: null, bestData: null, bestStep: null, total: null, reg: null, ...s };
}

const summaries: RunSummary[] = [
  summary("cnn_l2_1e-2/validation", { data: 2, bestData: 1.5, bestStep: 4 }),
  summary("cnn_l2_1e-2/train", { data: 1, total: 2, reg: 1 }),
  summary("cnn_l2_1e-4/train", { data: 0.5, total: 0.625, reg: 0.125 }),
  summary("cnn_l2_1e-4/validation", { data: 1, bestData: 0.75, bestStep: 3 }),
  summary("cnn_l2_0/train", { data: 0.25, total: 0.25, reg: 0 }),
  summary("cnn_l2_0/validation", { data: NaN, bestData: 0.5, bestStep: 2 }),
  summary("no_hparams/train", { data: 1, total: 1, reg: 0 }),
];
const logged: RunHParams[] = [
  { run: "cnn_l2_1e-2", hparams: { l2: 1e-2, dropout: 0.5, opt: "adam" } },
  { run: "cnn_l2_1e-4", hparams: { l2: 1e-4, dropout: 0.25, opt: "sgd" } },
  { run: "cnn_l2_0", hparams: { l2: 0, dropout: 0.25, opt: "adam" } },
];

describe("sweepTrials", () => {
  const trials = sweepTrials(summaries, logged);

  it("pairs train and validation, in the order of the values in the names, leaving out runs without hyperparameters", () => {
    expect(trials.map((t) => [t.prefix, t.run])).toEqual([
      ["cnn_l2_0", "cnn_l2_0/train"],
      ["cnn_l2_1e-4", "cnn_l2_1e-4/train"],
      ["cnn_l2_1e-2", "cnn_l2_1e-2/train"],
    ]);
  });

  it("works out the figures: last and best validation loss, penalty share, train − validation gap", () => {
    expect(trials[2]).toMatchObject({ lastValidation: 2, bestValidation: 1.5, bestStep: 4, share: 0.5, gap: -1 });
    expect(trials[1]).toMatchObject({ lastValidation: 1, bestValidation: 0.75, share: 0.2, gap: -0.5 });
    // A non-finite last value is no value; the best still is one.
    expect(trials[0]).toMatchObject({ lastValidation: null, bestValidation: 0.5, share: 0, gap: null });
  });

  it("reads KerasTuner's layout: one trial per trial id, the mean over its executions with each execution kept", () => {
    // executions_per_trial=2: `<trial>/execution<k>/train|validation`, the hyperparameters on each execution's directory.
    const tuner = sweepTrials(
      [
        summary("01/execution1/validation", { data: 3, bestData: 2, bestStep: 5 }),
        summary("01/execution1/train", { data: 2, total: 4, reg: 2 }),
        summary("01/execution0/train", { data: 1, total: 2, reg: 1 }),
        summary("01/execution0/validation", { data: 1.5, bestData: 1.25, bestStep: 3 }),
        summary("00/execution0/train", { data: 1, total: 2, reg: 0.5 }),
        summary("00/execution0/validation", { data: 2, bestData: 1, bestStep: 2 }),
        summary("00/execution1/train", { data: 1, total: 2, reg: 0.5 }),
        summary("00/execution1/validation", { data: NaN, bestData: 1.5, bestStep: 4 }),
      ],
      [
        { run: "00/execution0", hparams: { l2: 1e-3 } },
        { run: "00/execution1", hparams: { l2: 1e-3 } },
        { run: "01/execution0", hparams: { l2: 1e-2 } },
        { run: "01/execution1", hparams: { l2: 1e-2 } },
      ],
    );
    expect(tuner.map((t) => [t.prefix, t.run, t.hparams.l2, t.executions.map((e) => e.prefix)])).toEqual([
      ["00", "00/execution0/train", 1e-3, ["00/execution0", "00/execution1"]],
      ["01", "01/execution0/train", 1e-2, ["01/execution0", "01/execution1"]],
    ]);
    // The means over the executions that have a value; a best step only where one execution gives it.
    expect(tuner[1]).toMatchObject({ lastValidation: 2.25, bestValidation: 1.625, bestStep: null, share: 0.5, gap: -0.75 });
    expect(tuner[0]).toMatchObject({ lastValidation: 2, bestValidation: 1.25, bestStep: null, share: 0.25, gap: -1 });
    // The spread the plot draws: lowest and highest execution, none from a single value.
    expect(metricSpread(tuner[1], "validation")).toEqual([1.5, 3]);
    expect(metricSpread(tuner[1], "gap")).toEqual([-1, -0.5]);
    expect(metricSpread(tuner[0], "validation")).toBeNull();
    // Each execution's own figures, for the tooltip.
    expect(tuner[1].executions.map((e) => [e.run, e.lastValidation, e.bestValidation, e.bestStep])).toEqual([
      ["01/execution0/train", 1.5, 1.25, 3],
      ["01/execution1/train", 3, 2, 5],
    ]);
  });

  it("keeps a single execution's figures as they are, and a folder named otherwise its own trial", () => {
    const one = sweepTrials(
      [summary("t/07/execution0/train", { data: 1, total: 2, reg: 1 }), summary("t/07/execution0/validation", { data: 1.5, bestData: 1.25, bestStep: 6 })],
      [{ run: "t/07/execution0", hparams: { l2: 1e-3 } }],
    );
    expect(one.map((t) => [t.prefix, t.run, t.lastValidation, t.bestStep, t.executions.length])).toEqual([["t/07", "t/07/execution0/train", 1.5, 6, 1]]);
    expect(metricSpread(one[0], "validation")).toBeNull();
    expect(trials.every((t) => t.executions.length === 1 && t.executions[0].prefix === t.prefix)).toBe(true);
  });

  it("places a trial of several executions at its mean, with the spread of its executions", () => {
    const tuner = sweepTrials(
      [0, 1].flatMap((i) =>
        [0, 1, 2].flatMap((k) => [
          summary(`${i}/execution${k}/train`, { data: 1, total: 2, reg: 1 }),
          summary(`${i}/execution${k}/validation`, { data: 1 + k + i, bestData: 0.5 + k }),
        ]),
      ),
      [0, 1].flatMap((i) => [0, 1, 2].map((k) => ({ run: `${i}/execution${k}`, hparams: { l2: [1e-3, 1e-2][i] } }))),
    );
    const m = sweepPlotModel(tuner, "l2", "validation", () => "red", 200, 100);
    expect(m.points.map((p) => [p.prefix, p.y, p.best, p.lo, p.hi, p.executions])).toEqual([
      ["0", 2, 1.5, 1, 3, 3],
      ["1", 3, 1.5, 2, 4, 3],
    ]);
    // The y axis holds the whole spread: the highest execution is inside the plot, above the mean.
    expect(m.points[1].pyHi!).toBeGreaterThan(0);
    expect(m.points[1].pyHi!).toBeLessThan(m.points[1].py);
    expect(m.points[0].pyLo!).toBeLessThan(100);
    expect(m.points[0].pyLo!).toBeGreaterThan(m.points[0].py);
    const share = sweepPlotModel(tuner, "l2", "share", () => "red", 200, 100);
    // Executions that agree have a spread of nothing: the point itself.
    expect(share.points.map((p) => [p.y, p.lo, p.hi, p.pyLo === p.py])).toEqual([
      [0.5, 0.5, 0.5, true],
      [0.5, 0.5, 0.5, true],
    ]);
  });

  it("offers numeric hyperparameters for x and varying ones for colour", () => {
    expect(numericHParams(trials)).toEqual(["dropout", "l2"]);
    expect(varyingHParams(trials)).toEqual(["dropout", "l2", "opt"]);
    expect(chooseX(trials, "")).toBe("l2");
    expect(chooseX(trials, "dropout")).toBe("dropout");
    expect(chooseX(trials, "opt")).toBe("l2");
    expect(chooseColor(trials, null, "l2")).toBe("dropout");
    expect(chooseColor(trials, "opt", "l2")).toBe("opt");
    expect(chooseColor(trials, "", "l2")).toBe("");
    expect(chooseColor(trials, "gone", "dropout")).toBe("l2");
  });
});

describe("log axis decision", () => {
  it("is log only past two decades of positive values", () => {
    expect(spansDecades([1e-4, 1e-3, 1e-2])).toBe(false);
    expect(spansDecades([1e-4, 1e-2 * 1.01])).toBe(true);
    expect(spansDecades([0, 1e-5, 1e-3, 0.1])).toBe(true);
    expect(spansDecades([0, 0.5, 1])).toBe(false);
    expect(spansDecades([5])).toBe(false);
    expect(spansDecades([])).toBe(false);
  });

  it("places zero in a slot before a log axis, and keeps a y axis with negatives linear", () => {
    const x = axisFor([0, 1e-5, 1e-3, 1e-1], [0, 400]);
    expect(x.log).toBe(true);
    expect(x.zero).toBeCloseTo(ZERO_SLOT / 2);
    expect(x.at(0)).toBe(x.zero);
    expect(x.at(1e-5)).toBeGreaterThan(ZERO_SLOT);
    // Equal ratios, equal distances.
    expect(x.at(1e-3) - x.at(1e-5)).toBeCloseTo(x.at(1e-1) - x.at(1e-3), 9);
    expect(x.at(1e-1)).toBeLessThan(400);
    const y = axisFor([-1, 1e-4, 10], [200, 0], false);
    expect(y.log).toBe(false);
    expect(y.at(-1)).toBeGreaterThan(y.at(10));
  });

  it("pads a linear axis and gives a single value room", () => {
    const a = axisFor([0, 1], [0, 110]);
    expect(a.log).toBe(false);
    expect(a.at(0)).toBeCloseTo(5);
    expect(a.at(1)).toBeCloseTo(105);
    expect(axisFor([2], [0, 100]).at(2)).toBeCloseTo(50);
  });
});

describe("sweepPlotModel", () => {
  const trials = sweepTrials(summaries, logged);

  it("places one point per trial with a value, at exact coordinates", () => {
    const m = sweepPlotModel(trials, "dropout", "share", () => "red", 200, 100);
    expect(m.points.map((p) => [p.prefix, p.x, p.y])).toEqual([
      ["cnn_l2_0", 0.25, 0],
      ["cnn_l2_1e-4", 0.25, 0.2],
      ["cnn_l2_1e-2", 0.5, 0.5],
    ]);
    // Linear x over [0.25, 0.5] padded by 5 % of the span on each side: 0.25 → 200 * 0.05 / 1.1;
    // the two trials at 0.25 set DODGE pixels apart around it, in trial order.
    expect(m.points[0].px).toBeCloseTo((200 * 0.0125) / 0.275 - DODGE / 2);
    expect(m.points[1].px).toBeCloseTo((200 * 0.0125) / 0.275 + DODGE / 2);
    expect(m.points[2].px).toBeCloseTo(200 - (200 * 0.0125) / 0.275);
    expect(m.points[0].py).toBeCloseTo(100 - (100 * 0.025) / 0.55);
    expect(m.xAxis.log).toBe(false);
    expect(m.without).toEqual([]);
  });

  it("plots the last validation loss with the best beside it, leaving out trials without one", () => {
    const m = sweepPlotModel(trials, "l2", "validation", () => "red", 200, 100);
    expect(m.points.map((p) => [p.prefix, p.y, p.best])).toEqual([
      ["cnn_l2_1e-4", 1, 0.75],
      ["cnn_l2_1e-2", 2, 1.5],
    ]);
    expect(m.points[0].pyBest).toBeGreaterThan(m.points[0].py);
    expect(m.without).toEqual(["cnn_l2_0"]);
  });

  it("uses a log x axis for a hyperparameter spanning more than two decades", () => {
    const wide = sweepTrials(
      [1e-5, 1e-4, 1e-3, 1e-2].map((l2) => summary(`t_${l2}/train`, { data: 1, total: 2, reg: 1 })),
      [1e-5, 1e-4, 1e-3, 1e-2].map((l2) => ({ run: `t_${l2}`, hparams: { l2 } })),
    );
    const m = sweepPlotModel(wide, "l2", "share", () => "red", 300, 100);
    expect(m.xAxis.log).toBe(true);
    const gaps = m.points.slice(1).map((p, i) => p.px - m.points[i].px);
    for (const g of gaps) expect(g).toBeCloseTo(gaps[0], 9);
  });
});

describe("hparamColors", () => {
  it("colours numbers on viridis (log past two decades) and other values from the palette", () => {
    const numeric = hparamColors("l2", [1e-5, 1e-3, 1e-1, undefined]);
    expect(numeric.key).toEqual({ kind: "numeric", name: "l2", lo: 1e-5, hi: 1e-1, log: true });
    expect(numeric.colorOf(1e-5)).toBe("rgb(68,1,84)");
    expect(numeric.colorOf(1e-1)).toBe("rgb(253,231,37)");
    expect(numeric.colorOf(1e-3)).toBe("rgb(33,145,140)");
    expect(numeric.colorOf(undefined)).toBe(MISSING_COLOR);
    const categorical = hparamColors("opt", ["sgd", "adam", true, undefined]);
    expect(categorical.key).toMatchObject({ kind: "categorical", entries: [{ label: "adam" }, { label: "sgd" }, { label: "true" }], more: 0 });
    expect(categorical.colorOf("adam")).not.toBe(categorical.colorOf("sgd"));
    expect(hparamColors("", [1, 2]).key).toBeNull();
  });
});
