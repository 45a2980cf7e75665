import { describe, expect, it } from "vitest";
import { parseBreakdown } from "../../src/data/api";
import {
  choiceLabel,
  compareChoices,
  compareExtent,
  compareLines,
  compareValues,
  comparisonCsv,
  comparisonJson,
  nearestIndex,
} from "../../src/compare/compare";

function run(name: string, series: Record<string, unknown[]>, steps = [0, 10, 20]) {
  return parseBreakdown({ run: name, steps, wall_times: steps, series });
}

const wd0 = run("d2l/wd_0/validation", { total: [200, 208, 210], data: [200, 208, 210] });
const wd3 = run("d2l/wd_3/validation", {
  total: [2, 1, 0.5],
  data: [1.5, 0.5, 0.024],
  "penalty/dense/kernel": [0.25, 0.25, 0.375],
  "penalty/dense/bias": [0.25, null, 0.101],
  "penalty/kernel": [0, 0, 0],
  "decoupled/dense/kernel": [1, 1, 1],
});
const wd3Train = run("d2l/wd_3/train", { data: [1, 0.5, 0.25], total: [1, "NaN", 0.25] });

describe("compareChoices", () => {
  it("offers the fixed series, then layers, then terms", () => {
    expect(compareChoices([wd0, wd3]).map((c) => c.key)).toEqual([
      "data",
      "total",
      "penalties",
      "share",
      "layer:",
      "layer:dense",
      "decoupled/dense/kernel",
      "penalty/dense/bias",
      "penalty/dense/kernel",
      "penalty/kernel",
    ]);
  });

  it("offers the blocks that span two layers or more, each set of layers once, and sums them per run", () => {
    const resnet = run("resnet/train", {
      "penalty/conv1_conv/kernel": [1, 1, 1],
      "penalty/conv2_block1_1_conv/kernel": [2, 2, 2],
      "penalty/conv2_block1_2_conv/kernel": [3, 3, 3],
      "penalty/conv2_block2_1_conv/kernel": [4, 4, NaN],
      "penalty/conv2_block2_1_conv/bias": [5, 5, 5],
      "penalty/expanded_conv_depthwise/kernel": [6, 6, 6],
      "penalty/expanded_conv_project/kernel": [7, 7, 7],
    });
    const keys = compareChoices([resnet]).map((c) => c.key);
    // conv2 (3 layers) and its first block; its second block is one layer, expanded_conv two.
    expect(keys.filter((k) => k.startsWith("block:"))).toEqual(["block:conv2", "block:conv2/block1", "block:expanded_conv"]);
    expect(choiceLabel("block:conv2/block1")).toBe("Penalties of block conv2/block1");
    expect([...compareValues(resnet, "block:conv2")!]).toEqual([14, 14, NaN]);
    expect([...compareValues(resnet, "block:conv2/block1")!]).toEqual([5, 5, 5]);
    expect([...compareValues(resnet, "block:expanded_conv")!]).toEqual([13, 13, 13]);
    expect(compareValues(wd3, "block:conv2")).toBeNull();
  });

  it("lists numbered names by number", () => {
    const numbered = run("m/train", {
      "penalty/block_10_expand/kernel": [1, 1, 1],
      "penalty/block_2_expand/kernel": [1, 1, 1],
      "penalty/block_10_project/kernel": [1, 1, 1],
      "penalty/block_2_project/kernel": [1, 1, 1],
    });
    const keys = compareChoices([numbered]).map((c) => c.key);
    expect(keys.filter((k) => k.startsWith("block:"))).toEqual(["block:block_2", "block:block_10"]);
    expect(keys.filter((k) => k.startsWith("layer:"))).toEqual([
      "layer:block_2_expand",
      "layer:block_2_project",
      "layer:block_10_expand",
      "layer:block_10_project",
    ]);
  });

  it("labels layers, the model's own terms and fixed series", () => {
    expect(choiceLabel("layer:dense")).toBe("Penalties of layer dense");
    expect(choiceLabel("layer:")).toBe("Penalties of layer (model)");
    expect(choiceLabel("share")).toBe("Penalty share of the total");
    expect(choiceLabel("penalty/<b>/kernel")).toBe("penalty/<b>/kernel");
  });
});

