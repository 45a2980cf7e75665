import { describe, expect, it } from "vitest";
import { parseBreakdown } from "../../src/data/api";
import { familyKeys, groupTerms, sumSeries } from "../../src/data/group";
import { loadFixture } from "../fixtures";

const b = parseBreakdown(loadFixture("breakdown.json"));

describe("groupTerms", () => {
  it("by term keeps one layer per penalty, in key order", () => {
    const layers = groupTerms(b, "penalty", "term", 0);
    expect(layers.map((l) => l.key)).toEqual([
      "penalty/conv/bias",
      "penalty/conv/kernel",
      "penalty/dense/activity",
      "penalty/dense/kernel",
      "penalty/model/noise/add_loss",
    ]);
    expect(layers[0].values).toBe(b.series.get("penalty/conv/bias"));
  });

  it("by layer sums a layer's terms, a gap in any member is a gap", () => {
    const layers = groupTerms(b, "penalty", "layer", 0);
    expect(layers.map((l) => l.key)).toEqual(["layer:conv", "layer:dense", "layer:model/noise"]);
    const conv = layers[0].values;
    expect(conv[0]).toBeCloseTo(0.124, 12);
    // Sums are columns: a gap is NaN.
    expect(conv).toBeInstanceOf(Float64Array);
    expect(conv[5]).toBeNaN();
    expect(layers[1].values[3]).toBeNaN();
    expect(layers[1].members).toEqual(["penalty/dense/activity", "penalty/dense/kernel"]);
  });

  it("by kind uses termKind", () => {
    expect(groupTerms(b, "penalty", "kind", 0).map((l) => l.key)).toEqual([
      "kind:activity",
      "kind:add_loss",
      "kind:bias",
      "kind:kernel",
    ]);
  });

  it("top-K keeps the K largest terms and merges the rest into other, last", () => {
    const layers = groupTerms(b, "penalty", "topk", 2);
    expect(layers.map((l) => l.key)).toEqual(["penalty/conv/kernel", "penalty/dense/kernel", "other"]);
    expect(layers[2].members).toEqual(["penalty/conv/bias", "penalty/dense/activity", "penalty/model/noise/add_loss"]);
    expect(layers[2].values[0]).toBeCloseTo(0.044, 12);
    expect(groupTerms(b, "penalty", "topk", 10).map((l) => l.key)).not.toContain("other");
  });

  it("prefixes decoupled groups so keys never collide with penalties", () => {
    expect(familyKeys(b, "decoupled")).toEqual(["decoupled/dense/kernel"]);
    expect(groupTerms(b, "decoupled", "layer", 0).map((l) => l.key)).toEqual(["decoupled:layer:dense"]);
    expect(groupTerms(b, "decoupled", "topk", 0).map((l) => l.key)).toEqual(["decoupled:other"]);
  });

  it("by layer puts the model's own terms (bare keys) in one readable group and a #N key in its layer", () => {
    const v2 = parseBreakdown({
      run: "v2",
      steps: [0, 1],
      wall_times: [0, 1],
      series: {
        total: [9, 9],
        data: [1, 1],
        "penalty/kernel": [1, 2],
        "penalty/activity": [0.5, 0.5],
        "penalty/add_loss": [0.25, 0.25],
        "penalty/variable#2": [0.125, null],
        "penalty/d/kernel": [1, 1],
        "penalty/d/kernel#2": [2, 2],
        "penalty/tower_a/proj/kernel": [3, 3],
        "penalty/tower_a/proj/activity": [4, 4],
        "decoupled/kernel": [0.5, 0.5],
        "decoupled/d/kernel#2": [0.25, 0.25],
      },
      descriptions: {},
    });
    const layers = groupTerms(v2, "penalty", "layer", 0);
    expect(layers.map((l) => [l.key, l.label])).toEqual([
      ["layer:", "layer:(model)"],
      ["layer:d", "layer:d"],
      ["layer:tower_a/proj", "layer:tower_a/proj"],
    ]);
    expect(layers[0].members).toEqual(["penalty/activity", "penalty/add_loss", "penalty/kernel", "penalty/variable#2"]);
    expect(Array.from(layers[0].values)).toEqual([1.875, NaN]);
    expect(layers[1].members).toEqual(["penalty/d/kernel", "penalty/d/kernel#2"]);
    expect(Array.from(layers[1].values)).toEqual([3, 3]);
    expect(groupTerms(v2, "decoupled", "layer", 0).map((l) => [l.key, l.label])).toEqual([
      ["decoupled:layer:", "layer:(model)"],
      ["decoupled:layer:d", "layer:d"],
    ]);
    expect(groupTerms(v2, "penalty", "kind", 0).find((l) => l.key === "kind:kernel")!.members).toEqual([
      "penalty/d/kernel",
      "penalty/d/kernel#2",
      "penalty/kernel",
      "penalty/tower_a/proj/kernel",
    ]);
    for (const grouping of ["term", "layer", "kind", "topk"] as const) {
      for (const l of groupTerms(v2, "penalty", grouping, 2)) expect(l.label).toMatch(/[^:]$/);
    }
  });

  it("groups smoothed series when given them", () => {
    const layers = groupTerms(b, "penalty", "kind", 0, () => [1, 1, 1, 1, 1, 1, 1, 1]);
    expect(layers.find((l) => l.key === "kind:kernel")!.values[0]).toBe(2);
  });
});

describe("sumSeries", () => {
  it("adds step by step", () => {
    expect([...sumSeries([[1, 2, null], [3, NaN, 1]], 3)]).toEqual([4, NaN, NaN]);
  });
});

describe("groupTerms by block", () => {
  const breakdown = parseBreakdown({
    run: "r",
    steps: [0, 1],
    wall_times: [0, 1],
    series: {
      "penalty/conv2_block1_1_conv/kernel": [1, 2],
      "penalty/conv2_block2_1_conv/kernel": [10, 20],
      "penalty/conv3_block1_1_conv/kernel": [100, 200],
      "penalty/kernel": [0.5, 0.5],
      "penalty/d/kernel#2": [3, 3],
      "decoupled/conv2_block1_1_conv/kernel": [7, 7],
    },
  });

  it("sums the terms of each top-level block at depth 1, the model's own terms as (model)", () => {
    const layers = groupTerms(breakdown, "penalty", "block", 0, undefined, 1);
    expect(layers.map((l) => [l.key, l.label, l.members])).toEqual([
      ["block:", "(model)", ["penalty/kernel"]],
      ["block:conv2", "conv2", ["penalty/conv2_block1_1_conv/kernel", "penalty/conv2_block2_1_conv/kernel"]],
      ["block:conv3", "conv3", ["penalty/conv3_block1_1_conv/kernel"]],
      ["block:d", "d", ["penalty/d/kernel#2"]],
    ]);
    expect(Array.from(layers[1].values as ArrayLike<number>)).toEqual([11, 22]);
  });

  it("keeps deeper blocks apart at depth 2 and prefixes decoupled groups", () => {
    const layers = groupTerms(breakdown, "penalty", "block", 0, undefined, 2);
    expect(layers.map((l) => l.label)).toEqual(["(model)", "conv2/block1", "conv2/block2", "conv3/block1", "d"]);
    expect(groupTerms(breakdown, "decoupled", "block", 0, undefined, 1).map((l) => [l.key, l.label])).toEqual([
      ["decoupled:block:conv2", "conv2"],
    ]);
  });
});
