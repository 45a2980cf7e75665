import { describe, expect, it } from "vitest";
import { parseBreakdown } from "../../src/data/api";
import { describeX, formatDuration, logYScale, xValues, yExtent, yLogExtent, yScale } from "../../src/charts/scales";
import { loadFixture } from "../fixtures";

const b = parseBreakdown(loadFixture("breakdown.json"));

describe("scales", () => {
  it("gives x as step, relative seconds or wall milliseconds", () => {
    expect(xValues(b, "step")).toEqual(b.steps);
    expect(xValues(b, "relative").slice(0, 3)).toEqual([0, 12.5, 25]);
    expect(xValues(b, "wall")[0]).toBe(1700000000000);
  });

  it("formats durations and tooltip headers", () => {
    expect(formatDuration(12.5)).toBe("12.5 s");
    expect(formatDuration(750)).toBe("12.5 min");
    expect(formatDuration(7200)).toBe("2 h");
    expect(describeX("step", 150)).toBe("step 150");
  });

  it("takes the y extent over the stack and the total, with 0", () => {
    const layer = { key: "a", label: "a", values: [], y0: Float64Array.of(0, NaN), y1: Float64Array.of(2, NaN) };
    expect(yExtent([layer], Float64Array.of(2.5, NaN))).toEqual([0, 2.5]);
    expect(yScale([0, 0], 100).domain()).toEqual([0, 1]);
  });
});

const stacked = (y0: number[], y1: number[]) => ({
  key: "k",
  label: "k",
  values: [],
  y0: Float64Array.from(y0),
  y1: Float64Array.from(y1),
});

describe("log y axis", () => {
  it("spans from below the smallest positive bound to the largest, ignoring zeros, negatives and gaps", () => {
    const layers = [
      stacked([0, 0, NaN, -1], [0.02, 3, NaN, 0]),
      stacked([0.02, 3, 0, 0], [0.5, 800, 1, 2]),
    ];
    const [lo, hi] = yLogExtent(layers, Float64Array.of(0.6, 800.5, NaN, -0.5));
    expect(hi).toBe(800.5);
    // One decade below 0.02: more than a tenth of the 4.6 decades up to 800.5.
    expect(lo).toBeCloseTo(0.002, 12);
  });

  it("leaves a tenth of a wide range below it", () => {
    const [lo, hi] = yLogExtent([stacked([0, 0], [1e-12, 1e8])], null);
    expect(hi).toBe(1e8);
    expect(Math.log10(1e-12 / lo)).toBeCloseTo(2, 12);
  });

  it("gives the lowest area at least a decade on a narrow range, so it is not a sliver", () => {
    const layers = [stacked([0, 0], [2.3, 2.29]), stacked([2.3, 2.29], [2.38, 2.36])];
    const [lo] = yLogExtent(layers, null);
    expect(lo).toBeCloseTo(0.229, 12);
  });

  it("is a decade below a single value and [1, 10] when nothing is positive", () => {
    expect(yLogExtent([stacked([0, 0], [2, 2])], null)).toEqual([0.2, 2]);
    expect(yLogExtent([stacked([0, -1], [0, 0])], Float64Array.of(NaN, -1))).toEqual([1, 10]);
    expect(yLogExtent([], null)).toEqual([1, 10]);
  });

  it("keeps its domain and labels decades only, compactly", () => {
    const scale = logYScale([0.012, 850], 200);
    expect(scale.domain()).toEqual([0.012, 850]);
    expect(scale(850)).toBeCloseTo(0, 9);
    expect(scale(0.012)).toBeCloseTo(200, 9);
    const label = scale.tickFormat(5, "~s");
    const labels = scale.ticks(5).map(label).filter((t) => t !== "");
    expect(labels).toEqual(["100m", "1", "10", "100"]);
  });
});
