import { describe, expect, it } from "vitest";
import { parseBreakdown } from "../../src/data/api";
import { MAX_BANDS } from "../../src/data/bands";
import { DEFAULTS, type Settings } from "../../src/data/settings";
import { bandColors, FIXED } from "../../src/charts/colors";
import { smoothColumn } from "../../src/data/smooth";
import type { ChartModel } from "../../src/charts/chart";
import { buildRunView, latest, shareYDomains } from "../../src/cards/view";
import { loadFixture } from "../fixtures";

const raw = loadFixture<Record<string, unknown>>("breakdown.json");
const b = parseBreakdown(raw);
/** No smoothing, so the stacked numbers are the fixture's own; bands by name, so their order is the keys'. */
const settings = (patch: Partial<Settings> = {}): Settings => ({ ...DEFAULTS, smoothing: 0, order: "name", ...patch });
const PENALTIES = [
  "penalty/conv/bias",
  "penalty/conv/kernel",
  "penalty/dense/activity",
  "penalty/dense/kernel",
  "penalty/model/noise/add_loss",
];

describe("buildRunView", () => {
  it("stacks the data loss under the penalties, with the run in the aria-label", () => {
    const view = buildRunView(b, settings(), 800);
    const main = view.main!;
    expect(main.ariaLabel).toBe("Loss composition of run exp1/train");
    expect(main.layers.map((l) => l.key)).toEqual(["data", ...PENALTIES]);
    expect(main.layers[0].label).toBe("data loss");
    expect(main.layers[1].label).toBe("conv/bias");
    // 8 steps fit an 800 px chart: nothing is decimated.
    expect([...main.indices]).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(main.layers[0].y1[0]).toBe(2.3);
    expect(main.layers[1].y0[0]).toBe(2.3);
    expect(main.layers[1].y1[0]).toBeCloseTo(2.304, 12);
    expect(main.layers[5].y1[0]).toBeCloseTo(2.714, 12);
    expect([...main.totalLine!]).toEqual(b.series.get("total"));
    expect(main.yDomain).toEqual([0, 2.714]);
    expect(main.percent).toBe(false);
  });

  it("draws gaps as NaN: the null and the NaN of the fixture", () => {
    const main = buildRunView(b, settings(), 800).main!;
    const kernel = main.layers.find((l) => l.key === "penalty/conv/kernel")!;
    const activity = main.layers.find((l) => l.key === "penalty/dense/activity")!;
    expect(kernel.y1[5]).toBeNaN();
    expect(activity.y1[3]).toBeNaN();
    // A gap adds nothing: the next layer starts where the one below the gap ended.
    const dense = main.layers.find((l) => l.key === "penalty/dense/kernel")!;
    expect(dense.y0[3]).toBeCloseTo(0.82 + 0.0037 + 0.094, 12);
  });

  it("puts decoupled decay in its own chart and offers every key in the legend", () => {
    const view = buildRunView(b, settings(), 800);
    expect(view.decoupled!.ariaLabel).toBe("Decoupled weight decay of run exp1/train (not part of the loss)");
    expect(view.decoupled!.layers.map((l) => l.key)).toEqual(["decoupled/dense/kernel"]);
    expect(view.decoupled!.totalLine).toBeNull();
    expect(view.mainLegend.map((e) => e.key)).toEqual(["data", ...PENALTIES]);
    expect(view.decoupledLegend.map((e) => [e.key, e.name, e.kind])).toEqual([
      ["decoupled/dense/kernel", "dense/kernel", "decoupled"],
    ]);
  });

  it("stacks the penalties by size, largest next to the data loss, by default", () => {
    const main = buildRunView(b, settings({ order: "size" }), 800).main!;
    // By mean magnitude over the run, largest first.
    expect(main.layers.map((l) => l.key)).toEqual([
      "data",
      "penalty/dense/kernel",
      "penalty/conv/kernel",
      "penalty/dense/activity",
      "penalty/model/noise/add_loss",
      "penalty/conv/bias",
    ]);
  });

  it("colors the bands and the legend alike, hidden ones listed last", () => {
    const view = buildRunView(b, settings({ hidden: ["penalty/conv/bias"] }), 800);
    const colors = bandColors(["data", ...PENALTIES]);
    // Hiding a band does not recolor the others.
    const drawn = colors.filter((_, i) => i !== 1);
    expect(view.main!.colors).toEqual(drawn);
    expect(view.mainLegend.map((e) => e.color)).toEqual([...drawn, colors[1]]);
    expect(view.mainLegend.map((e) => e.key)).toEqual(["data", ...PENALTIES.filter((_, i) => i !== 0), PENALTIES[0]]);
    expect([...view.mainColors.values()]).toEqual(colors);
    expect(view.mainLegend[2]).toMatchObject({ key: "penalty/dense/activity", name: "dense/activity", kind: "activity" });
  });

  it("keeps the raw values beside the smoothed ones for the tooltip", () => {
    const smooth = buildRunView(b, settings({ smoothing: 0.6, grouping: "layer" }), 800).main!;
    expect(smooth.smoothed).toBe(true);
    expect(smooth.rawTotal).toBe(b.columns.get("total"));
    expect(smooth.raw[0]).toBe(b.columns.get("data"));
    expect(smooth.layers[0].values[1]).not.toBe(b.columns.get("data")![1]);
    // layer:conv sums conv/bias and conv/kernel as logged.
    expect(smooth.raw[1][0]).toBeCloseTo(b.columns.get("penalty/conv/bias")![0] + b.columns.get("penalty/conv/kernel")![0], 12);
    expect(buildRunView(b, settings(), 800).main!.smoothed).toBe(false);
  });

  it("warns once about the first non-finite value", () => {
    const view = buildRunView(b, settings(), 800);
    expect(view.warnings).toEqual(["penalty/conv/kernel is NaN at step 250 (first bad value); drawn as a gap."]);
    expect(view.notices).toEqual([]);
  });

  it("names the term and its first bad step when a series has several non-finite values", () => {
    const bad = structuredClone(raw) as { series: Record<string, unknown[]> };
    bad.series["penalty/dense/kernel"][2] = "Infinity";
    bad.series["penalty/dense/kernel"][6] = "NaN";
    const view = buildRunView(parseBreakdown(bad), settings(), 800);
    expect(view.warnings.slice(0, 2)).toEqual([
      "penalty/conv/kernel is NaN at step 250 (first bad value); drawn as a gap.",
      "penalty/dense/kernel is Infinity at step 100 (first bad value); drawn as a gap.",
    ]);
    // Both are gaps in the drawing.
    const dense = view.main!.layers.find((l) => l.key === "penalty/dense/kernel")!;
    expect(dense.y1[2]).toBeNaN();
    expect(dense.y1[6]).toBeNaN();
  });

  it("warns when the parts do not add up to the total", () => {
    const off = structuredClone(raw) as { series: Record<string, unknown[]> };
    off.series.total[2] = 2;
    const view = buildRunView(parseBreakdown(off), settings(), 800);
    expect(view.warnings[1]).toBe(
      "The parts do not add up to the total: at step 100 the total is 2 but data + penalties = 1.477 (26.2% off).",
    );
  });

  it("penalties mode hides the data loss and the total", () => {
    const main = buildRunView(b, settings({ mode: "penalties" }), 800).main!;
    expect(main.layers.map((l) => l.key)).toEqual(PENALTIES);
    expect(main.totalLine).toBeNull();
    expect(main.total).toBeNull();
  });

  it("share mode stacks to 100 at every step without a gap", () => {
    const main = buildRunView(b, settings({ mode: "share" }), 800).main!;
    const top = main.layers[main.layers.length - 1].y1;
    expect(top[0]).toBeCloseTo(100, 9);
    expect(main.percent).toBe(true);
  });

  it("log scale: the y domain starts a decade below the smallest positive bound, in every mode but share", () => {
    const main = buildRunView(b, settings({ yScale: "log" }), 800).main!;
    expect(main.yScale).toBe("log");
    // The data loss's lowest point (0.45) is the smallest positive bound; the top is the total's 2.714.
    const [lo, hi] = main.yDomain;
    expect(hi).toBeCloseTo(2.714, 12);
    expect(lo).toBeCloseTo(0.045, 12);
    expect(buildRunView(b, settings({ yScale: "log", mode: "penalties" }), 800).main!.yScale).toBe("log");
    expect(buildRunView(b, settings({ yScale: "log" }), 800).decoupled!.yDomain[0]).toBeGreaterThan(0);
    const share = buildRunView(b, settings({ yScale: "log", mode: "share" }), 800).main!;
    expect(share.yScale).toBe("linear");
    expect(share.yDomain[0]).toBe(0);
    expect(buildRunView(b, settings(), 800).main!.yScale).toBe("linear");
  });

  it("leaves hidden series out, and says so when all are hidden", () => {
    const view = buildRunView(b, settings({ hidden: ["data", "penalty/conv/bias"] }), 800);
    expect(view.main!.layers.map((l) => l.key)).toEqual(PENALTIES.slice(1));
    const all = buildRunView(b, settings({ mode: "penalties", hidden: PENALTIES }), 800);
    expect(all.main).toBeNull();
    expect(all.notices).toEqual([
      "Every series of this chart is hidden: click its name in the legend to show it again.",
    ]);
  });

  it("groups by layer with the group keys as series keys", () => {
    const main = buildRunView(b, settings({ grouping: "layer" }), 800).main!;
    expect(main.layers.map((l) => l.key)).toEqual(["data", "layer:conv", "layer:dense", "layer:model/noise"]);
  });

  it("decimates to about one point per pixel column of the plot", () => {
    const steps = Array.from({ length: 1000 }, (_, i) => i);
    const big = parseBreakdown({
      run: "big",
      steps,
      wall_times: steps,
      series: { data: steps.map(() => 1), "penalty/a/kernel": steps.map(() => 0.5), total: steps.map(() => 1.5) },
    });
    const main = buildRunView(big, settings(), 266).main!;
    // 266 px card width minus the axis margins (52 + 14) leaves 200 columns.
    expect(main.indices.length).toBeGreaterThanOrEqual(200);
    expect(main.indices.length).toBeLessThanOrEqual(202);
    expect(main.x).toHaveLength(1000);
  });

  it("explains an empty run and a run without penalties", () => {
    const empty = buildRunView(parseBreakdown({ run: "e", steps: [], wall_times: [], series: {} }), settings(), 800);
    expect(empty.main).toBeNull();
    expect(empty.notices[0]).toMatch(/^This run has no regloss points yet/);
    const dataOnly = buildRunView(
      parseBreakdown({ run: "d", steps: [1], wall_times: [1], series: { data: [1], total: [1] } }),
      settings(),
      800,
    );
    expect(dataOnly.notices[0]).toMatch(/^This run has no penalties.*Add e\.g\. kernel_regularizer/);
    expect(dataOnly.main!.layers.map((l) => l.key)).toEqual(["data"]);
    const decoupledOnly = buildRunView(
      parseBreakdown({ run: "w", steps: [1], wall_times: [1], series: { data: [1], total: [1], "decoupled/d/kernel": [0.5] } }),
      settings(),
      800,
    );
    expect(decoupledOnly.notices[0]).toMatch(/^This run has no penalties.*decoupled: the optimizer applies it outside the loss/);
  });

  it("draws the penalties of a run without total and data, and says what is not shown", () => {
    const only = parseBreakdown({
      run: "p",
      steps: [0, 1],
      wall_times: [0, 1],
      series: { "penalty/a/kernel": [0.5, 0.4], "penalty/b/bias": [0.1, 0.1] },
      missing: ["total", "data"],
    });
    for (const mode of ["absolute", "share", "penalties"] as const) {
      const view = buildRunView(only, settings({ mode }), 800);
      expect(view.main!.layers.map((l) => l.key)).toEqual(["penalty/a/kernel", "penalty/b/bias"]);
      expect(view.main!.totalLine).toBeNull();
      expect(view.warnings).toEqual([]);
      expect(view.notices).toEqual([
        "This run has no regloss/total and no regloss/data series: only its penalties are shown, " +
          "without the line of the recorded total and without the residual check.",
      ]);
    }
    expect(buildRunView(only, settings(), 800).main!.layers[1].y1[0]).toBeCloseTo(0.6, 12);
  });

  it("says which core series is missing, and never that a series is hidden when there is none", () => {
    const noTotal = structuredClone(raw) as { series: Record<string, unknown>; missing?: string[] };
    delete noTotal.series.total;
    noTotal.missing = ["total"];
    const view = buildRunView(parseBreakdown(noTotal), settings(), 800);
    expect(view.main!.totalLine).toBeNull();
    expect(view.notices).toEqual([
      "This run has no regloss/total series: the line of the recorded total and the residual check are not shown.",
    ]);
    const totalOnly = buildRunView(
      parseBreakdown({ run: "t", steps: [1], wall_times: [1], series: { total: [1] }, missing: ["data"] }),
      settings(),
      800,
    );
    expect(totalOnly.main).toBeNull();
    expect(totalOnly.notices).toHaveLength(2);
    expect(totalOnly.notices[0]).toMatch(/^This run has no regloss\/data series: the data loss is not shown/);
    expect(totalOnly.notices[1]).toMatch(/^This run has no penalties/);
  });

  it("warns about unreadable series by their tags", () => {
    const u = structuredClone(raw) as { series: Record<string, unknown>; unreadable?: string[] };
    u.series["penalty/vec/kernel"] = Array(8).fill(null);
    u.unreadable = ["penalty/vec/kernel"];
    const view = buildRunView(parseBreakdown(u), settings(), 800);
    expect(view.warnings[1]).toBe(
      "Unreadable series: regloss/penalty/vec/kernel. TensorBoard lists them as scalars but cannot read them " +
        "(e.g. another tool wrote a vector under the tag), so they have no points here.",
    );
  });

  it("gives the same signature for the same inputs and another one when a setting changes", () => {
    const a = buildRunView(b, settings(), 800).main!.signature;
    expect(buildRunView(b, settings(), 800).main!.signature).toBe(a);
    expect(buildRunView(b, settings({ smoothing: 0.5 }), 800).main!.signature).not.toBe(a);
    expect(buildRunView(b, settings(), 700).main!.signature).not.toBe(a);
    expect(buildRunView(b, settings({ order: "size" }), 800).main!.signature).not.toBe(a);
  });
});

