import { describe, expect, it } from "vitest";
import { parseBreakdown } from "../src/api";
import { describeX, formatDuration, xValues, yExtent, yScale } from "../src/scales";
import { loadFixture } from "./fixtures";

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
