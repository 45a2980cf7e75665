import { describe, expect, it } from "vitest";
import { parseBreakdown } from "../src/api";
import { familyKeys, groupTerms, sumSeries } from "../src/group";
import { loadFixture } from "./fixtures";

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