describe("shareYDomains", () => {
  it("gives every shown chart the union of the domains", () => {
    const m = (yDomain: [number, number]) => ({ yDomain }) as ChartModel;
    const models = [m([0, 2]), null, m([-1, 1])];
    shareYDomains(models);
    expect(models[0]!.yDomain).toEqual([-1, 2]);
    expect(models[2]!.yDomain).toEqual([-1, 2]);
  });
});

describe("latest", () => {
  it("is the last finite value with its index", () => {
    expect(latest([1, 2, null, NaN])).toEqual({ index: 1, value: 2 });
    expect(latest(Float64Array.of(NaN, NaN))).toBeNull();
  });
});

describe("buildRunView with more series than a chart draws", () => {
  it("merges the smallest into other terms and says so", () => {
    const series: Record<string, number[]> = { data: [1, 1] };
    // Term i is worth 1 + i at both steps: l00 and l01 are the two smallest.
    for (let i = 0; i < MAX_BANDS; i++) series[`penalty/l${String(i).padStart(2, "0")}/kernel`] = [1 + i, 1 + i];
    const b = parseBreakdown({ run: "many", steps: [0, 1], wall_times: [0, 1], series });
    const view = buildRunView(b, { ...DEFAULTS, smoothing: 0, order: "name" }, 600);
    const layers = view.main!.layers;
    expect(layers).toHaveLength(MAX_BANDS);
    expect(layers.slice(0, 2).map((l) => l.key)).toEqual(["data", "penalty/l02/kernel"]);
    expect(layers[MAX_BANDS - 1].key).toBe("other");
    expect([...(layers[MAX_BANDS - 1].values as Float64Array)]).toEqual([3, 3]);
    expect(view.notices).toContain(
      `The chart draws ${MAX_BANDS - 1} series and merges the 2 smallest into "other terms"; the ranking and the heatmap below show every one.`,
    );
    // The legend lists what is drawn, "other terms" in grey; the colours of every term stay known.
    expect(view.mainLegend.map((e) => e.key)).toEqual(layers.map((l) => l.key));
    expect(view.mainLegend[MAX_BANDS - 1]).toMatchObject({ name: "other terms", color: FIXED.other });
    expect(view.mainColors.size).toBe(MAX_BANDS + 1);
  });

  it("smooths the merged band as drawn, and lists it hidden when the user hides it", () => {
    const series: Record<string, number[]> = { data: [1, 1, 1] };
    for (let i = 0; i < MAX_BANDS + 1; i++) series[`penalty/l${String(i).padStart(2, "0")}/kernel`] = [1 + i, 2 + i, 1 + i];
    const b = parseBreakdown({ run: "many", steps: [0, 1, 2], wall_times: [0, 1, 2], series });
    const smoothed = buildRunView(b, { ...DEFAULTS, smoothing: 0.5, order: "name" }, 600).main!;
    const other = smoothed.layers.findIndex((l) => l.key === "other");
    // l00 + l01 + l02 = [6, 9, 6], smoothed as one series.
    expect([...(smoothed.raw[other] as Float64Array)]).toEqual([6, 9, 6]);
    expect([...(smoothed.layers[other].values as Float64Array)]).toEqual([...smoothColumn(Float64Array.of(6, 9, 6), 0.5)]);
    const hiding = buildRunView(b, { ...DEFAULTS, smoothing: 0, order: "name", hidden: ["other"] }, 600);
    expect(hiding.main!.layers.map((l) => l.key)).not.toContain("other");
    expect(hiding.mainLegend.at(-1)).toMatchObject({ key: "other", name: "other terms" });
  });
});