describe("compareValues", () => {
  it("reads a series as it is, and null for a run without it", () => {
    expect([...compareValues(wd3, "data")!]).toEqual([1.5, 0.5, 0.024]);
    expect(compareValues(wd0, "penalty/dense/kernel")).toBeNull();
  });

  it("sums penalties (not decoupled terms), a missing term making a gap", () => {
    expect([...compareValues(wd3, "penalties")!]).toEqual([0.5, NaN, 0.476]);
    expect([...compareValues(wd3, "layer:dense")!]).toEqual([0.5, NaN, 0.476]);
    expect([...compareValues(wd3, "layer:")!]).toEqual([0, 0, 0]);
    expect(compareValues(wd0, "penalties")).toBeNull();
  });

  it("divides the penalties by the total for the share", () => {
    expect([...compareValues(wd3, "share")!]).toEqual([0.25, NaN, 0.952]);
  });
});

describe("compareLines", () => {
  it("keeps runs with a value, lists the others, and sets prefix and split", () => {
    const c = compareLines([wd0, wd3, wd3Train], "penalties", 0);
    expect(c.lines.map((l) => [l.run, l.prefix, l.split])).toEqual([["d2l/wd_3/validation", "d2l/wd_3", "validation"]]);
    expect(c.without).toEqual(["d2l/wd_0/validation", "d2l/wd_3/train"]);
    expect(c.lines[0].smoothed).toBe(c.lines[0].raw);
  });

  it("smooths like the Scalars dashboard, keeping the raw values", () => {
    const [line] = compareLines([wd3Train], "data", 0.5).lines;
    expect([...line.raw]).toEqual([1, 0.5, 0.25]);
    // Debiased EMA: m = 0.5, 0.5, 0.375 (m = 0.5·m + 0.5·v); divided by 0.5, 0.75, 0.875.
    expect([...line.smoothed]).toEqual([1, 0.6666666666666666, 0.42857142857142855]);
  });
});

describe("compareExtent", () => {
  const c = compareLines([wd0, wd3], "data", 0);

  it("spans every line on one axis, linear or log", () => {
    expect(compareExtent(c.lines, false)).toEqual([0.024, 210]);
    expect(compareExtent(c.lines, true)).toEqual([0.024, 210]);
  });

  it("leaves non-positive values off a log axis", () => {
    const zeros = compareLines([wd3], "layer:", 0);
    expect(compareExtent(zeros.lines, true)).toEqual([1, 10]);
    expect(compareExtent(zeros.lines, false)).toEqual([-0.5, 0.5]);
    expect(compareExtent([], false)).toEqual([0, 1]);
  });
});

describe("comparison export", () => {
  const c = compareLines([wd3Train, run('a,"b"', { data: [Math.fround(0.1), null, Infinity] })], "data", 0.6);

  it("writes raw values one row per run and step, gaps left out", () => {
    expect(comparisonCsv(c)).toBe(
      "run,step,data\n" + "d2l/wd_3/train,0,1\nd2l/wd_3/train,10,0.5\nd2l/wd_3/train,20,0.25\n" + '"a,""b""",0,0.1\n"a,""b""",20,Infinity\n',
    );
  });

  it("writes JSON with the series, its label and null gaps", () => {
    expect(JSON.parse(comparisonJson(c))).toEqual({
      series: "data",
      label: "Data loss",
      runs: [
        { run: "d2l/wd_3/train", steps: [0, 10, 20], values: [1, 0.5, 0.25] },
        { run: 'a,"b"', steps: [0, 10, 20], values: [Math.fround(0.1), null, "Infinity"] },
      ],
      without: [],
    });
  });
});

describe("nearestIndex", () => {
  it("finds the nearest step with a value", () => {
    const [line] = compareLines([wd3], "penalties", 0).lines;
    expect(nearestIndex(line, 9)).toBe(0);
    expect(nearestIndex(line, 16)).toBe(2);
    expect(nearestIndex(line, 100)).toBe(2);
  });
});
